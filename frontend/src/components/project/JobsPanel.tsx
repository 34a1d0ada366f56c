import { useQuery } from "@tanstack/react-query";
import { errorMessage } from "../../api/problems";
import { jobsQuery } from "../../api/queries";
import { JobRow } from "./JobRow";

export function JobsPanel({ projectId }: { projectId: number }) {
  const { data, error } = useQuery(jobsQuery(projectId));

  return (
    <section className="panel">
      <h2>Jobs</h2>
      {error && <p className="error">Could not load jobs: {errorMessage(error)}</p>}
      {data?.items.length === 0 && <p className="muted">No jobs yet.</p>}
      <ul className="jobs">
        {data?.items.map((job) => (
          <JobRow key={job.id} job={job} />
        ))}
      </ul>
    </section>
  );
}
