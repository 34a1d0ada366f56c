/**
 * Edits of whole regions that the region list, the attributes panel and their hotkeys
 * start: z-order, hide and lock, instance groups, copy and paste, and attribute values.
 * Each one is a single undo step.
 */
import { copyToClipboard, readClipboard } from "../core/clipboard";
import { fitShapeInside, isSpatial } from "../core/geometry/shapes";
import type { RegionStore } from "../core/regionStore";
import { newRegionId, type Region } from "../core/regions";
import type { Size } from "../core/viewport";

function selectedRegions(store: RegionStore): Region[] {
  return store
    .getSnapshot()
    .selectedIds.map((id) => store.get(id))
    .filter((region): region is Region => region !== undefined);
}

function putAndCommit(store: RegionStore, regions: Region[]): void {
  if (regions.length === 0) return;
  store.put(...regions);
  store.commit();
}

/** Moves the selected regions one z-order step up (`step` 1) or down (`step` -1). */
export function shiftZOrder(store: RegionStore, step: 1 | -1): void {
  const changed = selectedRegions(store).map((region) => ({
    ...region,
    z_order: (region.z_order ?? 0) + step,
  }));
  putAndCommit(store, changed);
}

export function setRegionFlag(
  store: RegionStore,
  id: string,
  flag: "hidden" | "locked",
  value: boolean,
): void {
  const region = store.get(id);
  if (region === undefined) return;
  putAndCommit(store, [{ ...region, [flag]: value }]);
  // A hidden region cannot be seen, so it leaves the selection.
  if (flag === "hidden" && value) {
    store.select(store.getSnapshot().selectedIds.filter((selected) => selected !== id));
  }
}

/** Returns the smallest integer group id above every integer group id in use. */
export function nextGroupId(regions: readonly Region[]): number {
  const used = regions.map((region) => region.group).filter((group) => typeof group === "number");
  return used.length === 0 ? 1 : Math.max(...used) + 1;
}

/** Puts the selected regions into one new group. */
export function groupSelected(store: RegionStore): void {
  const group = nextGroupId(store.all());
  putAndCommit(
    store,
    selectedRegions(store).map((region) => ({ ...region, group })),
  );
}

export function ungroupSelected(store: RegionStore): void {
  const grouped = selectedRegions(store).filter((region) => region.group !== null);
  putAndCommit(
    store,
    grouped.map((region) => ({ ...region, group: null })),
  );
}

export function copySelected(store: RegionStore): number {
  const regions = selectedRegions(store).filter((region) => isSpatial(region.shape));
  if (regions.length > 0) copyToClipboard(regions);
  return regions.length;
}

/**
 * Pastes the copied regions with new ids at the same image coordinates, moved and
 * clamped into this image, and selects them. Regions of controls this schema does not
 * have are skipped. Groups are renumbered so pasted groups stay apart from existing ones.
 */
export function pasteClipboard(
  store: RegionStore,
  controlNames: readonly string[],
  image: Size,
): number {
  const firstNewGroup = nextGroupId(store.all());
  const groupMap = new Map<string | number, number>();
  const pasted = readClipboard()
    .filter((region) => controlNames.includes(region.control))
    .map((region) => {
      const copy: Region = {
        ...structuredClone(region),
        id: newRegionId(),
        shape: fitShapeInside(region.shape, image),
        locked: false,
      };
      if (region.group !== null) {
        if (!groupMap.has(region.group)) groupMap.set(region.group, firstNewGroup + groupMap.size);
        copy.group = groupMap.get(region.group) ?? null;
      }
      return copy;
    });
  putAndCommit(store, pasted);
  store.select(pasted.map((region) => region.id));
  return pasted.length;
}

/** Sets one attribute of a region; leave `commit` false while typing, so a field edit undoes in one step. */
export function setAttribute(
  store: RegionStore,
  id: string,
  name: string,
  value: unknown,
  commit: boolean,
): void {
  const region = store.get(id);
  if (region === undefined || region.locked) return;
  store.put({ ...region, attributes: { ...region.attributes, [name]: value } });
  if (commit) store.commit();
}
