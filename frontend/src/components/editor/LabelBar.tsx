import type { Control } from "../../api/types";
import { type Hotkey, labelHotkeyId } from "../../editors/core/hotkeys";
import type { Region } from "../../editors/core/regions";
import type { ImageEditorEngine } from "../../editors/image/engine";
import { labelColor } from "../../editors/image/render/colors";
import { useRegions, useView } from "../../hooks/useEditorValue";

interface Props {
  engine: ImageEditorEngine;
  controls: readonly Control[];
  hotkeys: readonly Hotkey[];
  /** A model's suggested regions; choice suggestions mark their label buttons with the score. */
  suggestions: readonly Region[];
}

/** Renders one row of label buttons per control. Shape rows pick the class of new shapes, and choice rows toggle a choice. */
export function LabelBar({ engine, controls, hotkeys, suggestions }: Props) {
  const { regions } = useRegions(engine);
  const { activeControl, activeLabels } = useView(engine);
  const keyOf = (control: string, label: string) =>
    hotkeys.find((hotkey) => hotkey.id === labelHotkeyId(control, label))?.keys[0];

  return (
    <div className="label-bar">
      {controls.map((control) => {
        const chosen = regions.find((region) => region.control === control.name)?.labels ?? [];
        const suggested = suggestions.find(
          (region) => region.control === control.name && region.shape.type === "choice",
        );
        return (
          <fieldset key={control.name} className="label-row">
            <legend className="muted">{control.name}</legend>
            {(control.labels ?? []).map((label, index) => {
              const pressed =
                control.type !== "choice"
                  ? activeControl === control.name && activeLabels[control.name] === label.name
                  : chosen.includes(label.name);
              const key = keyOf(control.name, label.name);
              const isSuggested = suggested?.labels.includes(label.name) ?? false;
              return (
                <button
                  type="button"
                  key={label.name}
                  data-testid={`label-${label.name}`}
                  aria-pressed={pressed}
                  className={isSuggested ? "label-button suggested" : "label-button"}
                  data-suggested={isSuggested || undefined}
                  style={{ borderColor: labelColor(label.color, index) }}
                  onClick={() => engine.pickLabel(control.name, label.name)}
                >
                  <span className="swatch" style={{ background: labelColor(label.color, index) }} />
                  {label.name}
                  {key && <kbd>{key}</kbd>}
                  {isSuggested && (
                    <span className="muted" title="Suggested by the model; press A to accept">
                      suggested{suggested?.score != null ? ` ${suggested.score.toFixed(2)}` : ""}
                    </span>
                  )}
                </button>
              );
            })}
          </fieldset>
        );
      })}
    </div>
  );
}
