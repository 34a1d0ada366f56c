from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.yolo import READER


def make_dataset(root: Path, yaml_text: str, labels: dict[str, str]) -> Path:
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    for stem, text in labels.items():
        Image.new("RGB", (100, 50)).save(root / "images" / "train" / f"{stem}.jpg")
        (root / "labels" / "train" / f"{stem}.txt").write_text(text)
    (root / "data.yaml").write_text(yaml_text)
    return root


def test_pose_lines_give_box_and_keypoints(tmp_path: Path):
    yaml_text = "train: images/train\nval: images/train\nkpt_shape: [2, 3]\nnames: [person]\n"
    root = make_dataset(tmp_path, yaml_text, {"a": "0 0.5 0.5 0.2 0.4 0.5 0.5 2 0 0 0\n"})
    image = READER.read(root, None)[0].images[0]
    box, points = image.regions
    assert box["shape"] == {"type": "bbox", "x": 40.0, "y": 15.0, "width": 20.0, "height": 20.0}
    assert points["shape"]["points"] == [50.0, 25.0, 2.0, 0.0, 0.0, 0.0]
    assert box["group"] == points["group"]


def test_obb_task_gives_rotated_box(tmp_path: Path):
    yaml_text = "task: obb\ntrain: images/train\nval: images/train\nnames: {0: plane}\n"
    corners = "0 0.2 0.2 0.4 0.2 0.4 0.6 0.2 0.6\n"
    root = make_dataset(tmp_path, yaml_text, {"a": corners})
    shape = READER.read(root, None)[0].images[0].regions[0]["shape"]
    assert shape == pytest.approx(
        {"type": "bbox", "x": 20.0, "y": 10.0, "width": 20.0, "height": 20.0}
    )


def test_one_bad_file_imports_nothing(tmp_path: Path):
    yaml_text = "train: images/train\nval: images/train\nnames: [a, b]\n"
    labels = {"good": "0 0.5 0.5 0.1 0.1\n", "bad": "1 nan 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1\n"}
    root = make_dataset(tmp_path, yaml_text, labels)
    with pytest.raises(InvalidInput) as caught:
        READER.read(root, None)
    assert "labels/train/bad.txt: invalid YOLO labels (2 problems)" in caught.value.detail
    assert "line 2: class 7 is out of range" in caught.value.detail


def test_yaml_path_outside_is_rejected(tmp_path: Path):
    yaml_text = "train: ../../etc\nval: images/train\nnames: [a]\n"
    root = make_dataset(tmp_path / "d", yaml_text, {})
    with pytest.raises(InvalidInput, match="points outside the dataset folder"):
        READER.read(root, None)


def test_invalid_yaml_names_line(tmp_path: Path):
    root = make_dataset(tmp_path, "names: [a\ntrain: x\n", {})
    with pytest.raises(InvalidInput, match=r"data\.yaml: invalid YAML at line \d"):
        READER.read(root, None)


def test_classify_layout_keeps_sorted_classes(tmp_path: Path):
    for split, label in (("train", "zebra"), ("val", "ant"), ("train", "ant")):
        folder = tmp_path / split / label
        folder.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8)).save(folder / f"{split}-{label}.jpg")
    dataset = READER.read(tmp_path, None)[0]
    assert [label["name"] for label in dataset.controls[0]["labels"]] == ["ant", "zebra"]
    assert {image.meta["split"] for image in dataset.images} == {"train", "validation"}
