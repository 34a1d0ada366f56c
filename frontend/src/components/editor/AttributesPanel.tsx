import type { Region } from "../../editors/core/regions";
import { type AttributeSpec, attributesFor, type SchemaControl } from "../../editors/core/schema";
import type { ImageEditorEngine } from "../../editors/image/engine";
import {
  groupSelected,
  setAttribute,
  shiftZOrder,
  ungroupSelected,
} from "../../editors/image/regionCommands";
import { useRegions } from "../../hooks/useEditorValue";

interface Props {
  engine: ImageEditorEngine;
  controls: readonly SchemaControl[];
}

interface FieldProps {
  attribute: AttributeSpec;
  value: unknown;
  disabled: boolean;
  /** Sets the value; `commit` closes the undo step, and typing leaves it open until blur. */
  onChange: (value: unknown, commit: boolean) => void;
  onBlur: () => void;
}

function AttributeField({ attribute, value, disabled, onChange, onBlur }: FieldProps) {
  const common = {
    "data-testid": `attribute-${attribute.name}`,
    "aria-label": attribute.name,
    disabled,
  };
  const current = value ?? attribute.default ?? null;
  switch (attribute.type) {
    case "boolean":
      return (
        <input
          type="checkbox"
          {...common}
          checked={current === true}
          onChange={(event) => onChange(event.target.checked, true)}
        />
      );
    case "number":
      return (
        <input
          type="number"
          {...common}
          value={typeof current === "number" ? current : ""}
          onChange={(event) => {
            const parsed = event.target.valueAsNumber;
            onChange(Number.isFinite(parsed) ? parsed : null, false);
          }}
          onBlur={onBlur}
        />
      );
    case "choice":
      return (
        <select
          {...common}
          value={typeof current === "string" ? current : ""}
          onChange={(event) => onChange(event.target.value || null, true)}
        >
          <option value="">(none)</option>
          {(attribute.values ?? []).map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      );
    default:
      return (
        <input
          type="text"
          {...common}
          value={typeof current === "string" ? current : ""}
          onChange={(event) => onChange(event.target.value, false)}
          onBlur={onBlur}
        />
      );
  }
}

function RegionAttributes({
  engine,
  control,
  region,
}: {
  engine: ImageEditorEngine;
  control: SchemaControl;
  region: Region;
}) {
  const attributes = attributesFor(control, region.labels);
  if (attributes.length === 0) return <p className="muted">This label has no attributes.</p>;
  return (
    <div className="attributes">
      {attributes.map((attribute) => (
        <div key={attribute.name} className="attribute-row">
          <span>{attribute.name}</span>
          <AttributeField
            attribute={attribute}
            value={region.attributes[attribute.name]}
            disabled={region.locked === true}
            onChange={(value, commit) =>
              setAttribute(engine.store, region.id, attribute.name, value, commit)
            }
            onBlur={() => engine.store.commit()}
          />
        </div>
      ))}
    </div>
  );
}

/**
 * Shows the attributes of the selected region as the schema declares them, with buttons
 * for z-order and instance groups. With several regions selected, only the group buttons show.
 */
export function AttributesPanel({ engine, controls }: Props) {
  const { regions, selectedIds } = useRegions(engine);
  const selected = regions.filter((region) => selectedIds.includes(region.id));
  const single = selected.length === 1 ? selected[0] : undefined;
  const control = controls.find((candidate) => candidate.name === single?.control);
  if (selected.length === 0) return null;
  return (
    <section className="attributes-panel" data-testid="attributes-panel">
      <h3>
        {single
          ? `${single.labels.join(", ") || "(no label)"} · ${single.shape.type}`
          : `${selected.length} regions`}
      </h3>
      {single && control && <RegionAttributes engine={engine} control={control} region={single} />}
      {single && (
        <p className="muted">
          z-order {single.z_order ?? 0}
          {single.group === null ? "" : ` · group ${single.group}`}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          onClick={() => shiftZOrder(engine.store, 1)}
          title="Bring forward (])"
        >
          Forward
        </button>
        <button type="button" onClick={() => shiftZOrder(engine.store, -1)} title="Send back ([)">
          Back
        </button>
        <button
          type="button"
          data-testid="group-selected"
          onClick={() => groupSelected(engine.store)}
          title="Group (G)"
        >
          Group
        </button>
        <button type="button" onClick={() => ungroupSelected(engine.store)}>
          Ungroup
        </button>
      </div>
    </section>
  );
}
