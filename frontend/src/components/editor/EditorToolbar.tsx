import { ZOOM_STEP } from "../../editors/image/actions";
import type { ImageEditorEngine, ToolName } from "../../editors/image/engine";
import type { SaveStatus } from "../../hooks/useAnnotationSync";
import { useRegions, useView } from "../../hooks/useEditorValue";

const STATUS_TEXT: Record<SaveStatus, string> = {
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Unsaved",
};

const TOOLS: readonly { tool: ToolName; title: string; key: string }[] = [
  { tool: "box", title: "Box", key: "B" },
  { tool: "polygon", title: "Polygon", key: "P" },
  { tool: "polyline", title: "Polyline", key: "L" },
  { tool: "keypoints", title: "Keypoints", key: "K" },
  { tool: "ellipse", title: "Ellipse", key: "E" },
  { tool: "select", title: "Select", key: "V" },
  { tool: "pan", title: "Pan", key: "H" },
];

interface Props {
  engine: ImageEditorEngine;
  status: SaveStatus;
  submitting: boolean;
  canAccept: boolean;
  onAccept: () => void;
  onSubmit: () => void;
  onHelp: () => void;
}

export function EditorToolbar({
  engine,
  status,
  submitting,
  canAccept,
  onAccept,
  onSubmit,
  onHelp,
}: Props) {
  const { canUndo, canRedo, selectedIds } = useRegions(engine);
  const { tool, camera } = useView(engine);
  // Each drawing tool shows only when the schema has a control of its shape type.
  const drawing = engine.drawingTools();
  const tools = TOOLS.filter(
    (entry) => entry.tool === "select" || entry.tool === "pan" || drawing.includes(entry.tool),
  );

  return (
    <div className="toolbar">
      {tools.map((entry) => (
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
      <button type="button" onClick={() => engine.zoomBy(1 / ZOOM_STEP)} title="Zoom out (-)">
        −
      </button>
      <span className="muted zoom">{Math.round(camera.scale * 100)}%</span>
      <button type="button" onClick={() => engine.zoomBy(ZOOM_STEP)} title="Zoom in (+)">
        +
      </button>
      <button type="button" onClick={() => engine.fit()} title="Fit (F)">
        Fit
      </button>
      <span className="separator" />
      <button
        type="button"
        data-testid="undo"
        disabled={!canUndo}
        onClick={() => engine.store.undo()}
        title="Undo (Ctrl+Z)"
      >
        Undo
      </button>
      <button
        type="button"
        data-testid="redo"
        disabled={!canRedo}
        onClick={() => engine.store.redo()}
        title="Redo (Ctrl+Shift+Z)"
      >
        Redo
      </button>
      <button
        type="button"
        disabled={selectedIds.length === 0}
        onClick={() => engine.deleteSelected()}
        title="Delete (Del)"
      >
        Delete
      </button>
      {canAccept && (
        <button type="button" onClick={onAccept} title="Accept suggestions (A)">
          Accept suggestions
        </button>
      )}
      <span className="spacer" />
      <span data-testid="save-status" className={`save-status ${status}`}>
        {STATUS_TEXT[status]}
      </span>
      <button type="button" onClick={onHelp} title="Keyboard shortcuts (?)">
        ?
      </button>
      <button
        type="button"
        className="primary"
        data-testid="submit-annotation"
        disabled={submitting}
        onClick={onSubmit}
        title="Submit (Ctrl+Enter)"
      >
        {submitting ? "Submitting…" : "Submit"}
      </button>
    </div>
  );
}
