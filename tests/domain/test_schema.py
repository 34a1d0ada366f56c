from __future__ import annotations

import math

import pytest

from labelloop.domain.errors import InvalidInput
from labelloop.domain.schema import (
    PALETTE,
    Control,
    LabelDef,
    LabelSchema,
    parse_schema,
    validate_result,
)


def make_schema() -> LabelSchema:
    return LabelSchema(
        controls=[
            Control(
                name="objects",
                type="bbox",
                labels=[LabelDef(name="person", hotkey="1"), LabelDef(name="car", hotkey="2")],
            ),
            Control(name="weather", type="choice", labels=[LabelDef(name="sunny")]),
            Control(
                name="tags",
                type="choice",
                multiple=True,
                labels=[LabelDef(name="blurry"), LabelDef(name="dark")],
            ),
            Control(name="outline", type="polygon", labels=[LabelDef(name="road")]),
            Control(name="caption", type="text"),
        ]
    )


def bbox_region(**changes) -> dict:
    region = {
        "id": "r1",
        "control": "objects",
        "shape": {"type": "bbox", "x": 10, "y": 20, "width": 30, "height": 40},
        "labels": ["person"],
    }
    region.update(changes)
    return region


def problems_of(result: dict, schema: LabelSchema | None = None) -> str:
    with pytest.raises(InvalidInput) as caught:
        validate_result(schema or make_schema(), result)
    return caught.value.detail


# --- schema ---------------------------------------------------------------


def test_schema_defaults():
    schema = make_schema()
    assert schema.data_type == "image"
    objects = schema.control("objects")
    assert objects.multiple is False
    assert objects.rules == {}
    assert [label.color for label in objects.labels] == list(PALETTE[:2])


def test_schema_palette_wraps():
    labels = [LabelDef(name=f"class {i}") for i in range(len(PALETTE) + 1)]
    control = Control(name="objects", type="bbox", labels=labels)
    assert control.labels[-1].color == PALETTE[0]


def test_label_color_normalised():
    assert LabelDef(name="a", color="#ABC").color == "#aabbcc"
    assert LabelDef(name="a", color="#FF0000").color == "#ff0000"


def test_label_color_invalid():
    with pytest.raises(ValueError, match="color 'red' is not a hex colour"):
        LabelDef(name="a", color="red")


def test_schema_helpers():
    schema = make_schema()
    assert schema.control("weather").type == "choice"
    assert schema.first_control("choice").name == "weather"
    assert schema.first_control("bbox").name == "objects"
    assert schema.first_control("cuboid") is None


def test_schema_control_missing():
    with pytest.raises(InvalidInput, match="control 'boxes' is not in the label schema"):
        make_schema().control("boxes")


def test_parse_schema_from_dict():
    schema = parse_schema(
        {
            "data_type": "image",
            "controls": [{"name": "objects", "type": "bbox", "labels": [{"name": "cat"}]}],
        }
    )
    assert schema.controls[0].labels[0].color == PALETTE[0]
    assert schema.controls[0].labels[0].hotkey is None


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"controls": []}, "the schema has no controls"),
        ({}, "controls: Field required"),
        (
            {"controls": [{"name": "a", "type": "bbox", "labels": [{"name": "x"}]}] * 2},
            "control name 'a' is used twice",
        ),
        (
            {"controls": [{"name": "a", "type": "bbox", "labels": [{"name": "x"}] * 2}]},
            "control 'a' has label 'x' twice",
        ),
        (
            {
                "controls": [
                    {"name": "a", "type": "bbox", "labels": [{"name": "x", "hotkey": "q"}]},
                    {"name": "b", "type": "choice", "labels": [{"name": "y", "hotkey": "Q"}]},
                ]
            },
            "hotkey 'Q' is bound to both a/x and b/y",
        ),
        (
            {"controls": [{"name": "a", "type": "circle", "labels": [{"name": "x"}]}]},
            "controls.0.type",
        ),
        ({"data_type": "spreadsheet", "controls": []}, "data_type"),
        (
            {"controls": [{"name": "a", "type": "bbox", "mulitple": True, "labels": []}]},
            "controls.0.mulitple: Extra inputs are not permitted",
        ),
        (
            {"controls": [{"name": " ", "type": "text"}]},
            "controls.0.name",
        ),
    ],
)
def test_parse_schema_errors(payload, expected):
    with pytest.raises(InvalidInput) as caught:
        parse_schema(payload)
    assert caught.value.detail.startswith("invalid label schema")
    assert expected in caught.value.detail


