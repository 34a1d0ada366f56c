"""Measure frame times in the image editor while panning over 1,000 shapes.

Starts ``labelloop serve`` on 127.0.0.1 with a fresh data folder, creates a project
with a 2,000 x 1,500 image and saves one annotation of 500 polygons and 500 rotated
boxes through the API. Then Debian's Chromium (headless, through Playwright) opens
the editor, drags the view with the pan tool for ``--seconds`` and records the time
between animation frames with requestAnimationFrame. Prints the frame-time median,
p95 and max, and the share of frames over 33 ms.

    .venv/bin/python bench/editor_pan.py
"""

from __future__ import annotations

import argparse
import io
import math
import random
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labelloop_server import Server  # noqa: E402

PASSWORD = "bench-password"
SCHEMA = {
    "controls": [
        {"name": "boxes", "type": "bbox", "labels": [{"name": "car", "hotkey": "1"}]},
        {"name": "areas", "type": "polygon", "labels": [{"name": "field", "hotkey": "2"}]},
    ]
}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FRAME_PROBE = """
() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => { window.__frames.push(now - last); last = now;
    if (window.__frames.length < 100000) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}
"""


def regions(count: int, width: int, height: int) -> list[dict]:
    rng = random.Random(3)
    found = []
    for index in range(count):
        cx, cy = rng.uniform(60, width - 60), rng.uniform(60, height - 60)
        if index % 2:
            found.append(
                {
                    "id": f"b{index}",
                    "control": "boxes",
                    "labels": ["car"],
                    "shape": {
                        "type": "bbox",
                        "x": cx - 20,
                        "y": cy - 12,
                        "width": 40,
                        "height": 24,
                        "rotation": rng.uniform(0, 90),
                    },
                }
            )
            continue
        points = []
        for corner in range(6):
            angle = corner * math.pi / 3
            points += [cx + 30 * math.cos(angle), cy + 30 * math.sin(angle)]
        found.append(
            {
                "id": f"p{index}",
                "control": "areas",
                "labels": ["field"],
                "shape": {"type": "polygon", "points": points, "holes": []},
            }
        )
    return found


def prepare(server: Server, shapes: int) -> str:
    client = httpx.Client(base_url=f"{server.base_url}/api/v1", timeout=60)
    client.post("/auth/login", json={"username": "admin", "password": PASSWORD}).raise_for_status()
    project = client.post("/projects", json={"name": "pan", "schema": SCHEMA}).json()
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((2000, 1500)).convert("RGB").save(buffer, format="JPEG")
    job = client.post(
        f"/projects/{project['id']}/imports",
        files=[("files", ("field.jpg", buffer.getvalue(), "image/jpeg"))],
    ).json()
    for _ in range(300):
        if client.get(f"/jobs/{job['id']}").json()["status"] == "succeeded":
            break
    item = client.get(f"/projects/{project['id']}/items").json()["items"][0]
    saved = client.put(
        f"/items/{item['id']}/annotation",
        json={"result": {"regions": regions(shapes, 2000, 1500)}},
    )
    saved.raise_for_status()
    return f"{server.base_url}/projects/{project['id']}/items/{item['id']}"


def measure(url: str, base_url: str, seconds: float, shapes: int) -> list[float]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base_url}/login")
        page.get_by_test_id("login-username").fill("admin")
        page.get_by_test_id("login-password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(f"{base_url}/")
        page.goto(url)
        canvas = page.get_by_test_id("editor-canvas")
        canvas.wait_for()
        page.wait_for_timeout(1500)
        drawn = page.locator("[data-region-id]").count()
        if drawn < shapes:
            raise RuntimeError(f"the editor shows {drawn} regions, expected {shapes}")
        page.keyboard.press("h")
        box = canvas.bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.evaluate(FRAME_PROBE)
        steps = int(seconds * 60)
        page.mouse.move(cx, cy)
        page.mouse.down()
        for step in range(steps):
            angle = step / steps * 4 * math.pi
            page.mouse.move(cx + 250 * math.sin(angle), cy + 150 * math.cos(angle))
        page.mouse.up()
        frames = page.evaluate("window.__frames")
        browser.close()
    return frames[2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="labelloop-bench-pan-") as scratch:
        server = Server(Path(scratch) / "data")
        server.run_cli("init", "--password", PASSWORD)
        server.start()
        try:
            url = prepare(server, args.shapes)
            frames = sorted(measure(url, server.base_url, args.seconds, args.shapes))
        finally:
            server.stop()
    p95 = frames[int(0.95 * (len(frames) - 1))]
    slow = sum(frame > 33.4 for frame in frames) / len(frames)
    print(
        f"{args.shapes} shapes, {len(frames)} frames while panning: median "
        f"{statistics.median(frames):.1f} ms, p95 {p95:.1f} ms, max {frames[-1]:.1f} ms, "
        f"{slow:.1%} over 33 ms"
    )


if __name__ == "__main__":
    main()
