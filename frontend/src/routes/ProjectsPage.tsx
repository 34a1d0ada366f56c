import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { errorMessage } from "../api/problems";
import { projectsQuery } from "../api/queries";

export function ProjectsPage() {
  const { data, error, isPending } = useQuery(projectsQuery());

  if (isPending) return <p className="page">Loading projects…</p>;
  if (error) return <p className="page error">Could not load projects: {errorMessage(error)}</p>;

  return (
    <main className="page">
      <h1>Projects</h1>
      {data.items.length === 0 && <p>No projects yet.</p>}
      <ul className="project-list">
        {data.items.map((project) => (
          <li key={project.id}>
            <Link to={`/projects/${project.id}`} data-testid={`project-link-${project.name}`}>
              {project.name}
            </Link>
            <span className="muted">
              {project.counts.total} items · {project.counts.unlabeled} unlabeled ·{" "}
              {project.counts.submitted} submitted · {project.counts.predicted} predicted
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}
