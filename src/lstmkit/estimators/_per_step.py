"""Target and output handling for per-step (``return_sequences``) models.

Per-step targets follow their input's layout: when masked input is compacted
(valid steps first), the targets move with their steps; steps past a
sequence's length carry the "no target" fill.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit.errors import ShapeError
from lstmkit.estimators._inputs import PreparedInput
from lstmkit.estimators._targets import pad_ragged_targets


def as_target_array(y: Any, prepared: PreparedInput, per_step: bool, fill: float) -> np.ndarray:
    """Return ``y`` as one array; per-step ragged lists are padded with ``fill``.

    Per-step targets must have one entry per time step of their sequence.

    Raises:
        ShapeError: per-step targets whose length differs from their sequence's.

    Example:
        >>> prepared = PreparedInput(np.zeros((2, 3, 1)), np.array([3, 1]))
        >>> as_target_array([np.array([1, 2, 3]), np.array([4])], prepared, True, -1).tolist()
        [[1, 2, 3], [4, -1, -1]]
    """
    if hasattr(y, "detach"):
        y = y.detach().cpu().numpy()
    ragged = prepared.lengths is not None and prepared.order is None  # not masked input
    if per_step and isinstance(y, (list, tuple)) and ragged:
        _check_ragged_lengths(y, prepared)
        return pad_ragged_targets(list(y), prepared.x.shape[1], fill)
    array = np.asarray(y)
    if per_step and (array.ndim < 2 or array.shape[1] != prepared.x.shape[1]):
        raise ShapeError(
            f"per-step targets y have shape {array.shape}, but X has {prepared.x.shape[1]} time "
            f"steps: with return_sequences=True pass y of shape (samples, {prepared.x.shape[1]}) "
            f"or (samples, {prepared.x.shape[1]}, targets)"
        )
    return array


def _check_ragged_lengths(y: list | tuple, prepared: PreparedInput) -> None:
    for row, (target, length) in enumerate(zip(y, prepared.lengths.tolist())):
        if len(target) != length:
            raise ShapeError(
                f"sequence {row} of X has {length} time steps but its targets y[{row}] have "
                f"{len(target)}: with return_sequences=True give one target per step"
            )


def align_per_step_targets(
    targets: np.ndarray, prepared: PreparedInput, per_step: bool, fill: float
) -> np.ndarray:
    """Move per-step targets with compacted masked steps; mark padding as "no target".

    Example:
        >>> prepared = PreparedInput(np.zeros((1, 3, 1)), np.array([2]), np.array([[1, 2, 0]]))
        >>> align_per_step_targets(np.array([[7, 8, 9]]), prepared, True, -1).tolist()
        [[8, 9, -1]]
    """
    if not per_step or prepared.lengths is None:
        return targets
    aligned = targets.copy()
    if prepared.order is not None:
        order = prepared.order.reshape(prepared.order.shape + (1,) * (targets.ndim - 2))
        aligned = np.take_along_axis(aligned, order, axis=1)
    steps = np.arange(aligned.shape[1])[None, :]
    aligned[steps >= prepared.lengths[:, None]] = fill
    return aligned


def split_per_sequence(values: np.ndarray, prepared: PreparedInput, per_step: bool, X: Any) -> Any:
    """For ragged list input with per-step outputs, return one array per sequence.

    Example:
        >>> prepared = PreparedInput(np.zeros((2, 2, 1)), np.array([2, 1]))
        >>> [v.tolist() for v in split_per_sequence(np.ones((2, 2)), prepared, True, [0, 0])]
        [[1.0, 1.0], [1.0]]
    """
    # Only truly ragged input is split: masked input answers at its original positions.
    ragged = prepared.lengths is not None and prepared.order is None
    if per_step and isinstance(X, (list, tuple)) and ragged:
        return [values[row, :length] for row, length in enumerate(prepared.lengths.tolist())]
    return values


def output_steps_of(targets: np.ndarray, kind: str) -> int:
    """The number of output steps of a sequence-output model's targets ``(samples, steps, ...)``.

    Raises:
        ShapeError: targets without an output-step axis.

    Example:
        >>> output_steps_of(np.zeros((4, 2)), "labels")
        2
    """
    if targets.ndim < 2:
        raise ShapeError(
            f"this architecture answers a sequence of output steps, but y has shape "
            f"{targets.shape}: pass y of shape (samples, output_steps) {kind} or "
            f"(samples, output_steps, {'classes) one-hot' if kind == 'labels' else 'targets)'}"
        )
    return int(targets.shape[1])


def check_output_steps(targets: np.ndarray, output_steps: int) -> None:
    """Raise unless ``targets`` have the ``output_steps`` the model was fitted with.

    Example:
        >>> check_output_steps(np.zeros((3, 4)), 2)
        Traceback (most recent call last):
        ...
        lstmkit.errors.ShapeError: y has 4 output steps, but the model was fitted with 2: pass y of shape (samples, 2, ...)
    """
    steps = targets.shape[1] if targets.ndim >= 2 else None
    if steps != output_steps:
        raise ShapeError(
            f"y has {steps} output steps, but the model was fitted with {output_steps}: pass y "
            f"of shape (samples, {output_steps}, ...)"
        )
