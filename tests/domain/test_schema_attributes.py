import pytest

from labelloop.domain.errors import InvalidInput
from labelloop.domain.schema import LabelSchema, parse_schema, validate_result

SCHEMA = {
    "controls": [
        {
            "name": "objects",
            "type": "bbox",
            "attributes": [{"name": "occluded", "type": "boolean"}],
            "labels": [
                {
                    "name": "car",
                    "attributes": [
                        {"name": "make", "type": "choice", "values": ["vw", "fiat"]},
                        {"name": "doors", "type": "number"},
                        {"name": "note", "type": "text"},
                    ],
                }
            ],
        },
        {
            "name": "pose",
            "type": "keypoints",
            "labels": [{"name": "person", "keypoints": ["head", "hand"], "skeleton": [[0, 1]]}],
        },
    ]
}


def region(**attributes) -> dict:
    return {
        "id": "r1",
        "control": "objects",
        "shape": {"type": "bbox", "x": 1, "y": 1, "width": 2, "height": 2},
        "labels": ["car"],
        "attributes": attributes,
    }


def test_declared_attributes_are_type_checked():
    schema = LabelSchema.model_validate(SCHEMA)
    ok = validate_result(schema, {"regions": [region(occluded=True, make="vw", doors=3)]})
    assert ok["regions"][0]["attributes"]["make"] == "vw"
    for bad, fragment in (
        ({"occluded": "yes"}, "'occluded' must be true or false"),
        ({"make": "bmw"}, "'make' must be one of ['vw', 'fiat']"),
        ({"doors": "four"}, "'doors' must be a finite number"),
        ({"note": 5}, "'note' must be text"),
    ):
        with pytest.raises(InvalidInput) as caught:
            validate_result(schema, {"regions": [region(**bad)]})
        assert fragment in caught.value.detail


def test_undeclared_attributes_are_kept():
    schema = LabelSchema.model_validate(SCHEMA)
    result = validate_result(schema, {"regions": [region(difficult=1)]})
    assert result["regions"][0]["attributes"] == {"difficult": 1}


def test_z_order_hidden_and_locked_are_checked():
    schema = LabelSchema.model_validate(SCHEMA)
    kept = validate_result(schema, {"regions": [{**region(), "z_order": 2, "locked": True}]})
    assert kept["regions"][0]["z_order"] == 2
    with pytest.raises(InvalidInput, match="z_order must be an integer"):
        validate_result(schema, {"regions": [{**region(), "z_order": "top"}]})
    with pytest.raises(InvalidInput, match="hidden must be true or false"):
        validate_result(schema, {"regions": [{**region(), "hidden": 1}]})


def test_skeleton_must_name_existing_points():
    broken = {
        "controls": [
            {
                "name": "pose",
                "type": "keypoints",
                "labels": [{"name": "person", "keypoints": ["head"], "skeleton": [[0, 3]]}],
            }
        ]
    }
    with pytest.raises(InvalidInput, match=r"skeleton edge \(0, 3\)"):
        parse_schema(broken)


def test_choice_attribute_needs_values():
    broken = {
        "controls": [
            {
                "name": "o",
                "type": "bbox",
                "labels": [{"name": "a"}],
                "attributes": [{"name": "kind", "type": "choice"}],
            }
        ]
    }
    with pytest.raises(InvalidInput, match="choice attribute 'kind' has no values"):
        parse_schema(broken)
