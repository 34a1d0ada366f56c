import { clipBox, type HandleName, hasArea, resizeBox } from "../../../core/geometry/box";
import type { BoxRegion } from "../../../core/regions";
import type { PointerInput, ToolContext, ToolState } from "../state";
import { selectIdle } from "./idle";

/** Dragging one of the 8 handles of a selected box. */
export class Resizing implements ToolState {
  readonly name = "select.resizing";

  constructor(
    private readonly original: BoxRegion,
    private readonly handle: HandleName,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    const shape = resizeBox(this.original.shape, this.handle, input.image);
    context.store.put({ ...this.original, shape });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    const shape = clipBox(resizeBox(this.original.shape, this.handle, input.image), context.image);
    if (!hasArea(shape)) {
      this.cancel(context);
      return;
    }
    context.store.put({ ...this.original, shape });
    context.store.commit();
    context.transition(selectIdle);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(selectIdle);
  }
}
