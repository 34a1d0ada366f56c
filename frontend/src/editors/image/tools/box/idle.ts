import type { ToolState } from "../state";
import { BoxDrawing } from "./drawing";

export const boxIdle: ToolState = {
  name: "box.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    context.transition(new BoxDrawing(input));
  },
};
