import { describe, expect, it } from "vitest";
import { imagePoint } from "../viewport";
import { boxFromCorners, clipBox, hitHandle, moveBox, resizeBox, shiftInside } from "./box";

const image = { width: 100, height: 80 };

describe("box geometry", () => {
  it("corners in any order make the same box", () => {
    const forward = boxFromCorners(imagePoint(10, 20), imagePoint(30, 50));
    const backward = boxFromCorners(imagePoint(30, 50), imagePoint(10, 20));
    expect(forward).toEqual({ type: "bbox", x: 10, y: 20, width: 20, height: 30 });
    expect(backward).toEqual(forward);
  });

  it("resize by each edge handle", () => {
    const box = boxFromCorners(imagePoint(10, 10), imagePoint(20, 20));
    expect(resizeBox(box, "e", imagePoint(25, 99))).toMatchObject({ x: 10, width: 15, height: 10 });
    expect(resizeBox(box, "n", imagePoint(99, 5))).toMatchObject({ y: 5, height: 15, width: 10 });
    expect(resizeBox(box, "sw", imagePoint(0, 30))).toMatchObject({
      x: 0,
      y: 10,
      width: 20,
      height: 20,
    });
  });

  it("resize past the opposite edge flips", () => {
    const box = boxFromCorners(imagePoint(10, 10), imagePoint(20, 20));
    expect(resizeBox(box, "se", imagePoint(5, 5))).toMatchObject({
      x: 5,
      y: 5,
      width: 5,
      height: 5,
    });
  });

  it("resize keeps rotation", () => {
    const box = { ...boxFromCorners(imagePoint(0, 0), imagePoint(4, 4)), rotation: 30 };
    expect(resizeBox(box, "e", imagePoint(8, 0)).rotation).toBe(30);
  });

  it("hit handle finds the corner", () => {
    const box = boxFromCorners(imagePoint(10, 10), imagePoint(20, 20));
    expect(hitHandle(box, imagePoint(20.4, 19.7), 1)).toBe("se");
    expect(hitHandle(box, imagePoint(15, 10.2), 1)).toBe("n");
    expect(hitHandle(box, imagePoint(15, 15), 1)).toBeNull();
  });

  it("clip cuts a box sticking out", () => {
    const clipped = clipBox(boxFromCorners(imagePoint(-5, 70), imagePoint(20, 90)), image);
    expect(clipped).toMatchObject({ x: 0, y: 70, width: 20, height: 10 });
  });

  it("clip outside leaves no area", () => {
    const clipped = clipBox(boxFromCorners(imagePoint(120, 10), imagePoint(130, 20)), image);
    expect(clipped.width).toBe(0);
  });

  it("shift inside keeps the size", () => {
    const moved = moveBox(boxFromCorners(imagePoint(0, 0), imagePoint(10, 10)), 95, -3);
    expect(shiftInside(moved, image)).toMatchObject({ x: 90, y: 0, width: 10, height: 10 });
  });
});
