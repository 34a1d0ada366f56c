import { describe, expect, it } from "vitest";
import {
  buildHotkeyTable,
  duplicateKeys,
  EDITOR_HOTKEYS,
  findHotkey,
  keyFromEvent,
  labelHotkeyId,
} from "./hotkeys";

const digits = {
  name: "digit",
  type: "choice",
  labels: Array.from({ length: 10 }, (_, index) => ({
    name: String(index),
    hotkey: String(index),
  })),
};

function press(
  key: string,
  modifiers: Partial<Record<"ctrl" | "shift" | "alt" | "meta", boolean>> = {},
) {
  return keyFromEvent({
    key,
    ctrlKey: modifiers.ctrl ?? false,
    shiftKey: modifiers.shift ?? false,
    altKey: modifiers.alt ?? false,
    metaKey: modifiers.meta ?? false,
  });
}

describe("hotkeys", () => {
  it("editor table has no duplicate keys", () => {
    expect(duplicateKeys(EDITOR_HOTKEYS)).toEqual([]);
  });

  it("table with digit labels has no duplicates", () => {
    const { hotkeys, conflicts } = buildHotkeyTable([digits]);
    expect(duplicateKeys(hotkeys)).toEqual([]);
    expect(conflicts).toEqual([]);
    expect(findHotkey(hotkeys, "0")?.id).toBe(labelHotkeyId("digit", "0"));
  });

  it("labels without hotkeys get free digits", () => {
    const control = {
      name: "objects",
      type: "bbox",
      labels: [{ name: "cat" }, { name: "dog", hotkey: "1" }],
    };
    const { hotkeys } = buildHotkeyTable([control]);
    expect(findHotkey(hotkeys, "1")?.id).toBe(labelHotkeyId("objects", "dog"));
    expect(findHotkey(hotkeys, "2")?.id).toBe(labelHotkeyId("objects", "cat"));
  });

  it("label key taken by a tool is dropped", () => {
    const control = { name: "objects", type: "bbox", labels: [{ name: "bird", hotkey: "b" }] };
    const { hotkeys, conflicts } = buildHotkeyTable([control]);
    expect(duplicateKeys(hotkeys)).toEqual([]);
    expect(conflicts).toHaveLength(1);
    expect(findHotkey(hotkeys, "b")?.id).toBe("tool.box");
  });

  it("key names are normalised", () => {
    expect(press("Z", { ctrl: true, shift: true })).toBe("ctrl+shift+z");
    expect(press("z", { meta: true })).toBe("ctrl+z");
    expect(press("?", { shift: true })).toBe("?");
    expect(press("B", { shift: true })).toBe("b");
    expect(press("Enter", { ctrl: true })).toBe("ctrl+enter");
    expect(press(" ")).toBe("space");
  });
});
