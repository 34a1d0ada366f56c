import type { Region } from "../../core/regions";
import { findLabel, type SchemaControl } from "../../core/schema";
import type { Skeleton } from "./shapes";

const NONE: readonly never[] = [];

/**
 * Returns lookups of each keypoints region's skeleton and point names from the schema.
 * They return the schema's own arrays, so memoised region elements see stable props.
 */
export function schemaLookups(controls: readonly SchemaControl[]) {
  const labelOf = (region: Region) => {
    const control = controls.find((candidate) => candidate.name === region.control);
    return control === undefined ? undefined : findLabel(control, region.labels[0]);
  };
  return {
    skeletonOf: (region: Region): Skeleton => labelOf(region)?.skeleton ?? NONE,
    namesOf: (region: Region): readonly string[] => labelOf(region)?.keypoints ?? NONE,
  };
}
