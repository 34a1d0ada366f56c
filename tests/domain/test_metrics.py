import numpy as np
import pytest

from labelloop.domain.errors import InvalidInput
from labelloop.domain.metrics import (
    BACKGROUND,
    EvalImage,
    box_iou,
    classification_scores,
    coco_detection_ap,
    detection_confusion,
    region_box,
)


def box(x, y, w, h, label, score=None, rotation=None):
    shape = {"type": "bbox", "x": x, "y": y, "width": w, "height": h}
    if rotation is not None:
        shape["rotation"] = rotation
    return {"id": "r", "control": "o", "shape": shape, "labels": [label], "score": score}


def scene(seed: int, count: int = 20) -> list[EvalImage]:
    rng = np.random.default_rng(seed)
    images = []
    for image_id in range(1, count + 1):
        truth = [
            box(*rng.uniform(0, 300, 2), *rng.uniform(20, 80, 2), rng.choice(["cat", "dog"]))
            for _ in range(3)
        ]
        images.append(EvalImage(image_id, 400, 400, truth, []))
    return images


def test_perfect_predictions_score_one():
    images = scene(0)
    for image in images:
        image.predicted = [{**region, "score": 0.9} for region in image.truth]
    result = coco_detection_ap(images, ["cat", "dog"])
    assert result["map"] == pytest.approx(1.0)
    assert result["ap50"] == pytest.approx(1.0)
    assert result["per_class"]["cat"] == pytest.approx(1.0)


def test_shifted_predictions_lose_strict_ap_first():
    images = scene(1)
    for image in images:
        image.predicted = []
        for region in image.truth:
            shape = region["shape"]
            moved = box(
                shape["x"] + 0.15 * shape["width"],
                shape["y"],
                shape["width"],
                shape["height"],
                region["labels"][0],
                0.8,
            )
            image.predicted.append(moved)
    result = coco_detection_ap(images, ["cat", "dog"])
    assert result["ap50"] == pytest.approx(1.0)
    assert result["map"] < 0.8


def test_no_reference_boxes_is_an_error():
    with pytest.raises(InvalidInput, match="no reference boxes"):
        coco_detection_ap([EvalImage(1, 10, 10, [], [])], ["cat"])


def test_confusion_counts_swaps_misses_and_false_alarms():
    image = EvalImage(
        1,
        100,
        100,
        truth=[box(0, 0, 10, 10, "cat"), box(50, 50, 10, 10, "dog"), box(80, 0, 10, 10, "cat")],
        predicted=[
            box(0, 0, 10, 10, "dog", 0.9),
            box(50, 50, 10, 10, "dog", 0.9),
            box(30, 30, 5, 5, "cat", 0.9),
            box(80, 0, 10, 10, "cat", 0.1),
        ],
    )
    result = detection_confusion([image], ["cat", "dog"])
    assert result["labels"] == ["cat", "dog", BACKGROUND]
    assert result["matrix"] == [[0, 1, 1], [0, 1, 0], [1, 0, 0]]


def test_iou_of_known_boxes():
    first = np.array([[0, 0, 10, 10]], dtype=float)
    second = np.array([[5, 0, 10, 10], [20, 20, 5, 5]], dtype=float)
    assert box_iou(first, second).round(4).tolist() == [[round(50 / 150, 4), 0.0]]


def test_rotated_box_extent_grows():
    extent = region_box(box(0, 0, 10, 10, "a", rotation=45))
    assert extent[2] == pytest.approx(10 * np.sqrt(2))
    assert extent[0] == pytest.approx(5 - 5 * np.sqrt(2))


def test_classification_scores():
    result = classification_scores(["a", "b", "b"], ["a", "b", "a"], ["a", "b"])
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert result["matrix"] == [[1, 0], [1, 1]]