def test_control_without_labels():
    # Importers create an empty control first and add the file's labels to it.
    assert Control(name="caption", type="text").labels == []
    assert Control(name="objects", type="bbox", labels=[]).labels == []


def test_region_of_unlabeled_control():
    schema = LabelSchema(controls=[Control(name="objects", type="bbox")])
    message = problems_of({"regions": [bbox_region()]}, schema)
    assert "region r1: control 'objects' has no labels, got ['person']" in message


# --- validate_result: normalisation ----------------------------------------


def test_result_normalised_copy():
    result = {"regions": [bbox_region(meta={"coco_id": 5})]}
    normalised = validate_result(make_schema(), result)
    region = normalised["regions"][0]
    assert region["attributes"] == {}
    assert region["score"] is None
    assert region["group"] is None
    assert region["meta"] == {"coco_id": 5}
    assert region["shape"] == {"type": "bbox", "x": 10.0, "y": 20.0, "width": 30.0, "height": 40.0}
    assert isinstance(region["shape"]["x"], float)
    assert normalised["relations"] == []
    assert normalised["lead_time_seconds"] is None
    assert "attributes" not in result["regions"][0]


def test_result_empty():
    assert validate_result(make_schema(), {}) == {
        "regions": [],
        "relations": [],
        "lead_time_seconds": None,
    }


def test_result_keeps_given_fields():
    result = {
        "regions": [
            bbox_region(id="r7", attributes={"occluded": False}, score=0.9, group="g1"),
            bbox_region(id="r9", labels=["car"]),
        ],
        "relations": [{"from": "r7", "to": "r9", "label": "drives"}],
        "lead_time_seconds": 14.2,
    }
    normalised = validate_result(make_schema(), result)
    assert normalised["regions"][0]["attributes"] == {"occluded": False}
    assert normalised["regions"][0]["score"] == 0.9
    assert normalised["regions"][0]["group"] == "g1"
    assert normalised["relations"] == result["relations"]
    assert normalised["lead_time_seconds"] == 14.2


def test_choice_multiple_allows_several():
    region = {
        "id": "c1",
        "control": "tags",
        "shape": {"type": "choice"},
        "labels": ["blurry", "dark"],
    }
    assert validate_result(make_schema(), {"regions": [region]})["regions"][0]["labels"] == [
        "blurry",
        "dark",
    ]


VALID_SHAPES = [
    ("polygon", {"points": [0, 0, 10, 0, 10, 10], "holes": [[1, 1, 2, 1, 2, 2]]}),
    ("polyline", {"points": [0, 0, 10, 10]}),
    ("keypoints", {"points": [5, 5, 2, 0, 0, 0]}),
    ("ellipse", {"cx": 5, "cy": 5, "rx": 2, "ry": 1}),
    ("mask", {"rle": {"size": [4, 4], "counts": "04L4"}}),
    ("span", {"start": 0, "end": 3, "text": "abc"}),
    ("time_segment", {"start": 0.5, "end": 1.5, "frame_start": 12, "frame_end": 36}),
    (
        "track",
        {
            "keyframes": [
                {"frame": 0, "shape": {"type": "bbox", "x": 0, "y": 0, "width": 5, "height": 5}},
                {
                    "frame": 10,
                    "shape": {"type": "bbox", "x": 3, "y": 0, "width": 5, "height": 5},
                    "outside": True,
                },
            ]
        },
    ),
    ("cuboid", {"center": [1, 2, 0.5], "size": [4, 2, 1.5], "yaw": 0.3}),
    ("text", {"value": "a caption"}),
    ("rating", {"value": 4}),
]


