"""Geometry of regions in image pixels: extents, and whether a region fits its image."""

from __future__ import annotations

from typing import Any

import numpy as np

# Regions may overhang the image by this many pixels: editors and converters round
# coordinates, and VOC's 1-based corners put a box at the border at -1.
EDGE_TOLERANCE_PX = 1.0


def region_box(region: dict[str, Any]) -> list[float] | None:
    """Return ``[x, y, width, height]`` around a region's shape, or None for other shapes."""
    shape = region["shape"]
    kind = shape["type"]
    if kind == "bbox":
        if shape.get("rotation"):
            return _rotated_extent(shape)
        return [shape["x"], shape["y"], shape["width"], shape["height"]]
    if kind == "polygon":
        xs, ys = shape["points"][0::2], shape["points"][1::2]
        return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    if kind == "ellipse":
        return _ellipse_extent(shape)
    if kind == "mask":
        from pycocotools import mask as mask_utils

        rle = dict(shape["rle"])
        if isinstance(rle["counts"], str):
            rle["counts"] = rle["counts"].encode()
        return [float(v) for v in mask_utils.toBbox(rle)]
    return None


def _rotated_extent(shape: dict[str, Any]) -> list[float]:
    angle = np.radians(shape["rotation"])
    cx, cy = shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2
    dx = np.array([-1, 1, 1, -1]) * shape["width"] / 2
    dy = np.array([-1, -1, 1, 1]) * shape["height"] / 2
    xs = cx + dx * np.cos(angle) - dy * np.sin(angle)
    ys = cy + dx * np.sin(angle) + dy * np.cos(angle)
    return [
        float(xs.min()),
        float(ys.min()),
        float(xs.max() - xs.min()),
        float(ys.max() - ys.min()),
    ]


def _ellipse_extent(shape: dict[str, Any]) -> list[float]:
    angle = np.radians(shape.get("rotation") or 0.0)
    half_w = np.hypot(shape["rx"] * np.cos(angle), shape["ry"] * np.sin(angle))
    half_h = np.hypot(shape["rx"] * np.sin(angle), shape["ry"] * np.cos(angle))
    return [shape["cx"] - half_w, shape["cy"] - half_h, 2 * half_w, 2 * half_h]


def outside_image(region: dict[str, Any], width: int, height: int) -> str | None:
    """Return why ``region`` does not fit a ``width`` x ``height`` image, or None."""
    shape = region["shape"]
    if shape["type"] == "mask":
        size = list(shape["rle"]["size"])
        if size != [height, width]:
            return f"mask size {size} differs from the image's [{height}, {width}]"
        return None
    if shape["type"] in ("polygon", "polyline", "keypoints"):
        step = 3 if shape["type"] == "keypoints" else 2
        points = shape["points"]
        xs = [x for i, x in enumerate(points[0::step]) if step == 2 or points[i * 3 + 2] > 0]
        ys = [y for i, y in enumerate(points[1::step]) if step == 2 or points[i * 3 + 2] > 0]
        if not xs:
            return None
        box = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    else:
        box = region_box(region)
    if box is None:
        return None
    left, top, right, bottom = box[0], box[1], box[0] + box[2], box[1] + box[3]
    low = -EDGE_TOLERANCE_PX
    if (
        left < low
        or top < low
        or right > width + EDGE_TOLERANCE_PX
        or bottom > height + EDGE_TOLERANCE_PX
    ):
        return (
            f"its {shape['type']} spans x {left:g}..{right:g}, y {top:g}..{bottom:g}, outside "
            f"the {width}x{height} image"
        )
    return None
