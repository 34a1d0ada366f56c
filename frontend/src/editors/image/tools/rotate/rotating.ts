import { boxCentre } from "../../../core/geometry/box";
import { angleFromCentre } from "../../../core/geometry/rotation";
import { fitShapeInside, frameOf, withFrame } from "../../../core/geometry/shapes";
import type { Region } from "../../../core/regions";
import type { PointerInput, ToolContext, ToolState } from "../state";

/** Degrees are kept to this many decimals, so saved angles stay readable. */
const ANGLE_DECIMALS = 1;

/**
 * Dragging the rotation handle of a box or an ellipse: the shape turns about its centre
 * so that its top points at the pointer. On release it is shifted back inside the image.
 */
export class Rotating implements ToolState {
  readonly name = "rotate.rotating";

  constructor(
    private readonly original: Region,
    private readonly next: ToolState,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    const frame = frameOf(this.original.shape);
    if (frame === null) return;
    const factor = 10 ** ANGLE_DECIMALS;
    const rotation = Math.round(angleFromCentre(boxCentre(frame), input.image) * factor) / factor;
    context.store.put({
      ...this.original,
      shape: withFrame(this.original.shape, { ...frame, rotation }),
    });
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    const current = context.store.get(this.original.id);
    if (current !== undefined) {
      context.store.put({ ...current, shape: fitShapeInside(current.shape, context.image) });
    }
    context.store.commit();
    context.transition(this.next);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(this.next);
  }
}
