"""Binary masks: COCO RLE, polygons, GrabCut and superpixels.

Masks are NumPy arrays of shape ``(height, width)``, True or 1 inside. Mask pixel
``(row, col)`` covers the square ``[col, col + 1) x [row, row + 1)`` in image
pixels, so its centre is at ``(col + 0.5, row + 0.5)``. Polygons are dicts in the
annotation record's shape: ``{"points": [x1, y1, ...], "holes": [[x1, y1, ...]]}``,
with vertices in image pixels. A polygon made from a mask runs through the centres
of the mask's edge pixels, and rasterising a polygon sets every pixel whose centre
lies inside it or on its edge, so the two directions round-trip.

RLE is COCO's compressed form, counted column by column (Fortran order), as
pycocotools writes it: ``{"size": [height, width], "counts": "..."}``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from pycocotools import mask as coco_mask
from skimage.segmentation import slic

from labelloop.domain.errors import InvalidInput
from labelloop.domain.shapes import is_number

Polygon = dict[str, Any]

# Characters of COCO's compressed counts: 5 data bits per character, offset by 48.
_RLE_FIRST_CHAR, _RLE_LAST_CHAR = 48, 48 + 63
# Fixed-point bits for cv2.fillPoly, so vertices keep 1/16 pixel precision.
_FILL_SHIFT = 4
# Vertices beyond this would overflow OpenCV's 32-bit fixed-point coordinates.
MAX_COORDINATE = 2**26
MAX_GRABCUT_ITERATIONS = 20
MAX_SUPERPIXELS = 10_000


def encode_rle(mask: np.ndarray) -> dict[str, Any]:
    """Encode a 2-D mask as COCO compressed RLE.

    Args:
        mask: Array of shape ``(height, width)``; nonzero pixels are inside.

    Returns:
        ``{"size": [height, width], "counts": str}``, equal to what
        ``pycocotools.mask.encode`` writes, with ``counts`` decoded to text.

    Raises:
        InvalidInput: ``mask`` is not two-dimensional or has an empty side.
    """
    _check_mask_array(mask, "mask")
    encoded = coco_mask.encode(np.asfortranarray(mask != 0, dtype=np.uint8))
    return {"size": [int(v) for v in encoded["size"]], "counts": encoded["counts"].decode("ascii")}


def encode_rle_window(
    window: np.ndarray, top: int, left: int, height: int, width: int
) -> dict[str, Any]:
    """Encode a mask that is zero outside ``window`` without building the full array.

    Args:
        window: Mask of shape ``(h, w)`` placed with its top-left pixel at
            ``(top, left)`` of a ``height`` x ``width`` image. It must fit inside.
        top, left: Row and column of the window's first pixel.
        height, width: Size of the whole image in pixels.

    Returns:
        The COCO compressed RLE of the whole image, as `encode_rle` returns it.
    """
    _check_mask_array(window, "window")
    rows, cols = window.shape
    if top < 0 or left < 0 or top + rows > height or left + cols > width:
        raise InvalidInput(
            f"a {rows}x{cols} window at row {top}, column {left} does not fit in a "
            f"{height}x{width} image"
        )
    padded = np.zeros((rows + 2, cols), dtype=np.int8)
    padded[1:-1] = window != 0
    steps = np.diff(padded, axis=0)
    # nonzero() on the transpose walks column by column, the order RLE counts in.
    start_cols, start_rows = np.nonzero(steps.T == 1)
    end_cols, end_rows = np.nonzero(steps.T == -1)
    starts = (start_cols + left).astype(np.int64) * height + top + start_rows
    ends = (end_cols + left).astype(np.int64) * height + top + end_rows
    if rows == height and len(starts) > 1:
        # A run that ends at the bottom of one column and one that starts at the top of
        # the next are a single run in column order.
        joined = np.isin(ends[:-1], starts[1:])
        starts = np.concatenate([starts[:1], starts[1:][~joined]])
        ends = np.concatenate([ends[:-1][~joined], ends[-1:]])
    edges = np.empty(2 * len(starts) + 2, dtype=np.int64)
    edges[0], edges[-1] = 0, height * width
    edges[1:-1:2], edges[2:-1:2] = starts, ends
    counts = np.diff(edges).tolist()
    if len(counts) > 1 and counts[-1] == 0:
        # pycocotools ends on the last run of ones when the last pixel is set.
        counts.pop()
    compressed = coco_mask.frPyObjects({"size": [height, width], "counts": counts}, height, width)
    return {"size": [height, width], "counts": compressed["counts"].decode("ascii")}


def decode_rle(rle: Any, expected_size: Sequence[int] | None = None) -> np.ndarray:
    """Decode COCO RLE into a boolean mask of shape ``(height, width)``.

    Args:
        rle: ``{"size": [height, width], "counts": ...}``; counts is the compressed
            string or a list of run lengths (uncompressed RLE).
        expected_size: ``[height, width]`` the mask must have, such as the image's.

    Raises:
        InvalidInput: The size or counts are malformed, the runs do not add up to
            ``height * width``, or the size differs from ``expected_size``.
    """
    height, width, runs = _check_rle(rle, expected_size)
    compressed = coco_mask.frPyObjects({"size": [height, width], "counts": runs}, height, width)
    return coco_mask.decode(compressed).astype(bool)


def rle_area(rle: Any) -> int:
    """Return the number of pixels inside a COCO RLE mask, as pycocotools counts them."""
    height, width, runs = _check_rle(rle, None)
    return int(sum(runs[1::2]))


def rle_bounds(rle: Any) -> tuple[int, int, int, int] | None:
    """Return ``(top, left, bottom, right)`` of the mask, exclusive at the end, or None if empty."""
    height, width, runs = _check_rle(rle, None)
    edges = np.cumsum(np.asarray(runs, dtype=np.int64))
    starts, ends = edges[0:-1:2], edges[1::2]
    keep = ends > starts
    if not keep.any():
        return None
    starts, ends = starts[keep], ends[keep] - 1
    left, right = int(starts.min() // height), int(ends.max() // height) + 1
    if right - left > 1 and (ends // height > starts // height).any():
        # A run that crosses a column boundary covers the bottom of one column and the top
        # of the next, so the rows span the full height.
        return 0, left, height, right
    top = int((starts % height).min())
    bottom = int((ends % height).max()) + 1
    return top, left, bottom, right


def mask_to_polygons(mask: np.ndarray, tolerance: float = 1.0) -> list[Polygon]:
    """Trace a mask's outlines as polygons with holes, simplified by Douglas-Peucker.

    Args:
        mask: Array of shape ``(height, width)``; nonzero pixels are inside.
        tolerance: Largest distance in pixels a simplified outline may move from the
            traced one (``cv2.approxPolyDP`` epsilon). 0 keeps every corner.

    Returns:
        One polygon per connected region, ``{"points": [...], "holes": [[...], ...]}``,
        vertices at pixel centres. Regions that trace to fewer than three points (a
        single pixel or a one-pixel line end) are left out. A region inside a hole of
        another region is its own polygon.

    Raises:
        InvalidInput: ``mask`` is not two-dimensional, or ``tolerance`` is negative or
            not finite.
    """
    _check_mask_array(mask, "mask")
    if not is_number(tolerance) or tolerance < 0:
        raise InvalidInput(f"tolerance must be a finite number >= 0 pixels, got {tolerance!r}")
    binary = np.ascontiguousarray(mask != 0, dtype=np.uint8)
    # RETR_CCOMP returns two levels: outer outlines, and the holes inside each one.
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    links = hierarchy[0]
    polygons: list[Polygon] = []
    for index, contour in enumerate(contours):
        if links[index][3] != -1:
            continue
        outer = _simplify(contour, tolerance)
        if outer is None:
            continue
        holes = []
        child = links[index][2]
        while child != -1:
            hole = _simplify(contours[child], tolerance)
            if hole is not None:
                holes.append(hole)
            child = links[child][0]
        polygons.append({"points": outer, "holes": holes})
    return polygons


def polygons_to_mask(polygons: Sequence[Polygon], height: int, width: int) -> np.ndarray:
    """Rasterise polygons with holes into a boolean mask of shape ``(height, width)``.

    Args:
        polygons: Each ``{"points": [x1, y1, ...], "holes": [[...], ...]}`` in image
            pixels, at least three points per ring. The result is their union, and
            each polygon's holes cut only that polygon.
        height, width: Size of the mask in pixels.

    Raises:
        InvalidInput: A ring has fewer than three points, an odd number of values, a
            value that is not a finite number, or one beyond ``MAX_COORDINATE``.
    """
    _check_size(height, width)
    mask = np.zeros((height, width), dtype=np.uint8)
    for index, polygon in enumerate(polygons):
        where = f"polygons[{index}]"
        if not isinstance(polygon, dict):
            raise InvalidInput(f"{where} must be an object with points and holes, got {polygon!r}")
        outer = _ring(polygon.get("points"), f"{where}.points", height, width)
        holes = polygon.get("holes") or []
        if not isinstance(holes, list):
            raise InvalidInput(f"{where}.holes must be a list of point lists, got {holes!r}")
        inner = [_ring(hole, f"{where}.holes[{i}]", height, width) for i, hole in enumerate(holes)]
        _fill_polygon(mask, outer, inner)
    return mask.astype(bool)


def grabcut_box(
    image_rgb: np.ndarray, box: Sequence[float], iterations: int = 5, margin: int = 16
) -> np.ndarray:
    """Segment the object inside a box with OpenCV's GrabCut.

    Pixels outside the box are taken as background and the box's inside as probable
    foreground. GrabCut runs on the box plus ``margin`` pixels of background on each
    side (more for large boxes), not the whole image.

    Args:
        image_rgb: ``uint8`` array of shape ``(height, width, 3)``, RGB.
        box: ``(x, y, width, height)`` in image pixels. It is clipped to the image.
        iterations: GrabCut iterations, 1 to 20.
        margin: Minimum background margin around the box in pixels.

    Returns:
        Boolean mask of shape ``(height, width)``, True on the object.

    Raises:
        InvalidInput: The image is not ``uint8`` RGB, the box is not four finite
            numbers, smaller than 2 pixels inside the image, or covers the whole
            image (GrabCut needs background outside it), or ``iterations`` is out of range.
    """
    height, width = _check_rgb(image_rgb)
    if isinstance(iterations, bool) or not isinstance(iterations, int):
        raise InvalidInput(f"iterations must be an integer, got {iterations!r}")
    if not 1 <= iterations <= MAX_GRABCUT_ITERATIONS:
        raise InvalidInput(
            f"iterations must be between 1 and {MAX_GRABCUT_ITERATIONS}, got {iterations}"
        )
    left, top, right, bottom = _box_pixels(box, height, width)
    if left == 0 and top == 0 and right == width and bottom == height:
        raise InvalidInput(
            f"box {list(box)} covers the whole {width}x{height} image; GrabCut needs "
            "background outside the box, so draw it around the object only"
        )

    pad = max(margin, (right - left) // 4, (bottom - top) // 4)
    crop_top, crop_left = max(0, top - pad), max(0, left - pad)
    crop_bottom, crop_right = min(height, bottom + pad), min(width, right + pad)
    crop = np.ascontiguousarray(image_rgb[crop_top:crop_bottom, crop_left:crop_right, ::-1])
    labels = np.zeros(crop.shape[:2], dtype=np.uint8)
    rect = (left - crop_left, top - crop_top, right - left, bottom - top)
    background = np.zeros((1, 65), dtype=np.float64)
    foreground = np.zeros((1, 65), dtype=np.float64)
    cv2.grabCut(crop, labels, rect, background, foreground, iterations, cv2.GC_INIT_WITH_RECT)

    mask = np.zeros((height, width), dtype=bool)
    mask[crop_top:crop_bottom, crop_left:crop_right] = (labels == cv2.GC_FGD) | (
        labels == cv2.GC_PR_FGD
    )
    return mask


def superpixel_region(
    image_rgb: np.ndarray, x: float, y: float, n_segments: int = 200, compactness: float = 10.0
) -> np.ndarray:
    """Return the SLIC superpixel that contains a point: the magic wand.

    Args:
        image_rgb: ``uint8`` array of shape ``(height, width, 3)``, RGB.
        x, y: The clicked point in image pixels, inside the image.
        n_segments: About how many superpixels SLIC splits the image into, 1 to
            10,000. More segments give smaller regions.
        compactness: SLIC's balance of colour and space, > 0. Higher values give
            squarer regions, lower values follow colour edges more closely.

    Returns:
        Boolean mask of shape ``(height, width)``, True on the superpixel.

    Raises:
        InvalidInput: The image is not ``uint8`` RGB, the point lies outside it, or a
            parameter is out of range.
    """
    height, width = _check_rgb(image_rgb)
    for name, value in (("x", x), ("y", y), ("compactness", compactness)):
        if not is_number(value):
            raise InvalidInput(f"{name} must be a finite number, got {value!r}")
    if not (0 <= x < width and 0 <= y < height):
        raise InvalidInput(f"point ({x}, {y}) lies outside the {width}x{height} image")
    if isinstance(n_segments, bool) or not isinstance(n_segments, int):
        raise InvalidInput(f"n_segments must be an integer, got {n_segments!r}")
    if not 1 <= n_segments <= MAX_SUPERPIXELS:
        raise InvalidInput(f"n_segments must be between 1 and {MAX_SUPERPIXELS}, got {n_segments}")
    if compactness <= 0:
        raise InvalidInput(f"compactness must be greater than 0, got {compactness}")

    # Smoothing first (sigma) keeps pixel noise from splitting superpixels into
    # fragments, which SLIC's connectivity step would otherwise merge into one region.
    segments = slic(
        image_rgb,
        n_segments=n_segments,
        compactness=compactness,
        sigma=1.0,
        start_label=1,
        channel_axis=-1,
    )
    return segments == segments[int(y), int(x)]


def resize_mask(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    """Scale a mask to ``(height, width)``, smoothing the edges when it grows."""
    _check_mask_array(mask, "mask")
    _check_size(height, width)
    scaled = cv2.resize(
        (mask != 0).astype(np.uint8) * 255, (width, height), interpolation=cv2.INTER_LINEAR
    )
    return scaled >= 128


def offset_polygons(polygons: list[Polygon], dx: float, dy: float) -> list[Polygon]:
    """Move polygons by ``(dx, dy)`` pixels, such as from a crop into the whole image."""

    def shift(ring: list[float]) -> list[float]:
        return [value + (dx if i % 2 == 0 else dy) for i, value in enumerate(ring)]

    return [
        {"points": shift(p["points"]), "holes": [shift(h) for h in p["holes"]]} for p in polygons
    ]


def _simplify(contour: np.ndarray, tolerance: float) -> list[float] | None:
    ring = cv2.approxPolyDP(contour, tolerance, True) if tolerance > 0 else contour
    if len(ring) < 3:
        ring = contour
    if len(ring) < 3:
        return None
    return [float(v) + 0.5 for v in ring.reshape(-1)]


def _ring(points: Any, where: str, height: int, width: int) -> np.ndarray:
    if not isinstance(points, list | tuple) or len(points) < 6 or len(points) % 2:
        raise InvalidInput(
            f"{where} must be a flat list [x1, y1, x2, y2, ...] of at least 3 points"
        )
    for value in points:
        if not is_number(value):
            raise InvalidInput(f"{where} contains {value!r}; every value must be a finite number")
    ring = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if (np.abs(ring) > MAX_COORDINATE).any():
        raise InvalidInput(
            f"{where} has a point more than {MAX_COORDINATE} pixels from the origin; "
            "check the coordinates' unit (image pixels)"
        )
    return ring


def _fill_polygon(mask: np.ndarray, outer: np.ndarray, holes: list[np.ndarray]) -> None:
    """Set the pixels of one polygon minus its holes, working only inside its bounds."""
    height, width = mask.shape
    left = max(0, math.floor(outer[:, 0].min()))
    top = max(0, math.floor(outer[:, 1].min()))
    right = min(width, math.ceil(outer[:, 0].max()) + 1)
    bottom = min(height, math.ceil(outer[:, 1].max()) + 1)
    if right <= left or bottom <= top:
        return
    scale = 1 << _FILL_SHIFT

    def fixed(ring: np.ndarray) -> np.ndarray:
        # Pixel (col, row) has its centre at (col + 0.5, row + 0.5); OpenCV fills by index.
        shifted = (ring - [left + 0.5, top + 0.5]) * scale
        return np.round(shifted).astype(np.int32).reshape(-1, 1, 2)

    window = np.zeros((bottom - top, right - left), dtype=np.uint8)
    cv2.fillPoly(window, [fixed(outer)], 1, lineType=cv2.LINE_8, shift=_FILL_SHIFT)
    if holes:
        cut = np.zeros_like(window)
        cv2.fillPoly(
            cut, [fixed(hole) for hole in holes], 1, lineType=cv2.LINE_8, shift=_FILL_SHIFT
        )
        # A hole's traced outline runs through the centres of the object's edge pixels
        # around it, so those edge pixels stay set.
        edge = np.zeros_like(window)
        outlines = [fixed(hole) for hole in holes]
        cv2.polylines(edge, outlines, True, 1, thickness=1, lineType=cv2.LINE_8, shift=_FILL_SHIFT)
        window &= ~(cut & ~edge) & 1
    mask[top:bottom, left:right] |= window


def _box_pixels(box: Sequence[float], height: int, width: int) -> tuple[int, int, int, int]:
    """Return the box's pixel bounds ``(left, top, right, bottom)``, clipped to the image."""
    if not isinstance(box, Sequence) or len(box) != 4:
        raise InvalidInput(f"box must be (x, y, width, height), got {box!r}")
    for value in box:
        if not is_number(value):
            raise InvalidInput(f"box {list(box)} contains {value!r}; give finite numbers")
    x, y, box_width, box_height = (float(v) for v in box)
    left, top = max(0, round(x)), max(0, round(y))
    right, bottom = min(width, round(x + box_width)), min(height, round(y + box_height))
    if right - left < 2 or bottom - top < 2:
        raise InvalidInput(
            f"box {list(box)} covers less than 2x2 pixels of the {width}x{height} image; "
            "draw it around the object"
        )
    return left, top, right, bottom


