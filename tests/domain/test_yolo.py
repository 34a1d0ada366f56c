from __future__ import annotations

import re

import numpy as np
import pytest
import yaml
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.yolo import data_yaml, read_yolo_labels, write_yolo_labels

from .samples import require_sample

LINE = re.compile(r"\d+( (0|1)\.\d{6}){4}")


def bbox(x, y, width, height, label="cat", **extra) -> dict:
    shape = {"type": "bbox", "x": x, "y": y, "width": width, "height": height, **extra}
    return {"id": "r1", "shape": shape, "labels": [label]}


def test_write_line_format():
    text = write_yolo_labels([bbox(10, 20, 30, 40)], 100, 200, {"cat": 0})
    assert text == "0 0.250000 0.200000 0.300000 0.200000\n"
    assert LINE.fullmatch(text.strip())


def test_write_empty():
    assert write_yolo_labels([], 100, 100, {"cat": 0}) == ""


def test_write_clips_to_image():
    text = write_yolo_labels([bbox(-10, 90, 30, 40)], 100, 100, {"cat": 3})
    # Clipped to x 0..20, y 90..100.
    assert text == "3 0.100000 0.950000 0.200000 0.100000\n"


def test_write_drops_box_outside():
    assert write_yolo_labels([bbox(120, 10, 30, 40)], 100, 100, {"cat": 0}) == ""


def test_write_rotated_box_bounds():
    text = write_yolo_labels([bbox(30, 40, 40, 20, rotation=90)], 100, 100, {"cat": 0})
    # Centre (50, 50); turned 90 degrees the box spans 20 wide and 40 high.
    assert text == "0 0.500000 0.500000 0.200000 0.400000\n"


def test_write_skips_other_shapes_and_splits_labels():
    regions = [
        {"id": "c", "shape": {"type": "choice"}, "labels": ["cat"]},
        {**bbox(0, 0, 10, 10), "labels": ["cat", "dog"]},
    ]
    lines = write_yolo_labels(regions, 10, 10, {"cat": 0, "dog": 1}).splitlines()
    assert lines == [
        "0 0.500000 0.500000 1.000000 1.000000",
        "1 0.500000 0.500000 1.000000 1.000000",
    ]


def test_write_unknown_label():
    with pytest.raises(InvalidInput, match="region 'r1': label 'dog' has no class index"):
        write_yolo_labels([bbox(0, 0, 5, 5, label="dog")], 10, 10, {"cat": 0})


def test_write_bad_image_size():
    with pytest.raises(InvalidInput, match="image size must be positive"):
        write_yolo_labels([], 0, 10, {})


def test_random_round_trip():
    """Seeded random boxes inside the image come back within the 6-decimal precision."""
    rng = np.random.default_rng(123)
    names = ["cat", "dog", "bus"]
    class_index = {name: index for index, name in enumerate(names)}
    for _ in range(200):
        width, height = (int(v) for v in rng.integers(1, 5000, size=2))
        regions = []
        for index in range(int(rng.integers(1, 8))):
            x, y = rng.uniform(0, width * 0.99), rng.uniform(0, height * 0.99)
            region = bbox(
                float(x),
                float(y),
                float(rng.uniform(width * 0.001, width - x)),
                float(rng.uniform(height * 0.001, height - y)),
                label=names[int(rng.integers(0, 3))],
            )
            region["id"] = f"r{index}"
            regions.append(region)
        text = write_yolo_labels(regions, width, height, class_index)
        read = read_yolo_labels(text, width, height, names)
        assert len(read) == len(regions)
        for before, after in zip(regions, read, strict=True):
            assert after["labels"] == before["labels"]
            for key, scale in (("x", width), ("y", height), ("width", width), ("height", height)):
                assert abs(after["shape"][key] - before["shape"][key]) <= 1e-6 * scale + 1e-9


