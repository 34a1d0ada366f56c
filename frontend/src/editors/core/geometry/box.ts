/** Box geometry in image pixels. Boxes are drawn upright; `rotation` passes through. */
import type { BoxShape } from "../regions";
import { type ImagePoint, imagePoint, type Size } from "../viewport";

export type HandleName = "nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w";

export const HANDLES: readonly HandleName[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

interface Edges {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function toEdges(box: BoxShape): Edges {
  return { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
}

function fromEdges(edges: Edges, rotation: number | undefined): BoxShape {
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

export function boxFromCorners(a: ImagePoint, b: ImagePoint): BoxShape {
  return fromEdges({ left: a.x, top: a.y, right: b.x, bottom: b.y }, undefined);
}

export function boxContains(box: BoxShape, point: ImagePoint, tolerance = 0): boolean {
  const edges = toEdges(box);
  return (
    point.x >= edges.left - tolerance &&
    point.x <= edges.right + tolerance &&
    point.y >= edges.top - tolerance &&
    point.y <= edges.bottom + tolerance
  );
}

export function handlePoint(box: BoxShape, handle: HandleName): ImagePoint {
  const edges = toEdges(box);
  const centerX = box.x + box.width / 2;
  const centerY = box.y + box.height / 2;
  const x = handle.includes("w") ? edges.left : handle.includes("e") ? edges.right : centerX;
  const y = handle.includes("n") ? edges.top : handle.includes("s") ? edges.bottom : centerY;
  return imagePoint(x, y);
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
 * when the gesture started; dragging past the opposite edge flips the box.
 */
export function resizeBox(box: BoxShape, handle: HandleName, point: ImagePoint): BoxShape {
  const edges = toEdges(box);
  if (handle.includes("w")) edges.left = point.x;
  if (handle.includes("e")) edges.right = point.x;
  if (handle.includes("n")) edges.top = point.y;
  if (handle.includes("s")) edges.bottom = point.y;
  return fromEdges(edges, box.rotation);
}

export function moveBox(box: BoxShape, dx: number, dy: number): BoxShape {
  return { ...box, x: box.x + dx, y: box.y + dy };
}

/** Cuts the box to the image; the result may have zero width or height. */
export function clipBox(box: BoxShape, image: Size): BoxShape {
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
  const x = Math.min(Math.max(0, box.x), Math.max(0, image.width - box.width));
  const y = Math.min(Math.max(0, box.y), Math.max(0, image.height - box.height));
  return clipBox({ ...box, x, y }, image);
}

export function hasArea(box: BoxShape): boolean {
  return box.width > 0 && box.height > 0;
}
