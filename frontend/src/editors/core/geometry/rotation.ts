/**
 * Rotation about a centre in image pixels. Angles are stored in degrees, clockwise on
 * screen because y points down. Radians appear only inside these functions.
 */
import { type ImagePoint, imagePoint } from "../viewport";

export function degreesToRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/** Maps any angle to [0, 360). */
export function normaliseDegrees(degrees: number): number {
  const wrapped = degrees % 360;
  return wrapped < 0 ? wrapped + 360 : wrapped;
}

/** Turns `point` by `rotationDeg` clockwise about `centre`. */
export function rotatePoint(
  point: ImagePoint,
  centre: ImagePoint,
  rotationDeg: number,
): ImagePoint {
  if (rotationDeg === 0) return point;
  const radians = degreesToRadians(rotationDeg);
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const dx = point.x - centre.x;
  const dy = point.y - centre.y;
  return imagePoint(centre.x + dx * cos - dy * sin, centre.y + dx * sin + dy * cos);
}

/**
 * Returns the rotation in degrees that turns "straight up from `centre`" towards `point`:
 * 0 above the centre, 90 to its right, 180 below.
 */
export function angleFromCentre(centre: ImagePoint, point: ImagePoint): number {
  const radians = Math.atan2(point.x - centre.x, centre.y - point.y);
  return normaliseDegrees((radians * 180) / Math.PI);
}