def _check_rle(rle: Any, expected_size: Sequence[int] | None) -> tuple[int, int, list[int]]:
    """Validate an RLE and return its size and run lengths.

    pycocotools writes runs into the output without bounds checks, so the runs are
    checked here before any of them reach it.
    """
    if not isinstance(rle, dict):
        raise InvalidInput(f"rle must be an object {{size, counts}}, got {type(rle).__name__}")
    size = rle.get("size")
    if (
        not isinstance(size, list | tuple)
        or len(size) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in size)
    ):
        raise InvalidInput(f"rle.size must be [height, width] in pixels, got {size!r}")
    height, width = int(size[0]), int(size[1])
    if expected_size is not None and [height, width] != [int(v) for v in expected_size]:
        raise InvalidInput(
            f"rle.size {[height, width]} does not match the image size "
            f"{[int(v) for v in expected_size]} (height, width)"
        )
    counts = rle.get("counts")
    if isinstance(counts, str):
        runs = _parse_counts(counts)
    elif isinstance(counts, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in counts
    ):
        runs = list(counts)
    else:
        raise InvalidInput(
            "rle.counts must be a COCO compressed RLE string or a list of run lengths >= 0"
        )
    total = sum(runs)
    if total != height * width:
        raise InvalidInput(
            f"rle.counts runs add up to {total} pixels but rle.size {[height, width]} has "
            f"{height * width}: the counts belong to another image size"
        )
    return height, width, runs


