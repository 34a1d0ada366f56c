/** The contract between the image editor and its tools' states. */
import type { RegionStore } from "../../core/regionStore";
import type { Camera, ImagePoint, ScreenPoint, Size } from "../../core/viewport";

export interface PointerInput {
  screen: ScreenPoint;
  image: ImagePoint;
  /** 0 primary, 1 middle, 2 secondary, as in PointerEvent.button. */
  button: number;
}

/** A new box goes into this control with these labels. */
export interface BoxTarget {
  control: string;
  labels: string[];
}

export interface ToolContext {
  store: RegionStore;
  image: Size;
  camera(): Camera;
  setCamera(camera: Camera): void;
  boxTarget(): BoxTarget | null;
  transition(state: ToolState): void;
}

/** One state of a tool, such as "box.idle". Handlers left out ignore that event. */
export interface ToolState {
  readonly name: string;
  pointerDown?(context: ToolContext, input: PointerInput): void;
  pointerMove?(context: ToolContext, input: PointerInput): void;
  pointerUp?(context: ToolContext, input: PointerInput): void;
  /** Ends the state without finishing its gesture (Escape, lost pointer capture). */
  cancel?(context: ToolContext): void;
}

/** Screen pixels the pointer must travel before a press becomes a drag. */
export const DRAG_THRESHOLD = 3;

/** Screen pixels around a handle or an edge that still count as a hit. */
export const HIT_TOLERANCE = 6;

export function movedPastThreshold(from: ScreenPoint, to: ScreenPoint): boolean {
  return Math.hypot(to.x - from.x, to.y - from.y) >= DRAG_THRESHOLD;
}
