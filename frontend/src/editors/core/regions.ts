/**
 * The annotation record's regions, as the editor keeps them. Shapes use image pixels:
 * origin top-left, x right, y down.
 */

export interface BoxShape {
  type: "bbox";
  x: number;
  y: number;
  width: number;
  height: number;
  /** Degrees, clockwise about the centre. The editor keeps it but draws boxes upright. */
  rotation?: number;
}

export interface ChoiceShape {
  type: "choice";
}

export type Shape = BoxShape | ChoiceShape;

export interface Region {
  id: string;
  control: string;
  shape: Shape;
  labels: string[];
  attributes: Record<string, unknown>;
  score: number | null;
  group: string | null;
}

export interface BoxRegion extends Region {
  shape: BoxShape;
}

export function isBoxRegion(region: Region): region is BoxRegion {
  return region.shape.type === "bbox";
}

let counter = 0;

/** Creates a region id that stays unique within one annotation and across reloads. */
export function newRegionId(): string {
  counter += 1;
  const random = Math.floor(Math.random() * 36 ** 6).toString(36);
  return `r${Date.now().toString(36)}${counter.toString(36)}${random}`;
}

export function createRegion(control: string, shape: Shape, labels: string[]): Region {
  return { id: newRegionId(), control, shape, labels, attributes: {}, score: null, group: null };
}
