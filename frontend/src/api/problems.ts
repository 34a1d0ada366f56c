/** RFC 9457 problem bodies from the server, as typed errors. */
import type { Annotation } from "./types";

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** On a 409 from PUT /items/{id}/annotation: the annotation as stored now. */
  current?: Annotation;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = "ApiError";
  }
}

/** Reads a problem body; a body that is not one becomes a problem with its text as detail. */
export function parseProblem(status: number, body: string): Problem {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) return parsed as Problem;
  } catch {
    // Not JSON: a proxy's HTML error page, for example.
  }
  return { status, title: `HTTP ${status}`, detail: body.slice(0, 500) || undefined };
}

export function isConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409;
}

/** Builds the message to show for a failed request. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const { title, detail } = error.problem;
    if (title && detail) return `${title}: ${detail}`;
    return detail ?? title ?? error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
