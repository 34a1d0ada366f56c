"""Label Studio JSON, brush RLE and labeling config: conversions and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.labelstudio import READER, read_labelstudio
from labelloop.domain.formats.labelstudio_brush import decode_brush, encode_brush
from labelloop.domain.formats.labelstudio_config import (
    parse_label_config,
    schema_to_label_config,
)
from labelloop.domain.masks import decode_rle

CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="boxes" toName="image">
    <Label value="car" background="red" hotkey="c"/>
    <Label value="bus" background="rgba(0, 128, 255, 0.5)"/>
  </RectangleLabels>
  <PolygonLabels name="outline" toName="image"><Label value="road"/></PolygonLabels>
  <KeyPointLabels name="points" toName="image"><Label value="eye"/></KeyPointLabels>
  <BrushLabels name="paint" toName="image"><Label value="sky" background="#00f"/></BrushLabels>
  <Choices name="weather" toName="image" choice="multiple">
    <Choice value="rain" hotkey="r"/><Choice value="fog"/>
  </Choices>
  <Choices name="time" toName="image"><Choice value="day"/><Choice value="night"/></Choices>
  <TextArea name="caption" toName="image"/>
</View>"""


def task(results: list[dict], image: str = "/data/upload/1/3f2a9c1d-street.jpg", **extra) -> dict:
    return {
        "id": 7,
        "data": {"image": image},
        "annotations": [{"id": 1, "result": results}],
        **extra,
    }


def result(kind: str, value: dict, width: int = 200, height: int = 100, **extra) -> dict:
    return {
        "id": "r1",
        "type": kind,
        "from_name": "label",
        "to_name": "image",
        "value": value,
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
        **extra,
    }


def read(tasks: list[dict], **options):
    return read_labelstudio(json.dumps(tasks).encode(), "export.json", **options)


def test_config_becomes_schema():
    schema = parse_label_config(CONFIG, "config.xml")
    by_name = {control.name: control for control in schema.controls}
    assert [c.type for c in schema.controls] == [
        "bbox",
        "polygon",
        "keypoints",
        "mask",
        "choice",
        "choice",
        "text",
    ]
    assert by_name["boxes"].labels[0].color == "#ff0000"
    assert by_name["boxes"].labels[0].hotkey == "c"
    assert by_name["boxes"].labels[1].color == "#0080ff"
    assert by_name["paint"].labels[0].color == "#0000ff"
    assert by_name["weather"].multiple is True
    assert by_name["time"].multiple is False
    assert by_name["weather"].label_names() == ["rain", "fog"]


def test_schema_to_config_and_back():
    schema = parse_label_config(CONFIG, "config.xml")
    again = parse_label_config(schema_to_label_config(schema), "written.xml")
    assert again == schema


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ("<View><Image name='i' value='$i'/><Pairwise name='p'/></View>", "<Pairwise"),
        ("<View><Image name='i' value='$i'/></View>", "no control tags"),
        ("<View><RectangleLabels toName='i'><Label value='a'/></RectangleLabels></View>", "name"),
        (
            "<View><Choices name='c' toName='i'><Choice value='a' hotkey='1'/></Choices>"
            "<Choices name='d' toName='i'><Choice value='b' hotkey='1'/></Choices></View>",
            "hotkey '1' is bound to both",
        ),
        ("<View><Image name='i'", "invalid XML at line 1"),
        ("<!DOCTYPE v [<!ENTITY e 'x'>]><View>&e;</View>", "declares a DTD or entities"),
    ],
)
def test_bad_config_is_rejected(config: str, fragment: str):
    with pytest.raises(InvalidInput, match="config.xml") as error:
        parse_label_config(config, "config.xml")
    assert fragment in error.value.detail


