"""The demo projects, built from images that ship inside installed packages.

"Digits" contains scikit-learn's 1,797 scanned 8x8 digits with their true classes kept
as hidden ground truth; "Photos" contains the photographs bundled with scikit-image
and scikit-learn. Nothing is downloaded.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from labelloop.db.models import Project, User
from labelloop.services.context import Context
from labelloop.services.imports import ImportReport, SourceImage, store_images
from labelloop.services.projects import create_project

logger = logging.getLogger(__name__)

DIGITS = "Digits"
PHOTOS = "Photos"

DIGITS_SCHEMA = {
    "data_type": "image",
    "controls": [
        {
            "name": "digit",
            "type": "choice",
            "labels": [{"name": str(d), "hotkey": str(d)} for d in range(10)],
        }
    ],
}
PHOTOS_SCHEMA = {
    "data_type": "image",
    "controls": [
        {
            "name": "objects",
            "type": "bbox",
            "labels": [
                {"name": "person", "hotkey": "1"},
                {"name": "animal", "hotkey": "2"},
                {"name": "vehicle", "hotkey": "3"},
                {"name": "food", "hotkey": "4"},
                {"name": "object", "hotkey": "5"},
            ],
        }
    ],
}
DIGITS_GUIDELINES = """# Handwritten digits

Pick the digit the writer meant, **0 to 9**, with the number keys.

- Judge the shape, not the scan noise.
- If two digits look equally likely, pick the one a postal clerk would read.
- Submit with **Ctrl+Enter**; the next item opens by itself.
"""
PHOTOS_GUIDELINES = """# Objects in photographs

Draw a tight box around every **person**, **animal**, **vehicle** and **food** item.

- Box the visible part only; do not guess hidden extents.
- Press **b** to draw, **v** to select, and a number key to set the class.
- Use *object* for anything else worth finding (a cup, a clock, a tool).
"""

# Photographs in scikit-image 0.26 that load without a download (its `cat` is
# `chelsea` again, so it is left out).
SKIMAGE_PHOTOS = (
    "astronaut",
    "camera",
    "chelsea",
    "coffee",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "retina",
    "coins",
    "clock",
)


def _png_bytes(array) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def digits_sources(folder: Path) -> list[SourceImage]:
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    # Pixel values run 0..16 with ink as high values; show ink dark on white.
    pixels = (255 - digits.images * (255 / 16)).round().astype(np.uint8)
    sources = []
    for index, (image, target) in enumerate(zip(pixels, digits.target, strict=True)):
        path = folder / f"digit-{index:04d}.png"
        path.write_bytes(_png_bytes(image))
        sources.append(
            SourceImage(
                name=path.name,
                path=path,
                meta={"source": "sklearn.datasets.load_digits", "index": index},
                ground_truth={"control": "digit", "labels": [str(int(target))]},
            )
        )
    return sources


def photos_sources(folder: Path) -> list[SourceImage]:
    import skimage.data
    import sklearn.datasets

    sources = []
    for name in SKIMAGE_PHOTOS:
        path = folder / f"{name}.png"
        path.write_bytes(_png_bytes(getattr(skimage.data, name)()))
        sources.append(
            SourceImage(name=path.name, path=path, meta={"source": f"skimage.data.{name}"})
        )
    left, right, _disparity = skimage.data.stereo_motorcycle()
    for side, array in (("left", left), ("right", right)):
        path = folder / f"stereo_motorcycle_{side}.png"
        path.write_bytes(_png_bytes(array))
        sources.append(
            SourceImage(
                name=path.name, path=path, meta={"source": "skimage.data.stereo_motorcycle"}
            )
        )
    images = Path(sklearn.datasets.__file__).parent / "images"
    for path in sorted(images.glob("*.jpg")):
        sources.append(
            SourceImage(
                name=path.name, path=path, meta={"source": "sklearn.datasets.load_sample_images"}
            )
        )
    return sources


def load_demo(
    context: Context,
    user: User,
    progress: Callable[[str, int, int], None] = lambda name, done, total: None,
) -> dict[str, ImportReport]:
    """Create the demo projects when missing and import their images; safe to rerun."""
    reports: dict[str, ImportReport] = {}
    plans = (
        (DIGITS, DIGITS_SCHEMA, DIGITS_GUIDELINES, digits_sources),
        (PHOTOS, PHOTOS_SCHEMA, PHOTOS_GUIDELINES, photos_sources),
    )
    for name, schema, guidelines, make_sources in plans:
        with context.session() as session:
            project = session.scalar(select(Project).where(Project.name == name))
            if project is None:
                project = create_project(session, user, name, schema, guidelines=guidelines)
            project_id = project.id
        report = ImportReport()
        with tempfile.TemporaryDirectory(prefix="labelloop-demo-") as scratch:
            sources = make_sources(Path(scratch))
            total = len(sources)
            store_images(
                context,
                project_id,
                user.id,
                sources,
                as_predictions=False,
                report=report,
                progress=lambda done, name=name, total=total: progress(name, done, total),
            )
        logger.info(
            "demo project %s: %d imported, %d present", name, report.imported, report.skipped
        )
        reports[name] = report
    return reports
