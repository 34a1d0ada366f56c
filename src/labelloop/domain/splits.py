"""Seeded, stratified train/validation/test splits for dataset versions."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Hashable, Sequence

import numpy as np

from labelloop.domain.errors import InvalidInput

SPLITS = ("train", "validation", "test")
FRACTION_TOLERANCE = 1e-6


def parse_fractions(text: str) -> tuple[float, float, float]:
    """Parse "0.8,0.1,0.1" into checked train, validation and test fractions."""
    parts = [part.strip() for part in text.split(",")]
    try:
        values = tuple(float(part) for part in parts)
    except ValueError as error:
        raise InvalidInput(
            f"split fractions {text!r} are not numbers; write three fractions such as 0.8,0.1,0.1"
        ) from error
    return check_fractions(values)


def check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    """Return the fractions as a tuple, or raise InvalidInput naming them and the fix."""
    values = tuple(fractions)
    if len(values) != 3:
        raise InvalidInput(
            f"split fractions {values} must be three numbers (train, validation, test), "
            "e.g. 0.8,0.1,0.1"
        )
    if not all(math.isfinite(value) and value >= 0 for value in values):
        raise InvalidInput(
            f"split fractions {values} must be finite and non-negative, e.g. 0.8,0.1,0.1"
        )
    total = math.fsum(values)
    if abs(total - 1.0) > FRACTION_TOLERANCE:
        raise InvalidInput(
            f"split fractions {values} sum to {total:g}, not 1; scale them to sum to 1, "
            "e.g. 0.8,0.1,0.1"
        )
    return (float(values[0]), float(values[1]), float(values[2]))


def assign_splits(
    keys: Sequence[str | int],
    strata: Sequence[Hashable],
    fractions: tuple[float, float, float],
    seed: int,
) -> list[str]:
    """Return "train", "validation" or "test" for each key, in the order of `keys`.

    Items are grouped by stratum (for example the item's label). Overall counts are
    the fractions of all items rounded by largest remainder, and each stratum gets
    its own share rounded so that the per-split totals add up to those counts. A
    stratum's count in a split is usually within 1 of its exact share; seeded
    random tests check that it is always within 2.
    Inside a stratum, keys are sorted and then shuffled by a generator seeded with
    `seed` and the stratum, so the result does not depend on the input order. Adding
    a stratum keeps the shuffled order of the others, though their counts can move
    by one.
    """
    fractions = check_fractions(fractions)
    if len(keys) != len(strata):
        raise InvalidInput(
            f"assign_splits got {len(keys)} keys but {len(strata)} strata; give one stratum per key"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidInput(f"split seed must be an integer >= 0, got {seed!r}")
    if len(set(keys)) != len(keys):
        raise InvalidInput("assign_splits got duplicate keys; pass each item once")
    if not keys:
        return []

    groups: dict[str, list[int]] = defaultdict(list)
    for position, stratum in enumerate(strata):
        groups[str(stratum)].append(position)
    stratum_names = sorted(groups)
    sizes = np.array([len(groups[name]) for name in stratum_names])
    counts = _allocate(sizes, np.array(fractions), np.random.default_rng(seed))

    assigned = [""] * len(keys)
    for name, row in zip(stratum_names, counts, strict=True):
        positions = sorted(groups[name], key=lambda position: _sort_key(keys[position]))
        order = _stratum_rng(seed, name).permutation(len(positions))
        labels = np.repeat(np.array(SPLITS), row)
        for label, index in zip(labels, order, strict=True):
            assigned[positions[index]] = str(label)
    return assigned


def _allocate(sizes: np.ndarray, fractions: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round the table sizes x fractions to integers whose rows and columns add up.

    Rows sum to each stratum size; columns sum to the largest-remainder rounding of
    the total, so overall proportions match even when every stratum is tiny. Extra
    units go to the cells with the largest remainders; `rng` breaks ties.
    """
    # Rounding to 9 decimals keeps 10 * 0.7 = 7.000000000000001 from counting as a
    # remainder.
    quotas = np.round(sizes[:, None] * fractions[None, :], 9)
    counts = np.floor(quotas).astype(np.int64)
    remainders = quotas - counts

    total_quota = np.round(sizes.sum() * fractions, 9)
    column_targets = np.floor(total_quota).astype(np.int64)
    shortfall = int(sizes.sum() - column_targets.sum())
    by_remainder = np.argsort(-(total_quota - column_targets), kind="stable")
    column_targets[by_remainder[:shortfall]] += 1

    row_need = sizes - counts.sum(axis=1)
    column_need = column_targets - counts.sum(axis=0)
    tie_breaks = rng.random(remainders.shape)
    order = np.lexsort((tie_breaks.ravel(), -remainders.ravel()))
    for flat in order:
        row, column = divmod(int(flat), len(fractions))
        if remainders[row, column] <= 0:
            break
        if row_need[row] > 0 and column_need[column] > 0:
            counts[row, column] += 1
            row_need[row] -= 1
            column_need[column] -= 1

    # Greedy filling can leave a stratum short while the only splits with room had
    # no remainder in it. Each such unit goes to the split that still needs items
    # and where the stratum is furthest below its quota.
    for row in np.flatnonzero(row_need):
        while row_need[row] > 0:
            open_columns = np.flatnonzero(column_need)
            excess = counts[row, open_columns] - quotas[row, open_columns]
            column = open_columns[int(np.argmin(excess))]
            counts[row, column] += 1
            row_need[row] -= 1
            column_need[column] -= 1
    return counts


def _sort_key(key: str | int) -> tuple[int, str | int]:
    return (0, key) if isinstance(key, int) else (1, str(key))


def _stratum_rng(seed: int, stratum: str) -> np.random.Generator:
    digest = hashlib.sha256(stratum.encode("utf-8")).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest[:8], "big")])
