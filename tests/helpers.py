"""Small helpers the API tests share."""

from __future__ import annotations

import io
import time

from PIL import Image

BOX_SCHEMA = {
    "data_type": "image",
    "controls": [
        {
            "name": "objects",
            "type": "bbox",
            "labels": [{"name": "cat", "hotkey": "1"}, {"name": "dog", "hotkey": "2"}],
        }
    ],
}


def wait_for_job(client, job_id: int, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s: {job}")


def png_bytes(width: int = 32, height: int = 24, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_project(client, name: str = "boxes", schema: dict | None = None) -> dict:
    response = client.post("/api/v1/projects", json={"name": name, "schema": schema or BOX_SCHEMA})
    assert response.status_code == 201, response.text
    return response.json()


def box_region(region_id: str, x: float, y: float, w: float, h: float, label: str) -> dict:
    return {
        "id": region_id,
        "control": "objects",
        "shape": {"type": "bbox", "x": x, "y": y, "width": w, "height": h},
        "labels": [label],
    }
