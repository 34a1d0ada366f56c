import type { Job } from "../../api/types";
import { useJob } from "../../hooks/useJob";

function progressPercent(job: Job): number | null {
  if (!job.progress_total) return null;
  return Math.min(100, Math.round((100 * job.progress_done) / job.progress_total));
}

export function JobRow({ job: initial }: { job: Job }) {
  const job = useJob(initial.id, initial) ?? initial;
  const percent = progressPercent(job);

  return (
    <li className={`job job-${job.status}`} data-testid="job-row" data-job-id={job.id}>
      <div className="job-line">
        <strong>{job.kind}</strong> <span className="muted">#{job.id}</span>{" "}
        <span className="job-status">{job.status}</span>
        {job.progress_total ? (
          <span className="muted">
            {" "}
            {job.progress_done}/{job.progress_total}
          </span>
        ) : null}
      </div>
      <progress max={100} value={percent ?? (job.status === "succeeded" ? 100 : undefined)} />
      {job.message && <div className="muted">{job.message}</div>}
      {job.error && <pre className="error job-error">{job.error}</pre>}
      {job.status === "failed" && job.log_tail && (
        <details>
          <summary>Log</summary>
          <pre className="job-error">{job.log_tail}</pre>
        </details>
      )}
    </li>
  );
}
