"""Torch modules, one architecture per file, with the contract ``forward(x, state=None, lengths=None) -> (y, state)``."""

from lstmkit.models._registry import ARCHITECTURES, get_architecture, register_architecture
from lstmkit.models._state import State, from_torch_state, to_torch_state
from lstmkit.models.vanilla import VanillaConfig, VanillaLSTM

__all__ = [
    "ARCHITECTURES",
    "State",
    "VanillaConfig",
    "VanillaLSTM",
    "from_torch_state",
    "get_architecture",
    "register_architecture",
    "to_torch_state",
]
