import { fitShapeInside, translateShape } from "../../../core/geometry/shapes";
import type { Region } from "../../../core/regions";
import { movedPastThreshold, type PointerInput, type ToolContext, type ToolState } from "../state";
import { selectIdle } from "./idle";

/** Dragging a selected region; it lands back inside the image on release. */
export class Moving implements ToolState {
  readonly name = "select.moving";
  private dragging = false;

  constructor(
    private readonly original: Region,
    private readonly start: PointerInput,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    if (!this.dragging && !movedPastThreshold(this.start.screen, input.screen)) return;
    this.dragging = true;
    const dx = input.image.x - this.start.image.x;
    const dy = input.image.y - this.start.image.y;
    context.store.put({ ...this.original, shape: translateShape(this.original.shape, dx, dy) });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    const current = context.store.get(this.original.id);
    if (this.dragging && current !== undefined) {
      context.store.put({ ...current, shape: fitShapeInside(current.shape, context.image) });
    }
    context.store.commit();
    context.transition(selectIdle);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(selectIdle);
  }
}
