import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import {
  type EvalSplit,
  listDatasetVersions,
  readEvaluation,
  startEvaluation,
} from "../api/evaluation";
import { errorMessage } from "../api/problems";
import { projectQuery } from "../api/queries";
import { EvaluationReport } from "../components/evaluation/EvaluationReport";
import { useJob } from "../hooks/useJob";

const SPLITS: readonly EvalSplit[] = ["test", "validation", "train", "all"];

export function EvaluationPage() {
  const projectId = Number(useParams().projectId);
  const project = useQuery(projectQuery(projectId));
  const versions = useQuery({
    queryKey: ["projects", projectId, "dataset-versions"],
    queryFn: () => listDatasetVersions(projectId),
  });
  const [version, setVersion] = useState<number | null>(null);
  const [split, setSplit] = useState<EvalSplit>("test");
  const [iou, setIou] = useState(0.5);
  const [jobId, setJobId] = useState<number | null>(null);
  const job = useJob(jobId);
  const start = useMutation({
    mutationFn: () =>
      startEvaluation(projectId, { dataset_version: version, split, iou_threshold: iou }),
    onSuccess: (started) => setJobId(started.id),
  });
  const result = job?.status === "succeeded" ? readEvaluation(job.result) : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };

  return (
    <main className="page evaluation-page">
      <p>
        <Link to={`/projects/${projectId}`}>{project.data?.name ?? "Project"}</Link> / Evaluation
      </p>
      <h1>Evaluate predictions</h1>
      <form className="panel evaluation-form" onSubmit={onSubmit}>
        <label>
          Dataset version{" "}
          <select
            data-testid="evaluation-version"
            value={version ?? ""}
            onChange={(event) =>
              setVersion(event.target.value === "" ? null : Number(event.target.value))
            }
          >
            <option value="">Newest</option>
            {(versions.data ?? []).map((entry) => (
              <option key={entry.id} value={entry.number}>
                Version {entry.number}
              </option>
            ))}
          </select>
        </label>
        <label>
          Split{" "}
          <select
            data-testid="evaluation-split"
            value={split}
            onChange={(event) => setSplit(event.target.value as EvalSplit)}
          >
            {SPLITS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          IoU for a match{" "}
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={iou}
            onChange={(event) => setIou(Number(event.target.value))}
          />
        </label>
        <button data-testid="evaluation-start" type="submit" disabled={start.isPending}>
          Evaluate
        </button>
      </form>
      {start.error && <p className="error">{errorMessage(start.error)}</p>}
      {job && job.status !== "succeeded" && job.status !== "failed" && (
        <p className="muted">Evaluation {job.status}…</p>
      )}
      {job?.error && <pre className="error job-error">{job.error}</pre>}
      {result && <EvaluationReport result={result} />}
    </main>
  );
}
