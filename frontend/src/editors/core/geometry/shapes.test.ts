import { describe, expect, it } from "vitest";
import type { EllipseShape } from "../regions";
import { imagePoint } from "../viewport";
import { ellipseBounds, ellipseContains, ellipseFromCorners } from "./ellipse";
import { completeKeypoints, nextVisibility, skeletonSegments } from "./keypoints";
import { fitShapeInside, shapeContains } from "./shapes";

const image = { width: 100, height: 80 };

describe("ellipse geometry", () => {
  const ellipse: EllipseShape = { type: "ellipse", cx: 50, cy: 40, rx: 20, ry: 10, rotation: 0 };

  it("corners give centre and radii", () => {
    expect(ellipseFromCorners(imagePoint(30, 50), imagePoint(70, 30))).toEqual(ellipse);
  });

  it("bounds of upright and turned", () => {
    expect(ellipseBounds(ellipse)).toEqual({ left: 30, top: 30, right: 70, bottom: 50 });
    const turned = ellipseBounds({ ...ellipse, rotation: 90 });
    expect(turned.left).toBeCloseTo(40);
    expect(turned.top).toBeCloseTo(20);
    const diagonal = ellipseBounds({ ...ellipse, rotation: 45 });
    expect(diagonal.right - diagonal.left).toBeCloseTo(2 * Math.sqrt((400 + 100) / 2));
  });

  it("contains follows the rotation", () => {
    expect(ellipseContains(ellipse, imagePoint(68, 40))).toBe(true);
    expect(ellipseContains(ellipse, imagePoint(50, 55))).toBe(false);
    expect(ellipseContains({ ...ellipse, rotation: 90 }, imagePoint(50, 58))).toBe(true);
  });
});

describe("keypoints", () => {
  it("visibility cycles", () => {
    expect([nextVisibility(2), nextVisibility(1), nextVisibility(0)]).toEqual([1, 0, 2]);
  });

  it("missing points get v 0", () => {
    const flat = completeKeypoints([imagePoint(1, 2), imagePoint(3, 4)], 3);
    expect(flat).toEqual([1, 2, 2, 3, 4, 2, 1, 2, 0]);
  });

  it("skeleton skips unlabelled ends", () => {
    const flat = [0, 0, 2, 5, 5, 1, 9, 9, 0];
    const segments = skeletonSegments(flat, [
      [0, 1],
      [1, 2],
    ]);
    expect(segments).toHaveLength(1);
  });
});

describe("shape utils", () => {
  it("polygon with a hole", () => {
    const polygon = {
      type: "polygon" as const,
      points: [0, 0, 10, 0, 10, 10, 0, 10],
      holes: [[4, 4, 6, 4, 6, 6, 4, 6]],
    };
    expect(shapeContains(polygon, imagePoint(2, 2), 0)).toBe(true);
    expect(shapeContains(polygon, imagePoint(5, 5), 0)).toBe(false);
  });

  it("polyline hits only near its line", () => {
    const line = { type: "polyline" as const, points: [0, 0, 10, 0] };
    expect(shapeContains(line, imagePoint(5, 1), 2)).toBe(true);
    expect(shapeContains(line, imagePoint(5, 5), 2)).toBe(false);
  });

  it("fit inside shifts and clamps", () => {
    const polygon = { type: "polygon" as const, points: [90, 70, 110, 70, 110, 90], holes: [] };
    expect(fitShapeInside(polygon, image)).toMatchObject({ points: [80, 60, 100, 60, 100, 80] });
    const wide = { type: "polyline" as const, points: [-10, 5, 150, 5] };
    expect(fitShapeInside(wide, image)).toMatchObject({ points: [0, 5, 100, 5] });
  });

  it("fit inside keeps keypoint visibility", () => {
    const keypoints = { type: "keypoints" as const, points: [-5, 10, 2, 20, 10, 1] };
    expect(fitShapeInside(keypoints, image)).toMatchObject({ points: [0, 10, 2, 25, 10, 1] });
  });
});
