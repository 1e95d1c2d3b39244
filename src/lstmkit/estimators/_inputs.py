"""Turning what users pass as X into padded arrays plus lengths (CONTRACTS §1).

Three forms are accepted:

- a 3-D array ``(samples, timesteps, features)``;
- a list of 2-D ``(T_i, features)`` arrays (ragged; lengths come from the arrays);
- a padded 3-D array plus ``mask_value`` (Keras's Masking rule: a step is padding
  iff all its features equal ``mask_value``).

Whatever the form, the engine gets post-padded input and the valid lengths:

    pre-padded, mask 0:   [0 0 a b c]   ──►   [a b c 0 0], length 3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmkit.data._validation import as_numeric_array, check_3d, check_finite
from lstmkit.errors import DataError, ShapeError


@dataclass
class PreparedInput:
    """Inputs laid out for the engine.

    Attributes:
        x: ``(samples, time, features)`` float32, valid steps first.
        lengths: ``(samples,)`` int64 valid lengths, or None when every step is valid.
        order: for masked input, ``(samples, time)`` original position of each
            step of ``x`` (to put per-step outputs back); None otherwise.

    Example:
        >>> prepared = prepare_x(np.zeros((2, 3, 1)))
        >>> prepared.x.shape, prepared.lengths
        ((2, 3, 1), None)
    """

    x: np.ndarray
    lengths: np.ndarray | None = None
    order: np.ndarray | None = None


def prepare_x(X: Any, mask_value: float | None = None, context: str = "fitting") -> PreparedInput:
    """Validate ``X`` and return it post-padded with its lengths.

    Raises:
        ShapeError: wrong rank, ragged arrays of different feature counts, empty axes.
        DataError: NaN or inf (naming sample, step and feature), an empty sequence.

    Example:
        >>> prepared = prepare_x([np.ones((2, 1)), np.ones((3, 1))])
        >>> prepared.x.shape, prepared.lengths.tolist()
        ((2, 3, 1), [2, 3])
    """
    if isinstance(X, (list, tuple)) and len(X) > 0 and _is_ragged(X):
        return _from_ragged(X, context)
    array = check_3d(_to_numpy(X))
    array = _to_float32(check_finite(array, context=context))
    if mask_value is None:
        return PreparedInput(array)
    return _from_masked(array, mask_value)


def _to_numpy(X: Any) -> Any:
    if hasattr(X, "detach") and hasattr(X, "cpu"):  # a torch tensor
        return X.detach().cpu().numpy()
    return X


def _is_ragged(X: list | tuple) -> bool:
    shapes = {np.shape(_to_numpy(item)) for item in X}
    return len(shapes) > 1


def _from_ragged(sequences: list | tuple, context: str) -> PreparedInput:
    arrays = [np.asarray(_to_numpy(item)) for item in sequences]
    for number, array in enumerate(arrays):
        if array.ndim != 2:
            raise ShapeError(
                f"sequence {number} of X has shape {array.shape}: a list X must hold 2-D "
                "(timesteps, features) arrays, one per sample. Reshape a 1-D sequence "
                "with seq.reshape(-1, 1)."
            )
        if array.shape[0] == 0:
            raise DataError(
                f"sequence {number} of X has no time steps: every sequence needs at least "
                "one step. Drop empty sequences before fitting."
            )
    features = {array.shape[1] for array in arrays}
    if len(features) > 1:
        raise ShapeError(
            f"the sequences of X have different numbers of features {sorted(features)}: "
            "every sequence needs the same features"
        )
    lengths = np.array([array.shape[0] for array in arrays], dtype=np.int64)
    padded = np.zeros((len(arrays), int(lengths.max()), features.pop()), dtype=np.float64)
    for row, array in enumerate(arrays):
        padded[row, : len(array)] = as_numeric_array(array, f"sequence {row} of X")
    # Checked once padded (padding is 0), so the message names sample, step and feature.
    check_finite(padded, context=context)
    return PreparedInput(_to_float32(padded), lengths)


def _to_float32(array: np.ndarray) -> np.ndarray:
    """Cast to the model's float32; values beyond its range would silently become inf."""
    with np.errstate(over="ignore"):
        converted = array.astype(np.float32, copy=False)
    if array.dtype.kind == "f" and array.dtype.itemsize > 4 and not np.isfinite(converted).all():
        position = np.unravel_index(int(np.argmax(~np.isfinite(converted))), converted.shape)
        raise DataError(
            f"X holds {array[position].item()!r} at sample {position[0]}, step {position[1]}, feature "
            f"{position[2]}, beyond float32's range (about ±3.4e38) that the model computes in: "
            "scale the data (e.g. scale_X=True or lstmkit.data.StandardScaler)"
        )
    if not converted.flags.writeable:
        # A read-only view (sliding_window_view, a memory map): torch shares memory with
        # the arrays it is given and warns about read-only ones, so take a copy.
        converted = converted.copy()
    return converted


def _from_masked(array: np.ndarray, mask_value: float) -> PreparedInput:
    valid = ~np.all(array == np.float32(mask_value), axis=2)  # (samples, time)
    lengths = valid.sum(axis=1).astype(np.int64)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise DataError(
            f"sample {int(empty[0])} of X is padding only: every step equals mask_value="
            f"{mask_value}. Drop it, or check mask_value."
        )
    # Valid steps first, in their original order: Keras's Masking skips masked
    # steps, which for a causal LSTM is the same as removing them.
    order = np.argsort(~valid, axis=1, kind="stable")
    compacted = np.take_along_axis(array, order[:, :, None], axis=1)
    steps = np.arange(array.shape[1])[None, :]
    compacted[steps >= lengths[:, None]] = 0.0
    full = bool((lengths == array.shape[1]).all())
    return PreparedInput(compacted, None if full else lengths, None if full else order)


def restore_positions(per_step: np.ndarray, prepared: PreparedInput) -> np.ndarray:
    """Put per-step outputs of compacted masked input back at their original steps.

    Masked steps, and steps past a sequence's length, get NaN (no prediction there).

    Example:
        >>> prepared = prepare_x(np.array([[[0.0], [1.0], [2.0]]]), mask_value=0.0)
        >>> restore_positions(np.array([[[10.0], [20.0], [np.nan]]]), prepared)[0, :, 0].tolist()
        [nan, 10.0, 20.0]
    """
    if prepared.lengths is None:
        return per_step
    steps = np.arange(per_step.shape[1])[None, :]
    valid = steps < prepared.lengths[:, None]
    if prepared.order is None:
        restored = per_step.astype(np.float64, copy=True)
        restored[~valid] = np.nan
        return restored
    restored = np.full_like(per_step, np.nan, dtype=np.float64)
    rows = np.broadcast_to(np.arange(per_step.shape[0])[:, None], valid.shape)
    restored[rows[valid], prepared.order[valid]] = per_step[valid]
    return restored
