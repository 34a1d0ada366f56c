import { type PointerEvent, useEffect, useRef } from "react";
import { useRegions, useView } from "../../hooks/useEditorValue";
import type { Region } from "../core/regions";
import { type ScreenPoint, screenPoint } from "../core/viewport";
import type { ImageEditorEngine } from "./engine";
import { type ColorOf, RegionLayer, SuggestionLayer } from "./render/RegionLayer";

const CURSORS = { box: "crosshair", select: "default", pan: "grab" } as const;

/** Zoom per wheel pixel: a notch of deltaY 100 zooms by about 16 %. */
const WHEEL_ZOOM_RATE = 0.0015;

/** Pixels per wheel line, for browsers that report deltaMode 1 (lines). */
const WHEEL_LINE_HEIGHT = 16;

interface Props {
  engine: ImageEditorEngine;
  src: string;
  suggestions: readonly Region[];
  colorOf: ColorOf;
}

function pointIn(element: HTMLElement, event: { clientX: number; clientY: number }): ScreenPoint {
  const rect = element.getBoundingClientRect();
  return screenPoint(event.clientX - rect.left, event.clientY - rect.top);
}

/** Renders the image with its regions and receives every pointer and wheel event of the editor. */
export function ImageCanvas({ engine, src, suggestions, colorOf }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const { regions, selectedIds } = useRegions(engine);
  const { camera, tool, toolState } = useView(engine);

  useEffect(() => {
    const canvas = element.current;
    if (canvas === null) return;
    const observer = new ResizeObserver(() => {
      engine.setViewSize({ width: canvas.clientWidth, height: canvas.clientHeight });
    });
    observer.observe(canvas);
    // React registers wheel listeners as passive, which cannot stop the page from scrolling.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const pixels = event.deltaMode === 1 ? event.deltaY * WHEEL_LINE_HEIGHT : event.deltaY;
      engine.zoomBy(Math.exp(-pixels * WHEEL_ZOOM_RATE), pointIn(canvas, event));
    };
    canvas.addEventListener("wheel", onWheel, { passive: false });
    return () => {
      observer.disconnect();
      canvas.removeEventListener("wheel", onWheel);
    };
  }, [engine]);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button > 1) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    engine.pointerDown(pointIn(event.currentTarget, event), event.button);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    engine.pointerMove(pointIn(event.currentTarget, event));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    engine.pointerUp(pointIn(event.currentTarget, event), event.button);
  };
  const panning = toolState === "pan.panning";

  return (
    <div
      ref={element}
      className="editor-canvas"
      data-testid="editor-canvas"
      data-tool-state={toolState}
      style={{ cursor: panning ? "grabbing" : CURSORS[tool] }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => engine.cancel()}
    >
      <img
        src={src}
        alt=""
        draggable={false}
        data-testid="editor-image"
        className="editor-image"
        style={{
          width: engine.image.width,
          height: engine.image.height,
          transform: `translate(${camera.offsetX}px, ${camera.offsetY}px) scale(${camera.scale})`,
          imageRendering: camera.scale > 1 ? "pixelated" : "auto",
        }}
      />
      <svg className="editor-overlay" aria-hidden="true">
        <SuggestionLayer camera={camera} regions={suggestions} colorOf={colorOf} />
        <RegionLayer
          camera={camera}
          regions={regions}
          selectedIds={selectedIds}
          colorOf={colorOf}
        />
      </svg>
    </div>
  );
}
