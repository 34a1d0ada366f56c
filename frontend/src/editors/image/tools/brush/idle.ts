import type { ToolState } from "../state";
import { Painting } from "./painting";

/** Brush tool at rest: a press starts painting into the selected mask or a new one. */
export const brushIdle: ToolState = {
  name: "brush.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    context.transition(new Painting("paint", brushIdle, context, input));
  },
  pointerMove(context, input) {
    context.masks.setCursor(input.image);
  },
};
