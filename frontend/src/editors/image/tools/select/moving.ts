import { moveBox, shiftInside } from "../../../core/geometry/box";
import type { BoxRegion } from "../../../core/regions";
import { movedPastThreshold, type PointerInput, type ToolContext, type ToolState } from "../state";
import { selectIdle } from "./idle";

/** Dragging a selected box; the box lands back inside the image on release. */
export class Moving implements ToolState {
  readonly name = "select.moving";
  private dragging = false;

  constructor(
    private readonly original: BoxRegion,
    private readonly start: PointerInput,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    if (!this.dragging && !movedPastThreshold(this.start.screen, input.screen)) return;
    this.dragging = true;
    const dx = input.image.x - this.start.image.x;
    const dy = input.image.y - this.start.image.y;
    context.store.put({ ...this.original, shape: moveBox(this.original.shape, dx, dy) });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    const current = context.store.get(this.original.id);
    if (this.dragging && current !== undefined && current.shape.type === "bbox") {
      context.store.put({ ...current, shape: shiftInside(current.shape, context.image) });
    }
    context.store.commit();
    context.transition(selectIdle);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(selectIdle);
  }
}
