import { clampPoint, moveVertex } from "../../../core/geometry/polygon";
import type { Region } from "../../../core/regions";
import { movedPastThreshold, type PointerInput, type ToolContext, type ToolState } from "../state";
import { pointsOf, withPoints } from "./points";

/**
 * Dragging one point of a polygon, polyline or keypoints region. The point stays inside
 * the image. `original` may already hold a point inserted by the same press, so the
 * insertion and the drag undo together.
 */
export class VertexDragging implements ToolState {
  readonly name = "vertex.dragging";
  private dragging = false;

  constructor(
    private readonly original: Region,
    private readonly index: number,
    private readonly start: PointerInput,
    private readonly next: ToolState,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    if (!this.dragging && !movedPastThreshold(this.start.screen, input.screen)) return;
    this.dragging = true;
    const points = pointsOf(this.original.shape);
    if (points === null) return;
    const moved = moveVertex(
      points.flat,
      this.index,
      clampPoint(input.image, context.image),
      points.stride,
    );
    context.store.put({ ...this.original, shape: withPoints(this.original.shape, moved) });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    context.store.commit();
    context.transition(this.next);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(this.next);
  }
}
