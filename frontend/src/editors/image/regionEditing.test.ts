import { describe, expect, it } from "vitest";
import type { Region, Shape } from "../core/regions";
import { imagePoint, imageToScreen } from "../core/viewport";
import { ImageEditorEngine } from "./engine";
import {
  copySelected,
  groupSelected,
  pasteClipboard,
  setRegionFlag,
  shiftZOrder,
} from "./regionCommands";

const controls = [
  {
    name: "objects",
    type: "bbox",
    labels: [{ name: "car" }],
    attributes: [{ name: "occluded", type: "boolean" as const, default: false }],
  },
  { name: "outline", type: "polygon", labels: [{ name: "road" }] },
  { name: "lane", type: "polyline", labels: [{ name: "marking" }] },
];

type Point = [number, number];

function region(id: string, control: string, shape: Shape): Region {
  return { id, control, shape, labels: [], attributes: {}, score: null, group: null };
}

const square = region("square", "outline", {
  type: "polygon",
  points: [20, 20, 60, 20, 60, 60, 20, 60],
  holes: [],
});

/** Builds a select-tool engine on a 100x100 image with `regions` loaded. */
function setUp(regions: Region[], image = { width: 100, height: 100 }) {
  const engine = new ImageEditorEngine(image, controls);
  engine.setViewSize({ width: 800, height: 800 });
  engine.store.load(regions);
  engine.setTool("select");
  const at = ([x, y]: Point) => imageToScreen(engine.getView().camera, imagePoint(x, y));
  const click = (point: Point, altKey = false, shiftKey = false) => {
    engine.pointerDown(at(point), 0, { altKey, shiftKey });
    engine.pointerUp(at(point), 0);
  };
  const drag = (from: Point, to: Point) => {
    engine.pointerDown(at(from), 0);
    engine.pointerMove(at(to));
    engine.pointerUp(at(to), 0);
  };
  const get = (id: string) => engine.store.get(id);
  // Screen round trips add float noise, so points are rounded to 6 decimals.
  const points = (id: string) => {
    const shape = get(id)?.shape;
    if (shape === undefined || !("points" in shape)) throw new Error(`${id} has no points`);
    return shape.points.map((value) => Math.round(value * 1e6) / 1e6);
  };
  return { engine, click, drag, get, points };
}

describe("vertex editing", () => {
  it("drag a vertex", () => {
    const { click, drag, points } = setUp([square]);
    click([40, 40]);
    drag([60, 60], [70, 80]);
    expect(points("square")).toEqual([20, 20, 60, 20, 70, 80, 20, 60]);
  });

  it("midpoint press inserts and drags in one step", () => {
    const { engine, click, drag, points } = setUp([square]);
    click([40, 40]);
    drag([40, 20], [40, 10]);
    expect(points("square")).toEqual([20, 20, 40, 10, 60, 20, 60, 60, 20, 60]);
    engine.store.undo();
    expect(points("square")).toEqual(square.shape.type === "polygon" ? square.shape.points : []);
  });

  it("alt-click on an edge inserts there", () => {
    const { click, points } = setUp([square]);
    click([40, 40]);
    click([60, 30], true);
    expect(points("square")).toEqual([20, 20, 60, 20, 60, 30, 60, 60, 20, 60]);
  });

  it("alt-click deletes but keeps three points", () => {
    const { click, points } = setUp([square]);
    click([40, 40]);
    click([60, 60], true);
    expect(points("square")).toEqual([20, 20, 60, 20, 20, 60]);
    click([20, 60], true);
    expect(points("square")).toEqual([20, 20, 60, 20, 20, 60]);
  });

  it("delete removes the picked vertex", () => {
    const line = region("line", "lane", { type: "polyline", points: [10, 10, 50, 10, 90, 10] });
    const { engine, click, points } = setUp([line]);
    click([30, 10]);
    click([50, 10]);
    engine.deleteSelected();
    expect(points("line")).toEqual([10, 10, 90, 10]);
    click([30, 10]);
    click([90, 10]);
    engine.deleteSelected();
    expect(points("line")).toEqual([10, 10, 90, 10]);
  });
});

describe("region commands", () => {
  const box = region("box", "objects", { type: "bbox", x: 30, y: 30, width: 20, height: 20 });

  it("locked region does not move or delete", () => {
    const { engine, click, drag, get } = setUp([{ ...box, locked: true }]);
    drag([40, 40], [80, 80]);
    expect(get("box")?.shape).toEqual(box.shape);
    click([40, 40]);
    engine.deleteSelected();
    expect(get("box")).toBeDefined();
  });

  it("hidden region is not hit", () => {
    const { engine, click } = setUp([box]);
    setRegionFlag(engine.store, "box", "hidden", true);
    click([40, 40]);
    expect(engine.store.getSnapshot().selectedIds).toEqual([]);
  });

  it("higher z-order is hit first", () => {
    const { engine, click } = setUp([square, box]);
    click([40, 40]);
    expect(engine.store.getSnapshot().selectedIds).toEqual(["box"]);
    engine.store.select(["square"]);
    shiftZOrder(engine.store, 1);
    engine.store.select([]);
    click([40, 40]);
    expect(engine.store.getSnapshot().selectedIds).toEqual(["square"]);
  });

  it("shift-click and group", () => {
    const { engine, click, get } = setUp([square, { ...box, group: 4 }]);
    click([45, 45]);
    click([25, 25], false, true);
    expect(engine.store.getSnapshot().selectedIds).toEqual(["box", "square"]);
    groupSelected(engine.store);
    expect(get("square")?.group).toBe(5);
    expect(get("box")?.group).toBe(5);
  });

  it("paste into a smaller image clamps", () => {
    const first = setUp([square]);
    first.engine.store.select(["square"]);
    expect(copySelected(first.engine.store)).toBe(1);

    const second = setUp([], { width: 50, height: 50 });
    expect(pasteClipboard(second.engine.store, ["outline"], second.engine.image)).toBe(1);
    const [pasted] = second.engine.store.getSnapshot().regions;
    expect(pasted?.id).not.toBe("square");
    expect(pasted?.shape).toEqual({
      type: "polygon",
      points: [10, 10, 50, 10, 50, 50, 10, 50],
      holes: [],
    });
    second.engine.store.undo();
    expect(second.engine.store.getSnapshot().regions).toEqual([]);
  });

  it("new box gets attribute defaults", () => {
    const engine = new ImageEditorEngine({ width: 100, height: 100 }, controls);
    engine.setViewSize({ width: 800, height: 800 });
    const at = (x: number, y: number) => imageToScreen(engine.getView().camera, imagePoint(x, y));
    engine.pointerDown(at(10, 10), 0);
    engine.pointerMove(at(30, 30));
    engine.pointerUp(at(30, 30), 0);
    expect(engine.store.getSnapshot().regions[0]?.attributes).toEqual({ occluded: false });
  });
});
