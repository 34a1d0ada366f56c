"""Real CVAT and Label Studio exports from the shared sample data: every shape is
imported, counted from the source files independently, and survives the CLI's
import, export and import again."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from labelloop.cli import app
from labelloop.domain.formats import cvat, labelme, labelstudio
from tests.conftest import shared_data

runner = CliRunner()
CVAT_SHAPES = {"box", "polygon", "polyline", "points", "mask", "ellipse", "tag"}
LS_EXPORTS = [
    ("test_export_yolo", "data.json", "label_config.xml"),
    ("test_export_yolo", "data_obb.json", "label_config_obb.xml"),
    ("test_export_yolo", "data_polygons.json", "label_config_polygons.xml"),
    ("test_export_json_min", "data.json", "label_config.xml"),
]


def cvat_shape_counts(xml_file: Path) -> Counter:
    """Count shapes per image element of a trusted sample file with the standard parser."""
    counts: Counter = Counter()
    for image in ElementTree.parse(xml_file).getroot().iter("image"):
        key = (image.get("subset", ""), image.get("name"))
        counts[key] += sum(1 for child in image if child.tag in CVAT_SHAPES)
    return counts


@pytest.mark.parametrize("export", ["export_task", "export_project"])
def test_cvat_sample_imports_every_shape(export: str):
    folder = shared_data("formats-datumaro") / "cvat_dataset" / "for_images" / export
    xml_file = next(folder.glob("*.xml"))
    assert cvat.READER.detect(folder)
    found: Counter = Counter()
    for dataset in cvat.READER.read(folder, None):
        for image in dataset.images:
            found[(image.meta.get("subset", ""), image.file_name)] += len(image.regions)
            assert (dataset.image_root / image.file_name).is_file()
    assert found == cvat_shape_counts(xml_file)
    assert sum(found.values()) > 0


def test_labelme_reader_does_not_claim_mit_labelme_xml():
    # The sample's labelme_dataset is the older MIT LabelMe XML format, not the
    # JSON of the labelme tool that this reader reads.
    folder = shared_data("formats-datumaro") / "labelme_dataset"
    assert not labelme.READER.detect(folder)


def chosen_result_count(task: dict) -> int:
    usable = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
    chosen = next((a for a in usable if a.get("ground_truth")), usable[0] if usable else None)
    return len(chosen["result"]) if chosen else 0


@pytest.mark.parametrize(("folder", "export", "config"), LS_EXPORTS)
def test_labelstudio_sample_imports_every_shape(folder: str, export: str, config: str, tmp_path):
    source = shared_data("labelstudio-yolo-lsconverter") / folder
    shutil.copy(source / export, tmp_path / export)
    shutil.copy(source / config, tmp_path / "label_config.xml")
    tasks = json.loads((source / export).read_text())
    datasets = labelstudio.READER.read(tmp_path / export, None)
    images = datasets[0].images
    assert len(images) == len(tasks)
    for task, image in zip(tasks, images, strict=True):
        assert len(image.regions) == chosen_result_count(task), task["id"]
        first = task["annotations"][0]["result"][0]
        assert (image.width, image.height) == (first["original_width"], first["original_height"])


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("LABELLOOP_DATABASE_URL", database_url)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.sqlite3'}")
    result = runner.invoke(app, ["init", "--data-dir", str(folder), "--password", "admin-pw-12"])
    assert result.exit_code == 0, result.output
    return folder


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def import_export_import(data_dir: Path, tmp_path: Path, fmt: str, source: Path, *extra: str):
    """Import ``source``, export it as ``fmt`` and import the export into a second project."""
    first = run(
        "import", "first", str(source), "--format", fmt, *extra, "--data-dir", str(data_dir)
    )
    out = tmp_path / f"export-{fmt}"
    run("export", "first", "--format", fmt, "--out", str(out), "--data-dir", str(data_dir))
    second = run("import", "second", str(out), "--format", fmt, "--data-dir", str(data_dir))
    return first, second, out


def test_cvat_cli_round_trip(data_dir: Path, tmp_path: Path):
    folder = shared_data("formats-datumaro") / "cvat_dataset" / "for_images" / "export_task"
    first, second, out = import_export_import(data_dir, tmp_path, "cvat", folder)
    assert "imported 2 items with 2 annotations" in first
    assert "imported 2 items with 2 annotations" in second
    assert cvat_shape_counts(out / "annotations.xml").total() == 4 - 2
    # The two shapes without a label are left out, because CVAT shapes need one.


def test_labelstudio_cli_round_trip(data_dir: Path, tmp_path: Path):
    source = shared_data("labelstudio-yolo-lsconverter") / "test_export_yolo"
    export = tmp_path / "ls"
    export.mkdir()
    shutil.copy(source / "data_obb.json", export / "data_obb.json")
    shutil.copy(source / "label_config_obb.xml", export / "label_config.xml")
    tasks = json.loads((source / "data_obb.json").read_text())
    images = tmp_path / "images"
    images.mkdir()
    for index, task in enumerate(tasks):
        first = task["annotations"][0]["result"][0]
        size = (first["original_width"], first["original_height"])
        name = task["data"]["image"].rsplit("/", 1)[-1]
        Image.new("RGB", size, (index * 40, 90, 160)).save(images / name, "PNG")
    expected = sum(chosen_result_count(task) for task in tasks)
    _, second, out = import_export_import(
        data_dir, tmp_path, "labelstudio", export, "--images", str(images)
    )
    assert f"imported {len(tasks)} items with {len(tasks)} annotations" in second
    written = json.loads((out / "tasks.json").read_text())
    assert sum(len(task["annotations"][0]["result"]) for task in written) == expected


def test_create_project_from_label_studio_config(data_dir: Path):
    config = shared_data("labelstudio-yolo-lsconverter") / "test_export_yolo" / "label_config.xml"
    output = run(
        "create-project", "ls", "--label-studio-config", str(config), "--data-dir", str(data_dir)
    )
    assert "created project 'ls'" in output
    both = runner.invoke(
        app,
        ["create-project", "x", "--schema", str(config), "--label-studio-config", str(config),
         "--data-dir", str(data_dir)],
    )  # fmt: skip
    assert both.exit_code == 1
    assert "exactly one of --schema and --label-studio-config" in both.output


def test_schema_from_label_studio_endpoint(client):
    config = shared_data("labelstudio-yolo-lsconverter") / "test_export_yolo" / "label_config.xml"
    response = client.post(
        "/api/v1/schemas/from-label-studio",
        content=config.read_bytes(),
        headers={"Content-Type": "application/xml"},
    )
    assert response.status_code == 200, response.text
    control = response.json()["controls"][0]
    assert control["type"] == "bbox"
    assert [label["name"] for label in control["labels"]] == ["parasites", "white"]
    bad = client.post(
        "/api/v1/schemas/from-label-studio",
        content=b"<!DOCTYPE v [<!ENTITY e 'x'>]><View>&e;</View>",
        headers={"Content-Type": "application/xml"},
    )
    assert bad.status_code == 422
    assert "DTD or entities" in bad.json()["detail"]
