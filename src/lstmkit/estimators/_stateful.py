"""``stateful=True``: the samples of ``X`` are consecutive windows of one stream.

Keras's stateful mode carries each sample's end state into the next batch's sample
at the same index, and leaves the rest to the user (a batch size that divides the
data, ``shuffle=False``, ``reset_states()`` after every epoch and before predicting).
Here the windows are joined back into the stream they were cut from and trained with
truncated BPTT, one update per window by default (``TBPTT(T, T)``, what Keras does):

    windows  [A B C] [D E F] [G H I]   ──►   stream  A B C D E F G H I
    targets       c       f       i                      c     f     i   (window ends)

Training resets the state at each epoch's start; ``predict(X)`` runs ``X`` as one
stream from a zero state; ``predict(X, stateful=True)`` continues from ``state_``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from lstmkit.training import WindowData


@dataclass(frozen=True)
class JoinedStream:
    """Windows joined end to end into one stream.

    Attributes:
        x: ``(steps, features)``.
        y: per-step targets ``(steps,)`` or ``(steps, outputs)`` with "no target" (NaN, or
            -1 for labels) where a window has none, or None without targets.
        weight: per-step loss weights ``(steps,)``, or None.
        ends: ``(windows,)`` the step index of each window's last step.
        lengths: each window's length.

    Example:
        >>> data = WindowData(torch.arange(6.0).view(2, 3, 1), torch.tensor([1.0, 2.0]))
        >>> joined = join_windows(data)
        >>> joined.x.squeeze(-1).tolist(), joined.ends.tolist()
        ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [2, 5])
    """

    x: torch.Tensor
    y: torch.Tensor | None
    weight: torch.Tensor | None
    ends: torch.Tensor
    lengths: list[int]


def join_windows(data: WindowData) -> JoinedStream:
    """Join the windows of ``data`` (in order) into one stream, targets aligned.

    A many-to-one target goes to its window's last step; per-step targets (and
    per-step weights) keep their steps; a per-window weight covers the steps whose
    loss it weighs.

    Example:
        >>> data = WindowData(torch.zeros(2, 2, 1), torch.tensor([3, 4]), torch.tensor([1.0, 2.0]))
        >>> joined = join_windows(data)
        >>> joined.y.tolist(), joined.weight.tolist()
        ([-1, 3, -1, 4], [0.0, 1.0, 0.0, 2.0])
    """
    count, width = data.x.shape[0], data.x.shape[1]
    lengths = [width] * count if data.lengths is None else [int(n) for n in data.lengths]
    x = torch.cat([data.x[row, :length] for row, length in enumerate(lengths)])
    ends = torch.cumsum(torch.tensor(lengths), 0) - 1
    y = None if data.y is None else _joined_targets(data, lengths, ends, x.shape[0])
    weight = None if data.weight is None else _joined_weights(data, lengths, ends, x.shape[0])
    return JoinedStream(x, y, weight, ends, lengths)


def _joined_targets(data: WindowData, lengths: list[int], ends: torch.Tensor, steps: int):
    if data.per_step:
        return torch.cat([data.y[row, :length] for row, length in enumerate(lengths)])
    missing = float("nan") if data.y.is_floating_point() else -1
    y = torch.full((steps,) + tuple(data.y.shape[1:]), missing, dtype=data.y.dtype)
    y[ends] = data.y
    return y


def _joined_weights(data: WindowData, lengths: list[int], ends: torch.Tensor, steps: int):
    weight = data.weight
    if weight.dim() == 2:  # per step
        return torch.cat([weight[row, :length] for row, length in enumerate(lengths)])
    if data.per_step:  # one weight per window, over all its steps
        return torch.repeat_interleave(weight, torch.tensor(lengths))
    joined = torch.zeros(steps, dtype=weight.dtype)
    joined[ends] = weight
    return joined


def continued(train: JoinedStream, validation: JoinedStream) -> JoinedStream:
    """Validation that continues the training stream: its targets alone count.

    ``validation_split`` cuts the last windows off the stream, so the validation
    windows start from the state the training windows leave (CONTRACTS §3).

    Example:
        >>> a = join_windows(WindowData(torch.zeros(2, 1, 1), torch.tensor([1.0, 2.0])))
        >>> b = join_windows(WindowData(torch.ones(1, 1, 1), torch.tensor([5.0])))
        >>> continued(a, b).y.tolist()
        [nan, nan, 5.0]
    """
    missing = float("nan") if validation.y.is_floating_point() else -1
    hidden = torch.full_like(train.y, missing)
    y = torch.cat([hidden, validation.y])
    weight = None
    if validation.weight is not None:
        weight = torch.cat([torch.zeros(len(train.x)), validation.weight])
    offset = len(train.x)
    return JoinedStream(
        torch.cat([train.x, validation.x]),
        y,
        weight,
        validation.ends + offset,
        train.lengths + validation.lengths,
    )


def split_outputs(outputs: torch.Tensor, joined: JoinedStream, per_step: bool) -> torch.Tensor:
    """Cut a joined stream's per-step outputs ``(steps, out)`` back into windows.

    Returns ``(windows, out)`` at each window's last step, or, per step,
    ``(windows, timesteps, out)`` with NaN past a window's length.

    Example:
        >>> joined = join_windows(WindowData(torch.zeros(2, 2, 1)))
        >>> split_outputs(torch.arange(4.0).view(4, 1), joined, per_step=False).squeeze(-1).tolist()
        [1.0, 3.0]
    """
    if not per_step:
        return outputs[joined.ends.to(outputs.device)]
    width = max(joined.lengths)
    result = outputs.new_full((len(joined.lengths), width, outputs.shape[-1]), float("nan"))
    start = 0
    for row, length in enumerate(joined.lengths):
        result[row, :length] = outputs[start : start + length]
        start += length
    return result
