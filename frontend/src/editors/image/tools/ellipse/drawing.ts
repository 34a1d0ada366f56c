import { clipBox, hasArea } from "../../../core/geometry/box";
import { ellipseFrame, ellipseFromCorners, ellipseFromFrame } from "../../../core/geometry/ellipse";
import { createRegion, type Region } from "../../../core/regions";
import { movedPastThreshold, type PointerInput, type ToolContext, type ToolState } from "../state";

/** The ellipse tool while the primary button is down: the drag spans the ellipse's frame. */
export class EllipseDrawing implements ToolState {
  readonly name = "ellipse.drawing";
  private region: Region | null = null;

  constructor(
    private readonly start: PointerInput,
    private readonly idle: ToolState,
  ) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    const shape = ellipseFromCorners(this.start.image, input.image);
    if (this.region === null) {
      const target = context.drawTarget("ellipse");
      if (target === null || !movedPastThreshold(this.start.screen, input.screen)) return;
      this.region = {
        ...createRegion(target.control, shape, target.labels),
        attributes: { ...target.attributes },
      };
    } else {
      this.region = { ...this.region, shape };
    }
    context.store.put(this.region);
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    const region = this.region;
    if (region === null || region.shape.type !== "ellipse") {
      context.transition(this.idle);
      return;
    }
    const frame = clipBox(ellipseFrame(region.shape), context.image);
    if (!hasArea(frame)) {
      this.cancel(context);
      return;
    }
    context.store.put({ ...region, shape: ellipseFromFrame(frame) });
    context.store.commit();
    context.store.select([region.id]);
    context.transition(this.idle);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(this.idle);
  }
}
