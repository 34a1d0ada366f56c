import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { decodeRleWindow, rleBounds } from "../../core/geometry/rle";
import type { MaskShape, Region } from "../../core/regions";
import { type Camera, imagePoint, imageToScreen, type Size } from "../../core/viewport";
import { isMaskRegion } from "../tools/brush/painting";
import type { MaskSession } from "../tools/brush/session";
import type { ColorOf } from "./RegionLayer";

const FILL_ALPHA = 110;
const SELECTED_FILL_ALPHA = 160;

function rgbOf(color: string): [number, number, number] {
  const hex = color.replace("#", "");
  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join("") : hex;
  const value = Number.parseInt(full.slice(0, 6), 16);
  if (Number.isNaN(value)) return [255, 152, 0];
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

interface LayerProps {
  camera: Camera;
  image: Size;
  regions: readonly Region[];
  selectedIds: readonly string[];
  colorOf: ColorOf;
}

/** Draws each mask region as a coloured overlay, placed and scaled with the image. */
export function MaskLayer({ camera, image, regions, selectedIds, colorOf }: LayerProps) {
  const masks = regions.filter(isMaskRegion).filter((region) => region.hidden !== true);
  if (masks.length === 0) return null;
  const selected = new Set(selectedIds);
  return (
    <div
      aria-hidden="true"
      style={{
        position: "absolute",
        top: 0,
        left: 0,
        width: image.width,
        height: image.height,
        transformOrigin: "0 0",
        transform: `translate(${camera.offsetX}px, ${camera.offsetY}px) scale(${camera.scale})`,
        pointerEvents: "none",
      }}
    >
      {masks.map((region) => (
        <MaskCanvas
          key={region.id}
          id={region.id}
          shape={region.shape}
          color={colorOf(region)}
          selected={selected.has(region.id)}
          pixelated={camera.scale > 1}
        />
      ))}
    </div>
  );
}

interface CanvasProps {
  id: string;
  shape: MaskShape;
  color: string;
  selected: boolean;
  pixelated: boolean;
}

function MaskCanvas({ id, shape, color, selected, pixelated }: CanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const bounds = useMemo(() => rleBounds(shape.rle), [shape.rle]);

  useEffect(() => {
    const element = canvas.current;
    if (element === null || bounds === null) return;
    element.width = bounds.width;
    element.height = bounds.height;
    const drawing = element.getContext("2d");
    if (drawing === null) return;
    const mask = decodeRleWindow(shape.rle, bounds);
    const pixels = drawing.createImageData(bounds.width, bounds.height);
    const [red, green, blue] = rgbOf(color);
    const alpha = selected ? SELECTED_FILL_ALPHA : FILL_ALPHA;
    for (let index = 0; index < mask.length; index += 1) {
      if (mask[index] === 0) continue;
      pixels.data[4 * index] = red;
      pixels.data[4 * index + 1] = green;
      pixels.data[4 * index + 2] = blue;
      pixels.data[4 * index + 3] = alpha;
    }
    drawing.putImageData(pixels, 0, 0);
  }, [shape.rle, bounds, color, selected]);

  if (bounds === null) return null;
  return (
    <canvas
      ref={canvas}
      data-testid="region-mask"
      data-region-id={id}
      data-selected={selected || undefined}
      style={{
        position: "absolute",
        left: bounds.left,
        top: bounds.top,
        width: bounds.width,
        height: bounds.height,
        imageRendering: pixelated ? "pixelated" : "auto",
      }}
    />
  );
}

interface OverlayProps {
  camera: Camera;
  masks: MaskSession;
  /** Shows the brush outline at the pointer: the brush or eraser tool is active. */
  showBrush: boolean;
}

/** Draws the stroke being painted, the brush outline and the GrabCut box, in screen pixels. */
export function MaskOverlay({ camera, masks, showBrush }: OverlayProps) {
  const { stroke, box, cursor, brushSize } = useSyncExternalStore(
    masks.subscribe,
    masks.getSnapshot,
  );
  const toScreen = (x: number, y: number) => imageToScreen(camera, imagePoint(x, y));
  const strokePoints = [];
  for (let index = 0; stroke !== null && index + 1 < stroke.points.length; index += 2) {
    const at = toScreen(stroke.points[index] ?? 0, stroke.points[index + 1] ?? 0);
    strokePoints.push(`${at.x},${at.y}`);
  }
  const corner = box === null ? null : toScreen(box.x, box.y);

  return (
    <svg className="editor-overlay" aria-hidden="true">
      {stroke !== null && (
        <polyline
          data-testid="mask-stroke"
          points={strokePoints.join(" ")}
          fill="none"
          stroke={stroke.mode === "paint" ? "#ffeb3b" : "#ffffff"}
          strokeOpacity={0.5}
          strokeWidth={Math.max(1, 2 * stroke.radius * camera.scale)}
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      )}
      {showBrush && cursor !== null && (
        <circle
          cx={toScreen(cursor.x, cursor.y).x}
          cy={toScreen(cursor.x, cursor.y).y}
          r={Math.max(1, (brushSize / 2) * camera.scale)}
          fill="none"
          stroke="#ffffff"
          strokeDasharray="3 3"
        />
      )}
      {box !== null && corner !== null && (
        <rect
          data-testid="grabcut-box"
          x={corner.x}
          y={corner.y}
          width={box.width * camera.scale}
          height={box.height * camera.scale}
          fill="none"
          stroke="#ffeb3b"
          strokeWidth={2}
          strokeDasharray="6 4"
        />
      )}
    </svg>
  );
}
