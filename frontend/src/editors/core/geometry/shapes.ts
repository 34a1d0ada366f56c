/**
 * Hit test, bounds, moves and clamping for every shape type the image editor draws,
 * dispatched by `shape.type`. Shapes without geometry (choice) never hit and have no bounds.
 */
import type { BoxShape, Shape } from "../regions";
import { type ImagePoint, imagePoint, type Size } from "../viewport";
import { type Bounds, shiftIntoImage } from "./bounds";
import { boxBounds, boxContains, clipBox, moveBox } from "./box";
import { ellipseBounds, ellipseContains, ellipseFrame, ellipseFromFrame } from "./ellipse";
import { KEYPOINT_STRIDE, keypointList } from "./keypoints";
import { clampPoints, hitEdge, pointInPolygon, pointsBounds, translatePoints } from "./polygon";

export type SpatialShape = Exclude<Shape, { type: "choice" }>;

export function isSpatial(shape: Shape): shape is SpatialShape {
  return shape.type !== "choice";
}

/** Tests whether `point` hits the shape, counting `tolerance` image pixels around lines and points. */
export function shapeContains(shape: Shape, point: ImagePoint, tolerance: number): boolean {
  switch (shape.type) {
    case "bbox":
      return boxContains(shape, point, tolerance);
    case "ellipse":
      return ellipseContains(shape, point, tolerance);
    case "polygon":
      if (hitEdge(shape.points, point, tolerance, true) !== null) return true;
      if (!pointInPolygon(shape.points, point)) return false;
      return !shape.holes.some((hole) => pointInPolygon(hole, point));
    case "polyline":
      return hitEdge(shape.points, point, tolerance, false) !== null;
    case "keypoints":
      return keypointList(shape.points).some(
        (keypoint) =>
          keypoint.v > 0 && Math.hypot(keypoint.x - point.x, keypoint.y - point.y) <= tolerance,
      );
    default:
      return false;
  }
}

export function shapeBounds(shape: Shape): Bounds | null {
  switch (shape.type) {
    case "bbox":
      return boxBounds(shape);
    case "ellipse":
      return ellipseBounds(shape);
    case "polygon":
    case "polyline":
      return shape.points.length === 0 ? null : pointsBounds(shape.points);
    case "keypoints":
      return shape.points.length === 0 ? null : pointsBounds(shape.points, KEYPOINT_STRIDE);
    default:
      return null;
  }
}

export function translateShape(shape: Shape, dx: number, dy: number): Shape {
  switch (shape.type) {
    case "bbox":
      return moveBox(shape, dx, dy);
    case "ellipse":
      return { ...shape, cx: shape.cx + dx, cy: shape.cy + dy };
    case "polygon":
      return {
        ...shape,
        points: translatePoints(shape.points, dx, dy),
        holes: shape.holes.map((hole) => translatePoints(hole, dx, dy)),
      };
    case "polyline":
      return { ...shape, points: translatePoints(shape.points, dx, dy) };
    case "keypoints":
      return { ...shape, points: translatePoints(shape.points, dx, dy, KEYPOINT_STRIDE) };
    default:
      return shape;
  }
}

/**
 * Moves the shape inside the image keeping its size when it fits, then clamps what
 * still sticks out: boxes are clipped and points clamped. Rotated boxes and ellipses
 * larger than the image are only shifted.
 */
export function fitShapeInside(shape: Shape, image: Size): Shape {
  const bounds = shapeBounds(shape);
  if (bounds === null) return shape;
  const { dx, dy } = shiftIntoImage(bounds, image);
  const moved = translateShape(shape, dx, dy);
  switch (moved.type) {
    case "bbox":
      return clipBox(moved, image);
    case "polygon":
      return {
        ...moved,
        points: clampPoints(moved.points, image),
        holes: moved.holes.map((hole) => clampPoints(hole, image)),
      };
    case "polyline":
      return { ...moved, points: clampPoints(moved.points, image) };
    case "keypoints":
      return { ...moved, points: clampPoints(moved.points, image, KEYPOINT_STRIDE) };
    default:
      return moved;
  }
}

/** Returns the box that carries the handles and rotation of a box or an ellipse. */
export function frameOf(shape: Shape): BoxShape | null {
  if (shape.type === "bbox") return shape;
  if (shape.type === "ellipse") return ellipseFrame(shape);
  return null;
}

/** Puts a changed frame back into the shape it came from. */
export function withFrame(shape: Shape, frame: BoxShape): Shape {
  if (shape.type === "ellipse") return ellipseFromFrame(frame);
  return frame;
}

export function boundsCentre(bounds: Bounds): ImagePoint {
  return imagePoint((bounds.left + bounds.right) / 2, (bounds.top + bounds.bottom) / 2);
}
