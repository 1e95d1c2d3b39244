"""How an estimator turns its samples into streams: ``tbptt=`` and ``stateful=True``.

Two ways to train with carried state (docs/guide/time-and-state.md):

- ``tbptt=TBPTT(k1, k2)``: every sample of ``X`` is a whole stream (a long sequence);
  streams run in ``batch_size`` lanes, the state reset where a new stream starts.
- ``stateful=True``: the samples of ``X`` are consecutive windows of ONE stream (see
  ``_stateful.py``), trained one window per update unless ``tbptt`` says otherwise.
"""

from __future__ import annotations

import numpy as np
import torch

from lstmkit.errors import ShapeError
from lstmkit.estimators._params import move_module
from lstmkit.estimators._stateful import JoinedStream, continued, join_windows, split_outputs
from lstmkit.training import TBPTT, StreamData, WindowData


class StreamTrainingMixin:
    """The stream side of :class:`LSTMEstimatorBase` (TBPTT streams and stateful windows).

    Example:
        >>> import lstmkit
        >>> lstmkit.LSTMRegressor(stateful=True, batch_size=1)._stream_trained()
        True
        >>> lstmkit.LSTMRegressor()._stream_trained()
        False
    """

    def _stream_trained(self) -> bool:
        """True when training carries state through streams (``tbptt`` or ``stateful``)."""
        return self.tbptt is not None or self.stateful is True

    def _stream_problems(self) -> list[str]:
        problems = []
        if self.stateful not in (True, False):
            problems.append(f"stateful must be True or False, got {self.stateful!r}")
        if self.tbptt is not None and not isinstance(self.tbptt, (TBPTT, tuple, list)):
            problems.append(
                f"tbptt must be None, TBPTT(k1, k2) or a pair (k1, k2), got {self.tbptt!r}"
            )
        if self.stateful is True:
            if self.batch_size != 1:
                problems.append(
                    "stateful=True carries the state from each sample to the next, so it "
                    f"trains one sample at a time: set batch_size=1 (got {self.batch_size!r}); "
                    "to train several streams in parallel lanes, pass them as a list with "
                    "tbptt=TBPTT(k1, k2) instead"
                )
        elif self.tbptt is not None and not self.return_sequences:
            problems.append(
                "tbptt trains on per-step targets: set return_sequences=True and give y one "
                "target per step (NaN, or -1 for labels, where a step has none; a single target "
                "at each stream's end is many-to-one)"
            )
        return problems

    def _schedule(self) -> TBPTT | None:
        if isinstance(self.tbptt, (tuple, list)):
            return TBPTT(*self.tbptt)
        if self.tbptt is None and self.stateful is True:
            # Keras's stateful update: one window, gradient within it, state carried on.
            return TBPTT(int(self.n_timesteps_in_), int(self.n_timesteps_in_))
        return self.tbptt

    def _streams(self, data: WindowData, continues: WindowData | None = None) -> StreamData:
        """The engine's streams: each sample one stream, or (stateful) the windows joined.

        ``continues``: for stateful validation cut from the training data, the training
        windows it follows (their targets do not count).
        """
        if self.stateful is True:
            joined = join_windows(data)
            if continues is not None:
                joined = continued(join_windows(continues), joined)
            weights = None if joined.weight is None else [joined.weight]
            return StreamData([joined.x], [joined.y], self._schedule(), 1, weights)
        lengths = [data.x.shape[1]] * len(data) if data.lengths is None else data.lengths.tolist()
        streams = [data.x[row, :length] for row, length in enumerate(lengths)]
        targets = [data.y[row, :length] for row, length in enumerate(lengths)]
        weights = None
        if data.weight is not None:
            weights = [
                _stream_weight(data.weight, row, length) for row, length in enumerate(lengths)
            ]
        return StreamData(streams, targets, self._schedule(), int(self.batch_size), weights)

    def _state_for(self, streams: int):
        """The carried state to continue ``streams`` streams from (None: start from zeros)."""
        state = getattr(self, "state_", None)
        if state is not None and state[0][0].shape[0] != streams:
            raise ShapeError(
                f"partial_fit continues the carried state of {state[0][0].shape[0]} streams, but "
                f"X holds {streams}: pass the next part of the same streams in the same order, "
                "or call reset_state() to start afresh"
            )
        return state

    def _run_joined(self, data: WindowData, carry: bool) -> np.ndarray:
        """Predict a stateful model's windows as one stream, from zeros or from ``state_``."""
        joined = join_windows(data)
        state = getattr(self, "state_", None) if carry else None
        if state is not None and state[0][0].shape[0] != 1:
            raise ShapeError(
                f"predict(stateful=True) continues one stream, but the carried state holds "
                f"{state[0][0].shape[0]}: call reset_state() or set_state() with batch 1"
            )
        device = self._device()
        move_module(self.module_, device)
        self.module_.eval()
        carried = None if state is None else tuple((h.to(device), c.to(device)) for h, c in state)
        with torch.no_grad():
            outputs, end_state = self.module_(joined.x[None].to(device), carried)
        if carry:
            self.state_ = tuple((h.cpu(), c.cpu()) for h, c in end_state)
        return split_outputs(outputs[0], joined, data.per_step).cpu().numpy()


def _stream_weight(weight: torch.Tensor, row: int, length: int) -> torch.Tensor:
    """One stream's per-step weights from a per-sample or per-step weight array."""
    if weight.dim() == 2:
        return weight[row, :length]
    return weight[row].expand(length).clone()


__all__ = ["JoinedStream", "StreamTrainingMixin"]
