import { completeKeypoints } from "../../../core/geometry/keypoints";
import { clampPoint, flatten } from "../../../core/geometry/polygon";
import { createRegion } from "../../../core/regions";
import type { ImagePoint } from "../../../core/viewport";
import type { DrawTarget, PointerInput, ToolContext, ToolState } from "../state";

/**
 * Placing a label's named keypoints in schema order, one click each, as visible (v = 2).
 * The region is made after the last name, or on Enter with the rest left unlabelled
 * (v = 0). A label without names takes points until Enter.
 */
export class KeypointPlacing implements ToolState {
  readonly name = "keypoints.placing";
  private readonly points: ImagePoint[] = [];
  private cursor: ImagePoint | null = null;

  constructor(
    private readonly target: DrawTarget,
    private readonly idle: ToolState,
  ) {}

  pointerDown(context: ToolContext, input: PointerInput): void {
    if (input.button !== 0) return;
    this.points.push(clampPoint(input.image, context.image));
    const names = this.target.keypoints;
    if (names.length > 0 && this.points.length >= names.length) {
      this.finish(context);
      return;
    }
    this.showPreview(context);
  }

  pointerMove(context: ToolContext, input: PointerInput): void {
    this.cursor = clampPoint(input.image, context.image);
    this.showPreview(context);
  }

  finish(context: ToolContext): void {
    if (this.points.length === 0) {
      this.cancel(context);
      return;
    }
    const points = completeKeypoints(this.points, this.target.keypoints.length);
    const region = {
      ...createRegion(this.target.control, { type: "keypoints", points }, this.target.labels),
      attributes: { ...this.target.attributes },
    };
    context.store.put(region);
    context.store.commit();
    context.store.select([region.id]);
    context.setPreview(null);
    context.transition(this.idle);
  }

  cancel(context: ToolContext): void {
    context.setPreview(null);
    context.transition(this.idle);
  }

  private showPreview(context: ToolContext): void {
    const nextName = this.target.keypoints[this.points.length];
    context.setPreview({
      type: "keypoints",
      points: flatten(this.points),
      cursor: this.cursor,
      ...(nextName === undefined ? {} : { nextName }),
    });
  }
}
