import type { ToolState } from "../state";
import { KeypointPlacing } from "./placing";

/** Keypoints tool at rest: the first click places the label's first point. */
export const keypointsIdle: ToolState = {
  name: "keypoints.idle",
  pointerDown(context, input) {
    const target = context.drawTarget("keypoints");
    if (input.button !== 0 || target === null) return;
    const placing = new KeypointPlacing(target, keypointsIdle);
    context.transition(placing);
    placing.pointerDown(context, input);
  },
};
