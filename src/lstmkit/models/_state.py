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
