/**
 * Ellipse geometry in image pixels. An ellipse's frame is the box `2 rx` by `2 ry` about
 * its centre with the same rotation, so the box handles, resizing and rotation serve both.
 */
import type { BoxShape, EllipseShape } from "../regions";
import { type ImagePoint, imagePoint } from "../viewport";
import type { Bounds } from "./bounds";
import { degreesToRadians, rotatePoint } from "./rotation";

export function ellipseFromCorners(a: ImagePoint, b: ImagePoint): EllipseShape {
  return {
    type: "ellipse",
    cx: (a.x + b.x) / 2,
    cy: (a.y + b.y) / 2,
    rx: Math.abs(b.x - a.x) / 2,
    ry: Math.abs(b.y - a.y) / 2,
    rotation: 0,
  };
}

export function ellipseFrame(ellipse: EllipseShape): BoxShape {
  return {
    type: "bbox",
    x: ellipse.cx - ellipse.rx,
    y: ellipse.cy - ellipse.ry,
    width: 2 * ellipse.rx,
    height: 2 * ellipse.ry,
    rotation: ellipse.rotation,
  };
}

export function ellipseFromFrame(frame: BoxShape): EllipseShape {
  return {
    type: "ellipse",
    cx: frame.x + frame.width / 2,
    cy: frame.y + frame.height / 2,
    rx: frame.width / 2,
    ry: frame.height / 2,
    rotation: frame.rotation ?? 0,
  };
}

/** Tests whether `point` lies inside the ellipse grown by `tolerance` on both radii. */
export function ellipseContains(ellipse: EllipseShape, point: ImagePoint, tolerance = 0): boolean {
  const centre = imagePoint(ellipse.cx, ellipse.cy);
  const local = rotatePoint(point, centre, -ellipse.rotation);
  const rx = ellipse.rx + tolerance;
  const ry = ellipse.ry + tolerance;
  if (rx <= 0 || ry <= 0) return false;
  const nx = (local.x - ellipse.cx) / rx;
  const ny = (local.y - ellipse.cy) / ry;
  return nx * nx + ny * ny <= 1;
}

/** Returns the tight axis-aligned bounds of the turned ellipse. */
export function ellipseBounds(ellipse: EllipseShape): Bounds {
  const radians = degreesToRadians(ellipse.rotation);
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const halfWidth = Math.hypot(ellipse.rx * cos, ellipse.ry * sin);
  const halfHeight = Math.hypot(ellipse.rx * sin, ellipse.ry * cos);
  return {
    left: ellipse.cx - halfWidth,
    top: ellipse.cy - halfHeight,
    right: ellipse.cx + halfWidth,
    bottom: ellipse.cy + halfHeight,
  };
}
