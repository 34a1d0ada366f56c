"""Time a streaming COCO and YOLO export of 100,000 boxes on 10,000 images.

Builds a fresh data folder with one box project: ``--images`` small PNG images with
``--boxes`` submitted boxes each, stored through the import service in batches. Then
it exports the project once per format, each in its own process, and prints the wall
time, the items per second and the peak resident memory of that process (Linux
``ru_maxrss``). The first export freezes the dataset version; the second reuses it.

    .venv/bin/python bench/export_stream.py
    .venv/bin/python bench/export_stream.py --images 1000 --boxes 10   # a quick check
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from labelloop.services.context import Context
from labelloop.services.imports import ImportReport, SourceImage, store_images
from labelloop.services.projects import create_project
from labelloop.services.users import create_user
from labelloop.settings import Settings

LABELS = ["car", "person", "bicycle", "truck", "dog"]
SCHEMA = {
    "data_type": "image",
    "controls": [
        {"name": "objects", "type": "bbox", "labels": [{"name": name} for name in LABELS]}
    ],
}
WIDTH, HEIGHT = 64, 48

EXPORT_CHILD = """
import json, resource, sys, time
from pathlib import Path
from labelloop.services.context import Context
from labelloop.services.datasets import export_project
from labelloop.settings import Settings

data_dir, fmt, target = sys.argv[1], sys.argv[2], Path(sys.argv[3])
context = Context.from_settings(Settings(data_dir=Path(data_dir)))
started = time.perf_counter()
result = export_project(context, "bench", None, format=fmt, target=target)
seconds = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "items": result["items"], "peak_mib": peak_kib / 1024}))
"""


def png(index: int) -> bytes:
    buffer = io.BytesIO()
    # Each image differs in one pixel, so content hashes never collide.
    image = Image.new("RGB", (WIDTH, HEIGHT), (index % 251, (index // 251) % 251, 90))
    image.putpixel((index % WIDTH, (index // WIDTH) % HEIGHT), (255, 255, 255))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def regions(rng: random.Random, count: int) -> list[dict]:
    found = []
    for number in range(count):
        width, height = rng.uniform(4, 30), rng.uniform(4, 20)
        x, y = rng.uniform(0, WIDTH - width), rng.uniform(0, HEIGHT - height)
        found.append(
            {
                "id": f"r{number}",
                "control": "objects",
                "shape": {"type": "bbox", "x": x, "y": y, "width": width, "height": height},
                "labels": [rng.choice(LABELS)],
                "attributes": {},
                "score": None,
                "group": None,
            }
        )
    return found


def build(data_dir: Path, images: int, boxes: int) -> float:
    context = Context.from_settings(Settings(data_dir=data_dir))
    context.prepare()
    with context.session() as session:
        user = create_user(session, "bench", "bench-password", is_admin=True)
        project_id = create_project(session, user, "bench", SCHEMA).id
        user_id = user.id
    rng = random.Random(7)
    folder = data_dir / "source"
    folder.mkdir()
    sources = []
    for index in range(images):
        path = folder / f"img_{index:06d}.png"
        path.write_bytes(png(index))
        sources.append(
            SourceImage(name=path.name, path=path, regions=regions(rng, boxes), annotated=True)
        )
    started = time.perf_counter()
    report = ImportReport()
    store_images(context, project_id, user_id, sources, as_predictions=False, report=report)
    if report.imported != images or report.errors:
        raise SystemExit(f"setup imported {report.imported} of {images}: {report.errors[:3]}")
    return time.perf_counter() - started


def export(data_dir: Path, fmt: str, target: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", EXPORT_CHILD, str(data_dir), fmt, str(target)],
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["archive_mib"] = target.stat().st_size / 2**20
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--boxes", type=int, default=10, help="boxes per image")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="labelloop-bench-export-") as scratch:
        data_dir = Path(scratch) / "data"
        setup = build(data_dir, args.images, args.boxes)
        print(
            f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.platform()}, "
            f"Python {platform.python_version()}"
        )
        print(
            f"setup: {args.images} images, {args.images * args.boxes} boxes stored in {setup:.1f} s"
        )
        print("| format | seconds | items/s | peak RSS MiB | archive MiB |")
        print("|---|---|---|---|---|")
        for fmt in ("coco", "yolo"):
            result = export(data_dir, fmt, Path(scratch) / f"export-{fmt}.zip")
            print(
                f"| {fmt} | {result['seconds']:.1f} | {result['items'] / result['seconds']:.0f} "
                f"| {result['peak_mib']:.0f} | {result['archive_mib']:.1f} |"
            )


if __name__ == "__main__":
    main()
