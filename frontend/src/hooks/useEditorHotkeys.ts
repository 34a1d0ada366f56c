import { useEffect, useRef } from "react";
import { findHotkey, type Hotkey, keyFromEvent } from "../editors/core/hotkeys";

/** Actions by hotkey id. An action that returns false leaves the key to the browser. */
export type HotkeyActions = Readonly<Record<string, (() => unknown) | undefined>>;

function isTextInput(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Binds the hotkey table to the page while the editor is open. Keys typed into text
 * fields are left alone. `onSpace` reports holding and releasing the space bar.
 */
export function useEditorHotkeys(
  hotkeys: readonly Hotkey[],
  actions: HotkeyActions,
  onSpace: (held: boolean) => void,
) {
  // The latest actions, read when a key arrives, so rebinding is not needed on every render.
  const latest = useRef({ actions, onSpace });
  latest.current = { actions, onSpace };

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (isTextInput(event.target)) return;
      const key = keyFromEvent(event);
      if (key === "space") {
        event.preventDefault();
        latest.current.onSpace(true);
        return;
      }
      const hotkey = findHotkey(hotkeys, key);
      const action = hotkey === undefined ? undefined : latest.current.actions[hotkey.id];
      if (action === undefined) return;
      if (event.repeat && !hotkey?.id.startsWith("view.")) {
        event.preventDefault();
        return;
      }
      if (action() !== false) event.preventDefault();
    };
    const onKeyUp = (event: KeyboardEvent) => {
      if (event.key !== " " || isTextInput(event.target)) return;
      // A focused button would otherwise take the release of the space bar as a click.
      event.preventDefault();
      latest.current.onSpace(false);
    };
    const onBlur = () => latest.current.onSpace(false);
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    window.addEventListener("blur", onBlur);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
      window.removeEventListener("blur", onBlur);
    };
  }, [hotkeys]);
}
