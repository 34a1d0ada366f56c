import type { ToolState } from "../state";
import { PathDrawing } from "./drawing";

/** Polygon tool at rest: the first click places the first point. */
export const polygonIdle: ToolState = {
  name: "polygon.idle",
  pointerDown(context, input) {
    if (input.button !== 0 || context.drawTarget("polygon") === null) return;
    const drawing = new PathDrawing("polygon", polygonIdle);
    context.transition(drawing);
    drawing.pointerDown(context, input);
  },
};
