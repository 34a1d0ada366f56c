import { PathDrawing } from "../polygon/drawing";
import type { ToolState } from "../state";

/** Polyline tool at rest: the first click places the first point. */
export const polylineIdle: ToolState = {
  name: "polyline.idle",
  pointerDown(context, input) {
    if (input.button !== 0 || context.drawTarget("polyline") === null) return;
    const drawing = new PathDrawing("polyline", polylineIdle);
    context.transition(drawing);
    drawing.pointerDown(context, input);
  },
};
