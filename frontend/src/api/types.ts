/** Names for the server's response shapes, all taken from the generated OpenAPI types. */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type User = Schemas["User"];
export type Project = Schemas["Project"];
export type ProjectPage = Schemas["ProjectPage"];
export type ItemSummary = Schemas["ItemSummary"];
export type ItemPage = Schemas["ItemPage"];
export type ItemDetail = Schemas["ItemDetail"];
export type Annotation = Schemas["Annotation"];
export type Prediction = Schemas["Prediction"];
export type Job = Schemas["Job"];
export type JobPage = Schemas["JobPage"];
export type QueueNext = Schemas["QueueNext"];
export type LabelSchema = Schemas["LabelSchema"];
export type Control = Schemas["Control"];
export type LabelDef = Schemas["LabelDef"];
export type AnnotationSave = Schemas["AnnotationSave"];
export type ExportRequest = Schemas["ExportRequest"];
export type ProjectUpdate = Schemas["ProjectUpdate"];

export type ItemFilter = "unlabeled" | "submitted" | "predicted";
export const ITEM_FILTERS: readonly ItemFilter[] = ["unlabeled", "submitted", "predicted"];
