import { describe, expect, it } from "vitest";
import { rotationHandlePoint } from "../core/geometry/box";
import type { Region, Shape } from "../core/regions";
import type { SchemaControl } from "../core/schema";
import { imagePoint, imageToScreen, screenDistanceToImage } from "../core/viewport";
import { editorActions } from "./actions";
import { ImageEditorEngine } from "./engine";
import { ROTATION_HANDLE_DISTANCE } from "./tools/rotate/handle";

const controls: SchemaControl[] = [
  {
    name: "objects",
    type: "bbox",
    labels: [{ name: "car" }],
    attributes: [{ name: "occluded", type: "boolean", default: false }],
  },
  { name: "outline", type: "polygon", labels: [{ name: "road" }] },
  { name: "lane", type: "polyline", labels: [{ name: "marking" }] },
  {
    name: "pose",
    type: "keypoints",
    labels: [
      {
        name: "person",
        keypoints: ["head", "hip", "foot"],
        skeleton: [
          [0, 1],
          [1, 2],
        ],
      },
    ],
  },
  { name: "blob", type: "ellipse", labels: [{ name: "cell" }] },
];

type Point = [number, number];

/** Rounds every number in a shape to 6 decimals, since screen round trips add float noise. */
function rounded(shape: Shape | undefined): unknown {
  return JSON.parse(JSON.stringify(shape), (_key, value) =>
    typeof value === "number" ? Math.round(value * 1e6) / 1e6 : value,
  );
}

/** Builds an engine for a 100x100 image in an 800x800 view, with a driver that works in image pixels. */
function setUp(image = { width: 100, height: 100 }) {
  const engine = new ImageEditorEngine(image, controls);
  engine.setViewSize({ width: 800, height: 800 });
  const at = ([x, y]: Point) => imageToScreen(engine.getView().camera, imagePoint(x, y));
  const click = (point: Point, modifiers = { altKey: false, shiftKey: false }) => {
    engine.pointerDown(at(point), 0, modifiers);
    engine.pointerUp(at(point), 0);
  };
  const drag = (from: Point, to: Point) => {
    engine.pointerDown(at(from), 0);
    engine.pointerMove(at([(from[0] + to[0]) / 2, (from[1] + to[1]) / 2]));
    engine.pointerMove(at(to));
    engine.pointerUp(at(to), 0);
  };
  const regions = () => engine.store.getSnapshot().regions;
  const shapes = (): Shape[] => regions().map((region) => region.shape);
  const state = () => engine.getView().toolState;
  const noPage = { accept() {}, submit() {}, toggleHelp() {}, closeOverlay: () => false };
  const press = (id: string) => editorActions(engine, controls, noPage)[id]?.();
  return { engine, click, drag, regions, shapes, state, press };
}

describe("polygon tool", () => {
  it("closes on the first point", () => {
    const { engine, click, shapes, state } = setUp();
    engine.setTool("polygon");
    click([10, 10]);
    expect(state()).toBe("polygon.drawing");
    click([50, 10]);
    click([50, 50]);
    expect(shapes()).toEqual([]);
    expect(engine.getView().preview?.points).toEqual([10, 10, 50, 10, 50, 50]);
    click([10, 10]);
    expect(shapes()).toEqual([{ type: "polygon", points: [10, 10, 50, 10, 50, 50], holes: [] }]);
    expect(state()).toBe("polygon.idle");
    expect(engine.getView().preview).toBeNull();
    expect(engine.store.getSnapshot().regions[0]?.labels).toEqual(["road"]);
  });

  it("enter finishes and undo removes it in one step", () => {
    const { engine, click, shapes, press } = setUp();
    engine.setTool("polygon");
    for (const point of [
      [10, 10],
      [40, 10],
      [40, 40],
      [10, 40],
    ] as Point[])
      click(point);
    press("drawing.finish");
    expect(shapes()).toHaveLength(1);
    engine.store.undo();
    expect(shapes()).toEqual([]);
  });

  it("enter with two points keeps drawing", () => {
    const { engine, click, shapes, state, press } = setUp();
    engine.setTool("polygon");
    click([10, 10]);
    click([40, 10]);
    press("drawing.finish");
    expect(shapes()).toEqual([]);
    expect(state()).toBe("polygon.drawing");
  });

  it("escape cancels without history", () => {
    const { engine, click, shapes, state } = setUp();
    engine.setTool("polygon");
    click([10, 10]);
    click([40, 10]);
    engine.cancel();
    expect(shapes()).toEqual([]);
    expect(state()).toBe("polygon.idle");
    expect(engine.store.getSnapshot().canUndo).toBe(false);
  });
});

