import { useCallback, useEffect, useRef, useState } from "react";
import { readDraft, removeDraft, writeDraft } from "../api/drafts";
import { errorMessage, isConflict } from "../api/problems";
import { saveAnnotation } from "../api/queries";
import { readResult, writeResult } from "../api/result";
import { onBeforeLogin } from "../api/session";
import type { Annotation, ItemDetail } from "../api/types";
import type { Region } from "../editors/core/regions";
import type { ImageEditorEngine } from "../editors/image/engine";
import { createTimer } from "./timers";

/** Milliseconds of quiet after a change before the draft is saved to the server. */
export const AUTOSAVE_DELAY = 1500;

export type SaveStatus = "saved" | "saving" | "unsaved";

export interface StartingPoint {
  regions: Region[];
  relations: unknown[];
  /** True when the local draft is newer than the server's annotation and still needs saving. */
  fromDraft: boolean;
}

/**
 * Picks the server annotation unless the local draft has unsaved changes made after it:
 * the draft was based on the stored version, or its change time is later than the server's.
 */
export function chooseStartingPoint(item: ItemDetail): StartingPoint {
  const server = item.annotation ? readResult(item.annotation.result) : null;
  const draft = readDraft(item.id);
  const serverTime = item.annotation ? Date.parse(item.annotation.updated_at) : 0;
  const relations = server?.relations ?? [];
  const basedOnStored = draft?.version === (item.annotation?.version ?? null);
  if (draft?.unsaved && (basedOnStored || draft.changedAt > serverTime)) {
    return { regions: draft.regions, relations, fromDraft: true };
  }
  return { regions: server?.regions ?? [], relations, fromDraft: false };
}

/**
 * Keeps the open annotation saved: every change goes to localStorage at once and to the
 * server as a draft after AUTOSAVE_DELAY. A 409 stops saving until `resolveConflict`.
 */
export function useAnnotationSync(
  engine: ImageEditorEngine,
  item: ItemDetail,
  start: StartingPoint,
) {
  const [status, setStatus] = useState<SaveStatus>(start.fromDraft ? "unsaved" : "saved");
  const [conflict, setConflict] = useState<Annotation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = useRef<number | null>(item.annotation?.version ?? null);
  const savedRevision = useRef(start.fromDraft ? -1 : engine.store.getSnapshot().editRevision);
  const inFlight = useRef<Promise<void> | null>(null);
  const blocked = useRef(false);
  const [timer] = useState(createTimer);
  const [openedAt] = useState(() => Date.now());

  const keepDraft = useCallback(() => {
    const unsaved = engine.store.getSnapshot().editRevision !== savedRevision.current;
    if (!unsaved) return;
    const regions = engine.store.all();
    writeDraft({
      itemId: item.id,
      regions,
      version: version.current,
      changedAt: Date.now(),
      unsaved,
    });
  }, [engine, item.id]);

  const put = useCallback(
    async (submit: boolean) => {
      const revision = engine.store.getSnapshot().editRevision;
      const leadTime = (Date.now() - openedAt) / 1000;
      const result = writeResult(engine.store.all(), start.relations, leadTime);
      const body = { result, version: version.current, submit, lead_time_seconds: leadTime };
      const saved = await saveAnnotation(item.id, body);
      version.current = saved.version;
      savedRevision.current = revision;
    },
    [engine, item.id, openedAt, start.relations],
  );

  const save = useCallback(async (): Promise<void> => {
    if (blocked.current) return;
    if (inFlight.current !== null) return inFlight.current;
    setStatus("saving");
    const attempt = put(false)
      .then(() => {
        setError(null);
        const current = engine.store.getSnapshot().editRevision === savedRevision.current;
        if (current) removeDraft(item.id);
        setStatus(current ? "saved" : "unsaved");
        if (!current) timer.start(AUTOSAVE_DELAY, () => void save());
      })
      .catch((caught: unknown) => {
        setStatus("unsaved");
        if (isConflict(caught) && caught.problem.current) {
          blocked.current = true;
          setConflict(caught.problem.current);
        } else {
          setError(`Autosave failed: ${errorMessage(caught)}`);
        }
      })
      .finally(() => {
        inFlight.current = null;
      });
    inFlight.current = attempt;
    return attempt;
  }, [engine, item.id, put, timer]);

  useEffect(() => {
    const unsubscribe = engine.store.subscribe(() => {
      if (engine.store.getSnapshot().editRevision === savedRevision.current) return;
      keepDraft();
      setStatus((previous) => (previous === "saving" ? previous : "unsaved"));
      timer.start(AUTOSAVE_DELAY, () => void save());
    });
    const forget = onBeforeLogin(keepDraft);
    if (start.fromDraft) timer.start(AUTOSAVE_DELAY, () => void save());
    return () => {
      unsubscribe();
      forget();
      timer.clear();
    };
  }, [engine, keepDraft, save, start.fromDraft, timer]);

  /** Saves and submits; returns false when the server rejected it (the reason is shown). */
  const submit = useCallback(async (): Promise<boolean> => {
    timer.clear();
    if (inFlight.current !== null) await inFlight.current;
    if (blocked.current) return false;
    setStatus("saving");
    try {
      await put(true);
      removeDraft(item.id);
      setStatus("saved");
      return true;
    } catch (caught) {
      setStatus("unsaved");
      if (isConflict(caught) && caught.problem.current) {
        blocked.current = true;
        setConflict(caught.problem.current);
      } else {
        setError(`Submit failed: ${errorMessage(caught)}`);
      }
      return false;
    }
  }, [item.id, put, timer]);

  /** "theirs" loads the stored annotation; "mine" saves ours over it. */
  const resolveConflict = useCallback(
    (choice: "theirs" | "mine") => {
      if (conflict === null) return;
      version.current = conflict.version;
      blocked.current = false;
      setConflict(null);
      if (choice === "theirs") {
        engine.store.load(readResult(conflict.result).regions);
        savedRevision.current = engine.store.getSnapshot().editRevision;
        removeDraft(item.id);
        setStatus("saved");
      } else {
        void save();
      }
    },
    [conflict, engine, item.id, save],
  );

  return { status, conflict, error, submit, resolveConflict };
}
