import { describe, expect, it } from "vitest";
import {
  fitCamera,
  imagePoint,
  imageToScreen,
  panBy,
  screenPoint,
  screenToImage,
  zoomAt,
} from "./viewport";

describe("viewport", () => {
  const camera = { scale: 3.5, offsetX: 12, offsetY: -40 };

  it("screen to image round trip", () => {
    for (const [x, y] of [
      [0, 0],
      [100.5, 33.25],
      [-20, 900],
    ] as const) {
      const back = imageToScreen(camera, screenToImage(camera, screenPoint(x, y)));
      expect(back.x).toBeCloseTo(x, 9);
      expect(back.y).toBeCloseTo(y, 9);
    }
  });

  it("image origin maps to offset", () => {
    const origin = imageToScreen(camera, imagePoint(0, 0));
    expect(origin.x).toBe(12);
    expect(origin.y).toBe(-40);
  });

  it("fit scales a tiny image up", () => {
    const fitted = fitCamera({ width: 8, height: 8 }, { width: 800, height: 600 }, 0);
    expect(fitted.scale).toBe(75);
    expect(fitted.offsetX).toBe(100);
    expect(fitted.offsetY).toBe(0);
  });

  it("zoom keeps the anchor still", () => {
    const anchor = screenPoint(200, 150);
    const before = screenToImage(camera, anchor);
    const after = screenToImage(zoomAt(camera, anchor, 2), anchor);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it("pan moves the image by screen pixels", () => {
    const moved = imageToScreen(panBy(camera, 5, -7), imagePoint(1, 1));
    const before = imageToScreen(camera, imagePoint(1, 1));
    expect(moved.x - before.x).toBe(5);
    expect(moved.y - before.y).toBe(-7);
  });
});
