import { isMaskRegion } from "../brush/painting";
import { mergeMasks } from "../brush/raster";
import type { ToolState } from "../state";
import { addMaskRegion } from "./grabcut";

/**
 * Magic wand: a click requests the superpixel under the pointer as a new mask region.
 * With Shift, the superpixel joins the selected mask of the same control instead.
 */
export const wandIdle: ToolState = {
  name: "wand.idle",
  pointerDown(context, input) {
    if (input.button !== 0) return;
    const { x, y } = input.image;
    const { width, height } = context.image;
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const target = context.drawTarget("mask");
    if (target === null) {
      context.masks.setMessage("The schema has no mask control for the magic wand.");
      return;
    }
    const selectedId = context.store.getSnapshot().selectedIds[0];
    const selected = selectedId === undefined ? undefined : context.store.get(selectedId);
    const extend = input.shiftKey === true && selected !== undefined && isMaskRegion(selected);

    void context.masks
      .run("Magic wand", (assistant) => assistant.superpixel(x, y))
      .then((result) => {
        if (!extend || result === null || result.area === 0) {
          addMaskRegion(context, result, target, "Magic wand");
          return;
        }
        const current = context.store.get(selected.id);
        if (current === undefined || !isMaskRegion(current)) return;
        const rle = mergeMasks(current.shape.rle, result.rle);
        context.store.put({ ...current, shape: { type: "mask", rle } });
        context.store.commit();
      });
  },
};
