"""Field checks for each shape type of the annotation record.

`check_shape` validates one region's `shape` and returns a normalised copy (numbers
as floats, optional fields filled). It appends every problem to a list instead of
raising, so a caller can report all problems of a result at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal, get_args

ShapeType = Literal[
    "choice",
    "bbox",
    "polygon",
    "polyline",
    "keypoints",
    "ellipse",
    "mask",
    "span",
    "time_segment",
    "track",
    "cuboid",
    "text",
    "rating",
    "relation",
]
SHAPE_TYPES: tuple[str, ...] = get_args(ShapeType)

Problems = list[str]


def is_number(value: Any) -> bool:
    """Return whether `value` is a finite int or float (bool excluded)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def check_shape(shape: Any, where: str, problems: Problems) -> dict[str, Any]:
    """Validate a shape dict and return a normalised copy. Each problem starts with `where`."""
    if not isinstance(shape, dict):
        problems.append(f"{where} must be an object with a 'type', got {shape!r}")
        return {}
    shape_type = shape.get("type")
    if shape_type not in SHAPE_TYPES:
        problems.append(
            f"{where}.type {shape_type!r} is not a shape type; use one of {', '.join(SHAPE_TYPES)}"
        )
        return dict(shape)
    normalised = dict(shape)
    CHECKS[shape_type](shape, normalised, where, problems)
    return normalised


def _number(
    shape: dict[str, Any],
    out: dict[str, Any],
    field: str,
    where: str,
    problems: Problems,
    *,
    minimum: float | None = None,
    strict: bool = False,
    default: float | None = None,
    required: bool = True,
) -> None:
    """Check one numeric field. With `strict`, `minimum` is exclusive."""
    if field not in shape or shape[field] is None:
        if default is not None:
            out[field] = default
        elif required:
            problems.append(f"{where}.{field} is missing; give a finite number")
        return
    value = shape[field]
    if not is_number(value):
        problems.append(f"{where}.{field} must be a finite number, got {value!r}")
        return
    if minimum is not None and (value <= minimum if strict else value < minimum):
        relation = "greater than" if strict else "at least"
        problems.append(f"{where}.{field} must be {relation} {minimum:g}, got {value!r}")
        return
    out[field] = float(value)


def _integer(
    shape: dict[str, Any],
    out: dict[str, Any],
    field: str,
    where: str,
    problems: Problems,
    *,
    required: bool = True,
) -> None:
    value = shape.get(field)
    if value is None:
        if required:
            problems.append(f"{where}.{field} is missing; give an integer >= 0")
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{where}.{field} must be an integer >= 0, got {value!r}")


def _numbers(
    value: Any, field: str, where: str, problems: Problems, *, group: int, min_groups: int
) -> list[float] | None:
    """Check a flat list of finite numbers whose length is a multiple of `group`."""
    if not isinstance(value, list) or not all(is_number(v) for v in value):
        problems.append(f"{where}.{field} must be a list of finite numbers, got {value!r}")
        return None
    if len(value) % group or len(value) < group * min_groups:
        problems.append(
            f"{where}.{field} must hold at least {min_groups} groups of {group} numbers, "
            f"got {len(value)} numbers"
        )
        return None
    return [float(v) for v in value]


def _check_choice(shape: dict, out: dict, where: str, problems: Problems) -> None:
    """Accept any choice shape, because the region's labels are the chosen classes."""


def _check_bbox(shape: dict, out: dict, where: str, problems: Problems) -> None:
    _number(shape, out, "x", where, problems)
    _number(shape, out, "y", where, problems)
    _number(shape, out, "width", where, problems, minimum=0, strict=True)
    _number(shape, out, "height", where, problems, minimum=0, strict=True)
    _number(shape, out, "rotation", where, problems, required=False)


def _check_polygon(shape: dict, out: dict, where: str, problems: Problems) -> None:
    points = _numbers(shape.get("points"), "points", where, problems, group=2, min_groups=3)
    if points is not None:
        out["points"] = points
    holes = shape.get("holes")
    if holes is None:
        out["holes"] = []
        return
    if not isinstance(holes, list):
        problems.append(f"{where}.holes must be a list of point lists, got {holes!r}")
        return
    out["holes"] = [
        _numbers(hole, f"holes[{i}]", where, problems, group=2, min_groups=3)
        for i, hole in enumerate(holes)
    ]


def _check_polyline(shape: dict, out: dict, where: str, problems: Problems) -> None:
    points = _numbers(shape.get("points"), "points", where, problems, group=2, min_groups=2)
    if points is not None:
        out["points"] = points


def _check_keypoints(shape: dict, out: dict, where: str, problems: Problems) -> None:
    points = _numbers(shape.get("points"), "points", where, problems, group=3, min_groups=1)
    if points is None:
        return
    visibilities = points[2::3]
    if any(v not in (0.0, 1.0, 2.0) for v in visibilities):
        problems.append(
            f"{where}.points visibility values must be 0, 1 or 2 (COCO), got {visibilities}"
        )
        return
    out["points"] = points


def _check_ellipse(shape: dict, out: dict, where: str, problems: Problems) -> None:
    _number(shape, out, "cx", where, problems)
    _number(shape, out, "cy", where, problems)
    _number(shape, out, "rx", where, problems, minimum=0, strict=True)
    _number(shape, out, "ry", where, problems, minimum=0, strict=True)
    _number(shape, out, "rotation", where, problems, default=0.0)


