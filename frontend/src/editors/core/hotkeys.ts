/**
 * The editor's keyboard shortcuts as one table: it binds the keys and the help
 * dialog lists it. Keys are normalised strings such as "b", "ctrl+shift+z", "?".
 */

export type HotkeyScope = "editor";

export interface Hotkey {
  id: string;
  keys: readonly string[];
  scope: HotkeyScope;
  description: string;
}

/** The part of a label schema control that hotkeys need. */
export interface ControlSpec {
  name: string;
  type: string;
  multiple?: boolean | null;
  labels?: readonly { name: string; hotkey?: string | null }[];
}

export const EDITOR_HOTKEYS: readonly Hotkey[] = [
  { id: "tool.box", keys: ["b"], scope: "editor", description: "Box tool: drag to draw a box" },
  {
    id: "tool.select",
    keys: ["v"],
    scope: "editor",
    description: "Select tool: click, move, resize",
  },
  { id: "tool.pan", keys: ["h"], scope: "editor", description: "Pan tool: drag to move the view" },
  { id: "view.pan-hold", keys: ["space"], scope: "editor", description: "Hold and drag to pan" },
  { id: "view.zoom-in", keys: ["+", "="], scope: "editor", description: "Zoom in" },
  { id: "view.zoom-out", keys: ["-"], scope: "editor", description: "Zoom out" },
  { id: "view.fit", keys: ["f"], scope: "editor", description: "Fit the image to the view" },
  {
    id: "region.delete",
    keys: ["delete", "backspace"],
    scope: "editor",
    description: "Delete the selected regions",
  },
  {
    id: "selection.clear",
    keys: ["escape"],
    scope: "editor",
    description: "Cancel the gesture or clear the selection",
  },
  { id: "history.undo", keys: ["ctrl+z"], scope: "editor", description: "Undo" },
  { id: "history.redo", keys: ["ctrl+shift+z", "ctrl+y"], scope: "editor", description: "Redo" },
  {
    id: "prediction.accept",
    keys: ["a"],
    scope: "editor",
    description: "Accept the model's suggestions",
  },
  {
    id: "annotation.submit",
    keys: ["ctrl+enter"],
    scope: "editor",
    description: "Submit and open the next item",
  },
  { id: "help.toggle", keys: ["?"], scope: "editor", description: "Show or hide this list" },
];

export function labelHotkeyId(control: string, label: string): string {
  return `label.${control}.${label}`;
}

export interface HotkeyTable {
  hotkeys: Hotkey[];
  /** Labels left without a key because their key was already taken, as messages. */
  conflicts: string[];
}

/**
 * Joins the label keys of the schema to the editor keys. A label without a hotkey gets
 * the next free digit 1..9; a label whose key is taken keeps no key and is reported.
 */
export function buildHotkeyTable(controls: readonly ControlSpec[]): HotkeyTable {
  const hotkeys = [...EDITOR_HOTKEYS];
  const used = new Set(hotkeys.flatMap((hotkey) => hotkey.keys));
  for (const control of controls) {
    for (const label of control.labels ?? []) {
      if (label.hotkey) used.add(normaliseKeyName(label.hotkey));
    }
  }

  const conflicts: string[] = [];
  const assigned = new Set<string>();
  const freeDigits = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].filter((key) => !used.has(key));
  for (const control of controls) {
    for (const label of control.labels ?? []) {
      const key = label.hotkey ? normaliseKeyName(label.hotkey) : freeDigits.shift();
      if (key === undefined) continue;
      const clash = assigned.has(key) || EDITOR_HOTKEYS.some((hotkey) => hotkey.keys.includes(key));
      if (clash) {
        conflicts.push(
          `Label "${label.name}" of "${control.name}" has no hotkey: "${key}" is taken.`,
        );
        continue;
      }
      assigned.add(key);
      hotkeys.push({
        id: labelHotkeyId(control.name, label.name),
        keys: [key],
        scope: "editor",
        description: `Label "${label.name}" (${control.name})`,
      });
    }
  }
  return { hotkeys, conflicts };
}

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/**
 * Normalises a key press. Cmd counts as Ctrl. Shift is kept only beside Ctrl or Alt or
 * with a named key, because it is already part of printed characters such as "?".
 */
export function keyFromEvent(event: KeyInput): string {
  const key = normaliseKeyName(event.key);
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push("ctrl");
  if (event.altKey) parts.push("alt");
  const printed = event.key.length === 1 && event.key !== " ";
  if (event.shiftKey && (parts.length > 0 || !printed)) parts.push("shift");
  parts.push(key);
  return parts.join("+");
}

function normaliseKeyName(key: string): string {
  if (key === " ") return "space";
  return key.toLowerCase();
}

export function findHotkey(hotkeys: readonly Hotkey[], key: string): Hotkey | undefined {
  return hotkeys.find((hotkey) => hotkey.keys.includes(key));
}

/** Returns "scope key" for every key bound more than once in one scope. */
export function duplicateKeys(hotkeys: readonly Hotkey[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const hotkey of hotkeys) {
    for (const key of hotkey.keys) {
      const scoped = `${hotkey.scope} ${key}`;
      if (seen.has(scoped)) duplicates.push(scoped);
      seen.add(scoped);
    }
  }
  return duplicates;
}
