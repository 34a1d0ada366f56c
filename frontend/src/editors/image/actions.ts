/** The image editor's action for each hotkey id of the table in editors/core/hotkeys.ts. */
import { type ControlSpec, labelHotkeyId } from "../core/hotkeys";
import type { ImageEditorEngine } from "./engine";

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
): Record<string, () => void> {
  const actions: Record<string, () => void> = {
    "tool.box": () => engine.setTool("box"),
    "tool.select": () => engine.setTool("select"),
    "tool.pan": () => engine.setTool("pan"),
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
