/** Vertex edits that keys start: Delete on a picked point, and the keypoint visibility key. */
import { keypointAt, nextVisibility, setVisibility } from "../../../core/geometry/keypoints";
import { deleteVertex, insertVertex } from "../../../core/geometry/polygon";
import type { RegionStore } from "../../../core/regionStore";
import type { Region } from "../../../core/regions";
import type { ImagePoint } from "../../../core/viewport";
import type { VertexRef } from "../state";
import { pointsOf, withPoints } from "./points";

function editableRegion(store: RegionStore, vertex: VertexRef): Region | null {
  const region = store.get(vertex.regionId);
  if (region === undefined || region.locked) return null;
  return region;
}

/**
 * Deletes the picked point of a polygon or polyline, unless that leaves fewer than 3 or
 * 2 points. A keypoint is marked not labelled (v = 0) instead, because keypoints keep one
 * triple per schema name. Returns whether the region changed.
 */
export function deletePickedVertex(store: RegionStore, vertex: VertexRef): boolean {
  const region = editableRegion(store, vertex);
  const points = region === null ? null : pointsOf(region.shape);
  if (region === null || points === null) return false;
  if (region.shape.type === "keypoints") {
    const changed = setVisibility(region.shape.points, vertex.index, 0);
    store.put({ ...region, shape: { ...region.shape, points: changed } });
    store.commit();
    return true;
  }
  if (points.minPoints === null) return false;
  const remaining = deleteVertex(points.flat, vertex.index, points.minPoints);
  if (remaining === null) return false;
  store.put({ ...region, shape: withPoints(region.shape, remaining) });
  store.commit();
  return true;
}

/** Steps the picked keypoint's visibility 2 → 1 → 0 → 2 as one undo step. */
export function cycleKeypointVisibility(store: RegionStore, vertex: VertexRef): void {
  const region = editableRegion(store, vertex);
  if (region === null || region.shape.type !== "keypoints") return;
  const current = keypointAt(region.shape.points, vertex.index);
  const points = setVisibility(region.shape.points, vertex.index, nextVisibility(current.v));
  store.put({ ...region, shape: { ...region.shape, points } });
  store.commit();
}

/** Returns the region with `point` inserted on `edge`, without touching the store. */
export function withInsertedVertex(region: Region, edge: number, point: ImagePoint): Region {
  const points = pointsOf(region.shape);
  if (points === null || points.minPoints === null) return region;
  return { ...region, shape: withPoints(region.shape, insertVertex(points.flat, edge, point)) };
}
