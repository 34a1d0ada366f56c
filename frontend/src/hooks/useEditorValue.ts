import { useSyncExternalStore } from "react";
import type { RegionSnapshot } from "../editors/core/regionStore";
import type { ImageEditorEngine, ViewSnapshot } from "../editors/image/engine";

export function useRegions(engine: ImageEditorEngine): RegionSnapshot {
  return useSyncExternalStore(engine.store.subscribe, engine.store.getSnapshot);
}

export function useView(engine: ImageEditorEngine): ViewSnapshot {
  return useSyncExternalStore(engine.subscribe, engine.getView);
}
