/**
 * Keypoints as COCO triples `[x, y, v, ...]` in image pixels. Visibility v is 0 (not
 * labelled), 1 (labelled but occluded) or 2 (visible). The skeleton is a list of point
 * index pairs from the label schema.
 */
import { type ImagePoint, imagePoint } from "../viewport";

export const KEYPOINT_STRIDE = 3;

export type Visibility = 0 | 1 | 2;

export interface Keypoint {
  x: number;
  y: number;
  v: Visibility;
}

function toVisibility(value: number | undefined): Visibility {
  return value === 1 || value === 2 ? value : 0;
}

export function keypointAt(flat: readonly number[], index: number): Keypoint {
  const base = index * KEYPOINT_STRIDE;
  return { x: flat[base] ?? 0, y: flat[base + 1] ?? 0, v: toVisibility(flat[base + 2]) };
}

export function keypointList(flat: readonly number[]): Keypoint[] {
  return Array.from({ length: Math.floor(flat.length / KEYPOINT_STRIDE) }, (_, index) =>
    keypointAt(flat, index),
  );
}

/** Steps visibility 2 → 1 → 0 → 2. */
export function nextVisibility(v: Visibility): Visibility {
  if (v === 2) return 1;
  if (v === 1) return 0;
  return 2;
}

export function setVisibility(flat: readonly number[], index: number, v: Visibility): number[] {
  const changed = [...flat];
  changed[index * KEYPOINT_STRIDE + 2] = v;
  return changed;
}

/**
 * Completes a list of placed points to `total` triples. Points not placed get v = 0 at
 * the first placed point, so they stay reachable for dragging once made visible.
 */
export function completeKeypoints(placed: readonly ImagePoint[], total: number): number[] {
  const anchor = placed[0] ?? imagePoint(0, 0);
  const flat: number[] = [];
  for (let index = 0; index < Math.max(total, placed.length); index++) {
    const point = placed[index];
    if (point === undefined) flat.push(anchor.x, anchor.y, 0);
    else flat.push(point.x, point.y, 2);
  }
  return flat;
}

/** Returns the skeleton lines whose two ends are both labelled (v > 0). */
export function skeletonSegments(
  flat: readonly number[],
  skeleton: readonly (readonly [number, number])[],
): [Keypoint, Keypoint][] {
  const points = keypointList(flat);
  const segments: [Keypoint, Keypoint][] = [];
  for (const [from, to] of skeleton) {
    const a = points[from];
    const b = points[to];
    if (a !== undefined && b !== undefined && a.v > 0 && b.v > 0) segments.push([a, b]);
  }
  return segments;
}
