/** The one place that calls fetch: JSON in and out, problems as ApiError, 401 to login. */
import { ApiError, parseProblem } from "./problems";
import { handleUnauthorized } from "./session";

export const API_BASE = "/api/v1";

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  form?: FormData;
  /** Leaves a 401 to the caller, as the login form does, instead of going to /login. */
  allowUnauthorized?: boolean;
}

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ""}`;
}

export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (options.form !== undefined) {
    body = options.form;
  } else if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }

  const response = await fetch(apiUrl(path, options.query), {
    method,
    headers,
    body,
    credentials: "same-origin",
  });
  if (response.status === 401 && !options.allowUnauthorized) handleUnauthorized();
  if (!response.ok) {
    throw new ApiError(response.status, parseProblem(response.status, await response.text()));
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
