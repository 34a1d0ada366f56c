/**
 * State shared by the mask tools: brush size, the stroke or box being drawn, the
 * pointer, and the assist calls the host provides (the editor itself makes no requests).
 */
import type { Rle } from "../../../core/geometry/rle";
import type { ImagePoint } from "../../../core/viewport";

export interface PolygonRings {
  points: number[];
  holes: number[][];
}

/** A mask from the assist API, in the image's size, with its area and outline. */
export interface MaskResult {
  rle: Rle;
  area: number;
  polygons: PolygonRings[];
}

export interface ImageBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Server-side helpers, passed in by the page that hosts the editor. */
export interface MaskAssistant {
  grabcut(box: ImageBox): Promise<MaskResult>;
  superpixel(x: number, y: number): Promise<MaskResult>;
  maskToPolygons(rle: Rle, tolerance: number): Promise<{ polygons: PolygonRings[] }>;
  polygonToMask(rings: PolygonRings): Promise<MaskResult>;
}

export interface StrokePreview {
  mode: "paint" | "erase";
  /** Flat `[x1, y1, ...]` in image pixels. */
  points: number[];
  /** Brush radius in image pixels. */
  radius: number;
}

export interface MaskSnapshot {
  /** Brush diameter in image pixels. */
  brushSize: number;
  /** Douglas-Peucker tolerance in image pixels for "To polygon". */
  tolerance: number;
  /** An assist request is running. */
  busy: boolean;
  /** The last assist failure or notice, for the toolbar. */
  message: string | null;
  stroke: StrokePreview | null;
  /** The GrabCut box being dragged. */
  box: ImageBox | null;
  /** The pointer over the image, for the brush outline. */
  cursor: ImagePoint | null;
}

export const MIN_BRUSH_SIZE = 1;
export const MAX_BRUSH_SIZE = 500;
export const BRUSH_STEP = 1.25;

export class MaskSession {
  assistant: MaskAssistant | null = null;
  private snapshot: MaskSnapshot = {
    brushSize: 20,
    tolerance: 1,
    busy: false,
    message: null,
    stroke: null,
    box: null,
    cursor: null,
  };
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): MaskSnapshot => this.snapshot;

  setBrushSize(size: number): void {
    const clamped = Math.min(MAX_BRUSH_SIZE, Math.max(MIN_BRUSH_SIZE, Math.round(size)));
    this.update({ brushSize: clamped });
  }

  /** Grows the brush by `BRUSH_STEP` (or shrinks it for `direction` -1), by at least 1 pixel. */
  stepBrush(direction: 1 | -1): void {
    const size = this.snapshot.brushSize;
    const next = direction > 0 ? Math.max(size + 1, size * BRUSH_STEP) : size / BRUSH_STEP;
    this.setBrushSize(direction > 0 ? next : Math.min(size - 1, next));
  }

  setTolerance(tolerance: number): void {
    if (Number.isFinite(tolerance) && tolerance >= 0) this.update({ tolerance });
  }

  setStroke(stroke: StrokePreview | null): void {
    this.update({ stroke });
  }

  setBox(box: ImageBox | null): void {
    this.update({ box });
  }

  setCursor(cursor: ImagePoint | null): void {
    this.update({ cursor });
  }

  setMessage(message: string | null): void {
    this.update({ message });
  }

  /** Runs one assist call; a failure becomes the message and the result null. */
  async run<T>(what: string, call: (assistant: MaskAssistant) => Promise<T>): Promise<T | null> {
    if (this.assistant === null) {
      this.update({ message: `${what} is not available in this editor.` });
      return null;
    }
    this.update({ busy: true, message: null });
    try {
      return await call(this.assistant);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.update({ message: `${what} failed: ${reason}` });
      return null;
    } finally {
      this.update({ busy: false });
    }
  }

  private update(change: Partial<MaskSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener();
  }
}