def _check_mask(shape: dict, out: dict, where: str, problems: Problems) -> None:
    rle = shape.get("rle")
    if not isinstance(rle, dict):
        problems.append(f"{where}.rle must be a COCO RLE object {{size, counts}}, got {rle!r}")
        return
    size = rle.get("size")
    if (
        not isinstance(size, list)
        or len(size) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in size)
    ):
        problems.append(f"{where}.rle.size must be [height, width] in pixels, got {size!r}")
    counts = rle.get("counts")
    if not isinstance(counts, str | list):
        problems.append(
            f"{where}.rle.counts must be a compressed RLE string or a list of run lengths"
        )


def _check_span(shape: dict, out: dict, where: str, problems: Problems) -> None:
    _integer(shape, out, "start", where, problems)
    _integer(shape, out, "end", where, problems)
    start, end = shape.get("start"), shape.get("end")
    if isinstance(start, int) and isinstance(end, int) and end <= start:
        problems.append(f"{where}: end ({end}) must be greater than start ({start})")
    text = shape.get("text")
    if text is not None and not isinstance(text, str):
        problems.append(f"{where}.text must be a string, got {text!r}")


def _check_time_segment(shape: dict, out: dict, where: str, problems: Problems) -> None:
    _number(shape, out, "start", where, problems, minimum=0)
    _number(shape, out, "end", where, problems, minimum=0)
    if "start" in out and "end" in out and out["end"] <= out["start"]:
        problems.append(f"{where}: end ({out['end']}) must be greater than start ({out['start']})")
    _integer(shape, out, "frame_start", where, problems, required=False)
    _integer(shape, out, "frame_end", where, problems, required=False)
    frame_start, frame_end = shape.get("frame_start"), shape.get("frame_end")
    if isinstance(frame_start, int) and isinstance(frame_end, int) and frame_end < frame_start:
        problems.append(
            f"{where}: frame_end ({frame_end}) must not be less than frame_start ({frame_start})"
        )


def _check_track(shape: dict, out: dict, where: str, problems: Problems) -> None:
    keyframes = shape.get("keyframes")
    if not isinstance(keyframes, list) or not keyframes:
        problems.append(f"{where}.keyframes must be a non-empty list, got {keyframes!r}")
        return
    checked = []
    previous_frame = -1
    for i, keyframe in enumerate(keyframes):
        at = f"{where}.keyframes[{i}]"
        if not isinstance(keyframe, dict):
            problems.append(f"{at} must be an object {{frame, shape, outside}}, got {keyframe!r}")
            continue
        frame = keyframe.get("frame")
        if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
            problems.append(f"{at}.frame must be an integer >= 0, got {frame!r}")
        elif frame <= previous_frame:
            problems.append(f"{at}.frame {frame} must be greater than the previous keyframe's")
        else:
            previous_frame = frame
        inner = keyframe.get("shape")
        if isinstance(inner, dict) and inner.get("type") in ("track", "choice", "relation"):
            problems.append(f"{at}.shape.type {inner['type']!r} cannot be tracked")
            continue
        outside = keyframe.get("outside", False)
        if not isinstance(outside, bool):
            problems.append(f"{at}.outside must be true or false, got {outside!r}")
        checked.append(
            {
                **keyframe,
                "shape": check_shape(inner, f"{at}.shape", problems),
                "outside": outside,
            }
        )
    out["keyframes"] = checked


def _check_cuboid(shape: dict, out: dict, where: str, problems: Problems) -> None:
    center = shape.get("center")
    if not isinstance(center, list) or len(center) != 3 or not all(map(is_number, center)):
        problems.append(f"{where}.center must be [x, y, z] in metres, got {center!r}")
    else:
        out["center"] = [float(v) for v in center]
    size = shape.get("size")
    if (
        not isinstance(size, list)
        or len(size) != 3
        or not all(is_number(v) and v > 0 for v in size)
    ):
        problems.append(
            f"{where}.size must be [length, width, height], each greater than 0, got {size!r}"
        )
    else:
        out["size"] = [float(v) for v in size]
    _number(shape, out, "yaw", where, problems, default=0.0)


def _check_text(shape: dict, out: dict, where: str, problems: Problems) -> None:
    value = shape.get("value")
    if not isinstance(value, str):
        problems.append(f"{where}.value must be a string, got {value!r}")


def _check_rating(shape: dict, out: dict, where: str, problems: Problems) -> None:
    _number(shape, out, "value", where, problems)


def _check_relation(shape: dict, out: dict, where: str, problems: Problems) -> None:
    """Accept any relation shape, because the links are in the result's `relations`."""


CHECKS: dict[str, Callable[[dict, dict, str, Problems], None]] = {
    "choice": _check_choice,
    "bbox": _check_bbox,
    "polygon": _check_polygon,
    "polyline": _check_polyline,
    "keypoints": _check_keypoints,
    "ellipse": _check_ellipse,
    "mask": _check_mask,
    "span": _check_span,
    "time_segment": _check_time_segment,
    "track": _check_track,
    "cuboid": _check_cuboid,
    "text": _check_text,
    "rating": _check_rating,
    "relation": _check_relation,
}
