/**
 * COCO run-length encoding of binary masks, compatible with pycocotools.
 *
 * Runs count pixels column by column (top to bottom, then left to right), starting
 * with a run of zeros that may be empty. The compressed `counts` string stores each
 * run in 5-bit groups offset by 48 ('0'), with runs after the second stored as the
 * difference from the run two places before. Masks in this module are row-major
 * `Uint8Array`s, 1 inside and 0 outside, so they can be painted and drawn directly.
 */

export interface Rle {
  /** `[height, width]` in pixels. */
  size: [number, number];
  counts: string;
}

/** A rectangle of whole pixels: columns `[left, left + width)`, rows `[top, top + height)`. */
export interface PixelWindow {
  left: number;
  top: number;
  width: number;
  height: number;
}

const FIRST_CHAR = 48;

/** Reads compressed counts into run lengths; throws on characters outside '0'..'o'. */
export function countsFromString(counts: string): number[] {
  const runs: number[] = [];
  let value = 0;
  let shift = 0;
  for (let position = 0; position < counts.length; position += 1) {
    const group = counts.charCodeAt(position) - FIRST_CHAR;
    if (group < 0 || group > 63) {
      throw new Error(`RLE counts has an invalid character at position ${position}`);
    }
    value += (group & 0x1f) * 2 ** shift;
    shift += 5;
    if (group & 0x20) continue;
    if (group & 0x10) value -= 2 ** shift;
    if (runs.length > 2) value += runs[runs.length - 2] ?? 0;
    runs.push(value);
    value = 0;
    shift = 0;
  }
  if (shift !== 0) throw new Error("RLE counts ends in the middle of a number");
  return runs;
}

/** Writes run lengths as compressed counts, the inverse of `countsFromString`. */
export function countsToString(runs: readonly number[]): string {
  let text = "";
  runs.forEach((run, index) => {
    let value = index > 2 ? run - (runs[index - 2] ?? 0) : run;
    let more = true;
    while (more) {
      let group = value & 0x1f;
      value >>= 5;
      more = group & 0x10 ? value !== -1 : value !== 0;
      if (more) group |= 0x20;
      text += String.fromCharCode(group + FIRST_CHAR);
    }
  });
  return text;
}

/** Returns the number of pixels inside the mask. */
export function rleArea(rle: Rle): number {
  const runs = countsFromString(rle.counts);
  let area = 0;
  for (let index = 1; index < runs.length; index += 2) area += runs[index] ?? 0;
  return area;
}

/** Returns the smallest window that contains every pixel of the mask, or null for an empty one. */
export function rleBounds(rle: Rle): PixelWindow | null {
  const [height] = rle.size;
  let top = Number.POSITIVE_INFINITY;
  let bottom = -1;
  let left = Number.POSITIVE_INFINITY;
  let right = -1;
  forEachColumnSegment(rle, (column, startRow, endRow) => {
    top = Math.min(top, startRow);
    bottom = Math.max(bottom, endRow);
    left = Math.min(left, column);
    right = Math.max(right, column + 1);
  });
  if (right < 0) return null;
  return { left, top, width: right - left, height: Math.min(height, bottom) - top };
}

/** Decodes the part of a mask inside `window` into a row-major array of its size. */
export function decodeRleWindow(rle: Rle, window: PixelWindow): Uint8Array {
  const mask = new Uint8Array(window.width * window.height);
  const right = window.left + window.width;
  const bottom = window.top + window.height;
  forEachColumnSegment(rle, (column, startRow, endRow) => {
    if (column < window.left || column >= right) return;
    const from = Math.max(startRow, window.top);
    const to = Math.min(endRow, bottom);
    for (let row = from; row < to; row += 1) {
      mask[(row - window.top) * window.width + column - window.left] = 1;
    }
  });
  return mask;
}

/** Decodes a whole mask into a row-major array of `height * width` pixels. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  return decodeRleWindow(rle, { left: 0, top: 0, width, height });
}

/**
 * Encodes a mask that is empty outside `window` as the RLE of the whole image.
 * `mask` is row-major with the window's size and must lie inside the image.
 */
export function encodeRleWindow(
  mask: Uint8Array,
  window: PixelWindow,
  height: number,
  width: number,
): Rle {
  const runs: number[] = [];
  let value = 0;
  let length = 0;
  const extend = (next: number, count: number) => {
    if (count === 0) return;
    if (next === value) {
      length += count;
      return;
    }
    runs.push(length);
    value = next;
    length = count;
  };

  extend(0, window.left * height);
  for (let column = 0; column < window.width; column += 1) {
    extend(0, window.top);
    for (let row = 0; row < window.height; row += 1) {
      extend(mask[row * window.width + column] ? 1 : 0, 1);
    }
    extend(0, height - window.top - window.height);
  }
  extend(0, (width - window.left - window.width) * height);
  runs.push(length);
  return { size: [height, width], counts: countsToString(runs) };
}

/** Encodes a whole row-major mask of `height * width` pixels. */
export function encodeRle(mask: Uint8Array, height: number, width: number): Rle {
  return encodeRleWindow(mask, { left: 0, top: 0, width, height }, height, width);
}

/** Calls `visit` for each column piece of each run of ones, with rows `[startRow, endRow)`. */
function forEachColumnSegment(
  rle: Rle,
  visit: (column: number, startRow: number, endRow: number) => void,
): void {
  const [height] = rle.size;
  const runs = countsFromString(rle.counts);
  let position = 0;
  runs.forEach((run, index) => {
    const end = position + run;
    if (index % 2 === 1) {
      let start = position;
      while (start < end) {
        const column = Math.floor(start / height);
        const columnEnd = Math.min(end, (column + 1) * height);
        visit(column, start - column * height, columnEnd - column * height);
        start = columnEnd;
      }
    }
    position = end;
  });
}
