import { memo } from "react";
import { drawOrder } from "../../editors/core/geometry/hitTest";
import { isSpatial } from "../../editors/core/geometry/shapes";
import type { Region } from "../../editors/core/regions";
import type { ImageEditorEngine } from "../../editors/image/engine";
import { setRegionFlag } from "../../editors/image/regionCommands";
import { useRegions } from "../../hooks/useEditorValue";

interface Props {
  engine: ImageEditorEngine;
  colorOf: (region: Region) => string;
}

interface RowProps {
  engine: ImageEditorEngine;
  region: Region;
  color: string;
  selected: boolean;
}

/** Selects `id`, or with `additive` adds it to the selection or takes it out. */
function selectFromList(engine: ImageEditorEngine, id: string, additive: boolean): void {
  if (!additive) {
    engine.store.select([id]);
    return;
  }
  const selectedIds = engine.store.getSnapshot().selectedIds;
  const without = selectedIds.filter((selected) => selected !== id);
  engine.store.select(without.length < selectedIds.length ? without : [...selectedIds, id]);
}

/** One row; memoised, so a drag that changes one region re-renders one row. */
const RegionRow = memo(function RegionRow({ engine, region, color, selected }: RowProps) {
  return (
    <li data-selected={selected || undefined} data-region-id={region.id}>
      <span className="swatch" style={{ background: color }} />
      <button
        type="button"
        className="region-name link-button"
        onClick={(event) => selectFromList(engine, region.id, event.shiftKey)}
      >
        {region.labels.join(", ") || "(no label)"} · {region.shape.type}
        {region.group === null ? "" : ` · group ${region.group}`}
      </button>
      <button
        type="button"
        data-testid="region-hide"
        onClick={() => setRegionFlag(engine.store, region.id, "hidden", !region.hidden)}
      >
        {region.hidden ? "Show" : "Hide"}
      </button>
      <button
        type="button"
        data-testid="region-lock"
        onClick={() => setRegionFlag(engine.store, region.id, "locked", !region.locked)}
      >
        {region.locked ? "Unlock" : "Lock"}
      </button>
    </li>
  );
});

/**
 * Lists the annotation's shapes, topmost first, with hide and lock toggles. A click on a
 * name selects the region; Shift-click adds it to the selection or takes it out.
 */
export function RegionList({ engine, colorOf }: Props) {
  const { regions, selectedIds } = useRegions(engine);
  const shapes = drawOrder(regions)
    .filter((region) => isSpatial(region.shape))
    .reverse();
  if (shapes.length === 0) return null;
  const selected = new Set(selectedIds);
  return (
    <section data-testid="region-list">
      <h3>Regions ({shapes.length})</h3>
      <ul className="region-list">
        {shapes.map((region) => (
          <RegionRow
            key={region.id}
            engine={engine}
            region={region}
            color={colorOf(region)}
            selected={selected.has(region.id)}
          />
        ))}
      </ul>
    </section>
  );
}
