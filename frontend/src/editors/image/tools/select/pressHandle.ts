/**
 * Presses on the handles of selected regions: the rotation handle and the 8 resize
 * handles of boxes and ellipses, and the points and edge midpoints of polygons,
 * polylines and keypoints. Locked and hidden regions offer no handles.
 */
import { hitHandle, rotationHandlePoint } from "../../../core/geometry/box";
import { clampPoint, edgeMidpoints, hitEdge, hitVertex } from "../../../core/geometry/polygon";
import { frameOf } from "../../../core/geometry/shapes";
import type { Region } from "../../../core/regions";
import { type ImagePoint, screenDistanceToImage } from "../../../core/viewport";
import { ROTATION_HANDLE_DISTANCE } from "../rotate/handle";
import { Rotating } from "../rotate/rotating";
import type { PointerInput, ToolContext, ToolState } from "../state";
import { deletePickedVertex, withInsertedVertex } from "../vertex/commands";
import { VertexDragging } from "../vertex/dragging";
import { pointsOf } from "../vertex/points";
import { Resizing } from "./resizing";

/** Starts the gesture of the handle under the pointer and returns true, or returns false. */
export function pressSelectedHandle(
  context: ToolContext,
  input: PointerInput,
  tolerance: number,
  next: ToolState,
): boolean {
  for (const id of context.store.getSnapshot().selectedIds) {
    const region = context.store.get(id);
    if (region === undefined || region.locked || region.hidden) continue;
    if (pressFrameHandle(context, region, input, tolerance, next)) return true;
    if (pressPointHandle(context, region, input, tolerance, next)) return true;
  }
  return false;
}

function pressFrameHandle(
  context: ToolContext,
  region: Region,
  input: PointerInput,
  tolerance: number,
  next: ToolState,
): boolean {
  const frame = frameOf(region.shape);
  if (frame === null) return false;
  const distance = screenDistanceToImage(context.camera(), ROTATION_HANDLE_DISTANCE);
  if (isNear(rotationHandlePoint(frame, distance), input.image, tolerance)) {
    context.transition(new Rotating(region, next));
    return true;
  }
  const handle = hitHandle(frame, input.image, tolerance);
  if (handle === null) return false;
  context.transition(new Resizing(region, handle));
  return true;
}

/**
 * Handles a press on a point or an edge. A press on a point picks it and drags it, and
 * with Alt it deletes the point. A press on an edge's midpoint, or an Alt press anywhere
 * on an edge, inserts a point there and drags it, as one undo step.
 */
function pressPointHandle(
  context: ToolContext,
  region: Region,
  input: PointerInput,
  tolerance: number,
  next: ToolState,
): boolean {
  const points = pointsOf(region.shape);
  if (points === null) return false;
  const vertex = hitVertex(points.flat, input.image, tolerance, points.stride);
  if (vertex !== null) {
    if (input.altKey) {
      deletePickedVertex(context.store, { regionId: region.id, index: vertex });
      context.selectVertex(null);
      return true;
    }
    context.selectVertex({ regionId: region.id, index: vertex });
    context.transition(new VertexDragging(region, vertex, input, next));
    return true;
  }
  if (points.minPoints === null) return false;

  const midpoints = edgeMidpoints(points.flat, points.closed);
  const midpoint = midpoints.findIndex((at) => isNear(at, input.image, tolerance));
  const edge =
    midpoint >= 0
      ? midpoint
      : input.altKey
        ? hitEdge(points.flat, input.image, tolerance, points.closed)
        : null;
  if (edge === null) return false;
  const at = midpoints[midpoint] ?? clampPoint(input.image, context.image);
  const inserted = withInsertedVertex(region, edge, at);
  context.store.put(inserted);
  context.selectVertex({ regionId: region.id, index: edge + 1 });
  context.transition(new VertexDragging(inserted, edge + 1, input, next));
  return true;
}

function isNear(a: ImagePoint, b: ImagePoint, tolerance: number): boolean {
  return Math.hypot(a.x - b.x, a.y - b.y) <= tolerance;
}
