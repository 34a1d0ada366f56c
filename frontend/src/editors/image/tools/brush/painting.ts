import { decodeRleWindow, encodeRleWindow, rleArea, rleBounds } from "../../../core/geometry/rle";
import { createRegion, type MaskShape, type Region } from "../../../core/regions";
import type { PointerInput, ToolContext, ToolState } from "../state";
import { paintStroke, strokeWindow, unionWindow } from "./raster";

type Mode = "paint" | "erase";

export function isMaskRegion(region: Region): region is Region & { shape: MaskShape } {
  return region.shape.type === "mask";
}

/**
 * A brush or eraser stroke while the button is down. The stroke shows as a preview and is
 * rasterised into the mask once, on release, so a stroke is one undo step.
 */
export class Painting implements ToolState {
  readonly name: string;
  private readonly points: number[];

  constructor(
    private readonly mode: Mode,
    private readonly idle: ToolState,
    context: ToolContext,
    start: PointerInput,
  ) {
    this.name = mode === "paint" ? "brush.painting" : "eraser.erasing";
    this.points = [start.image.x, start.image.y];
    context.masks.setStroke({ mode, points: [...this.points], radius: this.radius(context) });
  }

  pointerMove(context: ToolContext, input: PointerInput): void {
    context.masks.setCursor(input.image);
    const lastX = this.points[this.points.length - 2] ?? input.image.x;
    const lastY = this.points[this.points.length - 1] ?? input.image.y;
    // Points closer than a quarter of the radius add nothing visible to the stroke.
    if (Math.hypot(input.image.x - lastX, input.image.y - lastY) < this.radius(context) / 4) return;
    this.points.push(input.image.x, input.image.y);
    context.masks.setStroke({
      mode: this.mode,
      points: [...this.points],
      radius: this.radius(context),
    });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.points.push(input.image.x, input.image.y);
    if (this.mode === "paint") paint(context, this.points, this.radius(context));
    else erase(context, this.points, this.radius(context));
    this.cancel(context);
  }

  cancel(context: ToolContext): void {
    context.masks.setStroke(null);
    context.transition(this.idle);
  }

  private radius(context: ToolContext): number {
    return context.masks.getSnapshot().brushSize / 2;
  }
}

/** Paints into the selected mask of the target control, or into a new mask region. */
function paint(context: ToolContext, points: readonly number[], radius: number): void {
  const target = context.drawTarget("mask");
  if (target === null) {
    context.masks.setMessage("The schema has no mask control to paint into.");
    return;
  }
  const { width, height } = context.image;
  const selected = context.store.getSnapshot().selectedIds.map((id) => context.store.get(id));
  const existing = selected.find(
    (region) => region !== undefined && isMaskRegion(region) && region.control === target.control,
  );
  const current = existing !== undefined && isMaskRegion(existing) ? existing : null;

  const window = unionWindow(
    strokeWindow(points, radius, context.image),
    current === null ? null : rleBounds(current.shape.rle),
  );
  if (window === null || window.width <= 0 || window.height <= 0) return;
  const mask =
    current === null
      ? new Uint8Array(window.width * window.height)
      : decodeRleWindow(current.shape.rle, window);
  paintStroke(mask, window, points, radius, 1);
  const shape: MaskShape = { type: "mask", rle: encodeRleWindow(mask, window, height, width) };

  const region =
    current === null
      ? {
          ...createRegion(target.control, shape, target.labels),
          attributes: { ...target.attributes },
        }
      : { ...current, shape };
  context.store.put(region);
  context.store.commit();
  context.store.select([region.id]);
}

/** Erases from the selected masks, or with none selected, from every mask under the stroke. */
function erase(context: ToolContext, points: readonly number[], radius: number): void {
  const { width, height } = context.image;
  const selectedIds = new Set(context.store.getSnapshot().selectedIds);
  const masks = context.store.all().filter(isMaskRegion);
  const selected = masks.filter((region) => selectedIds.has(region.id));
  const targets = (selected.length > 0 ? selected : masks).filter((region) => !region.locked);
  const stroke = strokeWindow(points, radius, context.image);

  const removed: string[] = [];
  for (const region of targets) {
    const bounds = rleBounds(region.shape.rle);
    if (bounds === null || !overlaps(bounds, stroke)) continue;
    const mask = decodeRleWindow(region.shape.rle, bounds);
    paintStroke(mask, bounds, points, radius, 0);
    const rle = encodeRleWindow(mask, bounds, height, width);
    if (rleArea(rle) === 0) removed.push(region.id);
    else context.store.put({ ...region, shape: { type: "mask", rle } });
  }
  if (removed.length > 0) context.store.remove(removed);
  context.store.commit();
}

function overlaps(
  a: { left: number; top: number; width: number; height: number },
  b: { left: number; top: number; width: number; height: number },
): boolean {
  return (
    a.left < b.left + b.width &&
    b.left < a.left + a.width &&
    a.top < b.top + b.height &&
    b.top < a.top + a.height
  );
}