def test_read_region_fields():
    regions = read_yolo_labels(
        "\n1 0.5 0.5 0.2 0.4 0.87\n", 100, 50, ["cat", "dog"], control="boxes"
    )
    assert regions == [
        {
            "id": "yolo-2",
            "control": "boxes",
            "shape": {"type": "bbox", "x": 40.0, "y": 15.0, "width": 20.0, "height": 20.0},
            "labels": ["dog"],
            "attributes": {},
            "score": 0.87,
            "group": None,
        }
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("5 0.5 0.5 0.1 0.1", "line 1: class 5 is out of range; data.yaml names 2 classes"),
        ("x 0.5 0.5 0.1 0.1", "line 1: class must be an integer"),
        ("0 0.5 0.5 0.1", "line 1: expected 'class cx cy w h'"),
        ("0 0.1 0.1 0.2 0.1 0.2 0.3 0.4", "line 1: expected 'class cx cy w h'"),
        ("0 1.5 0.5 0.1 0.1", "line 1: values must be normalised to [0, 1]"),
        ("0 nan 0.5 0.1 0.1", "line 1: values must be finite numbers"),
        ("0 0.5 0.5 0 0.1", "line 1: box width and height must be greater than 0"),
    ],
)
def test_read_errors(line, expected):
    with pytest.raises(InvalidInput) as caught:
        read_yolo_labels(line, 100, 100, ["cat", "dog"], source_name="img_1.txt")
    assert caught.value.detail.startswith("img_1.txt: invalid YOLO labels")
    assert expected in caught.value.detail


def test_real_sample_round_trip():
    folder = require_sample("labelstudio-yolo-lsconverter") / "test_import_yolo_data"
    names = (folder / "classes.txt").read_text(encoding="utf-8").split()
    assert names == ["closed_door", "opened_door", "bus", "number"]
    class_index = {name: index for index, name in enumerate(names)}
    label_files = sorted((folder / "labels").glob("*.txt"))
    assert len(label_files) == 7
    for label_file in label_files:
        image_path = next((folder / "images").glob(label_file.stem + ".*"))
        with Image.open(image_path) as image:
            width, height = image.size
        text = label_file.read_text(encoding="utf-8")
        regions = read_yolo_labels(text, width, height, names, source_name=label_file.name)
        assert len(regions) == len([line for line in text.splitlines() if line.strip()])

        written = write_yolo_labels(regions, width, height, class_index)
        original = [line.split() for line in text.splitlines() if line.strip()]
        copied = [line.split() for line in written.splitlines()]
        assert len(copied) == len(original)
        for before, after in zip(original, copied, strict=True):
            assert after[0] == before[0]
            for old, new in zip(before[1:], after[1:], strict=True):
                assert abs(float(old) - float(new)) <= 5e-7 + 1e-12, label_file.name


def test_data_yaml_layout():
    text = data_yaml(["person", "traffic light"], None)
    assert text == (
        "train: images/train\n"
        "val: images/validation\n"
        "test: images/test\n"
        "names:\n"
        "  0: person\n"
        "  1: traffic light\n"
    )


def test_data_yaml_quotes_tricky_names():
    names = [
        "yes",
        "No",
        "null",
        "~",
        "1",
        "3.5",
        "a: b",
        "# tag",
        'say "hi"',
        "back\\slash",
        " padded ",
        "-dash",
        "[list]",
        "{map}",
        "emoji 🐱",
        "tab\there",
        "line\nbreak",
        "ünïcode",
        "*alias",
        "&anchor",
        "!tag",
        "%percent",
        "@at",
        "`tick",
        "'single'",
        "x\u2028y",
        "\x7f",
    ]
    splits = {"train": "images/train", "val": "images/val 2"}
    loaded = yaml.safe_load(data_yaml(names, splits))
    assert loaded["names"] == dict(enumerate(names))
    assert loaded["train"] == "images/train"
    assert loaded["val"] == "images/val 2"
    assert "test" not in loaded
    assert "path" not in loaded


def test_data_yaml_no_names():
    assert yaml.safe_load(data_yaml([], None))["names"] == {}


@pytest.mark.parametrize(
    ("names", "splits", "expected"),
    [
        (["a"], {"train": "t", "validation": "v"}, "split keys ['validation'] are not known"),
        (["a"], {"train": "t"}, "needs the val split"),
        (["a", ""], None, "class 1 has an empty name"),
    ],
)
def test_data_yaml_errors(names, splits, expected):
    with pytest.raises(InvalidInput, match=re.escape(expected)):
        data_yaml(names, splits)
