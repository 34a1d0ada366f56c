"""Real sample data through the CLI: VOC, COCO and YOLO imports and exports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from pycocotools import mask as coco_mask
from sqlalchemy import select
from typer.testing import CliRunner

from labelloop.cli import app
from tests.conftest import shared_data

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("LABELLOOP_DATABASE_URL", database_url)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.sqlite3'}")
    result = runner.invoke(
        app, ["init", "--data-dir", str(folder), "--password", "admin-password-1"]
    )
    assert result.exit_code == 0, result.output
    return folder


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def stored_regions(data_dir: Path, project_name: str) -> list[tuple[str, dict]]:
    """Return (item file name, region) of every stored annotation of a project."""
    from labelloop.db.models import Annotation, Item
    from labelloop.services.context import Context
    from labelloop.services.projects import find_project
    from labelloop.settings import Settings

    context = Context.from_settings(Settings(data_dir=data_dir))
    with context.session() as session:
        project = find_project(session, project_name)
        rows = session.execute(
            select(Item.file_name, Annotation.result)
            .join(Annotation, Annotation.item_id == Item.id)
            .where(Annotation.project_id == project.id)
        ).all()
    return [(name, region) for name, result in rows for region in result["regions"]]


def voc_boxes(root: Path) -> Counter:
    """Count (file, label, x, y, width, height) of a VOC folder, in record pixels."""
    boxes: Counter = Counter()
    for xml_path in (root / "Annotations").glob("*.xml"):
        document = ET.parse(xml_path).getroot()
        file_name = document.findtext("filename")
        for element in document.iter("object"):
            corners = [
                float(element.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")
            ]
            x_min, y_min, x_max, y_max = corners
            box = (x_min - 1, y_min - 1, x_max - x_min + 1, y_max - y_min + 1)
            boxes[(file_name, element.findtext("name"), *box)] += 1
    return boxes


def _clipped_distance(box: tuple, found: tuple) -> float:
    x, y, width, height = box
    left, top = max(x, 0.0), max(y, 0.0)
    right, bottom = min(x + width, 640.0), min(y + height, 480.0)
    clipped = (left, top, right - left, bottom - top)
    return max(abs(a - b) for a, b in zip(clipped, found, strict=True))


def test_bccd_voc_import_counts(data_dir: Path):
    sample = shared_data("voc-bccd")
    output = run("import", "bccd", str(sample), "--format", "voc", "--data-dir", str(data_dir))
    assert "imported 364 items" in output

    regions = stored_regions(data_dir, "bccd")
    labels = Counter(region["labels"][0] for _, region in regions)
    assert len(regions) == 4888
    assert labels == {"RBC": 4155, "WBC": 372, "Platelets": 361}
    found = Counter(
        (name, region["labels"][0], *(region["shape"][k] for k in ("x", "y", "width", "height")))
        for name, region in regions
    )
    assert found == voc_boxes(sample / "BCCD")


def test_bccd_exports_to_coco_yolo_and_voc(data_dir: Path, tmp_path: Path):
    sample = shared_data("voc-bccd")
    run("import", "bccd", str(sample), "--format", "voc", "--data-dir", str(data_dir))
    expected = voc_boxes(sample / "BCCD")

    coco_out = tmp_path / "coco"
    run("export", "bccd", "--format", "coco", "--out", str(coco_out), "--data-dir", str(data_dir))
    exported: Counter = Counter()
    for json_path in (coco_out / "annotations").glob("instances_*.json"):
        document = json.loads(json_path.read_text())
        names = {image["id"]: image["file_name"] for image in document["images"]}
        categories = {c["id"]: c["name"] for c in document["categories"]}
        for annotation in document["annotations"]:
            key = (names[annotation["image_id"]], categories[annotation["category_id"]])
            exported[(*key, *annotation["bbox"])] += 1
    assert exported == expected

    yolo_out = tmp_path / "yolo"
    run("export", "bccd", "--format", "yolo", "--out", str(yolo_out), "--data-dir", str(data_dir))
    lines = [
        line.split()
        for path in (yolo_out / "labels").rglob("*.txt")
        for line in path.read_text().splitlines()
    ]
    assert len(lines) == 4888
    assert "task: detect" in (yolo_out / "data.yaml").read_text()
    run("import", "bccd-yolo", str(yolo_out), "--format", "yolo", "--data-dir", str(data_dir))
    reread = stored_regions(data_dir, "bccd-yolo")
    assert len(reread) == 4888
    by_image: dict[tuple, list] = {}
    for key in expected.elements():
        by_image.setdefault(key[:2], []).append(key[2:])
    for name, region in reread:
        shape = region["shape"]
        found = (shape["x"], shape["y"], shape["width"], shape["height"])
        candidates = by_image[(name.rsplit("/", 1)[-1], region["labels"][0])]
        # Six decimals of 640 x 480 give 0.0004 px; boxes past the edge are clipped.
        best = min(candidates, key=lambda box: _clipped_distance(box, found))
        assert _clipped_distance(best, found) < 1e-3
        candidates.remove(best)

    voc_out = tmp_path / "voc"
    run("export", "bccd", "--format", "voc", "--out", str(voc_out), "--data-dir", str(data_dir))
    assert voc_boxes(voc_out) == expected
    split_files = sorted(p.name for p in (voc_out / "ImageSets" / "Main").glob("*.txt"))
    assert split_files[0] in ("test.txt", "train.txt")


def test_tinycoco_keeps_polygons_and_crowd_masks(data_dir: Path, tmp_path: Path, capsys):
    from pycocotools.coco import COCO

    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--format", "coco", "--data-dir", str(data_dir))
    regions = stored_regions(data_dir, "tiny")
    originals = {}
    for json_path in sorted((sample / "annotations").glob("instances_*.json")):
        for annotation in json.loads(json_path.read_text())["annotations"]:
            originals[annotation["id"]] = annotation
    polygons = [r for _, r in regions if r["shape"]["type"] == "polygon"]
    masks = [r for _, r in regions if r["shape"]["type"] == "mask"]
    expected_polygons = sum(
        len(a["segmentation"]) for a in originals.values() if isinstance(a["segmentation"], list)
    )
    assert len(polygons) == expected_polygons
    assert len(masks) == sum(1 for a in originals.values() if a["iscrowd"])
    for mask in masks:
        original = originals[mask["meta"]["coco_id"]]
        assert mask["attributes"]["iscrowd"] is True
        height, width = original["segmentation"]["size"]
        rle = coco_mask.frPyObjects(original["segmentation"], height, width)
        stored = {
            "size": mask["shape"]["rle"]["size"],
            "counts": mask["shape"]["rle"]["counts"].encode(),
        }
        assert abs(float(coco_mask.area(stored)) - float(coco_mask.area(rle))) <= 1

    out = tmp_path / "coco"
    run("export", "tiny", "--format", "coco", "--out", str(out), "--data-dir", str(data_dir))
    exported = {}
    for json_path in sorted((out / "annotations").glob("instances_*.json")):
        COCO(str(json_path))
        for annotation in json.loads(json_path.read_text())["annotations"]:
            exported[annotation["id"]] = annotation
    capsys.readouterr()
    assert set(exported) == set(originals)
    for annotation_id, original in originals.items():
        copy = exported[annotation_id]
        assert copy["bbox"] == original["bbox"]
        assert copy["category_id"] == original["category_id"]
        assert copy["iscrowd"] == original["iscrowd"]
        if isinstance(original["segmentation"], list):
            assert copy["segmentation"] == original["segmentation"]
        else:
            height, width = original["segmentation"]["size"]
            before = coco_mask.frPyObjects(original["segmentation"], height, width)
            after = {
                "size": copy["segmentation"]["size"],
                "counts": copy["segmentation"]["counts"].encode(),
            }
            assert abs(float(coco_mask.area(after)) - float(coco_mask.area(before))) <= 1
            assert abs(copy["area"] - original["area"]) <= 1


@pytest.mark.parametrize(
    ("folder", "shapes"),
    [
        # images/train/1.jpg and images/val/1.jpg are the same bytes, so one item.
        ("yolo_dataset/labels", {"bbox": 2}),
        ("yolo_dataset/annotations", {"bbox": 2}),
        ("yolo_dataset/strict", {"bbox": 2}),
        ("voc_dataset/voc_dataset1", {"bbox": 3, "mask": 1}),
        ("voc_dataset/voc_dataset3", {"bbox": 1}),
        (
            "coco_dataset/coco_person_keypoints",
            {"bbox": 1, "polygon": 1, "mask": 1, "keypoints": 3},
        ),
        ("coco_dataset/coco", {"bbox": 1, "polygon": 1, "mask": 1, "keypoints": 3, "text": 3}),
    ],
)
def test_datumaro_datasets_import_every_shape(data_dir: Path, folder: str, shapes: dict):
    sample = shared_data("formats-datumaro") / folder
    format_name = folder.split("_", 1)[0]
    run("import", "zoo", str(sample), "--format", format_name, "--data-dir", str(data_dir))
    regions = stored_regions(data_dir, "zoo")
    assert Counter(region["shape"]["type"] for _, region in regions) == shapes


def test_datumaro_coco_keypoints_schema(data_dir: Path):
    from labelloop.services.context import Context
    from labelloop.services.projects import current_schema, find_project
    from labelloop.settings import Settings

    sample = shared_data("formats-datumaro") / "coco_dataset" / "coco_person_keypoints"
    run("import", "pose", str(sample), "--format", "coco", "--data-dir", str(data_dir))
    context = Context.from_settings(Settings(data_dir=data_dir))
    with context.session() as session:
        schema = current_schema(session, find_project(session, "pose"))
    control = schema.control("keypoints")
    assert [label.name for label in control.labels] == ["a", "b"]
    assert control.labels[0].keypoints == ["1", "2", "3"]
    assert control.labels[0].skeleton == [(0, 1), (1, 2)]


def test_lsconverter_yolo_imports(data_dir: Path):
    sample = shared_data("labelstudio-yolo-lsconverter") / "test_import_yolo_data"
    output = run("import", "bus", str(sample), "--data-dir", str(data_dir))
    assert "imported 7 items" in output
    regions = stored_regions(data_dir, "bus")
    lines = sum(
        len([line for line in path.read_text().splitlines() if line.strip()])
        for path in (sample / "labels").glob("*.txt")
    )
    assert len(regions) == lines
    classes = (sample / "classes.txt").read_text().split()
    assert {region["labels"][0] for _, region in regions} <= set(classes)
