import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { isJobActive, jobQuery, queryKeys } from "../api/queries";
import type { Job } from "../api/types";

/**
 * Polls a job while it is queued or running. When it finishes, the project's counts,
 * items and job list are refetched, since imports, predictions and training change them.
 */
export function useJob(id: number | null, initial?: Job): Job | undefined {
  const queryClient = useQueryClient();
  const { data } = useQuery({ ...jobQuery(id ?? -1), enabled: id !== null, initialData: initial });
  const wasActive = useRef(data !== undefined && isJobActive(data));

  const active = data !== undefined && isJobActive(data);
  const projectId = data?.project_id ?? null;
  useEffect(() => {
    if (active) {
      wasActive.current = true;
      return;
    }
    if (!wasActive.current || projectId === null) return;
    wasActive.current = false;
    void queryClient.invalidateQueries({ queryKey: queryKeys.project(projectId) });
  }, [active, projectId, queryClient]);

  return data;
}

/** Reads a string field of a job's result, such as an export's `artifact_url`. */
export function jobResultString(job: Job | undefined, field: string): string | null {
  const value = job?.result?.[field];
  return typeof value === "string" ? value : null;
}
