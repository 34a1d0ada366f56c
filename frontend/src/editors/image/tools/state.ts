/** The contract between the image editor and its tools' states. */
import type { RegionStore } from "../../core/regionStore";
import type { Camera, ImagePoint, ScreenPoint, Size } from "../../core/viewport";
import type { MaskSession } from "./brush/session";

export interface PointerInput {
  screen: ScreenPoint;
  image: ImagePoint;
  /** 0 primary, 1 middle, 2 secondary, as in PointerEvent.button. */
  button: number;
  /** Alt (Option) held: a click on a polygon's vertex deletes it, on an edge inserts a point. */
  altKey?: boolean;
  /** Shift held: a click on a region adds it to the selection or takes it out. */
  shiftKey?: boolean;
}

/** A new box goes into this control with these labels. */
export interface BoxTarget {
  control: string;
  labels: string[];
  /** The schema's default values of the attributes the new region has. */
  attributes?: Record<string, unknown>;
}

/** A new region of a drawing tool: the box target plus the label's keypoint names. */
export interface DrawTarget extends BoxTarget {
  keypoints: readonly string[];
}

/** The unfinished shape of a click-by-click tool, drawn over the regions until it is finished. */
export interface DrawingPreview {
  type: "polygon" | "polyline" | "keypoints";
  /** Flat `[x1, y1, ...]` of the points placed so far, in image pixels. */
  points: readonly number[];
  /** The pointer in image pixels, for the rubber band to the next point. */
  cursor: ImagePoint | null;
  /** The name of the next keypoint to place, for the keypoints tool. */
  nextName?: string;
}

/** One point of a polygon, polyline or keypoints region, picked for dragging, Delete or visibility. */
export interface VertexRef {
  regionId: string;
  index: number;
}

export interface ToolContext {
  store: RegionStore;
  image: Size;
  camera(): Camera;
  setCamera(camera: Camera): void;
  boxTarget(): BoxTarget | null;
  /** The control and labels new regions of shape `type` go into, or null when the schema has none. */
  drawTarget(type: string): DrawTarget | null;
  setPreview(preview: DrawingPreview | null): void;
  selectedVertex(): VertexRef | null;
  selectVertex(vertex: VertexRef | null): void;
  transition(state: ToolState): void;
  /** Brush size, stroke preview and assist calls of the mask tools. */
  masks: MaskSession;
}

/** One state of a tool, such as "box.idle". Handlers left out ignore that event. */
export interface ToolState {
  readonly name: string;
  pointerDown?(context: ToolContext, input: PointerInput): void;
  pointerMove?(context: ToolContext, input: PointerInput): void;
  pointerUp?(context: ToolContext, input: PointerInput): void;
  /** Ends the state without finishing its gesture (Escape, lost pointer capture). */
  cancel?(context: ToolContext): void;
  /** Finishes a click-by-click shape (Enter). */
  finish?(context: ToolContext): void;
}

/** Screen pixels the pointer must travel before a press becomes a drag. */
export const DRAG_THRESHOLD = 3;

/** Screen pixels around a handle or an edge that still count as a hit. */
export const HIT_TOLERANCE = 6;

export function movedPastThreshold(from: ScreenPoint, to: ScreenPoint): boolean {
  return Math.hypot(to.x - from.x, to.y - from.y) >= DRAG_THRESHOLD;
}
