"""The CLI's import and export on the real COCO sample, through a subprocess-free runner."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labelloop.cli import app
from tests.conftest import shared_data
from tests.helpers import BOX_SCHEMA

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def coco_file_boxes(json_path: Path) -> tuple[dict, Counter]:
    document = json.loads(json_path.read_text())
    names = {image["id"]: image["file_name"] for image in document["images"]}
    categories = {category["id"]: category["name"] for category in document["categories"]}
    boxes = Counter(
        (names[a["image_id"]], categories[a["category_id"]], *(round(v, 2) for v in a["bbox"]))
        for a in document["annotations"]
    )
    return document, boxes


def test_import_tinycoco_counts_match_file(data_dir: Path):
    sample = shared_data("coco-tinycoco")
    output = run("import", "tiny", str(sample), "--format", "coco", "--data-dir", str(data_dir))
    expected_images = 0
    expected_boxes = 0
    expected_names: set[str] = set()
    for json_path in sorted((sample / "annotations").glob("*.json")):
        document = json.loads(json_path.read_text())
        expected_images += len(document["images"])
        expected_boxes += len(document["annotations"])
        expected_names |= {c["name"] for c in document["categories"]}
    assert f"imported {expected_images} items with" in output

    from sqlalchemy import func, select

    from labelloop.db.models import Annotation, Item
    from labelloop.services.context import Context
    from labelloop.services.projects import current_schema, find_project
    from labelloop.settings import Settings

    app_context = Context.from_settings(Settings(data_dir=data_dir))
    with app_context.session() as session:
        project = find_project(session, "tiny")
        items = session.scalar(select(func.count()).where(Item.project_id == project.id))
        results = session.scalars(
            select(Annotation.result).where(Annotation.project_id == project.id)
        )
        # An object drawn as several polygons is several regions with one COCO id.
        objects = {
            (region["meta"]["coco_id"]) for result in results for region in result["regions"]
        }
        boxes = len(objects)
        labels = set(current_schema(session, project).control("objects").label_names())
    assert items == expected_images
    assert boxes == expected_boxes
    assert labels == expected_names


def test_import_is_idempotent(data_dir: Path):
    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--data-dir", str(data_dir))
    again = run("import", "tiny", str(sample), "--data-dir", str(data_dir))
    assert "imported 0 items" in again


def test_coco_boxes_survive_import_then_export(data_dir: Path, tmp_path: Path):
    from pycocotools.coco import COCO

    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--data-dir", str(data_dir))
    out = tmp_path / "export"
    run(
        "export",
        "tiny",
        "--format",
        "coco",
        "--out",
        str(out),
        "--seed",
        "7",
        "--data-dir",
        str(data_dir),
    )

    expected: Counter = Counter()
    for json_path in sorted((sample / "annotations").glob("*.json")):
        expected += coco_file_boxes(json_path)[1]
    exported: Counter = Counter()
    split_sizes = {}
    for json_path in sorted((out / "annotations").glob("instances_*.json")):
        coco = COCO(str(json_path))
        split_sizes[json_path.stem] = len(coco.getImgIds())
        exported += coco_file_boxes(json_path)[1]
        split = json_path.stem.removeprefix("instances_")
        for image in coco.loadImgs(coco.getImgIds()):
            assert (out / "images" / split / image["file_name"]).is_file()
    assert exported == expected
    assert sum(split_sizes.values()) == 38
    assert split_sizes["instances_train"] > split_sizes["instances_test"]


def test_yolo_export_layout(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--data-dir", str(data_dir))
    out = tmp_path / "yolo"
    run("export", "tiny", "--format", "yolo", "--out", str(out), "--data-dir", str(data_dir))
    data_yaml = (out / "data.yaml").read_text()
    assert "train: images/train" in data_yaml
    # The sample's objects are polygons and crowd masks, so YOLO gets its segment task.
    assert "task: segment" in data_yaml
    label_files = list((out / "labels").rglob("*.txt"))
    image_files = list((out / "images").rglob("*.jpg"))
    assert len(label_files) == len(image_files) == 38
    lines = [line for path in label_files for line in path.read_text().splitlines()]
    assert len(lines) >= sum(
        len(json.loads(p.read_text())["annotations"])
        for p in (sample / "annotations").glob("*.json")
    )
    for line in lines:
        values = [float(v) for v in line.split()[1:]]
        assert len(values) >= 6
        assert len(values) % 2 == 0
        assert all(0.0 <= v <= 1.0 for v in values)


def test_export_split_is_seeded(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--data-dir", str(data_dir))

    def split_files(seed: str, name: str) -> dict[str, list[str]]:
        out = tmp_path / name
        run("export", "tiny", "--out", str(out), "--seed", seed, "--data-dir", str(data_dir))
        return {d.name: sorted(p.name for p in d.iterdir()) for d in (out / "images").iterdir()}

    assert split_files("3", "a") == split_files("3", "b")
    assert split_files("3", "a") != split_files("4", "c")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["export", "tiny", "--out", "x", "--format", "tiff"], "'tiff' is not supported"),
        (["export", "tiny", "--out", "x", "--split", "0.5,0.5"], "(0.5, 0.5)"),
        (["export", "nope", "--out", "x"], "project 'nope' not found"),
        (["import", "tiny", "/does/not/exist"], "does not exist"),
    ],
)
def test_bad_cli_input_names_value(data_dir: Path, args: list[str], fragment: str):
    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--data-dir", str(data_dir))
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert fragment in result.output


def test_export_without_labels_is_an_error(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(BOX_SCHEMA))
    run("create-project", "plain", "--schema", str(schema), "--data-dir", str(data_dir))
    output = run("import", "plain", str(sample / "images" / "val2017"), "--data-dir", str(data_dir))
    assert "imported 6 items" in output
    result = runner.invoke(
        app, ["export", "plain", "--out", str(tmp_path / "o"), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 1
    assert "no submitted annotations" in result.output


def test_create_project_rejects_bad_schema(data_dir: Path, tmp_path: Path):
    schema = tmp_path / "schema.json"
    schema.write_text('{"controls": [')
    result = runner.invoke(
        app, ["create-project", "p", "--schema", str(schema), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 1
    assert "invalid JSON at line 1" in result.output


def test_labels_attach_to_images_imported_before(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(BOX_SCHEMA))
    run("create-project", "later", "--schema", str(schema), "--data-dir", str(data_dir))
    run("import", "later", str(sample / "images" / "val2017"), "--data-dir", str(data_dir))
    json_path = sample / "annotations" / "instances_val2017.json"
    images = sample / "images" / "val2017"
    output = run(
        "import", "later", str(json_path), "--images", str(images), "--data-dir", str(data_dir)
    )
    assert "imported 0 items with 6 annotations" in output
    again = run(
        "import", "later", str(json_path), "--images", str(images), "--data-dir", str(data_dir)
    )
    assert "imported 0 items with 0 annotations" in again
    listing = run("projects", "--data-dir", str(data_dir))
    assert "later\t6 items, 6 submitted" in listing


def test_cli_errors_keep_bracketed_values(data_dir: Path, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 2]}],
                "categories": [{"id": 1, "name": "x"}],
            }
        )
    )
    result = runner.invoke(app, ["import", "p", str(bad), "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "[0, 0, -1, 2]" in result.output.replace("\n", "")


def test_export_onto_an_existing_file_is_an_error(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    run("import", "tiny", str(sample), "--data-dir", str(data_dir))
    taken = tmp_path / "taken.txt"
    taken.write_text("keep me")
    result = runner.invoke(
        app, ["export", "tiny", "--out", str(taken), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 1
    assert "is a file already" in result.output
    assert taken.read_text() == "keep me"


def test_second_file_for_the_same_images_adds_its_labels(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    truth = sample / "annotations" / "instances_val2017.json"
    images = sample / "images" / "val2017"
    run("import", "tiny", str(truth), "--images", str(images), "--data-dir", str(data_dir))
    document = json.loads(truth.read_text())
    extra_box = {
        "id": 990001,
        "image_id": document["images"][0]["id"],
        "category_id": document["categories"][0]["id"],
        "bbox": [1.0, 2.0, 3.0, 4.0],
        "iscrowd": 0,
    }
    document["annotations"] = [extra_box]
    second = tmp_path / "more.json"
    second.write_text(json.dumps(document))
    output = run(
        "import", "tiny", str(second), "--images", str(images), "--data-dir", str(data_dir)
    )
    assert "with 1 annotations" in output
    again = run("import", "tiny", str(second), "--images", str(images), "--data-dir", str(data_dir))
    assert "with 0 annotations" in again

    out = tmp_path / "export"
    run("export", "tiny", "--out", str(out), "--split", "1,0,0", "--data-dir", str(data_dir))
    exported = json.loads((out / "annotations" / "instances_train.json").read_text())
    original_ids = {a["id"] for a in json.loads(truth.read_text())["annotations"]}
    exported_boxes = [a["bbox"] for a in exported["annotations"]]
    assert [1.0, 2.0, 3.0, 4.0] in exported_boxes
    assert len({a["id"] for a in exported["annotations"]} & original_ids) == len(original_ids)


def test_wrong_stated_size_or_outside_box_leaves_the_image_out(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    truth = json.loads((sample / "annotations" / "instances_val2017.json").read_text())
    first, second = truth["images"][0], truth["images"][1]
    first["width"], first["height"] = first["width"] * 10, first["height"] * 10
    truth["annotations"].append(
        {
            "id": 990002,
            "image_id": second["id"],
            "category_id": truth["categories"][0]["id"],
            "bbox": [second["width"] + 50.0, 10.0, 5.0, 5.0],
            "iscrowd": 0,
        }
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(truth))
    images = sample / "images" / "val2017"
    output = run("import", "tiny", str(bad), "--images", str(images), "--data-dir", str(data_dir))
    assert "imported 4 items" in output
    assert f"{first['file_name']}: the annotation file says" in output
    assert f"{second['file_name']}: region coco-990002" in output


def test_unused_coco_categories_keep_their_ids(data_dir: Path, tmp_path: Path):
    sample = shared_data("coco-tinycoco")
    truth = sample / "annotations" / "instances_val2017.json"
    run(
        "import",
        "tiny",
        str(truth),
        "--images",
        str(sample / "images" / "val2017"),
        "--data-dir",
        str(data_dir),
    )
    out = tmp_path / "export"
    run("export", "tiny", "--out", str(out), "--split", "1,0,0", "--data-dir", str(data_dir))
    exported = json.loads((out / "annotations" / "instances_train.json").read_text())
    original = {c["name"]: c["id"] for c in json.loads(truth.read_text())["categories"]}
    assert {c["name"]: c["id"] for c in exported["categories"]} == original
