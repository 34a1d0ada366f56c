"""Uncertainty scores that order the labeling queue (active learning by uncertainty sampling).

Every function takes a probability matrix of shape ``(n_items, n_classes)`` whose rows
are class probabilities (non-negative, summing to 1, as ``predict_proba`` returns them)
and returns a float64 vector of shape ``(n_items,)``. Higher scores always mean the
model is less certain, so sorting by score descending puts the most informative
items first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

UNCERTAINTY_METHODS = ("least_confidence", "margin", "entropy")


def _check_probabilities(probabilities: np.ndarray) -> np.ndarray:
    matrix = np.asarray(probabilities, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ValueError(
            f"probabilities must have shape (n_items, n_classes) with n_classes >= 1, "
            f"got shape {matrix.shape}"
        )
    return matrix


def least_confidence(probabilities: np.ndarray) -> np.ndarray:
    """Return ``1 - max_k p_k`` per row: 0 for a certain prediction, up to ``1 - 1/K``."""
    matrix = _check_probabilities(probabilities)
    return 1.0 - matrix.max(axis=1)


def margin(probabilities: np.ndarray) -> np.ndarray:
    """Return ``1 - (p_first - p_second)`` per row, from the two largest probabilities.

    The result lies in [0, 1]: 1 when the two leading classes tie. With a single
    class the second probability counts as 0.
    """
    matrix = _check_probabilities(probabilities)
    if matrix.shape[1] == 1:
        return 1.0 - matrix[:, 0]
    top_two = np.partition(matrix, -2, axis=1)[:, -2:]
    return 1.0 - (top_two[:, 1] - top_two[:, 0])


def entropy(probabilities: np.ndarray) -> np.ndarray:
    """Return the Shannon entropy ``-sum_k p_k ln p_k`` per row, in nats.

    The result lies in [0, ln K], and zero probabilities contribute 0.
    """
    matrix = _check_probabilities(probabilities)
    logs = np.log(np.where(matrix > 0, matrix, 1.0))
    return -(matrix * logs).sum(axis=1)


_METHODS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "least_confidence": least_confidence,
    "margin": margin,
    "entropy": entropy,
}


def uncertainty_scores(probabilities: np.ndarray, method: str = "least_confidence") -> np.ndarray:
    """Score each row of ``probabilities`` with ``method``, one of ``UNCERTAINTY_METHODS``."""
    try:
        score = _METHODS[method]
    except KeyError:
        raise ValueError(
            f"uncertainty method {method!r} is not supported: use one of "
            f"{', '.join(UNCERTAINTY_METHODS)}"
        ) from None
    return score(probabilities)
