from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from labelloop.domain.errors import InvalidInput
from labelloop.domain.splits import assign_splits, check_fractions, parse_fractions

SPLITS = ("train", "validation", "test")


def largest_remainder(total: int, fractions) -> list[int]:
    """Reference rounding written independently of the module, for comparisons."""
    quotas = [round(total * f, 9) for f in fractions]
    counts = [int(q // 1) for q in quotas]
    order = sorted(range(3), key=lambda i: -(quotas[i] - counts[i]))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def split_counts(assigned: list[str]) -> list[int]:
    counter = Counter(assigned)
    return [counter[name] for name in SPLITS]


def test_parse_fractions():
    assert parse_fractions("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    assert parse_fractions(" 0.7, 0.2 ,0.1 ") == (0.7, 0.2, 0.1)
    assert parse_fractions("1,0,0") == (1.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.8,0.1", "must be three numbers"),
        ("a,b,c", "are not numbers"),
        ("0.8,0.1,0.2", "sum to 1.1, not 1"),
        ("80,10,10", "sum to 100, not 1"),
        ("1.2,-0.1,-0.1", "finite and non-negative"),
        ("nan,0.5,0.5", "finite and non-negative"),
    ],
)
def test_parse_fractions_errors(text, expected):
    with pytest.raises(InvalidInput, match=expected) as caught:
        parse_fractions(text)
    assert "0.8,0.1,0.1" in caught.value.detail


def test_fraction_tolerance():
    assert check_fractions((0.8, 0.1, 0.1 + 5e-7)) == (0.8, 0.1, 0.1 + 5e-7)
    with pytest.raises(InvalidInput):
        check_fractions((0.8, 0.1, 0.1 + 2e-6))


def test_splits_exact_overall_counts():
    keys = list(range(1000))
    strata = [f"class {k % 7}" for k in keys]
    assigned = assign_splits(keys, strata, (0.8, 0.1, 0.1), seed=0)
    assert split_counts(assigned) == [800, 100, 100]


def test_splits_stratified():
    keys = [f"item-{i}" for i in range(300)]
    strata = ["cat"] * 200 + ["dog"] * 90 + ["bird"] * 10
    assigned = assign_splits(keys, strata, (0.8, 0.1, 0.1), seed=3)
    by_stratum: dict[str, Counter] = {}
    for split, stratum in zip(assigned, strata, strict=True):
        by_stratum.setdefault(stratum, Counter())[split] += 1
    assert by_stratum["cat"] == Counter(train=160, validation=20, test=20)
    assert by_stratum["dog"] == Counter(train=72, validation=9, test=9)
    assert by_stratum["bird"] == Counter(train=8, validation=1, test=1)


def test_splits_ignore_input_order():
    rng = np.random.default_rng(11)
    keys = [f"k{i}" for i in range(200)]
    strata = [str(rng.integers(0, 5)) for _ in keys]
    first = dict(zip(keys, assign_splits(keys, strata, (0.6, 0.2, 0.2), seed=42), strict=True))
    order = rng.permutation(len(keys))
    shuffled_keys = [keys[i] for i in order]
    shuffled_strata = [strata[i] for i in order]
    second = assign_splits(shuffled_keys, shuffled_strata, (0.6, 0.2, 0.2), seed=42)
    assert dict(zip(shuffled_keys, second, strict=True)) == first


def test_splits_repeatable_and_seeded():
    keys = list(range(100))
    strata = ["a"] * 100
    first = assign_splits(keys, strata, (0.5, 0.25, 0.25), seed=1)
    assert assign_splits(keys, strata, (0.5, 0.25, 0.25), seed=1) == first
    assert assign_splits(keys, strata, (0.5, 0.25, 0.25), seed=2) != first


def test_splits_singleton_strata_keep_totals():
    keys = list(range(10))
    strata = [f"rare {k}" for k in keys]
    assigned = assign_splits(keys, strata, (0.8, 0.1, 0.1), seed=5)
    assert split_counts(assigned) == [8, 1, 1]


def test_splits_new_stratum_keeps_others_order():
    keys = list(range(50))
    before = assign_splits(keys, ["a"] * 50, (1.0, 0.0, 0.0), seed=9)
    after = assign_splits(keys + [50], ["a"] * 50 + ["b"], (1.0, 0.0, 0.0), seed=9)
    assert after[:50] == before


def test_splits_mixed_key_types():
    assigned = assign_splits([3, "b", 1, "a"], ["x"] * 4, (0.5, 0.5, 0.0), seed=0)
    assert split_counts(assigned) == [2, 2, 0]


def test_splits_empty():
    assert assign_splits([], [], (0.8, 0.1, 0.1), seed=0) == []


@pytest.mark.parametrize(
    ("keys", "strata", "seed", "expected"),
    [
        ([1, 2], ["a"], 0, "got 2 keys but 1 strata"),
        ([1, 1], ["a", "a"], 0, "duplicate keys"),
        ([1], ["a"], -1, "seed must be an integer >= 0"),
        ([1], ["a"], 1.5, "seed must be an integer >= 0"),
    ],
)
def test_splits_invalid_arguments(keys, strata, seed, expected):
    with pytest.raises(InvalidInput, match=expected):
        assign_splits(keys, strata, (0.8, 0.1, 0.1), seed=seed)


def test_splits_random_properties():
    """Seeded random cases: exact totals, near-exact strata, every key assigned."""
    rng = np.random.default_rng(2026)
    for _ in range(300):
        total = int(rng.integers(1, 400))
        fractions = tuple(float(f) for f in rng.dirichlet([1.0, 1.0, 1.0]))
        fractions = (fractions[0], fractions[1], 1.0 - fractions[0] - fractions[1])
        stratum_count = int(rng.integers(1, 12))
        strata = [f"s{int(rng.integers(0, stratum_count))}" for _ in range(total)]
        keys = [f"key-{i}" for i in rng.permutation(total)]
        seed = int(rng.integers(0, 2**31))

        assigned = assign_splits(keys, strata, fractions, seed)

        assert len(assigned) == total
        assert set(assigned) <= set(SPLITS)
        assert split_counts(assigned) == largest_remainder(total, fractions)
        for stratum, size in Counter(strata).items():
            counts = split_counts(
                [a for a, s in zip(assigned, strata, strict=True) if s == stratum]
            )
            assert sum(counts) == size
            for count, fraction in zip(counts, fractions, strict=True):
                assert abs(count - size * fraction) < 2, (stratum, counts, size, fractions)
