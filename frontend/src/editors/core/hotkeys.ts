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
  {
    id: "tool.polygon",
    keys: ["p"],
    scope: "editor",
    description: "Polygon tool: click points, click the first point or press Enter to close",
  },
  {
    id: "tool.polyline",
    keys: ["l"],
    scope: "editor",
    description: "Polyline tool: click points, press Enter to finish",
  },
  {
    id: "tool.keypoints",
    keys: ["k"],
    scope: "editor",
    description: "Keypoints tool: click the label's points in order",
  },
  { id: "tool.ellipse", keys: ["e"], scope: "editor", description: "Ellipse tool: drag to draw" },
  {
    id: "drawing.finish",
    keys: ["enter"],
    scope: "editor",
    description: "Finish the polygon, polyline or keypoints being drawn",
  },
  {
    id: "keypoint.visibility",
    keys: ["o"],
    scope: "editor",
    description: "Step the picked keypoint's visibility: visible, occluded, not labelled",
  },
  {
    id: "region.bring-forward",
    keys: ["]"],
    scope: "editor",
    description: "Bring the selected regions forward",
  },
  {
    id: "region.send-back",
    keys: ["["],
    scope: "editor",
    description: "Send the selected regions back",
  },
  {
    id: "region.group",
    keys: ["g"],
    scope: "editor",
    description: "Put the selected regions into a new group",
  },
  {
    id: "region.copy",
    keys: ["ctrl+c"],
    scope: "editor",
    description: "Copy the selected regions",
  },
  {
    id: "region.paste",
    keys: ["ctrl+v"],
    scope: "editor",
    description: "Paste copied regions, also into another item",
  },
  { id: "tool.brush", keys: ["m"], scope: "editor", description: "Mask brush: drag to paint" },
  {
    id: "tool.eraser",
    keys: ["x"],
    scope: "editor",
    description: "Mask eraser: drag to erase from the selected masks, or any mask",
  },
  {
    id: "tool.grabcut",
    keys: ["c"],
    scope: "editor",
    description: "GrabCut: drag a box around an object to make its mask",
  },
  {
    id: "tool.wand",
    keys: ["w"],
    scope: "editor",
    description: "Magic wand: click for the superpixel's mask; Shift adds to the selected mask",
  },
  { id: "brush.smaller", keys: [","], scope: "editor", description: "Make the brush smaller" },
  { id: "brush.larger", keys: ["."], scope: "editor", description: "Make the brush larger" },
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