def _parse_counts(counts: str) -> list[int]:
    """Read COCO's compressed counts: LEB128-like 5-bit groups, later runs as deltas."""
    runs: list[int] = []
    value, shift = 0, 0
    for position, char in enumerate(counts):
        code = ord(char)
        if not _RLE_FIRST_CHAR <= code <= _RLE_LAST_CHAR:
            raise InvalidInput(
                f"rle.counts has {char!r} at position {position}; compressed RLE uses "
                "characters '0' to 'o' only"
            )
        group = code - _RLE_FIRST_CHAR
        value |= (group & 0x1F) << shift
        shift += 5
        if group & 0x20:
            continue
        if group & 0x10:
            value -= 1 << shift
        if len(runs) > 2:
            value += runs[-2]
        if value < 0:
            raise InvalidInput(f"rle.counts decodes to a negative run ({value}) at {position}")
        runs.append(value)
        value, shift = 0, 0
    if shift:
        raise InvalidInput("rle.counts ends in the middle of a number: the string is truncated")
    return runs


def _check_mask_array(mask: Any, name: str) -> None:
    if not isinstance(mask, np.ndarray) or mask.ndim != 2 or 0 in mask.shape:
        shape = getattr(mask, "shape", None)
        raise InvalidInput(f"{name} must be a 2-D array with both sides > 0, got shape {shape}")


def _check_size(height: Any, width: Any) -> None:
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"{name} must be an integer >= 1 pixel, got {value!r}")


def _check_rgb(image: Any) -> tuple[int, int]:
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or image.ndim != 3
        or image.shape[2] != 3
        or 0 in image.shape
    ):
        described = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image)
        raise InvalidInput(f"image_rgb must be a uint8 array of shape (h, w, 3), got {described}")
    return int(image.shape[0]), int(image.shape[1])
