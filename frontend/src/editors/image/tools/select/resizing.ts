import { clipBox, type HandleName, hasArea, resizeBox } from "../../../core/geometry/box";
import { frameOf, withFrame } from "../../../core/geometry/shapes";
import type { Region } from "../../../core/regions";
import type { PointerInput, ToolContext, ToolState } from "../state";
import { selectIdle } from "./idle";

/** Dragging one of the 8 handles of a selected box or ellipse. */
export class Resizing implements ToolState {
  readonly name = "select.resizing";

  constructor(
    private readonly original: Region,
    private readonly handle: HandleName,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    const frame = frameOf(this.original.shape);
    if (frame === null) return;
    const shape = withFrame(this.original.shape, resizeBox(frame, this.handle, input.image));
    context.store.put({ ...this.original, shape });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    const frame = frameOf(this.original.shape);
    if (frame === null) {
      this.cancel(context);
      return;
    }
    const resized = clipBox(resizeBox(frame, this.handle, input.image), context.image);
    if (!hasArea(resized)) {
      this.cancel(context);
      return;
    }
    context.store.put({ ...this.original, shape: withFrame(this.original.shape, resized) });
    context.store.commit();
    context.transition(selectIdle);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(selectIdle);
  }
}
