import { regionAt } from "../../../core/geometry/hitTest";
import { screenDistanceToImage } from "../../../core/viewport";
import { Panning } from "../pan/panning";
import { HIT_TOLERANCE, type ToolState } from "../state";
import { Moving } from "./moving";
import { pressSelectedHandle } from "./pressHandle";

/**
 * Select tool at rest. A press on a selected region's handle starts that handle's
 * gesture, on a region selects and moves it, and on empty image area clears the
 * selection and pans. Shift-click adds a region to the selection or takes it out, and
 * locked regions are selected but not moved.
 */
export const selectIdle: ToolState = {
  name: "select.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    const tolerance = screenDistanceToImage(context.camera(), HIT_TOLERANCE);
    if (!input.shiftKey && pressSelectedHandle(context, input, tolerance, selectIdle)) return;

    const { regions, selectedIds } = context.store.getSnapshot();
    const region = regionAt(regions, selectedIds, input.image, tolerance);
    context.selectVertex(null);
    if (input.shiftKey) {
      if (region === null) return;
      const others = selectedIds.filter((id) => id !== region.id);
      context.store.select(
        others.length < selectedIds.length ? others : [...selectedIds, region.id],
      );
      return;
    }
    if (region === null) {
      context.store.select([]);
      context.transition(new Panning(input, selectIdle));
      return;
    }
    context.store.select([region.id]);
    if (!region.locked) context.transition(new Moving(region, input));
  },
};