def test_brush_round_trip_and_truncation():
    mask = np.zeros((30, 50), dtype=bool)
    mask[5:20, 10:40] = True
    mask[25, 3] = True
    packed = encode_brush(mask)
    assert np.array_equal(decode_brush(packed, 30, 50), mask)
    with pytest.raises(InvalidInput, match="ends in the middle"):
        decode_brush(packed[: len(packed) // 2], 30, 50)
    with pytest.raises(InvalidInput, match="contains 6000 values"):
        decode_brush(packed, 31, 50)


def test_brush_literal_chunks_are_read():
    # Hand-packed stream: 8 values (a 1x2 RGBA image), 8-bit words, field sizes
    # 3, 4, 8, 16; one literal chunk of 4 words, then a run of 4 words of 255.
    bits = format(8, "032b") + format(7, "05b") + "0010" + "0011" + "0111" + "1111"
    bits += "0" + "00" + format(3, "03b") + "".join(format(v, "08b") for v in (9, 9, 9, 200))
    bits += "1" + "00" + format(3, "03b") + format(255, "08b")
    bits += "0" * (-len(bits) % 8)
    packed = list(int(bits, 2).to_bytes(len(bits) // 8, "big"))
    assert decode_brush(packed, 1, 2).tolist() == [[True, True]]


def test_rectangle_percent_and_rotation():
    value = {
        "x": 50,
        "y": 50,
        "width": 10,
        "height": 10,
        "rotation": 90,
        "rectanglelabels": ["car"],
    }
    images, controls = read([task([result("rectanglelabels", value)])])
    shape = images[0].regions[0]["shape"]
    assert shape["width"] == pytest.approx(20)
    assert shape["height"] == pytest.approx(10)
    assert shape["x"] + 10 == pytest.approx(95)
    assert shape["y"] + 5 == pytest.approx(60)
    assert shape["rotation"] == pytest.approx(90)
    assert controls[0]["name"] == "objects"


def test_results_of_each_type():
    mask = np.zeros((100, 200), dtype=bool)
    mask[10:20, 30:60] = True
    results = [
        result("polygonlabels", {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["a"]}),
        {
            **result("keypointlabels", {"x": 10, "y": 20, "width": 1, "keypointlabels": ["eye"]}),
            "id": "k",
        },
        {
            **result(
                "brushlabels", {"format": "rle", "rle": encode_brush(mask), "brushlabels": ["sky"]}
            ),
            "id": "b",
        },
        {**result("choices", {"choices": ["rain", "fog"]}), "id": "c", "from_name": "weather"},
        {**result("textarea", {"text": ["two", "lines"]}), "id": "t", "from_name": "caption"},
        {**result("textarea", {"text": ["per region"]}), "id": "k", "from_name": "note"},
    ]
    regions = read([task(results)])[0][0].regions
    assert regions[0]["shape"]["points"] == [0.0, 0.0, 100.0, 0.0, 100.0, 50.0]
    assert regions[1]["shape"]["points"] == [20.0, 20.0, 2.0]
    assert regions[1]["attributes"] == {"note": "per region"}
    assert np.array_equal(decode_rle(regions[2]["shape"]["rle"]), mask)
    assert regions[3]["labels"] == ["rain", "fog"]
    assert regions[4]["shape"] == {"type": "text", "value": "two\nlines"}
    assert len(regions) == 5


def test_predictions_are_read_with_scores_when_requested():
    value = {"x": 1, "y": 1, "width": 5, "height": 5, "rectanglelabels": ["car"]}
    one = task([], predictions=[{"result": [result("rectanglelabels", value)], "score": 0.8}])
    assert read([one])[0][0].regions == []
    regions = read([one], predictions=True)[0][0].regions
    assert regions[0]["score"] == pytest.approx(0.8)


def test_ground_truth_annotation_is_chosen():
    value = {"x": 1, "y": 1, "width": 5, "height": 5, "rectanglelabels": ["car"]}
    other = {**value, "rectanglelabels": ["bus"]}
    entry = task([result("rectanglelabels", value)])
    entry["annotations"].append(
        {"id": 2, "ground_truth": True, "result": [result("rectanglelabels", other)]}
    )
    image = read([entry])[0][0]
    assert image.regions[0]["labels"] == ["bus"]
    assert image.meta["labelstudio_other_annotations"] == [1]


def test_upload_prefix_is_dropped_when_only_the_name_exists(tmp_path: Path):
    (tmp_path / "street.jpg").write_bytes(b"x")
    images, _ = read([task([])], image_root=tmp_path)
    assert images[0].file_name == "street.jpg"
    images, _ = read([task([])])
    assert images[0].file_name == "3f2a9c1d-street.jpg"


@pytest.mark.parametrize(
    ("tasks", "fragment"),
    [
        (
            [
                task(
                    [
                        result(
                            "rectanglelabels",
                            {"x": 1, "y": 1, "width": 0, "height": 3, "rectanglelabels": ["a"]},
                        )
                    ]
                )
            ],
            "greater than 0",
        ),
        ([task([], image="../../etc/passwd")], "without '..'"),
        ([{"id": 3, "data": {"text": "hello"}}], "task 3: data has no 'image'"),
        (
            [
                task(
                    [
                        {
                            **result(
                                "brushlabels",
                                {"format": "rle", "rle": [1, 2, 3], "brushlabels": ["a"]},
                            )
                        }
                    ]
                )
            ],
            "brush RLE",
        ),
        (
            [
                task(
                    [
                        result(
                            "rectanglelabels",
                            {"x": 1, "y": 1, "width": 2, "height": 3, "rectanglelabels": ["a"]},
                            image_rotation=90,
                        )
                    ]
                )
            ],
            "image_rotation",
        ),
        (
            [task([{**result("polygonlabels", {"points": [[1, 1]], "polygonlabels": ["a"]})}])],
            "at least 3 points",
        ),
        ([task([{"id": "x", "type": "hypertextlabels", "value": {}}])], "'hypertextlabels'"),
    ],
)
def test_bad_task_is_reported(tasks: list, fragment: str):
    with pytest.raises(InvalidInput, match="export.json: invalid Label Studio export") as error:
        read(tasks)
    assert fragment in error.value.detail


def test_missing_size_without_image_is_reported():
    value = {"x": 1, "y": 1, "width": 2, "height": 3, "rectanglelabels": ["a"]}
    bare = {"id": "r", "type": "rectanglelabels", "value": value}
    with pytest.raises(InvalidInput, match="original_width and original_height are missing"):
        read([task([bare])])


def test_nan_coordinate_is_reported_with_task():
    text = json.dumps([task([result("keypointlabels", {"x": 1, "y": 2, "keypointlabels": ["e"]})])])
    text = text.replace('"x": 1', '"x": NaN')
    with pytest.raises(InvalidInput, match="task 7 result 'r1': x, y must be finite numbers"):
        read_labelstudio(text.encode(), "export.json")


def test_truncated_json_names_line():
    with pytest.raises(InvalidInput, match=r"cut.json: invalid JSON at line 2, column"):
        read_labelstudio(b'[{"id": 1,\n "data": ', "cut.json")


def test_reader_uses_config_beside_export(tmp_path: Path):
    (tmp_path / "label_config.xml").write_text(CONFIG)
    value = {"x": 1, "y": 1, "width": 2, "height": 3, "rectanglelabels": ["car"]}
    entry = task([{**result("rectanglelabels", value), "from_name": "boxes"}])
    (tmp_path / "export.json").write_text(json.dumps([entry]))
    assert READER.detect(tmp_path)
    dataset = READER.read(tmp_path, None)[0]
    boxes = next(spec for spec in dataset.controls if spec["type"] == "bbox")
    assert boxes["labels"][0]["hotkey"] == "c"
    assert dataset.images[0].regions[0]["control"] == boxes["name"]
