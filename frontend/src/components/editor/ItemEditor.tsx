import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { errorMessage } from "../../api/problems";
import { nextQueueItem, queryKeys } from "../../api/queries";
import { readResult } from "../../api/result";
import type { ItemDetail, Project } from "../../api/types";
import { buildHotkeyTable } from "../../editors/core/hotkeys";
import type { Region } from "../../editors/core/regions";
import type { Size } from "../../editors/core/viewport";
import { editorActions } from "../../editors/image/actions";
import { ImageEditorEngine } from "../../editors/image/engine";
import { ImageCanvas } from "../../editors/image/ImageCanvas";
import { regionColors } from "../../editors/image/render/colors";
import { itemAssistant } from "../../editors/image/tools/assist/api";
import { chooseStartingPoint, useAnnotationSync } from "../../hooks/useAnnotationSync";
import { useEditorHotkeys } from "../../hooks/useEditorHotkeys";
import { Markdown } from "../Markdown";
import { AttributesPanel } from "./AttributesPanel";
import { ConflictBanner } from "./ConflictBanner";
import { EditorToolbar } from "./EditorToolbar";
import { HotkeyHelp } from "./HotkeyHelp";
import { LabelBar } from "./LabelBar";
import { MaskToolbar } from "./MaskToolbar";
import { RegionList } from "./RegionList";

/** Renders the image editor for one item. Mount it with `key={item.id}` so each item starts fresh. */
interface Props {
  project: Project;
  item: ItemDetail;
  imageSize: Size;
}

export function ItemEditor({ project, item, imageSize }: Props) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const controls = project.schema.controls;
  const [start] = useState(() => chooseStartingPoint(item));
  const [engine] = useState(() => {
    const created = new ImageEditorEngine(imageSize, controls);
    created.store.load(start.regions);
    created.masks.assistant = itemAssistant(item.id);
    return created;
  });
  const sync = useAnnotationSync(engine, item, start);
  const [showHelp, setShowHelp] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [navigationError, setNavigationError] = useState<string | null>(null);
  const table = useMemo(() => buildHotkeyTable(controls), [controls]);

  // Suggestions show until accepted, and only when the user has not started an annotation.
  const [suggestions, setSuggestions] = useState<Region[]>(() =>
    item.annotation === null && start.regions.length === 0 && item.prediction
      ? readResult(item.prediction.result).regions.map((region) => ({
          ...region,
          score: region.score ?? item.prediction?.score ?? null,
        }))
      : [],
  );

  const colorOf = useMemo(() => regionColors(controls), [controls]);

  const accept = () => {
    engine.acceptSuggestions(suggestions);
    setSuggestions([]);
  };

  const submit = async () => {
    setSubmitting(true);
    const submitted = await sync.submit();
    if (!submitted) {
      setSubmitting(false);
      return;
    }
    void queryClient.invalidateQueries({ queryKey: queryKeys.project(project.id) });
    try {
      const { item_id } = await nextQueueItem(project.id, item.id);
      navigate(
        item_id === null ? `/projects/${project.id}` : `/projects/${project.id}/items/${item_id}`,
      );
    } catch (caught) {
      setSubmitting(false);
      setNavigationError(
        `Submitted, but the next item could not be loaded: ${errorMessage(caught)}`,
      );
    }
  };

  const actions = editorActions(engine, controls, {
    accept,
    submit: () => void submit(),
    toggleHelp: () => setShowHelp((shown) => !shown),
    closeOverlay: () => {
      setShowHelp(false);
      return showHelp;
    },
  });
  useEditorHotkeys(table.hotkeys, actions, (held) => engine.setSpaceHeld(held));

  return (
    <div className="editor">
      <div className="editor-main">
        <EditorToolbar
          engine={engine}
          status={sync.status}
          submitting={submitting}
          canAccept={suggestions.length > 0}
          onAccept={accept}
          onSubmit={() => void submit()}
          onHelp={() => setShowHelp(true)}
        />
        <MaskToolbar engine={engine} />
        {sync.conflict && (
          <ConflictBanner conflict={sync.conflict} onResolve={sync.resolveConflict} />
        )}
        {(sync.error ?? navigationError) && (
          <div className="banner error">{sync.error ?? navigationError}</div>
        )}
        <ImageCanvas
          engine={engine}
          src={item.media_url}
          suggestions={suggestions}
          colorOf={colorOf}
        />
        <LabelBar
          engine={engine}
          controls={controls}
          hotkeys={table.hotkeys}
          suggestions={suggestions}
        />
      </div>
      <aside className="guidelines">
        <h2>{item.file_name}</h2>
        <p className="muted">
          {item.width}×{item.height} px · {item.status}
        </p>
        <AttributesPanel engine={engine} controls={controls} />
        <RegionList engine={engine} colorOf={colorOf} />
        <h3>Guidelines</h3>
        {project.guidelines ? (
          <Markdown text={project.guidelines} />
        ) : (
          <p className="muted">No guidelines yet.</p>
        )}
      </aside>
      {showHelp && (
        <HotkeyHelp
          hotkeys={table.hotkeys}
          conflicts={table.conflicts}
          onClose={() => setShowHelp(false)}
        />
      )}
    </div>
  );
}
