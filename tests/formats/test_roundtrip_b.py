"""Export then import through the CVAT, Label Studio and LabelMe modules gives back the
same shapes, on seeded random images and regions."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from labelloop.domain.formats import cvat, labelme, labelstudio
from labelloop.domain.formats.base import ExportImage, ExportSink
from labelloop.domain.masks import decode_rle, encode_rle
from labelloop.domain.schema import LabelSchema

LABELS = ["cat", "dog", "car"]
SCHEMA = LabelSchema.model_validate(
    {
        "controls": [
            {
                "name": "objects",
                "type": "bbox",
                "labels": [
                    {
                        "name": name,
                        "attributes": [
                            {"name": "occluded", "type": "boolean"},
                            {"name": "make", "type": "choice", "values": ["x", "y"]},
                        ],
                    }
                    for name in LABELS
                ],
            },
            {"name": "polygons", "type": "polygon", "labels": [{"name": n} for n in LABELS]},
            {"name": "polylines", "type": "polyline", "labels": [{"name": n} for n in LABELS]},
            {"name": "keypoints", "type": "keypoints", "labels": [{"name": n} for n in LABELS]},
            {"name": "masks", "type": "mask", "labels": [{"name": n} for n in LABELS]},
            {"name": "ellipses", "type": "ellipse", "labels": [{"name": n} for n in LABELS]},
            {"name": "class", "type": "choice", "multiple": True, "labels": [{"name": "day"}]},
        ]
    }
)


def random_points(rng: random.Random, width: int, height: int, count: int) -> list[float]:
    return [
        round(value, 2)
        for _ in range(count)
        for value in (rng.uniform(0, width), rng.uniform(0, height))
    ]


def random_shape(rng: random.Random, kind: str, width: int, height: int, fmt: str) -> dict:
    if kind == "bbox":
        box_w, box_h = rng.uniform(2, width / 2), rng.uniform(2, height / 2)
        shape = {
            "type": "bbox",
            "x": round(rng.uniform(0, width - box_w), 2),
            "y": round(rng.uniform(0, height - box_h), 2),
            "width": round(box_w, 2),
            "height": round(box_h, 2),
        }
        if fmt != "labelme" and rng.random() < 0.5:
            shape["rotation"] = round(rng.uniform(1, 359), 2)
        return shape
    if kind == "polygon":
        return {"type": "polygon", "points": random_points(rng, width, height, 5), "holes": []}
    if kind == "polyline":
        return {"type": "polyline", "points": random_points(rng, width, height, 3)}
    if kind == "keypoints":
        count = 1 if fmt == "labelstudio" else 3
        points = random_points(rng, width, height, count)
        return {
            "type": "keypoints",
            "points": [
                v for x, y in zip(points[::2], points[1::2], strict=True) for v in (x, y, 2.0)
            ],
        }
    if kind == "ellipse":
        radius = round(rng.uniform(1, 10), 2)
        other = radius if fmt == "labelme" else round(rng.uniform(1, 10), 2)
        rotation = 0.0 if fmt == "labelme" else round(rng.uniform(0, 359), 2)
        return {
            "type": "ellipse",
            "cx": round(rng.uniform(10, width - 10), 2),
            "cy": round(rng.uniform(10, height - 10), 2),
            "rx": radius,
            "ry": other,
            "rotation": rotation,
        }
    mask = np.zeros((height, width), dtype=bool)
    top, left = rng.randrange(height // 2), rng.randrange(width // 2)
    mask[top : top + rng.randint(1, height // 2), left : left + rng.randint(1, width // 2)] = True
    mask[rng.randrange(height), rng.randrange(width)] = True
    return {"type": "mask", "rle": encode_rle(mask)}


CONTROL_FOR_TYPE = {
    "bbox": "objects",
    "polygon": "polygons",
    "polyline": "polylines",
    "keypoints": "keypoints",
    "mask": "masks",
    "ellipse": "ellipses",
}


def random_images(seed: int, fmt: str) -> list[ExportImage]:
    rng = random.Random(seed)
    images = []
    for index in range(4):
        width, height = rng.randint(40, 120), rng.randint(40, 120)
        regions: list[dict[str, Any]] = []
        for number, kind in enumerate(rng.choices(list(CONTROL_FOR_TYPE), k=8)):
            attributes: dict[str, Any] = {}
            if kind == "bbox" and fmt == "cvat":
                attributes = {"occluded": rng.random() < 0.5, "make": rng.choice(["x", "y"])}
            regions.append(
                {
                    "id": f"r{number}",
                    "control": CONTROL_FOR_TYPE[kind],
                    "shape": random_shape(rng, kind, width, height, fmt),
                    "labels": [rng.choice(LABELS)],
                    "attributes": attributes,
                    "score": None,
                    "group": None,
                }
            )
        regions.append(
            {
                "id": "c",
                "control": "class",
                "shape": {"type": "choice"},
                "labels": ["day"],
                "attributes": {},
                "score": None,
                "group": None,
            }
        )
        split = ["train", "validation", "test"][index % 3]
        images.append(ExportImage(index + 1, split, f"img{index}.jpg", width, height, regions))
    return images


def export(fmt: str, images: list[ExportImage], tmp_path: Path) -> Path:
    writer_class = {
        "cvat": cvat.WRITER,
        "labelstudio": labelstudio.WRITER,
        "labelme": labelme.WRITER,
    }
    out = tmp_path / "out"
    sink = ExportSink(out)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    writer = writer_class[fmt](SCHEMA, sink, scratch)
    for image in images:
        writer.add(image)
    writer.finish()
    sink.close()
    return out


def comparable(region: dict[str, Any]) -> tuple:
    return (region["shape"]["type"], tuple(region["labels"]))


def assert_same_shape(expected: dict, actual: dict, tolerance: float) -> None:
    assert expected["type"] == actual["type"]
    if expected["type"] == "mask":
        assert np.array_equal(decode_rle(expected["rle"]), decode_rle(actual["rle"]))
        return
    for key, value in expected.items():
        if key in ("type", "holes"):
            continue
        got = actual.get(key, 0.0)
        if isinstance(value, list):
            assert np.allclose(value, got, atol=tolerance), (key, value, got)
        elif key == "rotation":
            difference = (float(value) - float(got) + 180) % 360 - 180
            assert abs(difference) < tolerance, (value, got)
        else:
            assert got == pytest.approx(value, abs=tolerance), (key, value, got)
    if expected["type"] == "bbox" and "rotation" not in expected:
        assert not actual.get("rotation")


def read_back(fmt: str, out: Path) -> dict[str, list[dict[str, Any]]]:
    reader = {"cvat": cvat.READER, "labelstudio": labelstudio.READER, "labelme": labelme.READER}
    assert reader[fmt].detect(out)
    datasets = reader[fmt].read(out, None)
    found: dict[str, list[dict[str, Any]]] = {}
    for dataset in datasets:
        for image in dataset.images:
            assert (dataset.image_root / image.file_name).parent.is_relative_to(out)
            found[image.file_name.rsplit("/", 1)[-1]] = image.regions
    return found


@pytest.mark.parametrize("fmt", ["cvat", "labelstudio", "labelme"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_export_then_import_keeps_shapes(fmt: str, seed: int, tmp_path: Path):
    images = random_images(seed, fmt)
    out = export(fmt, images, tmp_path)
    found = read_back(fmt, out)
    tolerance = 1e-3 if fmt == "cvat" else 1e-6
    assert set(found) == {image.file_name for image in images}
    for image in images:
        regions = found[image.file_name]
        assert [comparable(r) for r in regions] == [comparable(r) for r in image.regions]
        for expected, actual in zip(image.regions, regions, strict=True):
            assert_same_shape(expected["shape"], actual["shape"], tolerance)
            if fmt == "cvat" and expected["attributes"]:
                assert actual["attributes"] == expected["attributes"]


def test_labelstudio_rotated_box_on_wide_image():
    # A 200x100 image: 10% of the width is 20 px and 10% of the height 10 px.
    shape = labelstudio.box_from_percent(50, 50, 10, 10, 90, 200, 100)
    assert shape["width"] == pytest.approx(20)
    assert shape["height"] == pytest.approx(10)
    # Turned 90 degrees clockwise about (100, 50), the centre moves from (110, 55)
    # to (100 - 5, 50 + 10).
    assert shape["x"] + shape["width"] / 2 == pytest.approx(95)
    assert shape["y"] + shape["height"] / 2 == pytest.approx(60)
    assert shape["rotation"] == pytest.approx(90)
    back = labelstudio.box_to_percent(shape, 200, 100)
    assert back["x"] == pytest.approx(50)
    assert back["y"] == pytest.approx(50)
    assert back["width"] == pytest.approx(10)
    assert back["height"] == pytest.approx(10)
