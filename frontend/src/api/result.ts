/**
 * Converts between the API's annotation `result` JSON and the editor's regions. Regions
 * of shape types this editor does not draw are kept and written back unchanged.
 */
import type { Region, Shape } from "../editors/core/regions";

export interface AnnotationResult {
  regions: Region[];
  relations: unknown[];
  lead_time_seconds: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readShape(value: unknown): Shape | null {
  if (!isRecord(value) || typeof value.type !== "string") return null;
  if (value.type === "choice") return { type: "choice" };
  // Other shape types pass through untouched, typed as the record they are.
  return value as unknown as Shape;
}

function readRegion(value: unknown, index: number): Region | null {
  if (!isRecord(value)) return null;
  const shape = readShape(value.shape);
  if (shape === null || typeof value.control !== "string") return null;
  return {
    id: typeof value.id === "string" ? value.id : `region-${index}`,
    control: value.control,
    shape,
    labels: Array.isArray(value.labels)
      ? value.labels.filter((label) => typeof label === "string")
      : [],
    attributes: isRecord(value.attributes) ? value.attributes : {},
    score: typeof value.score === "number" ? value.score : null,
    group: typeof value.group === "string" || typeof value.group === "number" ? value.group : null,
    ...readDisplayFields(value),
  };
}

/** Reads the optional `z_order`, `hidden` and `locked` fields, leaving out absent ones. */
function readDisplayFields(value: Record<string, unknown>): Partial<Region> {
  const fields: Partial<Region> = {};
  if (typeof value.z_order === "number" && Number.isInteger(value.z_order)) {
    fields.z_order = value.z_order;
  }
  if (typeof value.hidden === "boolean") fields.hidden = value.hidden;
  if (typeof value.locked === "boolean") fields.locked = value.locked;
  return fields;
}

/** Reads a result; anything that is not a region with a control and a shape is dropped. */
export function readResult(value: unknown): AnnotationResult {
  const record = isRecord(value) ? value : {};
  const regions = Array.isArray(record.regions) ? record.regions : [];
  return {
    regions: regions.map(readRegion).filter((region): region is Region => region !== null),
    relations: Array.isArray(record.relations) ? record.relations : [],
    lead_time_seconds:
      typeof record.lead_time_seconds === "number" ? record.lead_time_seconds : null,
  };
}

export function writeResult(
  regions: readonly Region[],
  relations: readonly unknown[],
  leadTime: number | null,
) {
  return { regions: [...regions], relations: [...relations], lead_time_seconds: leadTime };
}
