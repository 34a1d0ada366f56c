/** "To polygon" and "To mask": replace selected regions by the other shape, through the server. */
import { createRegion, type PolygonShape, type Region } from "../../../core/regions";
import { isMaskRegion } from "../brush/painting";
import type { ToolContext } from "../state";
import { addMaskRegion } from "./grabcut";

/** The part of a schema control the conversions need. */
export interface LabelledControl {
  name: string;
  labels?: readonly { name: string }[];
}

/** Keeps a region's labels where the target control has them, else the target's active label. */
function labelsFor(
  region: Region,
  control: string,
  fallback: string[],
  controls: readonly LabelledControl[],
): string[] {
  const names = new Set(
    controls.find((candidate) => candidate.name === control)?.labels?.map((label) => label.name),
  );
  const kept = region.labels.filter((label) => names.has(label));
  return kept.length > 0 ? kept : fallback;
}

/** Replaces each selected mask by its outline polygons, simplified by the session's tolerance. */
export async function masksToPolygons(
  context: ToolContext,
  controls: readonly LabelledControl[],
): Promise<void> {
  const target = context.drawTarget("polygon");
  const selected = new Set(context.store.getSnapshot().selectedIds);
  const masks = context.store.all().filter((r) => selected.has(r.id) && isMaskRegion(r));
  if (target === null || masks.length === 0) {
    context.masks.setMessage(
      target === null ? "The schema has no polygon control." : "Select a mask region first.",
    );
    return;
  }
  const { tolerance } = context.masks.getSnapshot();
  const created: Region[] = [];
  for (const mask of masks) {
    if (!isMaskRegion(mask)) continue;
    const result = await context.masks.run("To polygon", (assistant) =>
      assistant.maskToPolygons(mask.shape.rle, tolerance),
    );
    if (result === null) return;
    const labels = labelsFor(mask, target.control, target.labels, controls);
    for (const rings of result.polygons) {
      const shape: PolygonShape = { type: "polygon", points: rings.points, holes: rings.holes };
      created.push({
        ...createRegion(target.control, shape, labels),
        attributes: { ...target.attributes },
      });
    }
  }
  context.store.remove(masks.map((mask) => mask.id));
  context.store.put(...created);
  context.store.commit();
  context.store.select(created.map((region) => region.id));
}

/** Replaces each selected polygon by a mask region of the same pixels. */
export async function polygonsToMasks(
  context: ToolContext,
  controls: readonly LabelledControl[],
): Promise<void> {
  const target = context.drawTarget("mask");
  const selected = new Set(context.store.getSnapshot().selectedIds);
  const polygons = context.store
    .all()
    .filter((region) => selected.has(region.id) && region.shape.type === "polygon");
  if (target === null || polygons.length === 0) {
    context.masks.setMessage(
      target === null ? "The schema has no mask control." : "Select a polygon region first.",
    );
    return;
  }
  for (const polygon of polygons) {
    if (polygon.shape.type !== "polygon") continue;
    const { points, holes } = polygon.shape;
    const result = await context.masks.run("To mask", (assistant) =>
      assistant.polygonToMask({ points, holes }),
    );
    if (result === null) return;
    const labels = labelsFor(polygon, target.control, target.labels, controls);
    context.store.remove([polygon.id]);
    addMaskRegion(context, result, { ...target, labels }, "To mask");
  }
}
