"""Checking and encoding targets for the classifier and the regressor (CONTRACTS §2).

Missing targets: -1 for classifier labels, NaN for regression; both are masked
out of the loss and the metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmkit.data._validation import first_nonfinite
from lstmkit.errors import DataError, ShapeError


def check_lengths_match(x_count: int, y: Any) -> None:
    """Raise when X and y hold different numbers of samples.

    Example:
        >>> check_lengths_match(3, [1, 2])
        Traceback (most recent call last):
        ...
        lstmkit.errors.ShapeError: X has 3 samples but y has 2: pass one target per sample (y[i] belongs to X[i])
    """
    count = len(y)
    if count != x_count:
        raise ShapeError(
            f"X has {x_count} samples but y has {count}: pass one target per sample "
            "(y[i] belongs to X[i])"
        )


def pad_ragged_targets(y: list, time_steps: int, fill: float) -> np.ndarray:
    """Stack per-sequence target arrays into ``(samples, time, ...)`` with ``fill``.

    Labels that are not signed numbers (strings, unsigned integers) cannot hold -1:
    they are padded with ``None`` in an object array, which the encoders read as
    "no target" too.

    Example:
        >>> pad_ragged_targets([np.array([1, 2]), np.array([3])], 2, -1).tolist()
        [[1, 2], [3, -1]]
        >>> pad_ragged_targets([np.array(["a"]), np.array([])], 1, -1).tolist()
        [['a'], [None]]
    """
    arrays = [np.asarray(item) for item in y]
    tail = arrays[0].shape[1:]
    dtype = np.result_type(*arrays)
    if np.isnan(fill):
        dtype = np.float64
    elif dtype.kind not in "if":
        fill, dtype = None, np.dtype(object)
    padded = np.full((len(arrays), time_steps, *tail), fill, dtype=dtype)
    for row, array in enumerate(arrays):
        padded[row, : len(array)] = array
    return padded


def missing_labels(y: np.ndarray, per_step: bool) -> np.ndarray:
    """Where per-step labels say "no target": -1 (signed numbers) or None (objects).

    One label per sequence is never missing: -1 is an ordinary label there
    (``{-1, 1}`` is a common binary coding).

    Example:
        >>> missing_labels(np.array([[-1, 1]]), per_step=True).tolist()
        [[True, False]]
        >>> missing_labels(np.array([-1, 1]), per_step=False).tolist()
        [False, False]
    """
    if not per_step:
        return np.zeros(y.shape, dtype=bool)
    if y.dtype.kind in "if":
        return y == -1
    if y.dtype.kind == "O":
        return np.equal(y, None) | np.equal(y, -1)
    return np.zeros(y.shape, dtype=bool)


@dataclass
class LabelTargets:
    """Classifier targets encoded as class indices.

    Attributes:
        codes: int64 class index per sample (or per step); -1 = no target.
        classes: the sorted distinct labels.
        one_hot: the labels came as one-hot rows (predict answers in kind).

    Example:
        >>> encoded = encode_labels(np.array(["b", "a", "b"]))
        >>> encoded.codes.tolist(), encoded.classes.tolist()
        ([1, 0, 1], ['a', 'b'])
    """

    codes: np.ndarray
    classes: np.ndarray
    one_hot: bool = False


def encode_labels(y: np.ndarray, per_step: bool = False) -> LabelTargets:
    """Encode labels (any sortable values, or one-hot rows) as class indices.

    Raises:
        DataError: NaN labels, one-hot rows that do not sum to 1, a single class.

    Example:
        >>> encode_labels(np.array([[0, 1], [1, 0]])).codes.tolist()
        [1, 0]
    """
    if not per_step and y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # a column of labels, not one-hot rows of a single class
    if not per_step and y.ndim == 2:
        return _decode_one_hot(y)
    if per_step and y.ndim == 3:  # one-hot rows per step, as Keras's seq2seq lessons use
        encoded = _decode_one_hot(y.reshape(-1, y.shape[2]))
        return LabelTargets(encoded.codes.reshape(y.shape[:2]), encoded.classes, one_hot=True)
    expected = 2 if per_step else 1
    if y.ndim != expected:
        layout = (
            "(samples, steps) or one-hot (samples, steps, classes)"
            if per_step
            else "(samples,) or one-hot (samples, classes)"
        )
        raise ShapeError(f"expected classifier targets y of shape {layout}, got shape {y.shape}")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise DataError(
            "y contains NaN: classifier labels must all be present (use -1 for 'no target' in per-step labels)"
        )
    missing = missing_labels(y, per_step)
    try:
        classes, codes = np.unique(y[~missing], return_inverse=True)
    except TypeError as exc:
        raise DataError(
            f"the labels in y cannot be ordered ({exc}): use labels of one type, all strings "
            "or all numbers"
        ) from exc
    full = np.full(y.shape, -1, dtype=np.int64)
    full[~missing] = codes
    if len(classes) < 2:
        raise DataError(
            f"y holds a single class {classes.tolist()}: a classifier needs at least two "
            "classes to learn from"
        )
    return LabelTargets(full, classes)


def _decode_one_hot(y: np.ndarray) -> LabelTargets:
    sums = y.sum(axis=1)
    bad = np.flatnonzero(~np.isclose(sums, 1.0))
    if bad.size:
        raise DataError(
            f"one-hot row {int(bad[0])} of y sums to {float(sums[bad[0]]):g}, not 1: pass one-hot "
            "rows (a single 1 per row) or integer labels"
        )
    classes = np.arange(y.shape[1])
    return LabelTargets(np.argmax(y, axis=1).astype(np.int64), classes, one_hot=True)


def apply_labels(
    y: np.ndarray, classes: np.ndarray, one_hot: bool, per_step: bool = False
) -> np.ndarray:
    """Encode labels with classes learned at fit; unseen labels are an error.

    Example:
        >>> apply_labels(np.array(["b", "a"]), np.array(["a", "b"]), one_hot=False).tolist()
        [1, 0]
    """
    if not per_step and y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if one_hot and y.ndim == 2 and y.shape[1] == len(classes) and not per_step:
        return np.argmax(y, axis=1).astype(np.int64)
    if one_hot and y.ndim == 3 and y.shape[2] == len(classes) and per_step:
        return np.argmax(y, axis=2).astype(np.int64)
    missing = missing_labels(y, per_step)
    present = y[~missing]
    positions = np.clip(np.searchsorted(classes, present), 0, len(classes) - 1)
    unseen = classes[positions] != present
    if unseen.any():
        label = present[unseen][0]
        label = label.item() if hasattr(label, "item") else label
        known = ", ".join(repr(c) for c in classes.tolist()[:10])
        raise DataError(
            f"y contains the label {label!r}, unseen at fit; the classes are {known}. "
            "Refit on data that includes it."
        )
    codes = np.full(y.shape, -1, dtype=np.int64)
    codes[~missing] = positions
    return codes


def check_regression_targets(y: np.ndarray) -> np.ndarray:
    """Require numeric targets; NaN marks a missing target, inf is an error.

    Example:
        >>> check_regression_targets(np.array([1, np.nan])).dtype
        dtype('float32')
    """
    if y.dtype.kind not in "biuf":
        raise DataError(f"regression targets y must be numbers, got dtype {y.dtype}")
    with np.errstate(over="ignore"):  # overflow becomes inf, refused just below
        values = y.astype(np.float32, copy=False)  # one copy at most, never a float64 one
    found = first_nonfinite(y, allow_nan=True) if y.dtype.kind == "f" else None
    if found is not None:
        raise DataError(f"y contains {found[0]} at {found[1]}: remove or clip infinite targets")
    if np.isinf(values).any():  # finite float64 values beyond float32's range
        raise DataError("y holds values beyond float32's range (about 3.4e38): rescale the targets")
    if np.isnan(values).all():
        raise DataError("y contains no target at all: every value is NaN")
    return values
