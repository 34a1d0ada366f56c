import { type PointerEvent, useEffect, useMemo, useRef } from "react";
import { useRegions, useView } from "../../hooks/useEditorValue";
import { createRegion, type Region } from "../core/regions";
import { type ScreenPoint, screenPoint } from "../core/viewport";
import type { ImageEditorEngine, ToolName } from "./engine";
import { MaskLayer, MaskOverlay } from "./render/MaskLayer";
import { PreviewLayer } from "./render/PreviewLayer";
import { type ColorOf, RegionLayer, SuggestionLayer } from "./render/RegionLayer";
import { schemaLookups } from "./render/schemaLookups";
import { ImageLayer } from "./render/tiles/ImageLayer";

const CURSORS: Record<ToolName, string> = {
  box: "crosshair",
  select: "default",
  pan: "grab",
  polygon: "crosshair",
  polyline: "crosshair",
  keypoints: "crosshair",
  ellipse: "crosshair",
  brush: "none",
  eraser: "none",
  grabcut: "crosshair",
  wand: "cell",
};

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
  const {
    camera,
    tool,
    toolState,
    preview,
    selectedVertex,
    activeControl,
    activeLabels,
    viewSize,
  } = useView(engine);
  const lookups = useMemo(() => schemaLookups(engine.controls), [engine]);
  const activeLabel = activeControl === null ? undefined : activeLabels[activeControl];
  const previewColor = colorOf(
    createRegion(activeControl ?? "", { type: "choice" }, activeLabel ? [activeLabel] : []),
  );

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
    engine.pointerDown(pointIn(event.currentTarget, event), event.button, {
      altKey: event.altKey,
      shiftKey: event.shiftKey,
    });
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
      <ImageLayer src={src} image={engine.image} camera={camera} viewSize={viewSize} />
      <MaskLayer
        camera={camera}
        image={engine.image}
        regions={regions}
        selectedIds={selectedIds}
        colorOf={colorOf}
      />
      <svg className="editor-overlay" aria-hidden="true">
        <SuggestionLayer camera={camera} regions={suggestions} colorOf={colorOf} />
        <RegionLayer
          camera={camera}
          regions={regions}
          selectedIds={selectedIds}
          colorOf={colorOf}
          skeletonOf={lookups.skeletonOf}
          namesOf={lookups.namesOf}
          selectedVertex={selectedVertex}
        />
        <PreviewLayer camera={camera} preview={preview} color={previewColor} />
      </svg>
      <MaskOverlay
        camera={camera}
        masks={engine.masks}
        showBrush={tool === "brush" || tool === "eraser"}
      />
    </div>
  );
}
