import type { ToolState } from "../state";
import { EllipseDrawing } from "./drawing";

export const ellipseIdle: ToolState = {
  name: "ellipse.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    context.transition(new EllipseDrawing(input, ellipseIdle));
  },
};
