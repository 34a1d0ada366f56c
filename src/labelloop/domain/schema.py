"""The label schema of a project and the check of annotation results against it."""

from __future__ import annotations

import copy
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from labelloop.domain.errors import InvalidInput
from labelloop.domain.shapes import ShapeType, check_shape, is_number

DataType = Literal["image", "text", "audio", "video", "pointcloud", "document"]

# 20 distinct colours given to labels without one, in label order within each
# control, starting again at the first after the 20th.
PALETTE = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231",
    "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4",
    "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000",
    "#aaffc3", "#808000", "#ffd8b1", "#000075", "#a9a9a9",
)  # fmt: skip

COLOR_PATTERN = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
MAX_LISTED_PROBLEMS = 20


AttributeType = Literal["boolean", "text", "number", "choice"]


class AttributeDef(BaseModel):
    """A per-region attribute such as occluded (boolean) or make (choice)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    type: AttributeType = "boolean"
    values: list[str] = Field(default_factory=list, description="Allowed values of a choice")
    default: str | float | bool | None = None

    @model_validator(mode="after")
    def _check_values(self) -> AttributeDef:
        if self.type == "choice" and not self.values:
            raise ValueError(f"choice attribute {self.name!r} has no values; list them in values")
        if self.type == "choice" and self.default is not None and self.default not in self.values:
            raise ValueError(
                f"attribute {self.name!r} default {self.default!r} is not one of its values"
            )
        return self

    def check(self, value: Any) -> str | None:
        """Return why ``value`` does not fit this attribute, or None when it fits."""
        if value is None:
            return None
        if self.type == "boolean" and not isinstance(value, bool):
            return f"attribute {self.name!r} must be true or false, got {value!r}"
        if self.type == "number" and not is_number(value):
            return f"attribute {self.name!r} must be a finite number, got {value!r}"
        if self.type == "text" and not isinstance(value, str):
            return f"attribute {self.name!r} must be text, got {value!r}"
        if self.type == "choice" and value not in self.values:
            return f"attribute {self.name!r} must be one of {self.values}, got {value!r}"
        return None


class LabelDef(BaseModel):
    """One label of a control. `color` is "#rrggbb", and the control fills it when missing.

    Labels of a keypoints control name their points in order in `keypoints` and
    join them in `skeleton`, pairs of 0-based point indices.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    color: str | None = None
    hotkey: str | None = None
    attributes: list[AttributeDef] = Field(default_factory=list)
    keypoints: list[str] = Field(default_factory=list)
    skeleton: list[tuple[int, int]] = Field(default_factory=list)
    ids: dict[str, int | str] = Field(
        default_factory=dict,
        description="The label's ids in formats it came from, such as {'coco': 18}",
    )

    @model_validator(mode="after")
    def _check_skeleton(self) -> LabelDef:
        for start, end in self.skeleton:
            if not (0 <= start < len(self.keypoints) and 0 <= end < len(self.keypoints)):
                raise ValueError(
                    f"label {self.name!r} skeleton edge ({start}, {end}) names a point outside "
                    f"its {len(self.keypoints)} keypoints; use 0-based indices"
                )
        return self

    @field_validator("color")
    @classmethod
    def _check_color(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not COLOR_PATTERN.fullmatch(value):
            raise ValueError(f"color {value!r} is not a hex colour; write it as #rrggbb")
        if len(value) == 4:
            value = "#" + "".join(channel * 2 for channel in value[1:])
        return value.lower()

    @field_validator("hotkey")
    @classmethod
    def _check_hotkey(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if any(character.isspace() for character in value):
            raise ValueError(f"hotkey {value!r} must not contain spaces; use e.g. '1' or 'q'")
        return value


class Control(BaseModel):
    """A named annotation tool of the schema: its shape type, labels and rules."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    type: ShapeType
    multiple: bool = False
    labels: list[LabelDef] = Field(default_factory=list)
    attributes: list[AttributeDef] = Field(
        default_factory=list, description="Attributes every region of this control has"
    )
    rules: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_labels(self) -> Control:
        seen: set[str] = set()
        for label in self.labels:
            if label.name in seen:
                raise ValueError(
                    f"control {self.name!r} has label {label.name!r} twice; "
                    "label names must be unique within a control"
                )
            seen.add(label.name)
        for index, label in enumerate(self.labels):
            if label.color is None:
                label.color = PALETTE[index % len(PALETTE)]
        return self

    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    def attributes_for(self, labels: list[str]) -> dict[str, AttributeDef]:
        """Return the attributes a region with ``labels`` may carry, by name."""
        found = {attribute.name: attribute for attribute in self.attributes}
        for label in self.labels:
            if label.name in labels:
                found.update({attribute.name: attribute for attribute in label.attributes})
        return found


class LabelSchema(BaseModel):
    """The data type of a project's items and the controls annotators use on them."""

    model_config = ConfigDict(extra="forbid")

    data_type: DataType = "image"
    controls: list[Control]

    @model_validator(mode="after")
    def _check_controls(self) -> LabelSchema:
        if not self.controls:
            raise ValueError("the schema has no controls; add at least one, e.g. a bbox control")
        names: set[str] = set()
        hotkeys: dict[str, str] = {}
        for control in self.controls:
            if control.name in names:
                raise ValueError(
                    f"control name {control.name!r} is used twice; give each control its own name"
                )
            names.add(control.name)
            for label in control.labels:
                if label.hotkey is None:
                    continue
                owner = f"{control.name}/{label.name}"
                key = label.hotkey.lower()
                if key in hotkeys:
                    raise ValueError(
                        f"hotkey {label.hotkey!r} is bound to both {hotkeys[key]} and {owner}; "
                        "hotkeys are case-insensitive and must be unique across the schema"
                    )
                hotkeys[key] = owner
        return self

    def control(self, name: str) -> Control:
        """Return the control called `name`, or raise InvalidInput naming the known ones."""
        for control in self.controls:
            if control.name == name:
                return control
        known = ", ".join(repr(control.name) for control in self.controls)
        raise InvalidInput(f"control {name!r} is not in the label schema; use one of {known}")

    def first_control(self, type: ShapeType) -> Control | None:
        return next((control for control in self.controls if control.type == type), None)


def parse_schema(data: Any) -> LabelSchema:
    """Validate a schema payload, raising InvalidInput that lists each problem by path."""
    try:
        return LabelSchema.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            path = ".".join(str(part) for part in item["loc"]) or "schema"
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{path}: {message}")
        raise InvalidInput.from_problems("invalid label schema", problems) from error


def validate_result(schema: LabelSchema, result: dict[str, Any]) -> dict[str, Any]:
    """Check an annotation result against the schema and return a normalised copy.

    Fills the optional fields of the record (`attributes`, `score`, `group`,
    `relations`, `lead_time_seconds`) and turns coordinates into floats. Keys that
    the record does not define, such as a region's `meta`, are kept unchanged.
    Raises InvalidInput that lists every problem with the region id and field.
    """
    if not isinstance(result, dict):
        raise InvalidInput(f"the result must be an object with 'regions', got {result!r}")
    problems: list[str] = []
    normalised = copy.deepcopy(result)

    regions = result.get("regions", [])
    if not isinstance(regions, list):
        problems.append(f"regions must be a list, got {regions!r}")
        regions = []
    region_ids: set[str] = set()
    normalised["regions"] = [
        _check_region(schema, region, index, region_ids, problems)
        for index, region in enumerate(regions)
    ]
    normalised["relations"] = _check_relations(result.get("relations"), region_ids, problems)

    lead_time = result.get("lead_time_seconds")
    if lead_time is not None and not (is_number(lead_time) and lead_time >= 0):
        problems.append(f"lead_time_seconds must be a number >= 0 or null, got {lead_time!r}")
    normalised["lead_time_seconds"] = None if lead_time is None else lead_time

    if problems:
        raise InvalidInput.from_problems("invalid annotation result", problems, MAX_LISTED_PROBLEMS)
    return normalised


def _check_region(
    schema: LabelSchema,
    region: Any,
    index: int,
    region_ids: set[str],
    problems: list[str],
) -> dict[str, Any]:
    if not isinstance(region, dict):
        problems.append(f"regions[{index}] must be an object, got {region!r}")
        return {}
    region_id = region.get("id")
    if not isinstance(region_id, str) or not region_id:
        problems.append(f"regions[{index}].id must be a non-empty string, got {region_id!r}")
        where = f"regions[{index}]"
    else:
        where = f"region {region_id}"
        if region_id in region_ids:
            problems.append(f"{where}: id is used by another region; give each region its own id")
        region_ids.add(region_id)

    out = copy.deepcopy(region)
    out.setdefault("attributes", {})
    out.setdefault("score", None)
    out.setdefault("group", None)
    out.setdefault("labels", [])
    control = _lookup_control(schema, region.get("control"), where, problems)
    out["shape"] = check_shape(region.get("shape"), f"{where}: shape", problems)
    shape_type = out["shape"].get("type")
    if control is not None and shape_type is not None and shape_type != control.type:
        problems.append(
            f"{where}: shape.type {shape_type!r} does not match control {control.name!r} "
            f"of type {control.type!r}"
        )
    _check_labels(control, out["labels"], where, problems)
    _check_region_fields(out, where, problems)
    if control is not None and isinstance(out["attributes"], dict):
        _check_attributes(control, out, where, problems)
    return out


def _check_attributes(
    control: Control, region: dict[str, Any], where: str, problems: list[str]
) -> None:
    labels = region["labels"] if isinstance(region["labels"], list) else []
    declared = control.attributes_for(labels)
    for name, value in region["attributes"].items():
        # Attributes the schema does not declare are kept as given: imported files
        # carry their own (COCO's iscrowd, VOC's difficult) and must survive export.
        attribute = declared.get(name)
        problem = attribute.check(value) if attribute else None
        if problem:
            problems.append(f"{where}: {problem}")


def _lookup_control(
    schema: LabelSchema, name: Any, where: str, problems: list[str]
) -> Control | None:
    if not isinstance(name, str):
        problems.append(f"{where}: control must be a control name string, got {name!r}")
        return None
    try:
        return schema.control(name)
    except InvalidInput as error:
        problems.append(f"{where}: {error.detail}")
        return None


def _check_labels(control: Control | None, labels: Any, where: str, problems: list[str]) -> None:
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        problems.append(f"{where}: labels must be a list of label names, got {labels!r}")
        return
    if control is None:
        return
    if len(set(labels)) != len(labels):
        problems.append(f"{where}: labels {labels} repeat a label; list each label once")
    known = control.label_names()
    for label in labels:
        if label not in known:
            problems.append(
                f"{where}: label {label!r} is not in control {control.name!r}; "
                f"use one of {', '.join(map(repr, known))}"
            )
    if not control.labels:
        if labels:
            problems.append(f"{where}: control {control.name!r} has no labels, got {labels}")
    elif control.multiple and not labels:
        problems.append(f"{where}: labels is empty; choose at least one label")
    elif not control.multiple and len(labels) != 1:
        problems.append(
            f"{where}: control {control.name!r} takes exactly one label, got {len(labels)}; "
            "set multiple: true on the control to allow several"
        )


def _check_region_fields(region: dict[str, Any], where: str, problems: list[str]) -> None:
    if not isinstance(region["attributes"], dict):
        problems.append(f"{where}: attributes must be an object, got {region['attributes']!r}")
    score = region["score"]
    if score is not None and not is_number(score):
        problems.append(f"{where}: score must be a finite number or null, got {score!r}")
    group = region["group"]
    if group is not None and (isinstance(group, bool) or not isinstance(group, str | int)):
        problems.append(f"{where}: group must be a string, an integer or null, got {group!r}")
    z_order = region.get("z_order")
    if z_order is not None and (isinstance(z_order, bool) or not isinstance(z_order, int)):
        problems.append(f"{where}: z_order must be an integer or null, got {z_order!r}")
    for flag in ("hidden", "locked"):
        if region.get(flag) is not None and not isinstance(region[flag], bool):
            problems.append(f"{where}: {flag} must be true or false, got {region[flag]!r}")


def _check_relations(relations: Any, region_ids: set[str], problems: list[str]) -> list[Any]:
    if relations is None:
        return []
    if not isinstance(relations, list):
        problems.append(f"relations must be a list, got {relations!r}")
        return []
    for index, relation in enumerate(relations):
        where = f"relations[{index}]"
        if not isinstance(relation, dict):
            problems.append(f"{where} must be an object {{from, to, label}}, got {relation!r}")
            continue
        for end in ("from", "to"):
            if relation.get(end) not in region_ids:
                problems.append(
                    f"{where}.{end} {relation.get(end)!r} is not the id of a region in this result"
                )
        label = relation.get("label")
        if label is not None and not isinstance(label, str):
            problems.append(f"{where}.label must be a string or null, got {label!r}")
    return copy.deepcopy(relations)
