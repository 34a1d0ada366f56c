import { describe, expect, it } from "vitest";
import { decodeRle, encodeRle, rleArea } from "../../../core/geometry/rle";
import { mergeMasks, paintStroke, strokeWindow } from "./raster";

describe("brush raster", () => {
  it("paints a dot of the brush radius", () => {
    const window = { left: 0, top: 0, width: 21, height: 21 };
    const mask = new Uint8Array(21 * 21);

    paintStroke(mask, window, [10.5, 10.5], 5, 1);

    const area = mask.reduce((sum, value) => sum + value, 0);
    expect(Math.abs(area - Math.PI * 25)).toBeLessThan(8);
    expect(mask[10 * 21 + 10]).toBe(1);
    expect(mask[10 * 21 + 16]).toBe(0);
  });

  it("paints a capsule along a stroke and erases it again", () => {
    const window = strokeWindow([5, 10, 35, 10], 3, { width: 40, height: 20 });
    const mask = new Uint8Array(window.width * window.height);

    paintStroke(mask, window, [5, 10, 35, 10], 3, 1);
    const painted = mask.reduce((sum, value) => sum + value, 0);
    paintStroke(mask, window, [5, 10, 35, 10], 3, 0);

    expect(window).toEqual({ left: 2, top: 7, width: 36, height: 6 });
    expect(painted).toBeGreaterThan(30 * 6 * 0.9);
    expect(mask.every((value) => value === 0)).toBe(true);
  });

  it("clips the stroke window to the image", () => {
    expect(strokeWindow([0, 0], 10, { width: 5, height: 5 })).toEqual({
      left: 0,
      top: 0,
      width: 5,
      height: 5,
    });
  });

  it("merges two masks", () => {
    const a = new Uint8Array(12);
    const b = new Uint8Array(12);
    a[0] = 1;
    b[11] = 1;

    const merged = mergeMasks(encodeRle(a, 3, 4), encodeRle(b, 3, 4));

    expect(rleArea(merged)).toBe(2);
    expect(decodeRle(merged)[11]).toBe(1);
  });
});