describe("polyline and keypoints tools", () => {
  it("polyline finishes on enter", () => {
    const { engine, click, shapes, press } = setUp();
    engine.setTool("polyline");
    click([10, 10]);
    click([30, 20]);
    click([60, 20]);
    press("drawing.finish");
    const [line] = shapes();
    expect(line?.type).toBe("polyline");
    expect(rounded(line)).toEqual({ type: "polyline", points: [10, 10, 30, 20, 60, 20] });
  });

  it("keypoints finish after the last name", () => {
    const { engine, click, shapes, state } = setUp();
    engine.setTool("keypoints");
    click([50, 10]);
    expect(engine.getView().preview?.nextName).toBe("hip");
    click([50, 50]);
    click([50, 90]);
    expect(shapes()).toEqual([{ type: "keypoints", points: [50, 10, 2, 50, 50, 2, 50, 90, 2] }]);
    expect(state()).toBe("keypoints.idle");
  });

  it("keypoints enter leaves the rest unlabelled", () => {
    const { engine, click, shapes, press } = setUp();
    engine.setTool("keypoints");
    click([50, 10]);
    press("drawing.finish");
    expect(shapes()).toEqual([{ type: "keypoints", points: [50, 10, 2, 50, 10, 0, 50, 10, 0] }]);
  });

  it("visibility key steps the picked point", () => {
    const { engine, click, regions, press } = setUp();
    engine.setTool("keypoints");
    for (const point of [
      [50, 10],
      [50, 50],
      [50, 90],
    ] as Point[])
      click(point);
    engine.setTool("select");
    click([50, 50]);
    expect(engine.getView().selectedVertex).toEqual({ regionId: regions()[0]?.id, index: 1 });
    const hipVisibility = () => {
      const shape = regions()[0]?.shape;
      return shape?.type === "keypoints" ? shape.points[5] : undefined;
    };
    press("keypoint.visibility");
    expect(hipVisibility()).toBe(1);
    press("keypoint.visibility");
    expect(hipVisibility()).toBe(0);
  });
});

describe("ellipse and rotation", () => {
  it("ellipse from a drag", () => {
    const { engine, drag, shapes } = setUp();
    engine.setTool("ellipse");
    drag([20, 30], [60, 50]);
    expect(shapes()).toEqual([{ type: "ellipse", cx: 40, cy: 40, rx: 20, ry: 10, rotation: 0 }]);
  });

  it("rotation handle turns a box", () => {
    const { engine, drag, shapes } = setUp();
    drag([30, 40], [70, 60]);
    expect(engine.store.getSnapshot().selectedIds).toHaveLength(1);
    engine.setTool("select");
    const box = shapes()[0];
    if (box?.type !== "bbox") throw new Error("expected a box");
    const distance = screenDistanceToImage(engine.getView().camera, ROTATION_HANDLE_DISTANCE);
    const knob = rotationHandlePoint(box, distance);
    drag([knob.x, knob.y], [90, 50]);
    expect(rounded(shapes()[0])).toEqual({
      type: "bbox",
      x: 30,
      y: 40,
      width: 40,
      height: 20,
      rotation: 90,
    });
    engine.store.undo();
    expect(shapes()[0]).toEqual(box);
  });

  it("hit test follows the rotation", () => {
    const { engine, click, regions } = setUp();
    const box: Region = {
      id: "turned",
      control: "objects",
      shape: { type: "bbox", x: 30, y: 45, width: 40, height: 10, rotation: 90 },
      labels: ["car"],
      attributes: {},
      score: null,
      group: null,
    };
    engine.store.load([box]);
    engine.setTool("select");
    click([50, 32]);
    expect(engine.store.getSnapshot().selectedIds).toEqual(["turned"]);
    click([32, 50]);
    expect(engine.store.getSnapshot().selectedIds).toEqual([]);
    expect(regions()).toHaveLength(1);
  });
});
