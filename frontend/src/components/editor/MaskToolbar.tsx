import { useSyncExternalStore } from "react";
import type { ImageEditorEngine, MaskToolName } from "../../editors/image/engine";
import { isMaskRegion } from "../../editors/image/tools/brush/painting";
import { useRegions, useView } from "../../hooks/useEditorValue";

const MASK_TOOLS: readonly { tool: MaskToolName; title: string; key: string }[] = [
  { tool: "brush", title: "Brush", key: "M" },
  { tool: "eraser", title: "Eraser", key: "X" },
  { tool: "grabcut", title: "GrabCut from box", key: "C" },
  { tool: "wand", title: "Magic wand", key: "W" },
];

interface Props {
  engine: ImageEditorEngine;
}

/** Mask tools, brush size, and the conversions between masks and polygons. */
export function MaskToolbar({ engine }: Props) {
  const { tool } = useView(engine);
  const { regions, selectedIds } = useRegions(engine);
  const { brushSize, tolerance, busy, message } = useSyncExternalStore(
    engine.masks.subscribe,
    engine.masks.getSnapshot,
  );
  const hasMask = engine.controls.some((control) => control.type === "mask");
  const hasPolygon = engine.controls.some((control) => control.type === "polygon");
  if (!hasMask) return null;
  const selected = regions.filter((region) => selectedIds.includes(region.id));
  const maskSelected = selected.some(isMaskRegion);
  const polygonSelected = selected.some((region) => region.shape.type === "polygon");

  return (
    <div className="toolbar" data-testid="mask-toolbar">
      {MASK_TOOLS.map((entry) => (
        <button
          type="button"
          key={entry.tool}
          aria-pressed={tool === entry.tool}
          data-testid={`tool-${entry.tool}`}
          onClick={() => engine.setTool(entry.tool)}
          title={`${entry.title} (${entry.key})`}
        >
          {entry.title}
        </button>
      ))}
      <span className="separator" />
      <label className="muted" title="Brush diameter in image pixels (, and .)">
        Brush{" "}
        <input
          type="number"
          data-testid="brush-size"
          min={1}
          max={500}
          value={brushSize}
          onChange={(event) => engine.masks.setBrushSize(Number(event.target.value))}
          style={{ width: "4.5em" }}
        />{" "}
        px
      </label>
      {hasPolygon && (
        <>
          <span className="separator" />
          <button
            type="button"
            data-testid="mask-to-polygon"
            disabled={!maskSelected || busy}
            onClick={() => void engine.convertSelected("polygon")}
            title="Replace the selected masks by polygons"
          >
            To polygon
          </button>
          <label className="muted" title="Largest distance in pixels the outline may move">
            ±{" "}
            <input
              type="number"
              data-testid="polygon-tolerance"
              min={0}
              max={100}
              step={0.5}
              value={tolerance}
              onChange={(event) => engine.masks.setTolerance(Number(event.target.value))}
              style={{ width: "4em" }}
            />{" "}
            px
          </label>
          <button
            type="button"
            data-testid="polygon-to-mask"
            disabled={!polygonSelected || busy}
            onClick={() => void engine.convertSelected("mask")}
            title="Replace the selected polygons by masks"
          >
            To mask
          </button>
        </>
      )}
      {busy && (
        <span className="muted" data-testid="assist-busy">
          Working…
        </span>
      )}
      {message && (
        <span className="error" data-testid="assist-message">
          {message}
        </span>
      )}
    </div>
  );
}