@pytest.mark.parametrize(("shape_type", "fields"), VALID_SHAPES, ids=[s[0] for s in VALID_SHAPES])
def test_valid_shape_types(shape_type, fields):
    labels = [] if shape_type in ("text", "rating") else ["x"]
    control = Control(name="c", type=shape_type, labels=[LabelDef(name="x")] if labels else [])
    schema = LabelSchema(controls=[control])
    region = {"id": "r1", "control": "c", "shape": {"type": shape_type, **fields}, "labels": labels}
    normalised = validate_result(schema, {"regions": [region]})
    assert normalised["regions"][0]["shape"]["type"] == shape_type


def test_shape_defaults_filled():
    schema = LabelSchema(controls=[Control(name="c", type="ellipse", labels=[LabelDef(name="x")])])
    region = {
        "id": "e1",
        "control": "c",
        "shape": {"type": "ellipse", "cx": 1, "cy": 1, "rx": 1, "ry": 1},
        "labels": ["x"],
    }
    shape = validate_result(schema, {"regions": [region]})["regions"][0]["shape"]
    assert shape["rotation"] == 0.0


# --- validate_result: errors -----------------------------------------------


def test_unknown_control():
    message = problems_of({"regions": [bbox_region(control="boxes")]})
    assert "region r1: control 'boxes' is not in the label schema" in message


def test_shape_type_mismatch():
    region = bbox_region(control="weather", labels=["sunny"])
    message = problems_of({"regions": [region]})
    assert (
        "region r1: shape.type 'bbox' does not match control 'weather' of type 'choice'" in message
    )


def test_unknown_label():
    message = problems_of({"regions": [bbox_region(labels=["dog"])]})
    assert "region r1: label 'dog' is not in control 'objects'" in message


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "12", None, True])
def test_bbox_coordinate_not_finite(bad):
    region = bbox_region()
    region["shape"]["x"] = bad
    message = problems_of({"regions": [region]})
    assert "region r1: shape.x" in message


@pytest.mark.parametrize("field", ["width", "height"])
@pytest.mark.parametrize("value", [0, -3.5])
def test_bbox_size_positive(field, value):
    region = bbox_region()
    region["shape"][field] = value
    message = problems_of({"regions": [region]})
    assert f"region r1: shape.{field} must be greater than 0, got {value}" in message


def test_bbox_missing_field():
    region = bbox_region()
    del region["shape"]["height"]
    assert "region r1: shape.height is missing" in problems_of({"regions": [region]})


def test_choice_needs_exactly_one():
    region = {"id": "c1", "control": "weather", "shape": {"type": "choice"}, "labels": []}
    message = problems_of({"regions": [region]})
    assert "region c1: control 'weather' takes exactly one label, got 0" in message


def test_choice_multiple_needs_one():
    region = {"id": "c1", "control": "tags", "shape": {"type": "choice"}, "labels": []}
    assert "region c1: labels is empty" in problems_of({"regions": [region]})


def test_bbox_two_labels_rejected():
    region = bbox_region(labels=["person", "car"])
    assert "takes exactly one label, got 2" in problems_of({"regions": [region]})


def test_repeated_label():
    region = {"id": "c1", "control": "tags", "shape": {"type": "choice"}, "labels": ["dark"] * 2}
    assert "region c1: labels ['dark', 'dark'] repeat a label" in problems_of({"regions": [region]})


def test_duplicate_region_ids():
    message = problems_of({"regions": [bbox_region(), bbox_region()]})
    assert "region r1: id is used by another region" in message


@pytest.mark.parametrize("bad_id", [None, "", 7])
def test_region_id_required(bad_id):
    assert "regions[0].id must be a non-empty string" in problems_of(
        {"regions": [bbox_region(id=bad_id)]}
    )


