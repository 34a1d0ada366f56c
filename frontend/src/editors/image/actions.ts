/** The image editor's action for each hotkey id of the table in editors/core/hotkeys.ts. */
import { type ControlSpec, labelHotkeyId } from "../core/hotkeys";
import type { ImageEditorEngine } from "./engine";
import { copySelected, groupSelected, pasteClipboard, shiftZOrder } from "./regionCommands";
import { cycleKeypointVisibility } from "./tools/vertex/commands";

export const ZOOM_STEP = 1.25;

/** Actions that need the page around the engine, for suggestions, submitting and help. */
export interface PageActions {
  accept: () => void;
  submit: () => void;
  toggleHelp: () => void;
  /** Runs on Escape and returns true when it closed an overlay, such as the help, so the gesture stays. */
  closeOverlay: () => boolean;
}

export function editorActions(
  engine: ImageEditorEngine,
  controls: readonly ControlSpec[],
  page: PageActions,
): Record<string, () => unknown> {
  const actions: Record<string, () => unknown> = {
    "tool.box": () => engine.setTool("box"),
    "tool.select": () => engine.setTool("select"),
    "tool.pan": () => engine.setTool("pan"),
    "tool.brush": () => engine.setTool("brush"),
    "tool.eraser": () => engine.setTool("eraser"),
    "tool.grabcut": () => engine.setTool("grabcut"),
    "tool.wand": () => engine.setTool("wand"),
    "brush.smaller": () => engine.masks.stepBrush(-1),
    "brush.larger": () => engine.masks.stepBrush(1),
    "tool.polygon": () => engine.setTool("polygon"),
    "tool.polyline": () => engine.setTool("polyline"),
    "tool.keypoints": () => engine.setTool("keypoints"),
    "tool.ellipse": () => engine.setTool("ellipse"),
    "drawing.finish": () => engine.finish(),
    "keypoint.visibility": () => {
      const vertex = engine.getView().selectedVertex;
      const selected = engine.store.getSnapshot().selectedIds;
      if (vertex !== null && selected.includes(vertex.regionId)) {
        cycleKeypointVisibility(engine.store, vertex);
      }
    },
    "region.bring-forward": () => shiftZOrder(engine.store, 1),
    "region.send-back": () => shiftZOrder(engine.store, -1),
    "region.group": () => groupSelected(engine.store),
    // With no region selected, Ctrl+C copies the page's selected text as usual.
    "region.copy": () => copySelected(engine.store) > 0,
    "region.paste": () =>
      void pasteClipboard(
        engine.store,
        controls.map((control) => control.name),
        engine.image,
      ),
    "view.zoom-in": () => engine.zoomBy(ZOOM_STEP),
    "view.zoom-out": () => engine.zoomBy(1 / ZOOM_STEP),
    "view.fit": () => engine.fit(),
    "region.delete": () => engine.deleteSelected(),
    "selection.clear": () => {
      if (!page.closeOverlay()) engine.cancel();
    },
    "history.undo": () => engine.store.undo(),
    "history.redo": () => engine.store.redo(),
    "prediction.accept": page.accept,
    "annotation.submit": page.submit,
    "help.toggle": page.toggleHelp,
  };
  for (const control of controls) {
    for (const label of control.labels ?? []) {
      actions[labelHotkeyId(control.name, label.name)] = () =>
        engine.pickLabel(control.name, label.name);
    }
  }
  return actions;
}
