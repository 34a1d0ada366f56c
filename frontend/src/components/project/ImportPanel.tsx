import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../../api/problems";
import { IMPORT_FORMATS, type ImportRequest, queryKeys, startImport } from "../../api/queries";
import type { Job } from "../../api/types";
import { useJob } from "../../hooks/useJob";

interface ImportError {
  file: string;
  reason: string;
}

function importErrors(job: Job | undefined): ImportError[] {
  const errors = job?.result?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((entry: unknown) => {
    const record =
      typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
    return { file: String(record.file ?? "?"), reason: String(record.reason ?? "unknown reason") };
  });
}

export function ImportPanel({ projectId }: { projectId: number }) {
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [format, setFormat] = useState<ImportRequest["format"]>("auto");
  const [asPredictions, setAsPredictions] = useState(false);
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useJob(jobId);
  const errors = importErrors(job);

  const start = useMutation({
    mutationFn: (upload: ImportRequest) => startImport(projectId, upload),
    onSuccess: (started) => {
      setJobId(started.id);
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(projectId) });
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (files.length > 0) start.mutate({ files, format, asPredictions });
  };

  return (
    <form className="panel" onSubmit={onSubmit}>
      <h2>Import</h2>
      <input
        data-testid="import-input"
        type="file"
        multiple
        accept="image/*,.zip,.json"
        onChange={(event) => setFiles([...(event.target.files ?? [])])}
      />
      <label>
        Format{" "}
        <select
          value={format}
          onChange={(event) => setFormat(event.target.value as ImportRequest["format"])}
        >
          {IMPORT_FORMATS.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          checked={asPredictions}
          onChange={(event) => setAsPredictions(event.target.checked)}
        />{" "}
        Import annotations as predictions
      </label>
      <button
        data-testid="import-start"
        type="submit"
        disabled={files.length === 0 || start.isPending}
      >
        Import {files.length > 0 ? `${files.length} file${files.length === 1 ? "" : "s"}` : ""}
      </button>
      {start.error && <p className="error">{errorMessage(start.error)}</p>}
      {job && (
        <p className="muted">
          Import {job.status}
          {typeof job.result?.imported === "number" && `: ${job.result.imported} imported`}
          {typeof job.result?.skipped === "number" && `, ${job.result.skipped} skipped`}
        </p>
      )}
      {errors.length > 0 && (
        <ul className="import-errors">
          {errors.map((error) => (
            <li key={`${error.file}:${error.reason}`}>
              <strong>{error.file}</strong>: {error.reason}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
