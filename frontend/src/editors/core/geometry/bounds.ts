/** Axis-aligned bounds in image pixels, and moving them back inside the image. */
import type { Size } from "../viewport";

export interface Bounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function boundsOfPoints(xs: readonly number[], ys: readonly number[]): Bounds {
  return {
    left: Math.min(...xs),
    top: Math.min(...ys),
    right: Math.max(...xs),
    bottom: Math.max(...ys),
  };
}

/**
 * Returns the shift that moves `bounds` inside the image. Bounds larger than the image
 * get their top-left corner on the image's, so the rest sticks out right and below.
 */
export function shiftIntoImage(bounds: Bounds, image: Size): { dx: number; dy: number } {
  return {
    dx: shiftIntoRange(bounds.left, bounds.right, image.width),
    dy: shiftIntoRange(bounds.top, bounds.bottom, image.height),
  };
}

function shiftIntoRange(low: number, high: number, size: number): number {
  if (low < 0 || high - low > size) return -low;
  if (high > size) return size - high;
  return 0;
}
