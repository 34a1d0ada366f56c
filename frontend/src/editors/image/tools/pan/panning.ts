import { panBy, type ScreenPoint } from "../../../core/viewport";
import type { PointerInput, ToolContext, ToolState } from "../state";

/** Dragging the view; returns to `next` when the button is released. */
export class Panning implements ToolState {
  readonly name = "pan.panning";
  private last: ScreenPoint;

  constructor(
    start: PointerInput,
    private readonly next: ToolState,
  ) {
    this.last = start.screen;
  }

  pointerMove(context: ToolContext, input: PointerInput): void {
    const dx = input.screen.x - this.last.x;
    const dy = input.screen.y - this.last.y;
    this.last = input.screen;
    context.setCamera(panBy(context.camera(), dx, dy));
  }

  pointerUp(context: ToolContext): void {
    context.transition(this.next);
  }

  cancel(context: ToolContext): void {
    context.transition(this.next);
  }
}
