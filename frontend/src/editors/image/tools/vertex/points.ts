/** Access to the editable point list of polygon, polyline and keypoints shapes. */
import { KEYPOINT_STRIDE } from "../../../core/geometry/keypoints";
import { MIN_POLYGON_POINTS, MIN_POLYLINE_POINTS } from "../../../core/geometry/polygon";
import type { Shape } from "../../../core/regions";

export interface EditablePoints {
  flat: readonly number[];
  stride: number;
  /** Whether the last point joins the first, so the closing edge takes new points too. */
  closed: boolean;
  /** The minimum number of points, or null when points cannot be added or removed. */
  minPoints: number | null;
}

export function pointsOf(shape: Shape): EditablePoints | null {
  switch (shape.type) {
    case "polygon":
      return { flat: shape.points, stride: 2, closed: true, minPoints: MIN_POLYGON_POINTS };
    case "polyline":
      return { flat: shape.points, stride: 2, closed: false, minPoints: MIN_POLYLINE_POINTS };
    case "keypoints":
      return { flat: shape.points, stride: KEYPOINT_STRIDE, closed: false, minPoints: null };
    default:
      return null;
  }
}

export function withPoints(shape: Shape, points: number[]): Shape {
  if (shape.type === "polygon" || shape.type === "polyline" || shape.type === "keypoints") {
    return { ...shape, points };
  }
  return shape;
}
