import { useQuery } from "@tanstack/react-query";
import { useParams, useSearchParams } from "react-router";
import { errorMessage } from "../api/problems";
import { projectQuery } from "../api/queries";
import { ITEM_FILTERS, type ItemFilter } from "../api/types";
import { ExportPanel } from "../components/project/ExportPanel";
import { FilterTabs } from "../components/project/FilterTabs";
import { ImportPanel } from "../components/project/ImportPanel";
import { ItemGrid } from "../components/project/ItemGrid";
import { JobsPanel } from "../components/project/JobsPanel";
import { ProjectActions } from "../components/project/ProjectActions";

function readFilter(value: string | null): ItemFilter | null {
  return ITEM_FILTERS.find((filter) => filter === value) ?? null;
}

export function ProjectPage() {
  const projectId = Number(useParams().projectId);
  const [params] = useSearchParams();
  const status = readFilter(params.get("status"));
  const { data: project, error, isPending } = useQuery(projectQuery(projectId));

  if (isPending) return <p className="page">Loading project…</p>;
  if (error)
    return (
      <p className="page error">
        Could not load project {projectId}: {errorMessage(error)}
      </p>
    );
  const { counts } = project;

  return (
    <main className="page project-page">
      <header className="project-header">
        <h1>{project.name}</h1>
        <p className="muted">
          {counts.total} items · {counts.unlabeled} unlabeled · {counts.submitted} submitted ·{" "}
          {counts.predicted} predicted
        </p>
        <ProjectActions project={project} />
      </header>
      <div className="project-body">
        <section>
          <FilterTabs current={status} />
          <ItemGrid projectId={projectId} status={status} />
        </section>
        <aside>
          <ImportPanel projectId={projectId} />
          <ExportPanel projectId={projectId} />
          <JobsPanel projectId={projectId} />
        </aside>
      </div>
    </main>
  );
}