def test_relation_unknown_region():
    result = {"regions": [bbox_region()], "relations": [{"from": "r1", "to": "r9"}]}
    assert "relations[0].to 'r9' is not the id of a region" in problems_of(result)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("score", "high", "region r1: score must be a finite number or null"),
        ("score", math.nan, "region r1: score must be a finite number or null"),
        ("attributes", [], "region r1: attributes must be an object"),
        ("group", 1.5, "region r1: group must be a string, an integer or null"),
    ],
)
def test_region_field_types(field, value, expected):
    assert expected in problems_of({"regions": [bbox_region(**{field: value})]})


@pytest.mark.parametrize("value", [-1, "12s", math.inf])
def test_lead_time_invalid(value):
    assert "lead_time_seconds must be a number >= 0" in problems_of(
        {"regions": [], "lead_time_seconds": value}
    )


def test_result_not_object():
    with pytest.raises(InvalidInput, match="the result must be an object"):
        validate_result(make_schema(), [])


def test_all_problems_listed():
    regions = [bbox_region(id=f"r{i}", labels=["dog"]) for i in range(3)]
    message = problems_of({"regions": regions})
    assert message.startswith("invalid annotation result (3 problems):")
    for i in range(3):
        assert f"region r{i}: label 'dog'" in message


INVALID_SHAPES = [
    ("polygon", {"points": [0, 0, 10, 0]}, "shape.points must hold at least 3 groups of 2"),
    ("polygon", {"points": [0, 0, 10, 0, 10]}, "shape.points must hold at least 3 groups of 2"),
    ("polygon", {"points": [0, 0, 1, 0, 1, math.nan]}, "shape.points must be a list of finite"),
    ("keypoints", {"points": [5, 5, 3]}, "visibility values must be 0, 1 or 2"),
    ("ellipse", {"cx": 5, "cy": 5, "rx": 0, "ry": 1}, "shape.rx must be greater than 0"),
    ("mask", {"rle": {"size": [4], "counts": "x"}}, "shape.rle.size must be [height, width]"),
    ("span", {"start": 3, "end": 3}, "end (3) must be greater than start (3)"),
    ("span", {"start": -1, "end": 3}, "shape.start must be an integer >= 0"),
    ("time_segment", {"start": 2.0, "end": 1.0}, "end (1.0) must be greater than start (2.0)"),
    ("track", {"keyframes": []}, "shape.keyframes must be a non-empty list"),
    (
        "track",
        {"keyframes": [{"frame": 3, "shape": {"type": "bbox"}}]},
        "keyframes[0].shape.x is missing",
    ),
    ("cuboid", {"center": [1, 2], "size": [1, 1, 1]}, "shape.center must be [x, y, z]"),
    ("cuboid", {"center": [1, 2, 3], "size": [1, 0, 1]}, "shape.size must be [length, width"),
    ("text", {"value": 5}, "shape.value must be a string"),
    ("rating", {"value": "five"}, "shape.value must be a finite number"),
]


@pytest.mark.parametrize(
    ("shape_type", "fields", "expected"), INVALID_SHAPES, ids=[s[0] for s in INVALID_SHAPES]
)
def test_invalid_shape_fields(shape_type, fields, expected):
    labels = [] if shape_type in ("text", "rating") else ["x"]
    control = Control(name="c", type=shape_type, labels=[LabelDef(name="x")] if labels else [])
    region = {"id": "s1", "control": "c", "shape": {"type": shape_type, **fields}, "labels": labels}
    message = problems_of({"regions": [region]}, LabelSchema(controls=[control]))
    assert f"region s1: {expected}" in message or expected in message
    assert "region s1" in message


def test_unknown_shape_type():
    region = bbox_region(shape={"type": "circle"})
    assert "region r1: shape.type 'circle' is not a shape type" in problems_of(
        {"regions": [region]}
    )
