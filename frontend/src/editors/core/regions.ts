/**
 * The annotation record's regions, as the editor keeps them. Shapes use image pixels:
 * origin top-left, x right, y down.
 */
import type { Rle } from "./geometry/rle";

export interface BoxShape {
  type: "bbox";
  x: number;
  y: number;
  width: number;
  height: number;
  /** Degrees, clockwise about the centre. */
  rotation?: number;
}

export interface PolygonShape {
  type: "polygon";
  /** Flat `[x1, y1, x2, y2, ...]`, at least 3 points. */
  points: number[];
  /** Inner rings, each a flat point list like `points`. */
  holes: number[][];
}

export interface PolylineShape {
  type: "polyline";
  /** Flat `[x1, y1, x2, y2, ...]`, at least 2 points. */
  points: number[];
}

export interface KeypointsShape {
  type: "keypoints";
  /** Flat `[x1, y1, v1, ...]` with COCO visibility v: 0 not labelled, 1 occluded, 2 visible. */
  points: number[];
}

export interface EllipseShape {
  type: "ellipse";
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** Degrees, clockwise about the centre. */
  rotation: number;
}

export interface ChoiceShape {
  type: "choice";
}

export interface MaskShape {
  type: "mask";
  /** COCO compressed RLE in the image's size; see geometry/rle.ts. */
  rle: Rle;
}

export type Shape =
  | BoxShape
  | ChoiceShape
  | PolygonShape
  | PolylineShape
  | KeypointsShape
  | EllipseShape
  | MaskShape;

export interface Region {
  id: string;
  control: string;
  shape: Shape;
  labels: string[];
  attributes: Record<string, unknown>;
  score: number | null;
  group: string | number | null;
  /** Drawing order: higher values are drawn on top and hit first. Absent means 0. */
  z_order?: number;
  hidden?: boolean;
  /** A locked region can be selected but not moved, reshaped or deleted. */
  locked?: boolean;
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
