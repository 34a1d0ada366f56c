"""Seeded random shapes survive each writer and the matching reader: COCO, YOLO, VOC."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelloop.domain.formats import coco, voc, yolo
from labelloop.domain.formats.base import ExportImage, ExportSink
from labelloop.domain.masks import encode_rle
from labelloop.domain.schema import parse_schema

LABELS = ["cat", "dog", "traffic light"]
POINT_NAMES = ["head", "left", "right"]


def schema_for(*types: str):
    controls = []
    for shape_type in types:
        labels = [{"name": name} for name in LABELS]
        if shape_type == "keypoints":
            labels = [{"name": "cat", "keypoints": POINT_NAMES, "skeleton": [[0, 1], [0, 2]]}]
        if shape_type == "text":
            labels = []
        controls.append({"name": shape_type, "type": shape_type, "labels": labels})
    return parse_schema({"data_type": "image", "controls": controls})


def random_box(rng, width: int, height: int, rotation: bool = False) -> dict:
    box_width = float(rng.uniform(4, width / 3))
    box_height = float(rng.uniform(4, height / 3))
    shape = {
        "type": "bbox",
        "x": float(rng.uniform(box_width / 2, width - 1.5 * box_width)),
        "y": float(rng.uniform(box_height / 2, height - 1.5 * box_height)),
        "width": box_width,
        "height": box_height,
    }
    if rotation:
        shape["rotation"] = float(rng.uniform(-80, 80))
    return shape


def random_polygon(rng, width: int, height: int) -> dict:
    center_x, center_y = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    count = int(rng.integers(3, 9))
    angles = np.sort(rng.uniform(0, 2 * math.pi, count))
    radius = rng.uniform(3, min(width, height) * 0.25, count)
    points = []
    for angle, length in zip(angles, radius, strict=True):
        points += [
            float(center_x + length * math.cos(angle)),
            float(center_y + length * math.sin(angle)),
        ]
    return {"type": "polygon", "points": points}


def random_mask(rng, width: int, height: int) -> dict:
    mask = np.zeros((height, width), dtype=bool)
    top, left = int(rng.integers(0, height - 4)), int(rng.integers(0, width - 4))
    mask[top : top + int(rng.integers(2, 20)), left : left + int(rng.integers(2, 20))] = True
    return {"type": "mask", "rle": encode_rle(mask)}


def random_keypoints(rng, width: int, height: int) -> dict:
    points = []
    for _ in POINT_NAMES:
        visibility = float(rng.integers(1, 3))
        points += [float(rng.uniform(5, width - 5)), float(rng.uniform(5, height - 5)), visibility]
    return {"type": "keypoints", "points": points}


def region(region_id: str, control: str, shape: dict, label: str | None, **extra) -> dict:
    labels = [label] if label else []
    return {"id": region_id, "control": control, "shape": shape, "labels": labels, **extra}


def random_images(seed: int, makers: dict, count: int = 12) -> list[ExportImage]:
    rng = np.random.default_rng(seed)
    images = []
    for item_id in range(1, count + 1):
        width, height = (int(v) for v in rng.integers(40, 400, size=2))
        regions = []
        for index in range(int(rng.integers(0, 6))):
            kind = list(makers)[int(rng.integers(0, len(makers)))]
            label = LABELS[int(rng.integers(0, len(LABELS)))]
            regions.extend(makers[kind](rng, width, height, f"r{index}", label))
        split = ("train", "validation", "test")[item_id % 3]
        images.append(ExportImage(item_id, split, f"img{item_id}.png", width, height, regions))
    return images


def export(writer_class, schema, images: list[ExportImage], out: Path) -> None:
    sink = ExportSink(out)
    scratch = out.parent / f"{out.name}-scratch"
    scratch.mkdir()
    writer = writer_class(schema, sink, scratch)
    for image in images:
        path = writer.image_path(image)
        if path is not None:
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (image.width, image.height)).save(target)
        writer.add(image)
    writer.finish()
    sink.close()


def signature(shape: dict, digits: int) -> tuple:
    kind = shape["type"]
    if kind == "mask":
        return (kind, shape["rle"]["counts"])
    if kind in ("polygon", "keypoints"):
        return (kind, *(round(v, digits) for v in shape["points"]))
    if kind == "text":
        return (kind, shape["value"])
    keys = ("x", "y", "width", "height", "rotation")
    values = [shape.get(key) or 0.0 for key in keys]
    return (kind, *(round(v, digits) for v in values))


def shapes_by_image(images, digits: int) -> dict[str, Counter]:
    return {
        Path(image.file_name).name: Counter(
            (*signature(r["shape"], digits), tuple(r["labels"])) for r in image.regions
        )
        for image in images
    }


def close(
    expected: dict[str, Counter],
    found: dict[str, Counter],
    tolerance: float,
    degrees: float = 1e-6,
) -> None:
    """Match shapes per image; `degrees` is the tolerance of a bbox rotation."""
    assert set(expected) <= set(found)
    for name, shapes in expected.items():
        wanted = sorted(shapes.elements(), key=repr)
        got = sorted(found[name].elements(), key=repr)
        assert len(got) == len(wanted), name
        for before, after in zip(wanted, got, strict=True):
            assert before[0] == after[0], name
            assert before[-1] == after[-1], name
            for index, (a, b) in enumerate(zip(before[1:-1], after[1:-1], strict=True)):
                limit = degrees if before[0] == "bbox" and index == 4 else tolerance
                if isinstance(a, float):
                    assert abs(a - b) <= limit, (name, before, after)
                else:
                    assert a == b, name


COCO_MAKERS = {
    "bbox": lambda rng, w, h, rid, label: [region(rid, "bbox", random_box(rng, w, h), label)],
    "rotated": lambda rng, w, h, rid, label: [
        region(rid, "bbox", random_box(rng, w, h, rotation=True), label)
    ],
    "polygon": lambda rng, w, h, rid, label: [
        region(rid, "polygon", random_polygon(rng, w, h), label)
    ],
    "parts": lambda rng, w, h, rid, label: [
        region(rid, "polygon", random_polygon(rng, w, h), label, group=rid),
        region(rid + "b", "polygon", random_polygon(rng, w, h), label, group=rid),
    ],
    "mask": lambda rng, w, h, rid, label: [region(rid, "mask", random_mask(rng, w, h), label)],
    "pose": lambda rng, w, h, rid, label: [
        region(rid, "bbox", random_box(rng, w, h), "cat", group=rid),
        region(rid + "k", "keypoints", random_keypoints(rng, w, h), "cat", group=rid),
    ],
    "caption": lambda rng, w, h, rid, label: [
        region(rid, "text", {"type": "text", "value": f"a {label} ünïcode"}, None)
    ],
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coco_round_trip(tmp_path: Path, seed: int):
    schema = schema_for("bbox", "polygon", "mask", "keypoints", "text")
    images = random_images(seed, COCO_MAKERS)
    export(coco.WRITER, schema, images, tmp_path / "out")

    datasets = coco.READER.read(tmp_path / "out", None)
    found = [image for dataset in datasets for image in dataset.images]
    close(shapes_by_image(images, 6), shapes_by_image(found, 6), 1e-6)
    groups = [
        {r["shape"]["type"] for r in image.regions if r["group"] == group}
        for image in found
        for group in {r["group"] for r in image.regions if r["group"]}
    ]
    assert all(kinds in ({"polygon"}, {"bbox", "keypoints"}) for kinds in groups)


def test_coco_keeps_category_ids(tmp_path: Path):
    document = (
        '{"images": [{"id": 7, "file_name": "a.png", "width": 20, "height": 10}],'
        '"annotations": [{"id": 3, "image_id": 7, "category_id": 0, "bbox": [1, 1, 2, 2]},'
        '{"id": 4, "image_id": 7, "category_id": 42, "bbox": [2, 2, 3, 3]}],'
        '"categories": [{"id": 0, "name": "zero"}, {"id": 42, "name": "answer"}]}'
    )
    source = tmp_path / "in" / "annotations"
    source.mkdir(parents=True)
    (source / "instances_train.json").write_text(document)
    dataset = coco.READER.read(tmp_path / "in", None)[0]
    schema = parse_schema({"controls": dataset.controls})
    image = dataset.images[0]
    exported = ExportImage(1, "train", "a.png", 20, 10, image.regions, image.meta)
    export(coco.WRITER, schema, [exported], tmp_path / "out")

    written = coco.read_coco(tmp_path / "out/annotations/instances_train.json", "x")
    assert {c["name"]: c["id"] for c in written.categories} == {"zero": 0, "answer": 42}
    assert written.images[0].id == 7
    assert [r["meta"]["coco_id"] for r in written.images[0].regions] == [3, 4]


def test_coco_edited_polygon_gets_new_bbox(tmp_path: Path):
    document = (
        '{"images": [{"id": 1, "file_name": "a.png", "width": 50, "height": 50}],'
        '"annotations": [{"id": 1, "image_id": 1, "category_id": 1, "area": 99.0,'
        '"bbox": [0.5, 0.5, 10, 10], "segmentation": [[1, 1, 10, 1, 10, 10]]}],'
        '"categories": [{"id": 1, "name": "cat"}]}'
    )
    dataset = coco.read_coco(document, "a.json")
    unchanged = dataset.images[0].regions[0]
    edited = {**unchanged, "id": "e", "shape": {"type": "polygon", "points": [1, 1, 20, 1, 20, 20]}}
    schema = schema_for("polygon")
    images = [
        ExportImage(1, "train", "a.png", 50, 50, [unchanged]),
        ExportImage(2, "test", "b.png", 50, 50, [edited]),
    ]
    export(coco.WRITER, schema, images, tmp_path / "out")

    train = coco.read_coco(tmp_path / "out/annotations/instances_train.json", "t")
    test = coco.read_coco(tmp_path / "out/annotations/instances_test.json", "t")
    assert train.images[0].regions[0]["meta"]["coco_bbox"] == [0.5, 0.5, 10.0, 10.0]
    assert train.images[0].regions[0]["meta"]["coco_area"] == 99.0
    assert test.images[0].regions[0]["meta"]["coco_bbox"] == [1.0, 1.0, 19.0, 19.0]
    assert test.images[0].regions[0]["meta"]["coco_area"] == pytest.approx(180.5)


YOLO_CASES = {
    "detect": ("bbox", {"bbox": COCO_MAKERS["bbox"]}),
    "segment": ("polygon", {"polygon": COCO_MAKERS["polygon"]}),
    "obb": ("bbox", {"rotated": COCO_MAKERS["rotated"]}),
    "pose": ("keypoints", {"pose": COCO_MAKERS["pose"]}),
}


@pytest.mark.parametrize("task", list(YOLO_CASES))
def test_yolo_round_trip(tmp_path: Path, task: str):
    shape_type, makers = YOLO_CASES[task]
    types = ("bbox", "keypoints") if task == "pose" else (shape_type,)
    schema = schema_for(*types)
    images = random_images(11, makers)
    export(yolo.WRITER, schema, images, tmp_path / "out")

    assert f"task: {task}" in (tmp_path / "out" / "data.yaml").read_text()
    dataset = yolo.READER.read(tmp_path / "out", None)[0]
    # Six decimals of an image side up to 400 px; x adds the error of cx and w / 2.
    # The angle of a rotated box comes from corners 5e-7 of a side apart, so a 4 px
    # edge of a 400 px image turns it by up to 0.01 degrees.
    tolerance = 400 * 1e-6 + 1e-6
    close(shapes_by_image(images, 9), shapes_by_image(dataset.images, 9), tolerance, 0.01)
    if task == "obb":
        assert any(r["shape"].get("rotation") for i in dataset.images for r in i.regions)


def test_yolo_classify_round_trip(tmp_path: Path):
    schema = parse_schema(
        {"controls": [{"name": "class", "type": "choice", "labels": [{"name": n} for n in LABELS]}]}
    )
    images = [
        ExportImage(i, ("train", "validation")[i % 2], f"{i}.png", 30, 20, [
            region("c", "class", {"type": "choice"}, LABELS[i % 3])
        ])
        for i in range(1, 7)
    ]  # fmt: skip
    export(yolo.WRITER, schema, images, tmp_path / "out")

    assert (tmp_path / "out" / "val").is_dir()
    dataset = yolo.READER.read(tmp_path / "out", None)[0]
    found = {Path(i.file_name).name: i.regions[0]["labels"] for i in dataset.images}
    assert found == {f"{i}.png": [LABELS[i % 3]] for i in range(1, 7)}
    assert [label["name"] for label in dataset.controls[0]["labels"]] == sorted(LABELS)


VOC_MAKERS = {
    "bbox": lambda rng, w, h, rid, label: [
        region(rid, "bbox", random_box(rng, w, h), label, attributes={"difficult": True})
    ],
    "masked": lambda rng, w, h, rid, label: [
        region(rid, "bbox", random_box(rng, w, h), label, group=rid),
        region(rid + "m", "mask", random_mask(rng, w, h), label, group=rid),
    ],
}


def test_voc_round_trip(tmp_path: Path):
    schema = schema_for("bbox", "mask")
    images = random_images(5, VOC_MAKERS)
    # Masks that overlap lose their covered pixels in an instance PNG, so keep one.
    for image in images:
        masks = [r for r in image.regions if r["shape"]["type"] == "mask"]
        image.regions = [r for r in image.regions if r["shape"]["type"] != "mask"] + masks[:1]
        if masks[:1]:
            image.regions = [
                r for r in image.regions if r.get("group") in (None, masks[0]["group"])
            ]
    export(voc.WRITER, schema, images, tmp_path / "out")

    dataset = voc.READER.read(tmp_path / "out", None)[0]
    close(shapes_by_image(images, 6), shapes_by_image(dataset.images, 6), 2e-6)
    flags = [r["attributes"].get("difficult") for i in dataset.images for r in i.regions]
    assert True in flags
