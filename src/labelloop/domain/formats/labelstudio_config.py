"""Label Studio's XML labeling config, turned into a label schema and back.

Control tags and the shape types they become: RectangleLabels → bbox,
PolygonLabels → polygon, KeyPointLabels → keypoints, BrushLabels → mask,
EllipseLabels → ellipse, Choices → choice (``choice="multiple"`` allows several),
TextArea → text, Rating → rating, and Labels → span on a Text object or the shape
of the Rectangle, Polygon, KeyPoint, Brush or Ellipse tool beside it. Each Label
or Choice keeps its ``value`` as the label name, its ``background`` as the colour
and its ``hotkey``. Control names are kept, so results of a Label Studio export
match their control by ``from_name``.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from PIL import ImageColor

from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.xmlsafe import parse_xml
from labelloop.domain.schema import LabelSchema, parse_schema

LABEL_TAGS = {
    "RectangleLabels": "bbox",
    "PolygonLabels": "polygon",
    "KeyPointLabels": "keypoints",
    "BrushLabels": "mask",
    "EllipseLabels": "ellipse",
}
TOOL_TAGS = {
    "Rectangle": "bbox",
    "Polygon": "polygon",
    "KeyPoint": "keypoints",
    "Brush": "mask",
    "Ellipse": "ellipse",
}
OBJECT_TAGS = {
    "Image": "image",
    "Text": "text",
    "HyperText": "text",
    "Audio": "audio",
    "AudioPlus": "audio",
    "Video": "video",
}
# Tags that only lay out or style the page, children handled with their parent, and
# Relations, whose links belong to the result rather than to a control.
LAYOUT_TAGS = frozenset(
    {
        "View", "Header", "Style", "Filter", "Collapse", "Label", "Choice", "Paragraphs",
        "Table", "Relations", "Relation",
    }
)  # fmt: skip
RGBA_PATTERN = re.compile(r"rgba\(\s*([^,]+,[^,]+,[^,]+?)\s*,[^)]*\)", re.IGNORECASE)
CONFIG_TAG_FOR_TYPE = {shape_type: tag for tag, shape_type in LABEL_TAGS.items()}
CONFIG_TAG_FOR_TYPE.update({"polyline": "PolygonLabels", "span": "Labels"})


def parse_label_config(data: bytes | str, source_name: str) -> LabelSchema:
    """Turn a Label Studio labeling config into a label schema.

    Raises InvalidInput naming ``source_name`` for malformed XML, control tags this
    schema cannot represent, and labels or hotkeys the schema rejects.
    """
    root = parse_xml(data.encode() if isinstance(data, str) else data, source_name)
    problems: list[str] = []
    elements = list(root.iter())
    objects = {e.get("name"): e.tag for e in elements if e.tag in OBJECT_TAGS}
    tools = {e.get("toName"): TOOL_TAGS[e.tag] for e in elements if e.tag in TOOL_TAGS}
    controls = []
    for element in elements:
        if element.tag in OBJECT_TAGS or element.tag in TOOL_TAGS or element.tag in LAYOUT_TAGS:
            continue
        shape_type = _shape_type(element, objects, tools)
        name = element.get("name")
        where = f"<{element.tag} name={name!r}>"
        if shape_type is None:
            problems.append(
                f"{where}: this tag has no control type here; remove it from the config"
            )
            continue
        if not name:
            problems.append(f"<{element.tag}>: the name attribute is missing; name every control")
            continue
        controls.append(_control(element, name, shape_type, where, problems))
    if not controls and not problems:
        problems.append("the config has no control tags; add e.g. <RectangleLabels>")
    if problems:
        raise InvalidInput.from_problems(f"{source_name}: unsupported labeling config", problems)
    data_type = OBJECT_TAGS.get(next(iter(objects.values()), "Image"), "image")
    try:
        return parse_schema({"data_type": data_type, "controls": controls})
    except InvalidInput as error:
        raise InvalidInput(f"{source_name}: {error.detail}") from error


def _shape_type(element: Element, objects: dict[Any, str], tools: dict[Any, str]) -> str | None:
    tag = element.tag
    if tag in LABEL_TAGS:
        return LABEL_TAGS[tag]
    if tag == "Choices":
        return "choice"
    if tag == "TextArea":
        return "text"
    if tag == "Rating":
        return "rating"
    if tag == "Labels":
        target = element.get("toName")
        if objects.get(target) in ("Text", "HyperText"):
            return "span"
        return tools.get(target)
    return None


def _control(
    element: Element, name: str, shape_type: str, where: str, problems: list[str]
) -> dict[str, Any]:
    control: dict[str, Any] = {"name": name, "type": shape_type}
    if shape_type == "choice":
        control["multiple"] = element.get("choice", "single") == "multiple"
    elif element.get("choice") == "multiple" or shape_type == "span":
        control["multiple"] = element.get("choice") == "multiple"
    if element.get("required", "").lower() == "true":
        control["rules"] = {"required": True}
    child_tag = "Choice" if shape_type == "choice" else "Label"
    labels = []
    for child in element.iter(child_tag):
        value = child.get("value")
        if not value:
            problems.append(f"{where}: a <{child_tag}> has no value; give each one a value")
            continue
        label: dict[str, Any] = {"name": value}
        color = _hex_color(child.get("background"))
        if color:
            label["color"] = color
        if child.get("hotkey"):
            label["hotkey"] = child.get("hotkey")
        labels.append(label)
    control["labels"] = labels
    return control


def _hex_color(value: str | None) -> str | None:
    """Return a CSS colour (name, #hex, rgb() or rgba()) as #rrggbb, or None if unknown."""
    if not value:
        return None
    text = value.strip()
    # Pillow reads rgba() only with an integer alpha, and the alpha is dropped anyway.
    match = RGBA_PATTERN.fullmatch(text)
    if match:
        text = f"rgb({match.group(1)})"
    try:
        rgb = ImageColor.getrgb(text)
    except ValueError:
        return None
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def schema_to_label_config(schema: LabelSchema, object_name: str = "image") -> str:
    """Write a Label Studio config for an image schema; control names become tag names.

    Polylines become PolygonLabels, because Label Studio has no polyline tool; span
    controls become Labels on a Text object. Controls of other types are left out.
    """
    view = Element("View")
    object_tag = "Text" if schema.data_type == "text" else "Image"
    SubElement(view, object_tag, {"name": object_name, "value": f"${object_name}"})
    for control in schema.controls:
        tag = _config_tag(control.type)
        if tag is None:
            continue
        attributes = {"name": control.name, "toName": object_name}
        if control.type == "choice":
            attributes["choice"] = "multiple" if control.multiple else "single"
        if control.type == "text":
            attributes["editable"] = "true"
        if control.rules.get("required"):
            attributes["required"] = "true"
        element = SubElement(view, tag, attributes)
        child_tag = "Choice" if control.type == "choice" else "Label"
        for label in control.labels:
            child = {"value": label.name}
            if label.color:
                child["background"] = label.color
            if label.hotkey:
                child["hotkey"] = label.hotkey
            SubElement(element, child_tag, child)
    indent(view)
    return tostring(view, encoding="unicode") + "\n"


def _config_tag(shape_type: str) -> str | None:
    if shape_type in CONFIG_TAG_FOR_TYPE:
        return CONFIG_TAG_FOR_TYPE[shape_type]
    return {"choice": "Choices", "text": "TextArea", "rating": "Rating"}.get(shape_type)
