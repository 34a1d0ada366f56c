import {
  clampPoint,
  flatten,
  MIN_POLYGON_POINTS,
  MIN_POLYLINE_POINTS,
  polygonArea,
} from "../../../core/geometry/polygon";
import { createRegion, type Shape } from "../../../core/regions";
import { type ImagePoint, screenDistanceToImage } from "../../../core/viewport";
import { HIT_TOLERANCE, type PointerInput, type ToolContext, type ToolState } from "../state";

export type PathKind = "polygon" | "polyline";

/**
 * Placing the points of a polygon or polyline one click at a time. A polygon closes on
 * a click on its first point, a polyline ends on a second click on its last point, and
 * Enter finishes either. Escape drops the unfinished shape.
 */
export class PathDrawing implements ToolState {
  readonly name: string;
  private readonly points: ImagePoint[] = [];
  private cursor: ImagePoint | null = null;

  constructor(
    private readonly kind: PathKind,
    private readonly idle: ToolState,
  ) {
    this.name = `${kind}.drawing`;
  }

  pointerDown(context: ToolContext, input: PointerInput): void {
    if (input.button !== 0) return;
    const tolerance = screenDistanceToImage(context.camera(), HIT_TOLERANCE);
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    if (this.kind === "polygon" && first !== undefined && isNear(first, input.image, tolerance)) {
      if (this.points.length >= MIN_POLYGON_POINTS) this.finish(context);
      return;
    }
    if (last !== undefined && isNear(last, input.image, tolerance)) {
      if (this.kind === "polyline" && this.points.length >= MIN_POLYLINE_POINTS) {
        this.finish(context);
      }
      return;
    }
    this.points.push(clampPoint(input.image, context.image));
    this.showPreview(context);
  }

  pointerMove(context: ToolContext, input: PointerInput): void {
    this.cursor = clampPoint(input.image, context.image);
    this.showPreview(context);
  }

  /** Creates the region when it has enough points; with too few, drawing goes on. */
  finish(context: ToolContext): void {
    const minimum = this.kind === "polygon" ? MIN_POLYGON_POINTS : MIN_POLYLINE_POINTS;
    if (this.points.length < minimum) return;
    const target = context.drawTarget(this.kind);
    const points = flatten(this.points);
    if (target === null || (this.kind === "polygon" && polygonArea(points) === 0)) {
      this.cancel(context);
      return;
    }
    const shape: Shape =
      this.kind === "polygon"
        ? { type: "polygon", points, holes: [] }
        : { type: "polyline", points };
    const region = {
      ...createRegion(target.control, shape, target.labels),
      attributes: { ...target.attributes },
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
    context.setPreview({ type: this.kind, points: flatten(this.points), cursor: this.cursor });
  }
}

function isNear(a: ImagePoint, b: ImagePoint, tolerance: number): boolean {
  return Math.hypot(a.x - b.x, a.y - b.y) <= tolerance;
}
