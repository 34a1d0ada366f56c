/** The evaluation job's request and its result, read defensively from the job's JSON. */
import { request } from "./http";
import type { Job } from "./types";

export type EvalSplit = "train" | "validation" | "test" | "all";

export interface EvaluationRequest {
  dataset_version: number | null;
  split: EvalSplit;
  iou_threshold: number;
}

export interface Confusion {
  labels: string[];
  matrix: number[][];
}

export interface EvaluationResult {
  task: "detection" | "classification";
  datasetVersion: number;
  split: string;
  items: number;
  itemsWithPredictions: number;
  /** Headline numbers in display order, such as mAP@[.5:.95] or accuracy. */
  metrics: [string, number][];
  perClass: [string, number][];
  confusion: Confusion;
}

export interface DatasetVersionSummary {
  id: number;
  number: number;
  counts: Record<string, number>;
}

export function startEvaluation(projectId: number, body: EvaluationRequest): Promise<Job> {
  return request<Job>("POST", `/projects/${projectId}/evaluations`, { json: body });
}

export function listDatasetVersions(projectId: number): Promise<DatasetVersionSummary[]> {
  return request<{ items: DatasetVersionSummary[] }>(
    "GET",
    `/projects/${projectId}/dataset-versions`,
  ).then((page) => page.items);
}

function numberField(source: Record<string, unknown>, key: string): number {
  const value = source[key];
  return typeof value === "number" ? value : Number.NaN;
}

/** Returns the evaluation in a job's result, or null when the result has another shape. */
export function readEvaluation(result: Job["result"]): EvaluationResult | null {
  if (!result || (result.task !== "detection" && result.task !== "classification")) return null;
  const confusion = result.confusion as Confusion | undefined;
  if (!confusion || !Array.isArray(confusion.labels) || !Array.isArray(confusion.matrix)) {
    return null;
  }
  const detection = result.task === "detection";
  const metrics: [string, number][] = detection
    ? [
        ["mAP@[.5:.95]", numberField(result, "map")],
        ["AP50", numberField(result, "ap50")],
        ["AP75", numberField(result, "ap75")],
      ]
    : [
        ["Accuracy", numberField(result, "accuracy")],
        ["Macro F1", numberField(result, "macro_f1")],
      ];
  const perClassSource = (result.per_class ?? {}) as Record<string, number | null>;
  const perClass = Object.entries(perClassSource).filter(
    (entry): entry is [string, number] => typeof entry[1] === "number",
  );
  return {
    task: result.task,
    datasetVersion: numberField(result, "dataset_version"),
    split: String(result.split),
    items: numberField(result, "items"),
    itemsWithPredictions: numberField(result, "items_with_predictions"),
    metrics,
    perClass,
    confusion,
  };
}

/** Keeps the classes that occur in the matrix: most of COCO's 80 are absent from a split. */
export function usedClasses(confusion: Confusion): number[] {
  const { labels, matrix } = confusion;
  return labels
    .map((_, index) => index)
    .filter(
      (index) =>
        (matrix[index] ?? []).some((count) => count > 0) ||
        matrix.some((row) => (row[index] ?? 0) > 0),
    );
}
