/**
 * The parts of the project's label schema the editors read beyond hotkeys: attributes
 * with their types and defaults, and the named keypoints and skeleton of keypoint labels.
 */
import type { ControlSpec } from "./hotkeys";

export interface AttributeSpec {
  name: string;
  type: "boolean" | "text" | "number" | "choice";
  /** Allowed values of a choice attribute. */
  values?: readonly string[];
  default?: string | number | boolean | null;
}

export interface LabelSpec {
  name: string;
  color?: string | null;
  hotkey?: string | null;
  attributes?: readonly AttributeSpec[];
  /** Names of the keypoints in order, for labels of a keypoints control. */
  keypoints?: readonly string[];
  /** Pairs of 0-based keypoint indices joined by a line. */
  skeleton?: readonly (readonly [number, number])[];
}

export interface SchemaControl extends ControlSpec {
  labels?: readonly LabelSpec[];
  /** Attributes that every region of the control has, whatever its label. */
  attributes?: readonly AttributeSpec[];
}

export function findLabel(control: SchemaControl, name: string | undefined): LabelSpec | undefined {
  return control.labels?.find((label) => label.name === name);
}

/**
 * Returns the attributes a region with `labels` has: the control's, then each label's,
 * where a label's attribute replaces the control's one of the same name.
 */
export function attributesFor(control: SchemaControl, labels: readonly string[]): AttributeSpec[] {
  const byName = new Map<string, AttributeSpec>();
  for (const attribute of control.attributes ?? []) byName.set(attribute.name, attribute);
  for (const label of control.labels ?? []) {
    if (!labels.includes(label.name)) continue;
    for (const attribute of label.attributes ?? []) byName.set(attribute.name, attribute);
  }
  return [...byName.values()];
}

/** Returns the schema defaults of `attributes`, leaving out those without one. */
export function attributeDefaults(attributes: readonly AttributeSpec[]): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const attribute of attributes) {
    if (attribute.default !== undefined && attribute.default !== null) {
      defaults[attribute.name] = attribute.default;
    }
  }
  return defaults;
}
