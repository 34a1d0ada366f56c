/**
 * Box geometry in image pixels. A box with `rotation` is the upright box turned by that
 * many degrees clockwise about its centre, so handles, hit tests and resizing work in
 * the box's own upright frame and are turned back into the image at the end.
 */
import type { BoxShape } from "../regions";
import { type ImagePoint, imagePoint, type Size } from "../viewport";
import { type Bounds, boundsOfPoints, shiftIntoImage } from "./bounds";
import { rotatePoint } from "./rotation";

export type HandleName = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w";

export const HANDLES: readonly HandleName[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

const OPPOSITE: Record<HandleName, HandleName> = {
  nw: "se",
  n: "s",
  ne: "sw",
  e: "w",
  se: "nw",
  s: "n",
  sw: "ne",
  w: "e",
};

function toEdges(box: BoxShape): Bounds {
  return { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
}

function fromEdges(edges: Bounds, rotation: number | undefined): BoxShape {
  const left = Math.min(edges.left, edges.right);
  const top = Math.min(edges.top, edges.bottom);
  const box: BoxShape = {
    type: "bbox",
    x: left,
    y: top,
    width: Math.abs(edges.right - edges.left),
    height: Math.abs(edges.bottom - edges.top),
  };
  if (rotation !== undefined) box.rotation = rotation;
  return box;
}

export function rotationOf(box: BoxShape): number {
  return box.rotation ?? 0;
}

export function isRotated(box: BoxShape): boolean {
  return rotationOf(box) % 360 !== 0;
}

export function boxCentre(box: BoxShape): ImagePoint {
  return imagePoint(box.x + box.width / 2, box.y + box.height / 2);
}

export function boxFromCorners(a: ImagePoint, b: ImagePoint): BoxShape {
  return fromEdges({ left: a.x, top: a.y, right: b.x, bottom: b.y }, undefined);
}

/** Returns the four corners in image pixels, clockwise from the upright top-left one. */
export function boxCorners(box: BoxShape): ImagePoint[] {
  const edges = toEdges(box);
  const centre = boxCentre(box);
  return [
    imagePoint(edges.left, edges.top),
    imagePoint(edges.right, edges.top),
    imagePoint(edges.right, edges.bottom),
    imagePoint(edges.left, edges.bottom),
  ].map((corner) => rotatePoint(corner, centre, rotationOf(box)));
}

/** Returns the axis-aligned bounds of the box's corners. */
export function boxBounds(box: BoxShape): Bounds {
  const corners = boxCorners(box);
  return boundsOfPoints(
    corners.map((corner) => corner.x),
    corners.map((corner) => corner.y),
  );
}

export function boxContains(box: BoxShape, point: ImagePoint, tolerance = 0): boolean {
  const local = rotatePoint(point, boxCentre(box), -rotationOf(box));
  const edges = toEdges(box);
  return (
    local.x >= edges.left - tolerance &&
    local.x <= edges.right + tolerance &&
    local.y >= edges.top - tolerance &&
    local.y <= edges.bottom + tolerance
  );
}

function uprightHandlePoint(box: BoxShape, handle: HandleName): ImagePoint {
  const edges = toEdges(box);
  const centre = boxCentre(box);
  const x = handle.includes("w") ? edges.left : handle.includes("e") ? edges.right : centre.x;
  const y = handle.includes("n") ? edges.top : handle.includes("s") ? edges.bottom : centre.y;
  return imagePoint(x, y);
}

export function handlePoint(box: BoxShape, handle: HandleName): ImagePoint {
  return rotatePoint(uprightHandlePoint(box, handle), boxCentre(box), rotationOf(box));
}

/** Returns the rotation handle: `distance` image pixels above the top edge's middle, turned with the box. */
export function rotationHandlePoint(box: BoxShape, distance: number): ImagePoint {
  const upright = imagePoint(box.x + box.width / 2, box.y - distance);
  return rotatePoint(upright, boxCentre(box), rotationOf(box));
}

/** Returns the handle within `tolerance` image pixels of `point`, corners first. */
export function hitHandle(box: BoxShape, point: ImagePoint, tolerance: number): HandleName | null {
  for (const handle of HANDLES) {
    const at = handlePoint(box, handle);
    if (Math.abs(at.x - point.x) <= tolerance && Math.abs(at.y - point.y) <= tolerance) {
      return handle;
    }
  }
  return null;
}

/**
 * Moves the edges that `handle` controls to `point`. Call it with the box as it was
 * when the gesture started; dragging past the opposite edge flips the box. A rotated
 * box keeps the opposite handle where it was in the image.
 */
export function resizeBox(box: BoxShape, handle: HandleName, point: ImagePoint): BoxShape {
  const rotation = rotationOf(box);
  const local = rotatePoint(point, boxCentre(box), -rotation);
  const edges = toEdges(box);
  if (handle.includes("w")) edges.left = local.x;
  if (handle.includes("e")) edges.right = local.x;
  if (handle.includes("n")) edges.top = local.y;
  if (handle.includes("s")) edges.bottom = local.y;
  const resized = fromEdges(edges, box.rotation);
  if (rotation === 0) return resized;

  // The upright resize moved the centre, and turning about the new centre would move the
  // fixed handle. Shifting the box back keeps that handle where it was.
  const fixedBefore = handlePoint(box, OPPOSITE[handle]);
  const fixedAfter = handlePoint(resized, OPPOSITE[handle]);
  return moveBox(resized, fixedBefore.x - fixedAfter.x, fixedBefore.y - fixedAfter.y);
}

export function moveBox(box: BoxShape, dx: number, dy: number): BoxShape {
  return { ...box, x: box.x + dx, y: box.y + dy };
}

/**
 * Cuts the box to the image; the result may have zero width or height. A rotated box
 * is not cut, because cutting would change its angle's meaning; it is shifted inside.
 */
export function clipBox(box: BoxShape, image: Size): BoxShape {
  if (isRotated(box)) return shiftInside(box, image);
  const edges = toEdges(box);
  const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));
  return fromEdges(
    {
      left: clamp(edges.left, image.width),
      top: clamp(edges.top, image.height),
      right: clamp(edges.right, image.width),
      bottom: clamp(edges.bottom, image.height),
    },
    box.rotation,
  );
}

/** Shifts a moved box back inside the image keeping its size, then clips what still sticks out. */
export function shiftInside(box: BoxShape, image: Size): BoxShape {
  const { dx, dy } = shiftIntoImage(boxBounds(box), image);
  const moved = moveBox(box, dx, dy);
  return isRotated(moved) ? moved : clipBox(moved, image);
}

export function hasArea(box: BoxShape): boolean {
  return box.width > 0 && box.height > 0;
}
