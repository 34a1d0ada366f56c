import { boxFromCorners, clipBox, hasArea } from "../../../core/geometry/box";
import { createRegion, type MaskShape } from "../../../core/regions";
import type { MaskResult } from "../brush/session";
import { movedPastThreshold, type PointerInput, type ToolContext, type ToolState } from "../state";

/** GrabCut tool at rest: dragging a box around an object requests its mask from the server. */
export const grabcutIdle: ToolState = {
  name: "grabcut.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    context.transition(new GrabCutDragging(input));
  },
};

class GrabCutDragging implements ToolState {
  readonly name = "grabcut.dragging";

  constructor(private readonly start: PointerInput) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    if (!movedPastThreshold(this.start.screen, input.screen)) return;
    context.masks.setBox(boxFromCorners(this.start.image, input.image));
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    const box = clipBox(boxFromCorners(this.start.image, input.image), context.image);
    this.cancel(context);
    if (!movedPastThreshold(this.start.screen, input.screen) || !hasArea(box)) return;
    const target = context.drawTarget("mask");
    if (target === null) {
      context.masks.setMessage("The schema has no mask control for the GrabCut result.");
      return;
    }
    const { x, y, width, height } = box;
    void context.masks
      .run("GrabCut", (assistant) => assistant.grabcut({ x, y, width, height }))
      .then((result) => addMaskRegion(context, result, target, "GrabCut"));
  }

  cancel(context: ToolContext): void {
    context.masks.setBox(null);
    context.transition(grabcutIdle);
  }
}

/** Adds an assist result as a new, selected mask region in one undo step. */
export function addMaskRegion(
  context: ToolContext,
  result: MaskResult | null,
  target: { control: string; labels: string[]; attributes?: Record<string, unknown> },
  what: string,
): void {
  if (result === null) return;
  if (result.area === 0) {
    context.masks.setMessage(`${what} found nothing there; try a tighter box or another point.`);
    return;
  }
  const shape: MaskShape = { type: "mask", rle: result.rle };
  const region = {
    ...createRegion(target.control, shape, target.labels),
    attributes: { ...target.attributes },
  };
  context.store.put(region);
  context.store.commit();
  context.store.select([region.id]);
}
