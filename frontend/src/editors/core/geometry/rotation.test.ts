import { describe, expect, it } from "vitest";
import { imagePoint } from "../viewport";
import { boxContains, boxCorners, handlePoint, resizeBox, rotationHandlePoint } from "./box";
import { angleFromCentre, normaliseDegrees, rotatePoint } from "./rotation";

const centre = imagePoint(10, 10);

function expectPoint(actual: { x: number; y: number }, x: number, y: number) {
  expect(actual.x).toBeCloseTo(x, 6);
  expect(actual.y).toBeCloseTo(y, 6);
}

describe("rotation", () => {
  it("quarter turn is clockwise on screen", () => {
    // Right of the centre turns to below it, because y points down.
    expectPoint(rotatePoint(imagePoint(20, 10), centre, 90), 10, 20);
  });

  it("angle from centre", () => {
    expect(angleFromCentre(centre, imagePoint(10, 0))).toBeCloseTo(0);
    expect(angleFromCentre(centre, imagePoint(20, 10))).toBeCloseTo(90);
    expect(angleFromCentre(centre, imagePoint(10, 20))).toBeCloseTo(180);
    expect(angleFromCentre(centre, imagePoint(0, 10))).toBeCloseTo(270);
  });

  it("normalise wraps negatives", () => {
    expect(normaliseDegrees(-90)).toBe(270);
    expect(normaliseDegrees(720)).toBe(0);
  });
});

describe("rotated box", () => {
  // A 20 by 10 box centred on (10, 10), turned a quarter clockwise, so it is 10 wide and 20 tall.
  const box = { type: "bbox" as const, x: 0, y: 5, width: 20, height: 10, rotation: 90 };

  it("corners turn about the centre", () => {
    const corners = boxCorners(box);
    expectPoint(corners[0] ?? centre, 15, 0);
    expectPoint(corners[1] ?? centre, 15, 20);
    expectPoint(corners[2] ?? centre, 5, 20);
    expectPoint(corners[3] ?? centre, 5, 0);
  });

  it("hit test follows the rotation", () => {
    expect(boxContains(box, imagePoint(10, 1))).toBe(true);
    expect(boxContains(box, imagePoint(1, 10))).toBe(false);
    expect(boxContains(box, imagePoint(1, 10), 5)).toBe(true);
  });

  it("handles and rotation handle turn", () => {
    expectPoint(handlePoint(box, "e"), 10, 20);
    expectPoint(rotationHandlePoint(box, 4), 19, 10);
  });

  it("resize keeps the opposite handle in place", () => {
    const resized = resizeBox(box, "e", imagePoint(10, 30));
    expectPoint(handlePoint(resized, "w"), 10, 0);
    expect(resized.width).toBeCloseTo(30);
    expect(resized.height).toBeCloseTo(10);
    expect(resized.rotation).toBe(90);
  });
});
