/** Drawing order and hit testing over all regions of an annotation. */
import type { Region } from "../regions";
import type { ImagePoint } from "../viewport";
import { shapeContains } from "./shapes";

/**
 * Returns the regions bottom to top: by `z_order` (absent counts as 0), and in list
 * order within one z-order, so newer regions are drawn over older ones.
 */
export function drawOrder(regions: readonly Region[]): Region[] {
  return regions
    .map((region, index) => ({ region, index }))
    .sort((a, b) => (a.region.z_order ?? 0) - (b.region.z_order ?? 0) || a.index - b.index)
    .map((entry) => entry.region);
}

/**
 * Returns the visible region under `point`: a selected one first, then the topmost in
 * drawing order. Hidden regions and regions without geometry are never hit.
 */
export function regionAt(
  regions: readonly Region[],
  selectedIds: readonly string[],
  point: ImagePoint,
  tolerance: number,
): Region | null {
  const selected = new Set(selectedIds);
  const topFirst = drawOrder(regions)
    .filter((region) => !region.hidden)
    .reverse();
  topFirst.sort((a, b) => Number(selected.has(b.id)) - Number(selected.has(a.id)));
  return topFirst.find((region) => shapeContains(region.shape, point, tolerance)) ?? null;
}
