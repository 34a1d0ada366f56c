import { describe, expect, it } from "vitest";
import { RegionStore } from "./regionStore";
import { type BoxShape, createRegion, type Region } from "./regions";

function box(x: number, y: number, width = 10, height = 10): BoxShape {
  return { type: "bbox", x, y, width, height };
}

function shapes(store: RegionStore): BoxShape[] {
  return store.getSnapshot().regions.map((region) => region.shape as BoxShape);
}

describe("region history", () => {
  it("undoes and redoes a created region", () => {
    const store = new RegionStore();
    store.put(createRegion("objects", box(1, 2), ["cat"]));
    store.commit();

    store.undo();
    expect(store.getSnapshot().regions).toHaveLength(0);
    store.redo();
    expect(shapes(store)).toEqual([box(1, 2)]);
  });

  it("undoes a gesture of many moves in one step", () => {
    const store = new RegionStore();
    const region = createRegion("objects", box(0, 0), []);
    store.put(region);
    store.commit();
    for (let step = 1; step <= 5; step += 1) store.put({ ...region, shape: box(step, step) });
    store.commit();

    store.undo();
    expect(shapes(store)).toEqual([box(0, 0)]);
    expect(store.getSnapshot().canUndo).toBe(true);
  });

  it("cancel reverts only the pending gesture", () => {
    const store = new RegionStore();
    const region = createRegion("objects", box(0, 0), []);
    store.put(region);
    store.commit();
    store.put({ ...region, shape: box(5, 5) });

    store.cancel();
    expect(shapes(store)).toEqual([box(0, 0)]);
    expect(store.getSnapshot().canRedo).toBe(false);
  });

  it("undo leaves other regions untouched", () => {
    const store = new RegionStore();
    const first: Region = createRegion("objects", box(0, 0), []);
    const second: Region = createRegion("objects", box(20, 20), []);
    store.load([first]);
    store.put(second);
    store.commit();
    store.remove([first.id]);
    store.commit();

    store.undo();
    expect(
      store
        .getSnapshot()
        .regions.map((region) => region.id)
        .sort(),
    ).toEqual([first.id, second.id].sort());
    store.undo();
    expect(store.getSnapshot().regions.map((region) => region.id)).toEqual([first.id]);
  });

  it("new change after undo clears redo", () => {
    const store = new RegionStore();
    store.put(createRegion("objects", box(0, 0), []));
    store.commit();
    store.undo();
    store.put(createRegion("objects", box(3, 3), []));
    store.commit();

    expect(store.getSnapshot().canRedo).toBe(false);
  });

  it("load is not undoable", () => {
    const store = new RegionStore();
    store.load([createRegion("objects", box(0, 0), [])]);

    expect(store.getSnapshot().canUndo).toBe(false);
    expect(store.getSnapshot().editRevision).toBe(0);
  });
});
