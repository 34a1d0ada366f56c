import { boxFromCorners, clipBox, hasArea } from "../../../core/geometry/box";
import { createRegion, type Region } from "../../../core/regions";
import { movedPastThreshold, type PointerInput, type ToolContext, type ToolState } from "../state";
import { boxIdle } from "./idle";

/** The box tool while the primary button is down: the drag's corners span the new box. */
export class BoxDrawing implements ToolState {
  readonly name = "box.drawing";
  private region: Region | null = null;

  constructor(private readonly start: PointerInput) {}

  pointerMove(context: ToolContext, input: PointerInput): void {
    if (this.region === null) {
      const target = context.boxTarget();
      if (target === null || !movedPastThreshold(this.start.screen, input.screen)) return;
      const shape = boxFromCorners(this.start.image, input.image);
      this.region = {
        ...createRegion(target.control, shape, target.labels),
        attributes: { ...target.attributes },
      };
    } else {
      this.region = { ...this.region, shape: boxFromCorners(this.start.image, input.image) };
    }
    context.store.put(this.region);
  }

  pointerUp(context: ToolContext, input: PointerInput): void {
    this.pointerMove(context, input);
    const region = this.region;
    if (region === null || region.shape.type !== "bbox") {
      context.transition(boxIdle);
      return;
    }

    const clipped = clipBox(region.shape, context.image);
    if (!hasArea(clipped)) {
      this.cancel(context);
      return;
    }
    context.store.put({ ...region, shape: clipped });
    context.store.commit();
    context.store.select([region.id]);
    context.transition(boxIdle);
  }

  cancel(context: ToolContext): void {
    context.store.cancel();
    context.transition(boxIdle);
  }
}
