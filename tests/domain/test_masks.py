"""Masks: RLE against pycocotools, polygons both ways, GrabCut and the magic wand."""

from __future__ import annotations

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from labelloop.domain import masks
from labelloop.domain.errors import InvalidInput

HEIGHT, WIDTH = 120, 160
CENTRE_X, CENTRE_Y, RADIUS = 80, 60, 35


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def disc(radius: float) -> np.ndarray:
    rows, cols = np.mgrid[:HEIGHT, :WIDTH]
    return (cols - CENTRE_X) ** 2 + (rows - CENTRE_Y) ** 2 <= radius**2


def circle_on_noise(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return a bright filled circle on dark noise, and the circle's true mask."""
    rng = np.random.default_rng(seed)
    truth = disc(RADIUS)
    image = rng.integers(0, 70, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[truth] = rng.integers(170, 256, (int(truth.sum()), 3), dtype=np.uint8)
    return image, truth


def pycocotools_rle(mask: np.ndarray) -> dict:
    return coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))


@pytest.fixture
def ring() -> np.ndarray:
    return disc(RADIUS) & ~disc(15)


def test_encode_rle_matches_pycocotools(ring):
    rle = masks.encode_rle(ring)

    expected = pycocotools_rle(ring)
    assert rle["size"] == [HEIGHT, WIDTH]
    assert rle["counts"] == expected["counts"].decode("ascii")


def test_decode_rle_round_trip(ring):
    decoded = masks.decode_rle(masks.encode_rle(ring))

    assert decoded.dtype == bool
    assert np.array_equal(decoded, ring)


def test_decode_rle_uncompressed_counts():
    mask = np.zeros((4, 3), dtype=bool)
    mask[1:3, 1] = True

    decoded = masks.decode_rle({"size": [4, 3], "counts": [5, 2, 5]})

    assert np.array_equal(decoded, mask)


def test_rle_area_matches_pycocotools(ring):
    rle = masks.encode_rle(ring)

    assert masks.rle_area(rle) == int(coco_mask.area(pycocotools_rle(ring)))
    assert masks.rle_area(rle) == int(ring.sum())


def test_rle_bounds(ring):
    rows, cols = np.nonzero(ring)
    expected = (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)

    assert masks.rle_bounds(masks.encode_rle(ring)) == expected
    assert masks.rle_bounds(masks.encode_rle(np.zeros((3, 3), bool))) is None


@pytest.mark.parametrize(
    "window",
    [
        (slice(20, 100), slice(40, 130)),
        (slice(0, HEIGHT), slice(30, 140)),
        (slice(0, HEIGHT), slice(0, WIDTH)),
    ],
)
def test_encode_rle_window_equals_full(window):
    rng = np.random.default_rng(3)
    full = np.zeros((HEIGHT, WIDTH), dtype=bool)
    rows, cols = window
    full[rows, cols] = rng.random((rows.stop - rows.start, cols.stop - cols.start)) > 0.5
    # Runs that wrap from the bottom of one column to the top of the next.
    full[rows.start + 10 : rows.stop, cols.start] = True
    full[rows.start : rows.stop - 10, cols.start + 1] = True
    full[rows.stop - 1, cols.stop - 1] = True

    rle = masks.encode_rle_window(full[rows, cols], rows.start, cols.start, HEIGHT, WIDTH)

    assert rle == masks.encode_rle(full)


@pytest.mark.parametrize(
    ("rle", "message"),
    [
        ("not an object", "must be an object"),
        ({"size": [0, 3], "counts": "0"}, "rle.size"),
        ({"size": [2, 2], "counts": "\x7f"}, "position 0"),
        ({"size": [2, 2], "counts": [1, 2]}, "add up to 3 pixels"),
        ({"size": [2, 2], "counts": [-1, 5]}, "run lengths >= 0"),
        ({"size": [2, 2], "counts": "P"}, "truncated"),
    ],
)
def test_decode_rle_rejects_malformed(rle, message):
    with pytest.raises(InvalidInput, match=message):
        masks.decode_rle(rle)


def test_decode_rle_rejects_other_size(ring):
    with pytest.raises(InvalidInput, match=r"does not match the image size \[10, 10\]"):
        masks.decode_rle(masks.encode_rle(ring), expected_size=[10, 10])


def test_polygon_round_trip_exact_without_simplifying(ring):
    polygons = masks.mask_to_polygons(ring, tolerance=0)

    assert len(polygons) == 1
    assert len(polygons[0]["holes"]) == 1
    assert np.array_equal(masks.polygons_to_mask(polygons, HEIGHT, WIDTH), ring)


def test_polygon_round_trip_simplified(ring):
    polygons = masks.mask_to_polygons(ring, tolerance=1.0)
    back = masks.polygons_to_mask(polygons, HEIGHT, WIDTH)

    assert iou(back, ring) > 0.95
    traced = masks.mask_to_polygons(ring, tolerance=0)
    assert len(polygons[0]["points"]) < len(traced[0]["points"])


