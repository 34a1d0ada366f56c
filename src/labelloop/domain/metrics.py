"""Evaluation metrics: COCO detection AP through pycocotools, confusion matrices, and
classification scores. Pure functions over regions in the annotation record."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from labelloop.domain.errors import InvalidInput
from labelloop.domain.geometry import region_box

BACKGROUND = "(background)"
DETECTION_SHAPES = ("bbox", "polygon", "mask", "ellipse")


@dataclass
class EvalImage:
    """One image with its reference regions and the regions a model predicted."""

    image_id: int
    width: int
    height: int
    truth: list[dict[str, Any]]
    predicted: list[dict[str, Any]]


def _boxes(regions: list[dict[str, Any]]) -> list[tuple[list[float], str, float]]:
    """Return (box, label, score) per object. Regions that share a group and a label are
    one object drawn in parts (COCO's multi-polygon instances), so their boxes merge."""
    merged: dict[tuple[Any, str], tuple[list[float], float]] = {}
    found = []
    for region in regions:
        if region["shape"]["type"] not in DETECTION_SHAPES or not region.get("labels"):
            continue
        box = region_box(region)
        if box is None or box[2] <= 0 or box[3] <= 0:
            continue
        label = region["labels"][0]
        score = 1.0 if region.get("score") is None else float(region["score"])
        group = region.get("group")
        if group is None:
            found.append((box, label, score))
            continue
        previous = merged.get((group, label))
        if previous is not None:
            (x, y, w, h), best = previous
            left, top = min(x, box[0]), min(y, box[1])
            right, bottom = max(x + w, box[0] + box[2]), max(y + h, box[1] + box[3])
            box, score = [left, top, right - left, bottom - top], max(best, score)
        merged[(group, label)] = (box, score)
    found.extend((box, label, score) for (_group, label), (box, score) in merged.items())
    return found


def coco_detection_ap(images: Sequence[EvalImage], labels: Sequence[str]) -> dict[str, Any]:
    """Return COCO box AP: ``map`` (AP@[.5:.95]), ``ap50``, ``ap75`` and ``per_class`` AP.

    Values are in [0, 1]; a class with no reference boxes gets None, as pycocotools
    marks it -1. Predictions without a score count as score 1.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    category_ids = {name: index + 1 for index, name in enumerate(labels)}
    truth, predicted = [], []
    for image in images:
        for box, label, _score in _boxes(image.truth):
            if label in category_ids:
                truth.append(_annotation(len(truth) + 1, image, box, category_ids[label]))
        for box, label, score in _boxes(image.predicted):
            if label in category_ids:
                entry = _annotation(len(predicted) + 1, image, box, category_ids[label])
                predicted.append({**entry, "score": score})
    if not truth:
        raise InvalidInput("no reference boxes to evaluate against: label some images first")
    empty = {"map": 0.0, "ap50": 0.0, "ap75": 0.0, "per_class": dict.fromkeys(labels, 0.0)}
    if not predicted:
        return empty
    document = {
        "images": [{"id": i.image_id, "width": i.width, "height": i.height} for i in images],
        "annotations": truth,
        "categories": [{"id": cid, "name": name} for name, cid in category_ids.items()],
    }
    # pycocotools prints its progress and summary table; the caller gets the numbers.
    # NOTE: redirect_stdout is process-wide, so a print from another thread during
    # these lines is swallowed too.
    with contextlib.redirect_stdout(io.StringIO()):
        reference = COCO()
        reference.dataset = document
        reference.createIndex()
        evaluation = COCOeval(reference, reference.loadRes(predicted), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    precision = evaluation.eval["precision"]  # [iou, recall, class, area, max detections]
    per_class = {}
    for name, cid in category_ids.items():
        values = precision[:, :, cid - 1, 0, -1]
        values = values[values > -1]
        per_class[name] = float(values.mean()) if values.size else None
    stats = evaluation.stats
    return {
        "map": max(float(stats[0]), 0.0),
        "ap50": max(float(stats[1]), 0.0),
        "ap75": max(float(stats[2]), 0.0),
        "per_class": per_class,
    }


def _annotation(annotation_id: int, image: EvalImage, box: list[float], category: int) -> dict:
    return {
        "id": annotation_id,
        "image_id": image.image_id,
        "category_id": category,
        "bbox": [float(v) for v in box],
        "area": float(box[2] * box[3]),
        "iscrowd": 0,
    }


def box_iou(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the IoU matrix of boxes ``(n, 4)`` and ``(m, 4)`` given as x, y, w, h."""
    if not len(first) or not len(second):
        return np.zeros((len(first), len(second)))
    a0, a1 = first[:, None, :2], first[:, None, :2] + first[:, None, 2:]
    b0, b1 = second[None, :, :2], second[None, :, :2] + second[None, :, 2:]
    overlap = np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0, None).prod(axis=2)
    union = first[:, None, 2:].prod(axis=2) + second[None, :, 2:].prod(axis=2) - overlap
    return np.where(union > 0, overlap / np.maximum(union, 1e-12), 0.0)


def detection_confusion(
    images: Sequence[EvalImage],
    labels: Sequence[str],
    *,
    iou_threshold: float = 0.5,
    score_threshold: float = 0.5,
) -> dict[str, Any]:
    """Count matches of predicted to reference boxes, class-agnostically by IoU.

    Rows are reference classes and columns predicted classes. The last row and
    column are background. A missed reference box counts in its class's background
    column, and a prediction that matches nothing counts in the background row. Predictions with a
    score below ``score_threshold`` are left out; matching is greedy by score.
    """
    names = [*labels, BACKGROUND]
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    for image in images:
        truth = [(b, label) for b, label, _ in _boxes(image.truth) if label in index]
        predicted = sorted(
            ((b, label, s) for b, label, s in _boxes(image.predicted) if label in index),
            key=lambda entry: -entry[2],
        )
        predicted = [entry for entry in predicted if entry[2] >= score_threshold]
        ious = box_iou(
            np.array([b for b, _ in truth], dtype=float).reshape(-1, 4),
            np.array([b for b, _, _ in predicted], dtype=float).reshape(-1, 4),
        )
        matched = np.zeros(len(truth), dtype=bool)
        for column, (_box, label, _score) in enumerate(predicted):
            candidates = np.where(~matched & (ious[:, column] >= iou_threshold))[0]
            if candidates.size:
                row = candidates[np.argmax(ious[candidates, column])]
                matched[row] = True
                matrix[index[truth[row][1]], index[label]] += 1
            else:
                matrix[index[BACKGROUND], index[label]] += 1
        for row in np.where(~matched)[0]:
            matrix[index[truth[row][1]], index[BACKGROUND]] += 1
    return {"labels": names, "matrix": matrix.tolist()}


def classification_scores(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Return accuracy, macro F1 and the confusion matrix (rows reference, columns predicted)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    if not truth:
        raise InvalidInput("no items have both a reference class and a prediction to compare")
    names = list(labels)
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(
            f1_score(truth, predicted, labels=names, average="macro", zero_division=0)
        ),
        "labels": names,
        "matrix": confusion_matrix(truth, predicted, labels=names).tolist(),
    }
