"""The cumulative sum: label each step by whether the running total has passed a limit.

From the book's Bidirectional LSTM lesson (chapter 10). Each sequence holds
``length`` values drawn uniformly from [0, 1); the label of a step is 1 once the
sum of the values so far reaches the threshold (``length / 4`` by default, the
book's), else 0. A many-to-many sequence classification problem: labels are
0 ... 0 1 ... 1, and where they switch depends on the whole prefix.

    X       0.63 0.27 0.04 0.81 0.91 0.60 ...     length = 10, threshold = 2.5
    cumsum  0.63 0.90 0.94 1.75 2.66 3.26 ...
    y       0    0    0    0    1    1    ...

Where we differ from the book: the book makes one sequence per call, shaped
``(1, length, 1)`` for X and y; ``make`` returns ``n_samples`` of them with y as
``(n, length)`` int64 labels (a classifier with ``return_sequences=True``). The
label rule is the book's ``0 if x < limit else 1``: a total equal to the
threshold counts as passed. The running total is taken over the float32 values
returned in X, so the labels agree exactly with the data a user sees.
:func:`majority_baseline` gives the skill to beat, which the book does not report.

Example:
    >>> X, y = make(2, random_state=0)
    >>> X.shape, y.shape, y.dtype
    ((2, 10, 1), (2, 10), dtype('int64'))
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, DataError, ShapeError

#: The book's settings: sequences of 10 steps (threshold 10 / 4 = 2.5).
BOOK_SETTINGS = {"length": 10}


def make(
    n_samples: int,
    length: int = 10,
    threshold: float | None = None,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate random sequences labelled step by step by their running total.

    Args:
        n_samples: number of sequences.
        length: steps per sequence.
        threshold: the running total at which labels switch to 1; None means
            ``length / 4`` (the book's).
        random_state: seed or NumPy Generator.

    Shape:
        X: ``(n_samples, length, 1)`` float32; y: ``(n_samples, length)`` int64.

    Returns:
        ``(X, y)``.

    Raises:
        ConfigError: counts that are not positive integers, or a threshold outside
            ``[0, length]`` (outside it every label would be the same).

    Example:
        >>> X, y = make(1, length=4, threshold=0.9, random_state=0)
        >>> np.cumsum(X[0, :, 0], dtype=float).round(2).tolist(), y[0].tolist()
        ([0.64, 0.91, 0.95, 0.96], [0, 1, 1, 1])
    """
    _check_settings(n_samples, length, threshold)
    limit = length / 4.0 if threshold is None else float(threshold)
    rng = np.random.default_rng(random_state)
    X = rng.random((n_samples, length)).astype(np.float32)
    total = np.cumsum(X.astype(np.float64), axis=1)  # summed in order, step by step
    y = (total >= limit).astype(np.int64)  # the book's: 0 if total < limit else 1
    return X[:, :, np.newaxis], y


def majority_baseline(y_train: Any, y_test: Any) -> float:
    """Accuracy of predicting, at each step position, that position's majority label.

    The honest baseline for per-step labels: a constant per position learnt from
    ``y_train`` (ties go to the smaller label), scored on every step of ``y_test``.
    For the book's problem the early steps are nearly always 0 and the late ones
    nearly always 1, so this baseline is high; a model must beat it, not 50%.

    Args:
        y_train: ``(samples, length)`` labels to learn the constants from.
        y_test: ``(samples, length)`` labels to score them on.

    Raises:
        ShapeError: the arrays are not 2-D with the same number of steps.
        DataError: either array has no samples.

    Example:
        >>> majority_baseline([[0, 1], [0, 1], [1, 1]], [[0, 1], [1, 0]])
        0.5
    """
    train, test = np.asarray(y_train), np.asarray(y_test)
    if train.ndim != 2 or test.ndim != 2 or train.shape[1] != test.shape[1]:
        raise ShapeError(
            f"expected y_train and y_test of shape (samples, length) with the same length, "
            f"got {train.shape} and {test.shape}"
        )
    if len(train) == 0 or len(test) == 0:
        raise DataError(
            f"majority_baseline needs samples in both arrays, got {len(train)} and {len(test)}"
        )
    majority = np.array([_majority(column) for column in train.T])  # (length,)
    return float((test == majority).mean())


def _majority(labels: np.ndarray) -> Any:
    values, counts = np.unique(labels, return_counts=True)  # values sorted: ties go low
    return values[np.argmax(counts)]


def _check_settings(n_samples: Any, length: Any, threshold: Any) -> None:
    problems = [
        f"{name} must be a positive integer (1 or more), got {value!r}"
        for name, value in (("n_samples", n_samples), ("length", length))
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1
    ]
    if problems:
        raise ConfigError("; ".join(problems))
    if threshold is None:
        return
    valid = isinstance(threshold, Real) and not isinstance(threshold, bool)
    if not valid or not math.isfinite(threshold) or not 0 <= threshold <= length:
        raise ConfigError(
            f"threshold must be a number in [0, length] = [0, {length}] or None "
            f"(length / 4 = {length / 4:g}), got {threshold!r}"
        )


__all__ = ["BOOK_SETTINGS", "majority_baseline", "make"]