def test_mask_to_polygons_island_in_hole(ring):
    mask = ring | disc(5)

    polygons = masks.mask_to_polygons(mask, tolerance=0)

    assert len(polygons) == 2
    assert np.array_equal(masks.polygons_to_mask(polygons, HEIGHT, WIDTH), mask)


def test_mask_to_polygons_vertices_at_pixel_centres():
    mask = np.zeros((6, 6), dtype=bool)
    mask[1:4, 2:5] = True

    [polygon] = masks.mask_to_polygons(mask, tolerance=0)

    assert sorted(zip(polygon["points"][0::2], polygon["points"][1::2], strict=True)) == [
        (2.5, 1.5),
        (2.5, 3.5),
        (4.5, 1.5),
        (4.5, 3.5),
    ]


def test_mask_to_polygons_empty_and_bad_tolerance():
    assert masks.mask_to_polygons(np.zeros((5, 5), bool), 1.0) == []
    with pytest.raises(InvalidInput, match="tolerance must be a finite number >= 0"):
        masks.mask_to_polygons(np.ones((5, 5), bool), -1)


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ({"points": [0, 0, 1, 1]}, r"polygons\[0\].points must be a flat list"),
        ({"points": [0, 0, 1, 1, 2]}, "at least 3 points"),
        ({"points": [0, 0, 1, float("nan"), 2, 2]}, "nan"),
        ({"points": [0, 0, 5, 0, 0, 1e12]}, "more than"),
        ({"points": [0, 0, 5, 0, 0, 5], "holes": [[1, 1]]}, r"holes\[0\]"),
        ("square", "must be an object"),
    ],
)
def test_polygons_to_mask_rejects_bad_rings(polygon, message):
    with pytest.raises(InvalidInput, match=message):
        masks.polygons_to_mask([polygon], 10, 10)


def test_grabcut_finds_circle_on_noise():
    image, truth = circle_on_noise()
    box = (CENTRE_X - RADIUS - 6, CENTRE_Y - RADIUS - 6, 2 * RADIUS + 12, 2 * RADIUS + 12)

    found = masks.grabcut_box(image, box, iterations=5)

    assert found.shape == truth.shape
    assert iou(found, truth) > 0.8


@pytest.mark.parametrize(
    ("box", "iterations", "message"),
    [
        ((0, 0, WIDTH, HEIGHT), 5, "covers the whole"),
        ((10, 10, 1, 30), 5, "less than 2x2"),
        ((500, 500, 10, 10), 5, "less than 2x2"),
        ((10, 10, float("inf"), 30), 5, "inf"),
        ((10, 10, 30), 5, r"box must be \(x, y, width, height\)"),
        ((10, 10, 30, 30), 0, "iterations must be between 1 and 20, got 0"),
    ],
)
def test_grabcut_rejects_bad_input(box, iterations, message):
    image, _ = circle_on_noise()
    with pytest.raises(InvalidInput, match=message):
        masks.grabcut_box(image, box, iterations)


def test_grabcut_rejects_grey_image():
    with pytest.raises(InvalidInput, match=r"image_rgb must be a uint8 array of shape \(h, w, 3\)"):
        masks.grabcut_box(np.zeros((20, 20), np.uint8), (2, 2, 5, 5))


def test_superpixel_stays_inside_circle():
    image, truth = circle_on_noise()

    region = masks.superpixel_region(image, CENTRE_X, CENTRE_Y, n_segments=100, compactness=10)

    assert region[CENTRE_Y, CENTRE_X]
    assert region.sum() > 50
    assert (region & truth).sum() / region.sum() > 0.95


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"x": WIDTH, "y": 5}, "outside the 160x120 image"),
        ({"x": 5, "y": 5, "n_segments": 0}, "n_segments must be between 1 and"),
        ({"x": 5, "y": 5, "compactness": 0}, "compactness must be greater than 0"),
        ({"x": float("nan"), "y": 5}, "x must be a finite number"),
    ],
)
def test_superpixel_rejects_bad_input(arguments, message):
    image, _ = circle_on_noise()
    with pytest.raises(InvalidInput, match=message):
        masks.superpixel_region(image, **arguments)


def test_resize_mask_keeps_shape_of_disc():
    rows, cols = np.mgrid[: HEIGHT // 4, : WIDTH // 4]
    small = (cols - 20) ** 2 + (rows - 15) ** 2 <= 9**2

    large = masks.resize_mask(small, HEIGHT, WIDTH)

    assert large.shape == (HEIGHT, WIDTH)
    assert abs(int(large.sum()) - 16 * int(small.sum())) < 0.1 * 16 * small.sum()
