/** Painting round-brush strokes into mask windows, and joining masks. */
import {
  decodeRleWindow,
  encodeRleWindow,
  type PixelWindow,
  type Rle,
  rleBounds,
} from "../../../core/geometry/rle";
import type { Size } from "../../../core/viewport";

/** Returns the pixels a stroke of `radius` along `points` can touch, clipped to the image. */
export function strokeWindow(points: readonly number[], radius: number, image: Size): PixelWindow {
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (let index = 0; index + 1 < points.length; index += 2) {
    const x = points[index] ?? 0;
    const y = points[index + 1] ?? 0;
    left = Math.min(left, x - radius);
    top = Math.min(top, y - radius);
    right = Math.max(right, x + radius);
    bottom = Math.max(bottom, y + radius);
  }
  return clipWindow(
    {
      left: Math.floor(left),
      top: Math.floor(top),
      right: Math.ceil(right),
      bottom: Math.ceil(bottom),
    },
    image,
  );
}

/** Returns the smallest window holding both, or the other one when either is null. */
export function unionWindow(a: PixelWindow | null, b: PixelWindow | null): PixelWindow | null {
  if (a === null || a.width <= 0 || a.height <= 0) return b;
  if (b === null || b.width <= 0 || b.height <= 0) return a;
  const left = Math.min(a.left, b.left);
  const top = Math.min(a.top, b.top);
  const right = Math.max(a.left + a.width, b.left + b.width);
  const bottom = Math.max(a.top + a.height, b.top + b.height);
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Sets to `value` every pixel of `mask` (row-major, the size of `window`) whose centre
 * lies within `radius` of the polyline through `points`, all in image pixels.
 */
export function paintStroke(
  mask: Uint8Array,
  window: PixelWindow,
  points: readonly number[],
  radius: number,
  value: 0 | 1,
): void {
  const count = Math.floor(points.length / 2);
  for (let index = 0; index < count; index += 1) {
    const next = Math.min(index + 1, count - 1);
    paintCapsule(
      mask,
      window,
      [points[2 * index] ?? 0, points[2 * index + 1] ?? 0],
      [points[2 * next] ?? 0, points[2 * next + 1] ?? 0],
      radius,
      value,
    );
  }
}

/** Returns the union of two masks of the same image size. */
export function mergeMasks(a: Rle, b: Rle): Rle {
  const [height, width] = a.size;
  const window = unionWindow(rleBounds(a), rleBounds(b));
  if (window === null) return a;
  const merged = decodeRleWindow(a, window);
  const added = decodeRleWindow(b, window);
  for (let index = 0; index < merged.length; index += 1) merged[index] ||= added[index] ?? 0;
  return encodeRleWindow(merged, window, height, width);
}

function paintCapsule(
  mask: Uint8Array,
  window: PixelWindow,
  [ax, ay]: [number, number],
  [bx, by]: [number, number],
  radius: number,
  value: 0 | 1,
): void {
  const left = Math.max(window.left, Math.floor(Math.min(ax, bx) - radius));
  const right = Math.min(window.left + window.width, Math.ceil(Math.max(ax, bx) + radius));
  const top = Math.max(window.top, Math.floor(Math.min(ay, by) - radius));
  const bottom = Math.min(window.top + window.height, Math.ceil(Math.max(ay, by) + radius));
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const radiusSquared = radius * radius;
  for (let row = top; row < bottom; row += 1) {
    const py = row + 0.5;
    for (let column = left; column < right; column += 1) {
      const px = column + 0.5;
      const along =
        lengthSquared === 0
          ? 0
          : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
      const ex = px - (ax + along * dx);
      const ey = py - (ay + along * dy);
      if (ex * ex + ey * ey <= radiusSquared) {
        mask[(row - window.top) * window.width + column - window.left] = value;
      }
    }
  }
}

function clipWindow(
  edges: { left: number; top: number; right: number; bottom: number },
  image: Size,
): PixelWindow {
  const left = Math.max(0, edges.left);
  const top = Math.max(0, edges.top);
  const right = Math.min(image.width, edges.right);
  const bottom = Math.min(image.height, edges.bottom);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}
