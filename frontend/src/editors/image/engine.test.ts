import { describe, expect, it } from "vitest";
import type { BoxShape } from "../core/regions";
import { imagePoint, imageToScreen, type ScreenPoint } from "../core/viewport";
import { ImageEditorEngine } from "./engine";

const controls = [
  { name: "objects", type: "bbox", labels: [{ name: "cat" }, { name: "dog" }] },
  { name: "quality", type: "choice", labels: [{ name: "good" }, { name: "bad" }] },
];

/** Builds an engine for an 8x8 image fitted into an 800x800 view, with helpers that drag between image points. */
function setUp() {
  const engine = new ImageEditorEngine({ width: 8, height: 8 }, controls);
  engine.setViewSize({ width: 800, height: 800 });
  const at = (x: number, y: number): ScreenPoint =>
    imageToScreen(engine.getView().camera, imagePoint(x, y));
  const drag = (from: [number, number], to: [number, number]) => {
    engine.pointerDown(at(...from), 0);
    engine.pointerMove(at((from[0] + to[0]) / 2, (from[1] + to[1]) / 2));
    engine.pointerMove(at(...to));
    engine.pointerUp(at(...to), 0);
  };
  const boxes = () => engine.store.getSnapshot().regions.map((region) => region.shape as BoxShape);
  return { engine, drag, boxes };
}

describe("image editor engine", () => {
  it("fit scales an 8x8 image up", () => {
    const { engine } = setUp();
    expect(engine.getView().camera.scale).toBeGreaterThan(80);
  });

  it("box tool draws a labelled box", () => {
    const { engine, drag, boxes } = setUp();
    drag([1, 2], [5, 6]);

    expect(boxes()).toEqual([{ type: "bbox", x: 1, y: 2, width: 4, height: 4 }]);
    expect(engine.store.getSnapshot().regions[0]?.labels).toEqual(["cat"]);
    expect(engine.getView().toolState).toBe("box.idle");
  });

  it("box drawn past the edge is clipped", () => {
    const { drag, boxes } = setUp();
    drag([6, 6], [12, 9]);
    expect(boxes()).toEqual([{ type: "bbox", x: 6, y: 6, width: 2, height: 2 }]);
  });

  it("click without drag draws nothing", () => {
    const { engine, boxes } = setUp();
    const point = imageToScreen(engine.getView().camera, imagePoint(3, 3));
    engine.pointerDown(point, 0);
    engine.pointerUp(point, 0);
    expect(boxes()).toEqual([]);
  });

  it("drawing undoes in one step", () => {
    const { engine, drag, boxes } = setUp();
    drag([1, 1], [4, 4]);
    engine.store.undo();
    expect(boxes()).toEqual([]);
  });

  it("select tool moves and resizes", () => {
    const { engine, drag, boxes } = setUp();
    drag([1, 1], [3, 3]);
    engine.setTool("select");
    drag([2, 2], [4, 3]);
    expect(boxes()).toEqual([{ type: "bbox", x: 3, y: 2, width: 2, height: 2 }]);

    drag([5, 4], [7, 6]);
    expect(boxes()).toEqual([{ type: "bbox", x: 3, y: 2, width: 4, height: 4 }]);
  });

  it("label pick relabels the selected box", () => {
    const { engine, drag } = setUp();
    drag([1, 1], [3, 3]);
    engine.pickLabel("objects", "dog");
    expect(engine.store.getSnapshot().regions[0]?.labels).toEqual(["dog"]);
    engine.store.undo();
    expect(engine.store.getSnapshot().regions[0]?.labels).toEqual(["cat"]);
  });

  it("choice pick toggles one label", () => {
    const { engine } = setUp();
    engine.pickLabel("quality", "good");
    engine.pickLabel("quality", "bad");
    expect(engine.store.getSnapshot().regions.map((region) => region.labels)).toEqual([["bad"]]);
    engine.pickLabel("quality", "bad");
    expect(engine.store.getSnapshot().regions).toEqual([]);
  });

  it("escape cancels a drag in progress", () => {
    const { engine, boxes } = setUp();
    const camera = engine.getView().camera;
    engine.pointerDown(imageToScreen(camera, imagePoint(1, 1)), 0);
    engine.pointerMove(imageToScreen(camera, imagePoint(4, 4)));
    engine.cancel();
    expect(boxes()).toEqual([]);
    expect(engine.store.getSnapshot().canUndo).toBe(false);
  });
});
