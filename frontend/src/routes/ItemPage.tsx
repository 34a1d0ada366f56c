import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams } from "react-router";
import { errorMessage } from "../api/problems";
import { itemQuery, projectQuery } from "../api/queries";
import { ItemEditor } from "../components/editor/ItemEditor";
import { useImageSize } from "../hooks/useImageSize";

export function ItemPage() {
  const params = useParams();
  const projectId = Number(params.projectId);
  const itemId = Number(params.itemId);
  const project = useQuery(projectQuery(projectId));
  const item = useQuery(itemQuery(itemId));
  const { width, height } = item.data ?? {};
  const image = useImageSize(
    item.data?.media_url ?? null,
    width && height ? { width, height } : null,
  );

  const error = project.error ?? item.error;
  if (error)
    return (
      <p className="page error">
        Could not open item {itemId}: {errorMessage(error)}
      </p>
    );
  if (item.data && item.data.project_id !== projectId) {
    // The editor takes its schema from the project in the URL, so a link that names
    // the wrong project goes to the item's own.
    return <Navigate replace to={`/projects/${item.data.project_id}/items/${itemId}`} />;
  }
  if (image.error) return <p className="page error">Could not load the image of item {itemId}.</p>;
  if (project.data === undefined || item.data === undefined || image.size === null) {
    return <p className="page">Loading item…</p>;
  }

  return (
    <main className="item-page">
      <nav className="breadcrumb">
        <Link to={`/projects/${projectId}`}>{project.data.name}</Link> / {item.data.file_name}
      </nav>
      <ItemEditor
        key={item.data.id}
        project={project.data}
        item={item.data}
        imageSize={image.size}
      />
    </main>
  );
}
