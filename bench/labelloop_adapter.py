"""The labelloop adapter for the shared peer workload (``peer_bench.py``).

``peer_bench.py`` is imported from ``shared/bench`` beside this repository (set
``PEER_BENCH_DIR`` to use another folder), never copied into it.

Differences from the peers that the numbers depend on:

- Image tasks are imported by URL (``POST /projects/{id}/items/references``); the
  server never fetches them. labelloop has no text projects yet, so ``create_project``
  rejects the text kind and the runner passes ``--kinds image``.
- Projects cannot be deleted over the API, so ``delete_project`` raises and the
  workload records a note for each project it meant to delete.
- The item list pages by keyset cursor, not page number. In ``index`` mode (the
  default) a page costs two requests: ``GET /projects/{id}/items/page-starts`` for
  the cursor that opens it, then the page itself. In ``walk`` mode page ``p`` costs
  ``p`` requests from the first page. In ``cached`` mode the adapter keeps each cursor
  it has seen, as a scrolling grid does, so a page it reached before costs one request.
- Exports are jobs: ``POST /projects/{id}/exports``, poll ``GET /jobs/{id}``, then
  download ``GET /jobs/{id}/artifact``. The time includes the polling interval.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

PEER_BENCH_DIR = Path(
    os.environ.get("PEER_BENCH_DIR", Path(__file__).resolve().parents[2] / "shared" / "bench")
)
sys.path.insert(0, str(PEER_BENCH_DIR))
import peer_bench  # noqa: E402

API = "/api/v1"
CONTROL = "label"
PAGE_MODES = ("index", "walk", "cached")
TASK_IDS_PAGE = 500
# Upper bound on cursor requests for one page or one listing of a project.
MAX_PAGE_REQUESTS = 10_000


def box_schema() -> dict[str, Any]:
    labels = [{"name": name} for name in peer_bench.IMAGE_LABELS]
    return {"data_type": "image", "controls": [{"name": CONTROL, "type": "bbox", "labels": labels}]}


def box_regions(ann: dict[str, Any]) -> list[dict[str, Any]]:
    """Convert the workload's boxes, in percent of the image, to regions in pixels."""
    width, height = ann["image_width"], ann["image_height"]
    return [
        {
            "id": f"b{index}",
            "control": CONTROL,
            "shape": {
                "type": "bbox",
                "x": box["x"] * width / 100,
                "y": box["y"] * height / 100,
                "width": box["w"] * width / 100,
                "height": box["h"] * height / 100,
            },
            "labels": [box["label"]],
        }
        for index, box in enumerate(ann["boxes"])
    ]


def reference_record(task: dict[str, Any]) -> dict[str, Any]:
    meta = {key: value for key, value in task.items() if key not in ("image", "width", "height")}
    return {"url": task["image"], "width": task["width"], "height": task["height"], "meta": meta}


def check(response: httpx.Response, action: str) -> httpx.Response:
    if response.status_code >= 400:
        raise RuntimeError(f"{action}: HTTP {response.status_code}: {response.text[:300]}")
    return response


