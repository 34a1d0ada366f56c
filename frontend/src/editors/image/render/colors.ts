import type { Region } from "../../core/regions";

/** Colours for labels whose schema gives none, picked by the label's position. */
const PALETTE = [
  "#e6194b",
  "#3cb44b",
  "#4363d8",
  "#f58231",
  "#911eb4",
  "#42d4f4",
  "#f032e6",
  "#bfef45",
];

interface ColoredControl {
  name: string;
  labels?: readonly { name: string; color?: string | null }[];
}

export function labelColor(color: string | null | undefined, index: number): string {
  return color ?? PALETTE[index % PALETTE.length] ?? "#ff9800";
}

/** Returns a function giving each region the colour of its first label. */
export function regionColors(controls: readonly ColoredControl[]): (region: Region) => string {
  const byLabel = new Map<string, string>();
  for (const control of controls) {
    (control.labels ?? []).forEach((label, index) => {
      byLabel.set(`${control.name}\u0000${label.name}`, labelColor(label.color, index));
    });
  }
  return (region) => byLabel.get(`${region.control}\u0000${region.labels[0]}`) ?? "#ff9800";
}
