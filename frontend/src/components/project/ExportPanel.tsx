import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../../api/problems";
import { EXPORT_FORMATS, queryKeys, startExport } from "../../api/queries";
import type { ExportRequest } from "../../api/types";
import { jobResultString, useJob } from "../../hooks/useJob";

/** Parses "0.8,0.1,0.1" into train, validation and test fractions that sum to 1. */
export function parseSplit(text: string): [number, number, number] | null {
  const parts = text.split(",").map((part) => Number(part.trim()));
  if (parts.length !== 3 || parts.some((part) => !Number.isFinite(part) || part < 0)) return null;
  const sum = parts.reduce((total, part) => total + part, 0);
  if (Math.abs(sum - 1) > 1e-6) return null;
  return parts as [number, number, number];
}

export function ExportPanel({ projectId }: { projectId: number }) {
  const queryClient = useQueryClient();
  const [format, setFormat] = useState<NonNullable<ExportRequest["format"]>>("coco");
  const [splitText, setSplitText] = useState("0.8,0.1,0.1");
  const [seed, setSeed] = useState(0);
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useJob(jobId);
  const split = parseSplit(splitText);

  const start = useMutation({
    mutationFn: (body: ExportRequest) => startExport(projectId, body),
    onSuccess: (started) => {
      setJobId(started.id);
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(projectId) });
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (split !== null) start.mutate({ format, split, seed });
  };
  const artifactUrl = job?.status === "succeeded" ? jobResultString(job, "artifact_url") : null;

  return (
    <form className="panel" onSubmit={onSubmit}>
      <h2>Export</h2>
      <label>
        Format{" "}
        <select
          data-testid="export-format"
          value={format}
          onChange={(event) =>
            setFormat(event.target.value as NonNullable<ExportRequest["format"]>)
          }
        >
          {EXPORT_FORMATS.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Split (train, validation, test){" "}
        <input value={splitText} onChange={(event) => setSplitText(event.target.value)} size={12} />
      </label>
      {split === null && <p className="error">The split needs three fractions that add up to 1.</p>}
      <label>
        Seed{" "}
        <input
          type="number"
          value={seed}
          onChange={(event) => setSeed(Number(event.target.value))}
        />
      </label>
      <button data-testid="export-start" type="submit" disabled={split === null || start.isPending}>
        Export
      </button>
      {start.error && <p className="error">{errorMessage(start.error)}</p>}
      {job && job.status !== "succeeded" && <p className="muted">Export {job.status}…</p>}
      {job?.error && <pre className="error job-error">{job.error}</pre>}
      {artifactUrl && (
        <a data-testid="export-download" href={artifactUrl} download>
          Download export
        </a>
      )}
    </form>
  );
}