class LabelloopAdapter(peer_bench.Adapter):
    """labelloop's HTTP API, with an API token sent as ``Authorization: Bearer``."""

    name = "labelloop"
    export_formats = {"image": ["coco", "yolo"]}
    kinds = ("image",)

    def __init__(
        self, *args: Any, page_mode: str = "index", poll_interval: float = 0.1, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if page_mode not in PAGE_MODES:
            raise ValueError(f"page_mode {page_mode!r} is not one of {PAGE_MODES}")
        self.page_mode = page_mode
        self.poll_interval = poll_interval
        # (project, page size) -> cursors[p] is the cursor of page p + 1; cursors[0] is None.
        self._cursors: dict[tuple[Any, int], list[str | None]] = {}

    def auth_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def server_version(self, c: httpx.Client) -> dict:
        version = check(c.get(f"{API}/health"), "health").json().get("version")
        return {"product": "labelloop", "version": version}

    def create_project(self, c: httpx.Client, kind: str, title: str) -> Any:
        if kind != "image":
            raise NotImplementedError("labelloop has no text projects yet: run with --kinds image")
        body = {"name": title, "schema": box_schema()}
        return check(c.post(f"{API}/projects", json=body), "create project").json()["id"]

    def delete_project(self, c: httpx.Client, project: Any) -> None:
        raise NotImplementedError("labelloop has no API route to delete a project")

    def import_tasks(self, c: httpx.Client, project: Any, kind: str, tasks: list[dict]) -> list:
        body = {"items": [reference_record(task) for task in tasks]}
        response = c.post(
            f"{API}/projects/{project}/items/references", json=body, timeout=self.long_timeout
        )
        result = check(response, "import").json()
        if result["imported"] != len(tasks):
            raise RuntimeError(
                f"import: sent {len(tasks)} tasks, server imported {result['imported']} "
                f"and skipped {result['skipped']}"
            )
        return result["ids"]

    def task_ids(self, c: httpx.Client, project: Any) -> list:
        ids: list[int] = []
        cursor = None
        for _ in range(MAX_PAGE_REQUESTS):
            params: dict[str, Any] = {"limit": TASK_IDS_PAGE}
            if cursor:
                params["cursor"] = cursor
            page = check(c.get(f"{API}/projects/{project}/items", params=params), "list").json()
            ids += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return ids
        raise RuntimeError(f"task_ids: more than {MAX_PAGE_REQUESTS} pages in project {project}")

    def create_annotation(
        self, c: httpx.Client, project: Any, kind: str, task_id: Any, ann: dict
    ) -> None:
        body = {
            "result": {"regions": box_regions(ann)},
            "version": None,
            "submit": True,
            "lead_time_seconds": ann.get("lead_time"),
        }
        check(c.put(f"{API}/items/{task_id}/annotation", json=body), "create annotation")

    def next_task(self, c: httpx.Client, project: Any) -> Any:
        return check(c.get(f"{API}/projects/{project}/queue/next"), "next task").json()["item_id"]

    def list_tasks_page(self, c: httpx.Client, project: Any, page: int, page_size: int) -> int:
        """Fetch page ``page`` (1-based) by following next_cursor from the nearest known page."""
        if self.page_mode == "index":
            starts = check(
                c.get(f"{API}/projects/{project}/items/page-starts", params={"limit": page_size}),
                "page starts",
            ).json()["cursors"]
            if page > len(starts):
                return 0
            params = {"limit": page_size}
            if starts[page - 1]:
                params["cursor"] = starts[page - 1]
            return len(
                check(c.get(f"{API}/projects/{project}/items", params=params), "page").json()[
                    "items"
                ]
            )
        cursors = self._cursors.setdefault((project, page_size), [None])
        if self.page_mode == "walk":
            del cursors[1:]
        start = min(page, len(cursors)) - 1
        for index in range(start, min(page, start + MAX_PAGE_REQUESTS)):
            params: dict[str, Any] = {"limit": page_size}
            if cursors[index]:
                params["cursor"] = cursors[index]
            body = check(c.get(f"{API}/projects/{project}/items", params=params), "page").json()
            if index + 1 == page or not body["next_cursor"]:
                return len(body["items"])
            if len(cursors) == index + 1:
                cursors.append(body["next_cursor"])
        raise RuntimeError(f"page {page} not reached within {MAX_PAGE_REQUESTS} requests")

    def export(self, c: httpx.Client, project: Any, kind: str, fmt: str) -> tuple[int, str]:
        job = check(c.post(f"{API}/projects/{project}/exports", json={"format": fmt}), "export")
        job_id = job.json()["id"]
        deadline = time.monotonic() + self.long_timeout
        while True:
            state = check(c.get(f"{API}/jobs/{job_id}"), "export job").json()
            if state["status"] == "succeeded":
                break
            if state["status"] in ("failed", "cancelled"):
                raise RuntimeError(f"export job {job_id} {state['status']}: {state['error']}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"export job {job_id} not done after {self.long_timeout} s")
            time.sleep(self.poll_interval)
        received = 0
        with c.stream("GET", f"{API}/jobs/{job_id}/artifact", timeout=self.long_timeout) as r:
            if r.status_code >= 400:
                r.read()
                check(r, f"export {fmt} download")
            for chunk in r.iter_bytes():
                received += len(chunk)
            content_type = r.headers.get("content-type", "")
        return received, content_type
