import { Painting } from "../brush/painting";
import type { ToolState } from "../state";

/** Eraser tool at rest: a press starts erasing from the selected masks, or any mask under it. */
export const eraserIdle: ToolState = {
  name: "eraser.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    context.transition(new Painting("erase", eraserIdle, context, input));
  },
  pointerMove(context, input) {
    context.masks.setCursor(input.image);
  },
};
