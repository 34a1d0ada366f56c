/**
 * Regions copied in the editor. The clipboard lives as long as the page, so a copy made
 * on one item can be pasted into the next one the editor opens.
 */
import type { Region } from "./regions";

let copied: readonly Region[] = [];

export function copyToClipboard(regions: readonly Region[]): void {
  copied = regions.map((region) => structuredClone(region));
}

export function readClipboard(): readonly Region[] {
  return copied;
}
