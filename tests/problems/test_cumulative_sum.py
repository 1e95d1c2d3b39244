"""The cumulative sum labels against a plain-Python loop and the book's rule (chapter 10)."""

import math
import re

import numpy as np
import pytest

from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.problems import cumulative_sum


def labels_by_hand(values, limit):
    """The book's rule, one step at a time: 0 while the running total is below the limit."""
    labels, total = [], 0.0
    for value in values:
        total += float(value)
        labels.append(0 if total < limit else 1)
    return labels


def irwin_hall_cdf(x, n):
    """P(sum of n uniform [0, 1) values <= x)."""
    return sum(
        (-1) ** k * math.comb(n, k) * (x - k) ** n for k in range(int(math.floor(x)) + 1)
    ) / math.factorial(n)


def test_shapes_dtypes_and_range():
    X, y = cumulative_sum.make(30, random_state=0)
    assert X.shape == (30, 10, 1) and X.dtype == np.float32  # the book's 10 steps
    assert y.shape == (30, 10) and y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() < 1.0


def test_labels_follow_the_books_rule_by_a_plain_loop():
    X, y = cumulative_sum.make(200, random_state=1)
    for values, labels in zip(X[:, :, 0], y):
        assert labels.tolist() == labels_by_hand(values, 10 / 4)  # the book's limit, 2.5


def test_explicit_threshold_and_other_lengths():
    X, y = cumulative_sum.make(100, length=8, threshold=1.5, random_state=2)
    for values, labels in zip(X[:, :, 0], y):
        assert labels.tolist() == labels_by_hand(values, 1.5)
    X, y = cumulative_sum.make(100, length=20, random_state=3)
    for values, labels in zip(X[:, :, 0], y):
        assert labels.tolist() == labels_by_hand(values, 5.0)  # 20 / 4


def test_labels_switch_once_from_0_to_1():
    _, y = cumulative_sum.make(500, random_state=4)
    assert np.all(np.diff(y, axis=1) >= 0)


def test_share_of_ones_per_step_matches_the_irwin_hall_distribution():
    _, y = cumulative_sum.make(20_000, random_state=5)
    expected = [1 - irwin_hall_cdf(2.5, steps) for steps in range(1, 11)]
    # 20,000 draws: standard error at most 0.0036, so 0.015 is over 4 standard errors
    np.testing.assert_allclose(y.mean(axis=0), expected, rtol=0, atol=0.015)


def test_majority_baseline_by_hand():
    y_train = [[0, 0, 1], [0, 1, 1], [1, 1, 0]]  # majorities per position: 0, 1, 1
    y_test = [[0, 1, 1], [1, 1, 0]]  # matches: 3 of 3, then 1 of 3
    assert cumulative_sum.majority_baseline(y_train, y_test) == pytest.approx(4 / 6, abs=1e-12)
    assert cumulative_sum.majority_baseline([[0], [1]], [[0], [1]]) == 0.5  # a tie goes to 0


def test_majority_baseline_on_the_books_problem():
    _, y_train = cumulative_sum.make(20_000, random_state=6)
    _, y_test = cumulative_sum.make(20_000, random_state=7)
    ones = [1 - irwin_hall_cdf(2.5, steps) for steps in range(1, 11)]
    expected = sum(max(p, 1 - p) for p in ones) / 10  # about 0.89: far above 0.5
    assert cumulative_sum.majority_baseline(y_train, y_test) == pytest.approx(expected, abs=0.01)


def test_same_seed_repeats_and_other_seeds_differ():
    first, again, other = (cumulative_sum.make(10, random_state=seed) for seed in (8, 8, 9))
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    assert np.array_equal(
        cumulative_sum.make(10, random_state=np.random.default_rng(8))[0], first[0]
    )


def test_bad_arguments_raise_exact_messages():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "n_samples must be a positive integer (1 or more), got 0; "
            "length must be a positive integer (1 or more), got -3"
        ),
    ):
        cumulative_sum.make(0, length=-3)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "threshold must be a number in [0, length] = [0, 10] or None (length / 4 = 2.5), got 11"
        ),
    ):
        cumulative_sum.make(2, threshold=11)
    with pytest.raises(ConfigError, match=re.escape("got nan")):
        cumulative_sum.make(2, threshold=float("nan"))
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "expected y_train and y_test of shape (samples, length) with the same length, got (2, 3) and (2, 4)"
        ),
    ):
        cumulative_sum.majority_baseline(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(
        DataError, match=re.escape("majority_baseline needs samples in both arrays, got 0 and 2")
    ):
        cumulative_sum.majority_baseline(np.zeros((0, 3)), np.zeros((2, 3)))
