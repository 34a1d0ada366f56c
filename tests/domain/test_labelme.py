"""LabelMe JSON: every shape type, and rejecting bad or hostile files."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.labelme import READER, read_labelme
from labelloop.domain.masks import decode_rle


def labelme(shapes: list[dict], **extra) -> str:
    document = {
        "version": "5.5.0",
        "flags": {},
        "shapes": shapes,
        "imagePath": "a.jpg",
        "imageData": None,
        "imageHeight": 10,
        "imageWidth": 20,
    }
    document.update(extra)
    return json.dumps(document)


def shape(shape_type: str, points: list, label: str = "cat", **extra) -> dict:
    return {
        "label": label,
        "points": points,
        "group_id": None,
        "shape_type": shape_type,
        "flags": {},
        **extra,
    }


def png_base64(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array.astype(np.uint8) * 255, mode="L").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_every_shape_type():
    mask = np.array([[1, 0, 1], [0, 1, 1]], dtype=bool)
    shapes = [
        shape("rectangle", [[5, 6], [1, 2]], group_id=3, flags={"truncated": True}),
        shape("polygon", [[0, 0], [4, 0], [4, 4]], description="left one"),
        shape("line", [[0, 0], [4, 4]]),
        shape("linestrip", [[0, 0], [4, 4], [6, 1]]),
        shape("point", [[3, 3]]),
        shape("circle", [[10, 5], [13, 9]]),
        shape("mask", [[4, 1], [6, 2]], mask=png_base64(mask)),
    ]
    image = read_labelme(labelme(shapes, flags={"night": True, "blurry": False}), "a.json")
    regions = image.regions
    assert regions[0]["shape"] == {"type": "bbox", "x": 1.0, "y": 2.0, "width": 4.0, "height": 4.0}
    assert regions[0]["group"] == 3
    assert regions[0]["attributes"] == {"truncated": True}
    assert regions[1]["attributes"] == {"description": "left one"}
    assert regions[2]["shape"]["type"] == "polyline"
    assert regions[3]["shape"]["points"] == [0.0, 0.0, 4.0, 4.0, 6.0, 1.0]
    assert regions[4]["shape"] == {"type": "keypoints", "points": [3.0, 3.0, 2.0]}
    assert regions[5]["shape"]["rx"] == pytest.approx(5.0)
    full = decode_rle(regions[6]["shape"]["rle"])
    assert full.shape == (10, 20)
    assert np.array_equal(full[1:3, 4:7], mask)
    assert full.sum() == mask.sum()
    assert regions[7]["labels"] == ["night"]
    assert regions[7]["shape"] == {"type": "choice"}


@pytest.mark.parametrize(
    ("shapes", "fragment"),
    [
        ([shape("hexagon", [[0, 0]])], "shape_type 'hexagon' is not one of"),
        ([shape("polygon", [[0, 0], [1, 1]])], "points must be at least 3"),
        ([shape("rectangle", [[1, 1], [1, 5]])], "empty box"),
        ([shape("polygon", [[0, 0], [1, "x"], [2, 2]])], "finite numbers"),
        ([shape("circle", [[1, 1], [1, 1]])], "radius is 0"),
        ([shape("mask", [[0, 0], [1, 1]], mask="not base64!")], "not a base64 PNG"),
        (
            [shape("mask", [[18, 0], [20, 2]], mask=png_base64(np.ones((3, 3))))],
            "does not fit in the 20x10 image",
        ),
        ([shape("point", [[1, 1]], label="")], "label is missing"),
    ],
)
def test_bad_shape_is_reported(shapes: list, fragment: str):
    with pytest.raises(InvalidInput, match="bad.json: invalid LabelMe file") as error:
        read_labelme(labelme(shapes), "bad.json")
    assert fragment in error.value.detail
    assert "shapes[0]" in error.value.detail


def test_nan_coordinate_is_reported():
    text = labelme([shape("point", [[1, 1]])]).replace("[1, 1]", "[NaN, 1]")
    with pytest.raises(InvalidInput, match="shapes\\[0\\]"):
        read_labelme(text.encode(), "nan.json")


def test_truncated_json_names_line_and_column():
    text = labelme([shape("point", [[1, 1]])])
    with pytest.raises(InvalidInput, match=r"cut.json: invalid JSON at line 1, column \d+"):
        read_labelme(text[:40].encode(), "cut.json")


def test_bom_is_accepted():
    image = read_labelme(b"\xef\xbb\xbf" + labelme([]).encode(), "bom.json")
    assert image.file_name == "a.jpg"


@pytest.mark.parametrize("path", ["../x.jpg", "/abs/x.jpg", "..\\x.jpg"])
def test_escaping_image_path_is_rejected(path: str):
    with pytest.raises(InvalidInput, match="leaves the image folder"):
        read_labelme(labelme([], imagePath=path), "a.json")
    image = read_labelme(labelme([], imagePath=path), "a.json", match_by_name=True)
    assert image.file_name == "x.jpg"


def test_image_path_joins_json_folder():
    image = read_labelme(labelme([], imagePath="../img/a.jpg"), "sub/a.json", folder="sub")
    assert image.file_name == "img/a.jpg"


def test_folder_reader_lists_every_bad_file(tmp_path: Path):
    (tmp_path / "good.json").write_text(labelme([shape("point", [[1, 1]])]))
    (tmp_path / "bad.json").write_text(labelme([shape("polygon", [[1, 1]])]))
    assert READER.detect(tmp_path)
    with pytest.raises(InvalidInput, match="bad.json: invalid LabelMe file"):
        READER.read(tmp_path, None)
