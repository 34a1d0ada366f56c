import type { ToolState } from "../state";
import { Panning } from "./panning";

export const panIdle: ToolState = {
  name: "pan.idle",
  pointerDown(context, input) {
    context.transition(new Panning(input, panIdle));
  },
};
