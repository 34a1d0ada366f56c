/**
 * Polygon and polyline geometry on flat point lists `[x1, y1, x2, y2, ...]` in image
 * pixels. `stride` is 2 for polygons and polylines and 3 for keypoints `[x, y, v, ...]`.
 */
import { type ImagePoint, imagePoint, type Size } from "../viewport";
import { type Bounds, boundsOfPoints } from "./bounds";

export const MIN_POLYGON_POINTS = 3;
export const MIN_POLYLINE_POINTS = 2;

export function pointCount(flat: readonly number[], stride = 2): number {
  return Math.floor(flat.length / stride);
}

export function pointAt(flat: readonly number[], index: number, stride = 2): ImagePoint {
  return imagePoint(flat[index * stride] ?? 0, flat[index * stride + 1] ?? 0);
}

export function toPoints(flat: readonly number[], stride = 2): ImagePoint[] {
  return Array.from({ length: pointCount(flat, stride) }, (_, index) =>
    pointAt(flat, index, stride),
  );
}

export function flatten(points: readonly ImagePoint[]): number[] {
  return points.flatMap((point) => [point.x, point.y]);
}

/** Returns the enclosed area by the shoelace formula, whichever way the points run. */
export function polygonArea(flat: readonly number[]): number {
  const points = toPoints(flat);
  let twiceArea = 0;
  points.forEach((point, index) => {
    const next = points[(index + 1) % points.length] ?? point;
    twiceArea += point.x * next.y - next.x * point.y;
  });
  return Math.abs(twiceArea) / 2;
}

/** Tests `point` against the polygon by the even-odd rule, so self-crossing polygons work too. */
export function pointInPolygon(flat: readonly number[], point: ImagePoint): boolean {
  const points = toPoints(flat);
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[i];
    const b = points[j];
    if (a === undefined || b === undefined) continue;
    const crosses = a.y > point.y !== b.y > point.y;
    if (crosses && point.x < ((b.x - a.x) * (point.y - a.y)) / (b.y - a.y) + a.x) {
      inside = !inside;
    }
  }
  return inside;
}

export function distanceToSegment(point: ImagePoint, a: ImagePoint, b: ImagePoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const t =
    lengthSquared === 0
      ? 0
      : Math.min(1, Math.max(0, ((point.x - a.x) * dx + (point.y - a.y) * dy) / lengthSquared));
  return Math.hypot(point.x - (a.x + t * dx), point.y - (a.y + t * dy));
}

/** Edge `i` runs from point `i` to point `i + 1`; a closed ring adds the edge back to point 0. */
export function edgeCount(flat: readonly number[], closed: boolean): number {
  const count = pointCount(flat);
  if (count < 2) return 0;
  return closed ? count : count - 1;
}

export function edgeEnds(flat: readonly number[], edge: number): [ImagePoint, ImagePoint] {
  const count = pointCount(flat);
  return [pointAt(flat, edge), pointAt(flat, (edge + 1) % count)];
}

/** Returns the edge nearest to `point` if it lies within `tolerance`, else null. */
export function hitEdge(
  flat: readonly number[],
  point: ImagePoint,
  tolerance: number,
  closed: boolean,
): number | null {
  let best: number | null = null;
  let bestDistance = tolerance;
  for (let edge = 0; edge < edgeCount(flat, closed); edge++) {
    const [a, b] = edgeEnds(flat, edge);
    const distance = distanceToSegment(point, a, b);
    if (distance <= bestDistance) {
      best = edge;
      bestDistance = distance;
    }
  }
  return best;
}

/** Returns the index of the point within `tolerance` of `point`, the nearest one first. */
export function hitVertex(
  flat: readonly number[],
  point: ImagePoint,
  tolerance: number,
  stride = 2,
): number | null {
  let best: number | null = null;
  let bestDistance = tolerance;
  toPoints(flat, stride).forEach((vertex, index) => {
    const distance = Math.hypot(vertex.x - point.x, vertex.y - point.y);
    if (distance <= bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return best;
}

export function edgeMidpoints(flat: readonly number[], closed: boolean): ImagePoint[] {
  return Array.from({ length: edgeCount(flat, closed) }, (_, edge) => {
    const [a, b] = edgeEnds(flat, edge);
    return imagePoint((a.x + b.x) / 2, (a.y + b.y) / 2);
  });
}

/** Inserts `point` on edge `edge`, so it becomes point `edge + 1`. */
export function insertVertex(flat: readonly number[], edge: number, point: ImagePoint): number[] {
  const at = (edge + 1) * 2;
  return [...flat.slice(0, at), point.x, point.y, ...flat.slice(at)];
}

/** Removes point `index`, or returns null when fewer than `minPoints` would be left. */
export function deleteVertex(
  flat: readonly number[],
  index: number,
  minPoints: number,
): number[] | null {
  if (pointCount(flat) - 1 < minPoints || index < 0 || index >= pointCount(flat)) return null;
  return [...flat.slice(0, index * 2), ...flat.slice(index * 2 + 2)];
}

export function moveVertex(
  flat: readonly number[],
  index: number,
  point: ImagePoint,
  stride = 2,
): number[] {
  const moved = [...flat];
  moved[index * stride] = point.x;
  moved[index * stride + 1] = point.y;
  return moved;
}

export function translatePoints(
  flat: readonly number[],
  dx: number,
  dy: number,
  stride = 2,
): number[] {
  return flat.map((value, index) => {
    const offset = index % stride;
    if (offset === 0) return value + dx;
    if (offset === 1) return value + dy;
    return value;
  });
}

export function pointsBounds(flat: readonly number[], stride = 2): Bounds {
  const points = toPoints(flat, stride);
  return boundsOfPoints(
    points.map((point) => point.x),
    points.map((point) => point.y),
  );
}

export function clampPoint(point: ImagePoint, image: Size): ImagePoint {
  return imagePoint(
    Math.min(image.width, Math.max(0, point.x)),
    Math.min(image.height, Math.max(0, point.y)),
  );
}

/** Clamps every point into the image, leaving any third value (visibility) as it is. */
export function clampPoints(flat: readonly number[], image: Size, stride = 2): number[] {
  return flat.map((value, index) => {
    const offset = index % stride;
    if (offset === 0) return Math.min(image.width, Math.max(0, value));
    if (offset === 1) return Math.min(image.height, Math.max(0, value));
    return value;
  });
}
