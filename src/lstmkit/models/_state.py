"""Conversion between lstmkit's public state and torch's ``nn.LSTM`` state.

Public state (CONTRACTS §3) is a tuple with one ``(h, c)`` pair per layer, each
``(batch, hidden)``, batch first. ``nn.LSTM`` wants ``(h, c)`` with each
``(layers, batch, hidden)``.
"""

from __future__ import annotations

import torch

LayerState = tuple[torch.Tensor, torch.Tensor]
State = tuple[LayerState, ...]


def to_torch_state(state: State) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack per-layer ``(h, c)`` pairs into ``nn.LSTM``'s ``(h, c)``.

    Example:
        >>> h = torch.zeros(2, 4)
        >>> stacked_h, stacked_c = to_torch_state(((h, h), (h, h)))
        >>> tuple(stacked_h.shape)
        (2, 2, 4)
    """
    hidden = torch.stack([layer[0] for layer in state])  # (layers, batch, hidden)
    cell = torch.stack([layer[1] for layer in state])
    return hidden, cell


def from_torch_state(hidden: torch.Tensor, cell: torch.Tensor) -> State:
    """Split ``nn.LSTM``'s stacked ``(h, c)`` into one pair per layer.

    Example:
        >>> state = from_torch_state(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4))
        >>> len(state), tuple(state[0][0].shape)
        (2, (3, 4))
    """
    return tuple(zip(hidden.unbind(0), cell.unbind(0)))


def require_unidirectional(module: torch.nn.Module, action: str) -> None:
    """Refuse to carry state through a bidirectional module.

    A module says it is bidirectional with a truthy ``bidirectional`` attribute (or an
    ``lstm`` sub-module that is). Its backward direction reads each sequence from the
    end, so there is no state to carry from one window, chunk or call to the next.

    Raises:
        ConfigError: naming ``action`` and what to do instead.

    Example:
        >>> require_unidirectional(torch.nn.LSTM(1, 2), "TBPTT")
        >>> require_unidirectional(torch.nn.LSTM(1, 2, bidirectional=True), "TBPTT")
        Traceback (most recent call last):
        lstmkit.errors.ConfigError: TBPTT needs a unidirectional model: ...
    """
    from lstmkit.errors import ConfigError

    lstm = getattr(module, "lstm", None)
    if getattr(module, "bidirectional", False) or getattr(lstm, "bidirectional", False):
        raise ConfigError(
            f"{action} needs a unidirectional model: a bidirectional LSTM reads each sequence "
            "backwards from its end, so no state carries from one window to the next; train "
            "and predict a bidirectional model on whole sequences (tbptt=None, stateful=False, "
            "predict without stateful=True)"
        )
