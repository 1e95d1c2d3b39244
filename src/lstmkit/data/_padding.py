"""Pad and truncate sequences of different lengths to one length, as Keras does.

```
sequences         padding="pre"    padding="post"    maxlen=2, truncating="pre" / "post"
[1, 2, 3, 4]      [1 2 3 4]        [1 2 3 4]         [3 4]   /  [1 2]
[1, 2, 3]         [0 1 2 3]        [1 2 3 0]         [2 3]   /  [1 2]
[1]               [0 0 0 1]        [1 0 0 0]         [0 1]   /  [0 1]
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from lstmkit.errors import ConfigError, DataError, ShapeError, unknown_option

_SIDES = ("pre", "post")


def _as_sequences(sequences: Any) -> list[np.ndarray]:
    """Turn each entry into an array whose first axis is time."""
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ShapeError(
            f"expected a list of sequences, got {type(sequences).__name__}: e.g. [[1, 2], [3]]."
        )
    arrays = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)):
            raise ShapeError(
                f"sequence {i} is the string {seq!r}: encode texts as integer sequences first "
                "(lstmkit.data.TextEncoder)."
            )
        try:
            array = np.asarray(seq)
        except ValueError as exc:
            raise ShapeError(
                f"sequence {i} is ragged: its steps have different numbers of features ({exc})."
            ) from exc
        if array.ndim == 0:
            raise ShapeError(
                f"sequence {i} is not a sequence: got {seq!r}; pass a list of sequences, "
                "e.g. [[1, 2], [3]]."
            )
        arrays.append(array)
    return arrays


def _check_value(value: Any, dtype: np.dtype) -> None:
    if dtype.kind in "OUS":
        return
    if isinstance(value, str):
        raise ConfigError(
            f"value={value!r} is a string, but dtype={dtype.name!r} is numeric: pass "
            "dtype=object to pad with strings."
        )
    if dtype.kind in "iu" and not (np.isfinite(value) and float(value) == int(value)):
        raise DataError(
            f"value={value!r} is not an integer, but dtype={dtype.name!r}: pass "
            'dtype="float32", or an integer value.'
        )


def _check_cast(index: int, trunc: np.ndarray, dtype: np.dtype) -> None:
    """Refuse casts that would silently change values (Keras truncates 0.5 to 0)."""
    if dtype.kind not in "iu" or trunc.dtype.kind not in "fiu" or trunc.size == 0:
        return
    if trunc.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(trunc) | (trunc != np.round(trunc))
        if bad.any():
            step = int(np.argmax(bad.reshape(len(trunc), -1).any(axis=1)))
            example = np.asarray(trunc[step])[bad[step]].ravel()[0].item()
            raise DataError(
                f"sequence {index} has non-integral values ({example!r} at step {step}) that "
                f'dtype={dtype.name!r} would truncate: pass dtype="float32" to keep them.'
            )
    info = np.iinfo(dtype)
    outside = (trunc < info.min) | (trunc > info.max)
    if outside.any():
        step = int(np.argmax(outside.reshape(len(trunc), -1).any(axis=1)))
        raise DataError(
            f"sequence {index} has values outside the range of {dtype.name} (at step {step}): "
            'pass a wider dtype such as dtype="int64".'
        )


def pad_sequences(
    sequences: Sequence[Any],
    maxlen: int | None = None,
    dtype: npt.DTypeLike = "int32",
    padding: Literal["pre", "post"] = "pre",
    truncating: Literal["pre", "post"] = "pre",
    value: float | str = 0.0,
    return_lengths: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Pad (and truncate) sequences to one length, with Keras's semantics.

    Each sequence is a list of scalars (giving ``(n, maxlen)``) or of feature vectors
    (giving ``(n, maxlen, features)``). Sequences longer than ``maxlen`` lose steps
    at the start (``truncating="pre"``) or the end (``"post"``); shorter ones get
    ``value`` before (``padding="pre"``) or after (``"post"``) their steps. Empty
    sequences become all padding. Unlike Keras, casting non-integral floats to an
    integer ``dtype`` raises instead of silently truncating, and an empty list of
    sequences gives an array with 0 rows.

    Args:
        sequences: a list (or array) of sequences.
        maxlen: the output length; None means the longest sequence's length.
        dtype: the output dtype (use ``object`` for strings).
        padding: ``"pre"`` or ``"post"``: where padding goes.
        truncating: ``"pre"`` or ``"post"``: where long sequences lose steps.
        value: the padding value.
        return_lengths: also return the kept length of each sequence.

    Shape:
        Output: ``(num_sequences, maxlen)`` or ``(num_sequences, maxlen, *step_shape)``.

    Returns:
        The padded array; with ``return_lengths=True``, ``(array, lengths)`` where
        ``lengths`` (int64) are the lengths after truncation.

    Raises:
        ConfigError: ``padding`` or ``truncating`` is not "pre"/"post" (with a
            did-you-mean), ``maxlen`` is negative, or ``value`` does not fit ``dtype``.
        ShapeError: an entry is not a sequence, or steps differ in shape.
        DataError: values would change when cast to ``dtype``.

    Example:
        >>> pad_sequences([[1, 2, 3, 4], [1, 2, 3], [1]])
        array([[1, 2, 3, 4],
               [0, 1, 2, 3],
               [0, 0, 0, 1]], dtype=int32)
        >>> pad_sequences([[1, 2, 3], [1]], maxlen=2, padding="post", return_lengths=True)
        (array([[2, 3],
               [1, 0]], dtype=int32), array([2, 1]))
    """
    if padding not in _SIDES:
        raise unknown_option("padding", padding, _SIDES)
    if truncating not in _SIDES:
        raise unknown_option("truncating", truncating, _SIDES)
    if maxlen is not None and (not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ConfigError(f"maxlen must be a non-negative integer or None, got {maxlen!r}.")
    try:
        out_dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ConfigError(
            f"dtype={dtype!r} is not a NumPy dtype: e.g. 'int32', 'float32'."
        ) from exc
    _check_value(value, out_dtype)
    arrays = _as_sequences(sequences)
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    nonempty = [a for a in arrays if len(a)]
    step_shape = nonempty[0].shape[1:] if nonempty else ()
    maxlen = int(lengths.max(initial=0)) if maxlen is None else int(maxlen)

    padded = np.full((len(arrays), maxlen) + step_shape, value, dtype=out_dtype)
    for i, array in enumerate(arrays):
        if maxlen == 0 or not len(array):
            continue
        trunc = array[-maxlen:] if truncating == "pre" else array[:maxlen]
        if trunc.shape[1:] != step_shape:
            raise ShapeError(
                f"sequence {i} has steps of shape {trunc.shape[1:]}, but the first non-empty "
                f"sequence has steps of shape {step_shape}: every step needs the same features."
            )
        _check_cast(i, trunc, out_dtype)
        if padding == "post":
            padded[i, : len(trunc)] = trunc
        else:
            padded[i, maxlen - len(trunc) :] = trunc
    if return_lengths:
        return padded, np.minimum(lengths, maxlen)
    return padded
