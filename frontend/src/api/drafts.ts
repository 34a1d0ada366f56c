/**
 * The editor's local copy of an item's annotation in localStorage. It is written on every
 * change, so a reload, a crash or a 401 keeps unsaved work unless storage is full or disabled.
 */
import type { Region } from "../editors/core/regions";

export interface Draft {
  itemId: number;
  regions: Region[];
  /** Version of the server annotation the draft was based on; null before the first save. */
  version: number | null;
  /** Milliseconds since the epoch of the last local change. */
  changedAt: number;
  /** True while the server does not have this copy yet. */
  unsaved: boolean;
}

function key(itemId: number): string {
  return `labelloop.draft.${itemId}`;
}

export function readDraft(itemId: number): Draft | null {
  const text = window.localStorage.getItem(key(itemId));
  if (text === null) return null;
  try {
    const draft = JSON.parse(text) as Draft;
    return draft.itemId === itemId && Array.isArray(draft.regions) ? draft : null;
  } catch {
    return null;
  }
}

export function writeDraft(draft: Draft): void {
  try {
    window.localStorage.setItem(key(draft.itemId), JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the server copy still autosaves.
  }
}

export function removeDraft(itemId: number): void {
  window.localStorage.removeItem(key(itemId));
}
