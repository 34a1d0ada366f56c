import { boxContains, type HandleName, hitHandle } from "../../../core/geometry/box";
import type { RegionStore } from "../../../core/regionStore";
import { type BoxRegion, isBoxRegion } from "../../../core/regions";
import { type ImagePoint, screenDistanceToImage } from "../../../core/viewport";
import { Panning } from "../pan/panning";
import { HIT_TOLERANCE, type ToolState } from "../state";
import { Moving } from "./moving";
import { Resizing } from "./resizing";

/**
 * Select tool at rest. A press on a selected box's handle resizes it, on a box selects
 * and moves it, and on empty image area clears the selection and pans.
 */
export const selectIdle: ToolState = {
  name: "select.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    const tolerance = screenDistanceToImage(context.camera(), HIT_TOLERANCE);
    const handleHit = findSelectedHandle(context.store, input.image, tolerance);
    if (handleHit !== null) {
      context.transition(new Resizing(handleHit.region, handleHit.handle));
      return;
    }

    const region = findBoxAt(context.store, input.image, tolerance);
    if (region === null) {
      context.store.select([]);
      context.transition(new Panning(input, selectIdle));
      return;
    }
    context.store.select([region.id]);
    context.transition(new Moving(region, input));
  },
};

function findSelectedHandle(
  store: RegionStore,
  point: ImagePoint,
  tolerance: number,
): { region: BoxRegion; handle: HandleName } | null {
  for (const id of store.getSnapshot().selectedIds) {
    const region = store.get(id);
    if (region === undefined || !isBoxRegion(region)) continue;
    const handle = hitHandle(region.shape, point, tolerance);
    if (handle !== null) return { region, handle };
  }
  return null;
}

/** Returns the box under `point`, preferring the selection and then the newest box. */
export function findBoxAt(
  store: RegionStore,
  point: ImagePoint,
  tolerance: number,
): BoxRegion | null {
  const boxes = store.all().filter(isBoxRegion).reverse();
  const selected = new Set(store.getSnapshot().selectedIds);
  boxes.sort((a, b) => Number(selected.has(b.id)) - Number(selected.has(a.id)));
  return boxes.find((region) => boxContains(region.shape, point, tolerance)) ?? null;
}
