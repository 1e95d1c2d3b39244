"""The carried-state API of the estimators: get, set, reset, and stateful predict.

The state is a plain value (CONTRACTS §3): one ``(h, c)`` pair per LSTM layer, each
``(batch, hidden)``, batch first. After a stream-trained fit it holds the end state
of each training stream; ``predict(X, stateful=True)`` continues from it and keeps
the new end state; a plain ``predict(X)`` never reads or changes it.

    fit(streams) ──► state_ ──► predict(next, stateful=True) ──► state_ ──► ...
                                   (one row per stream, in order)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lstmkit.errors import ShapeError
from lstmkit.estimators._params import move_module
from lstmkit.models._state import require_unidirectional
from lstmkit.training import WindowData


class StateMixin:
    """``get_state`` / ``set_state`` / ``reset_state`` and stateful prediction.

    Example:
        >>> import numpy as np, lstmkit
        >>> model = lstmkit.LSTMRegressor(units=4, epochs=1, random_state=0)
        >>> model = model.fit(np.zeros((3, 5, 1)), np.zeros(3))
        >>> model.get_state() is None
        True
        >>> _ = model.predict(np.zeros((3, 5, 1)), stateful=True)
        >>> tuple(model.get_state()[0][0].shape)
        (3, 4)
        >>> model.reset_state(); model.get_state() is None
        True
    """

    def get_state(self) -> tuple[tuple[torch.Tensor, torch.Tensor], ...] | None:
        """Return a copy of the carried state (None when there is none).

        Returns:
            One ``(h, c)`` pair per LSTM layer, each ``(batch, hidden)`` on the CPU.
        """
        self._check_fitted("get_state")
        state = getattr(self, "state_", None)
        return None if state is None else tuple((h.clone(), c.clone()) for h, c in state)

    def set_state(self, state: Any) -> None:
        """Set the state the next ``predict(X, stateful=True)`` starts from.

        Args:
            state: one ``(h, c)`` pair per LSTM layer, each ``(batch, hidden)`` (torch
                tensors or NumPy arrays), or None to reset.

        Raises:
            ShapeError: the wrong number of layers, or a shape that is not ``(batch, hidden)``.
        """
        self._check_fitted("set_state")
        self.state_ = None if state is None else self._checked_state(state)

    def reset_state(self) -> None:
        """Forget the carried state: the next stateful prediction starts from zeros."""
        self._check_fitted("reset_state")
        self.state_ = None

    def _checked_state(self, state: Any) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
        sizes = self._state_sizes()
        layers = len(sizes)
        pairs = list(state) if isinstance(state, (tuple, list)) else None
        if pairs is None or len(pairs) != layers or any(len(pair) != 2 for pair in pairs):
            count = len(pairs) if pairs is not None else type(state).__name__
            raise ShapeError(
                f"set_state expects one (h, c) pair per LSTM layer ({layers} here), got {count}: "
                "pass the value get_state() returns"
            )
        checked, batches = [], set()
        for layer, (h, c) in enumerate(pairs):
            h, c = (torch.as_tensor(np.asarray(v), dtype=torch.float32) for v in (h, c))
            hidden = sizes[layer]
            for name, value in (("h", h), ("c", c)):
                if value.dim() != 2 or value.shape[1] != hidden:
                    raise ShapeError(
                        f"set_state: layer {layer}'s {name} has shape {tuple(value.shape)}, expected "
                        f"(batch, {hidden}): that layer has {hidden} units"
                    )
            batches.update({h.shape[0], c.shape[0]})
            checked.append((h.clone(), c.clone()))
        if len(batches) > 1:
            raise ShapeError(
                f"set_state: the layers' states hold different batch sizes {sorted(batches)}"
            )
        return tuple(checked)

    def _state_sizes(self) -> tuple[int, ...]:
        """The width of each layer's state, from the module (``state_sizes()``) or its state."""
        if hasattr(self.module_, "state_sizes"):
            return tuple(int(size) for size in self.module_.state_sizes())
        # A user's module without state_sizes(): a one-step run tells its widths.
        device = next(self.module_.parameters()).device
        probe = torch.zeros(1, 1, int(self.n_features_in_), device=device)
        with torch.no_grad():
            _, state = self.module_(probe)
        return tuple(int(h.shape[-1]) for h, _ in state)

    def _run_stateful(self, data: WindowData) -> np.ndarray:
        """Run all of ``data`` as one batch from the carried state; keep the new end state."""
        require_unidirectional(self.module_, "predict(stateful=True)")
        state = getattr(self, "state_", None)
        if state is not None and state[0][0].shape[0] != len(data):
            raise ShapeError(
                f"predict(stateful=True) got {len(data)} sequences, but the carried state holds "
                f"{state[0][0].shape[0]} (one per stream it continues): pass {state[0][0].shape[0]} "
                "sequences in the same order, or call reset_state() to start afresh"
            )
        device = self._device()
        move_module(self.module_, device)
        self.module_.eval()
        carried = None if state is None else tuple((h.to(device), c.to(device)) for h, c in state)
        lengths = data.lengths
        with torch.no_grad():
            outputs, new_state = self.module_(data.x.to(device), carried, lengths)
        self.state_ = tuple((h.cpu(), c.cpu()) for h, c in new_state)
        outputs = outputs.cpu().numpy()
        if data.per_step and lengths is not None:
            steps = np.arange(outputs.shape[1])[None, :]
            outputs[steps >= lengths.numpy()[:, None]] = (
                np.nan
            )  # no prediction past a sequence's end
        return outputs
