/** Query keys, query options and request functions for every API call the app makes. */
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { request } from "./http";
import type {
  Annotation,
  AnnotationSave,
  ExportRequest,
  ItemDetail,
  ItemFilter,
  ItemPage,
  Job,
  JobPage,
  Project,
  ProjectPage,
  ProjectUpdate,
  QueueNext,
  User,
} from "./types";

export const queryKeys = {
  me: ["me"] as const,
  projects: ["projects"] as const,
  project: (id: number) => ["projects", id] as const,
  items: (projectId: number, status: ItemFilter | null) =>
    ["projects", projectId, "items", status ?? "all"] as const,
  item: (id: number) => ["items", id] as const,
  jobs: (projectId: number) => ["projects", projectId, "jobs"] as const,
  job: (id: number) => ["jobs", id] as const,
};

/** Milliseconds between polls of a job that is queued or running. */
export const JOB_POLL_INTERVAL = 700;

export function isJobActive(job: Job): boolean {
  return job.status === "queued" || job.status === "running";
}

export const projectsQuery = () =>
  queryOptions({
    queryKey: queryKeys.projects,
    queryFn: () => request<ProjectPage>("GET", "/projects", { query: { limit: 100 } }),
  });

export const projectQuery = (id: number) =>
  queryOptions({
    queryKey: queryKeys.project(id),
    queryFn: () => request<Project>("GET", `/projects/${id}`),
  });

export const itemsQuery = (projectId: number, status: ItemFilter | null) =>
  infiniteQueryOptions({
    queryKey: queryKeys.items(projectId, status),
    queryFn: ({ pageParam }) =>
      request<ItemPage>("GET", `/projects/${projectId}/items`, {
        query: { status, cursor: pageParam, limit: 60 },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const itemQuery = (id: number) =>
  queryOptions({
    queryKey: queryKeys.item(id),
    queryFn: () => request<ItemDetail>("GET", `/items/${id}`),
    // The editor owns the open annotation from the moment it mounts, so the cached copy
    // is dropped on leaving (a stale one would hide autosaves) and never refetched meanwhile.
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });

export const jobsQuery = (projectId: number) =>
  queryOptions({
    queryKey: queryKeys.jobs(projectId),
    queryFn: () => request<JobPage>("GET", `/projects/${projectId}/jobs`, { query: { limit: 10 } }),
  });

export const jobQuery = (id: number) =>
  queryOptions({
    queryKey: queryKeys.job(id),
    queryFn: () => request<Job>("GET", `/jobs/${id}`),
    refetchInterval: (query) =>
      query.state.data === undefined || isJobActive(query.state.data) ? JOB_POLL_INTERVAL : false,
  });

export function logIn(username: string, password: string): Promise<User> {
  return request<User>("POST", "/auth/login", {
    json: { username, password },
    allowUnauthorized: true,
  });
}

export function logOut(): Promise<void> {
  return request<void>("POST", "/auth/logout");
}

export function fetchMe(): Promise<User> {
  return request<User>("GET", "/auth/me");
}

export function nextQueueItem(projectId: number, after?: number): Promise<QueueNext> {
  return request<QueueNext>("GET", `/projects/${projectId}/queue/next`, { query: { after } });
}

export function saveAnnotation(itemId: number, body: AnnotationSave): Promise<Annotation> {
  return request<Annotation>("PUT", `/items/${itemId}/annotation`, { json: body });
}

export function updateProject(id: number, change: ProjectUpdate): Promise<Project> {
  return request<Project>("PATCH", `/projects/${id}`, { json: change });
}

/** Import formats the server reads; "auto" lets it recognise the files. */
export const IMPORT_FORMATS = [
  ["auto", "Recognise the format"],
  ["images", "Images or a zip of images"],
  ["coco", "COCO JSON with its images"],
  ["voc", "Pascal VOC XML with its images"],
  ["yolo", "YOLO labels with their images"],
  ["cvat", "CVAT for images 1.1 XML"],
  ["labelstudio", "Label Studio JSON export"],
  ["labelme", "LabelMe JSON"],
] as const;

/** Export formats the server writes, with their names in the menu. */
export const EXPORT_FORMATS = [
  ["coco", "COCO"],
  ["yolo", "YOLO"],
  ["voc", "Pascal VOC"],
  ["cvat", "CVAT for images 1.1"],
  ["labelstudio", "Label Studio JSON"],
  ["labelme", "LabelMe JSON"],
] as const;

export interface ImportRequest {
  files: readonly File[];
  format: (typeof IMPORT_FORMATS)[number][0];
  asPredictions: boolean;
}

export function startImport(projectId: number, upload: ImportRequest): Promise<Job> {
  const form = new FormData();
  for (const file of upload.files) form.append("files", file, file.name);
  form.set("format", upload.format);
  form.set("as_predictions", String(upload.asPredictions));
  return request<Job>("POST", `/projects/${projectId}/imports`, { form });
}

export function startExport(projectId: number, body: ExportRequest): Promise<Job> {
  return request<Job>("POST", `/projects/${projectId}/exports`, { json: body });
}

export function startTraining(projectId: number): Promise<Job> {
  return request<Job>("POST", `/projects/${projectId}/train`, { json: {} });
}

export function startPrediction(projectId: number): Promise<Job> {
  return request<Job>("POST", `/projects/${projectId}/predict`, { json: {} });
}
