"""Torch modules, one architecture per file, with the contract ``forward(x, state=None, lengths=None) -> (y, state)``."""

from lstmkit.models._build import architecture_class, architecture_name, build_architecture
from lstmkit.models._common import ArchitectureSettings
from lstmkit.models._registry import ARCHITECTURES, get_architecture, register_architecture
from lstmkit.models._state import State, from_torch_state, to_torch_state
from lstmkit.models.bidirectional import BidirectionalConfig, BidirectionalLSTM
from lstmkit.models.cnn_lstm import CNNLSTM, CNNLSTMConfig
from lstmkit.models.encoder_decoder import EncoderDecoderConfig, EncoderDecoderLSTM
from lstmkit.models.generative import GenerativeConfig, GenerativeLSTM
from lstmkit.models.stacked import StackedConfig, StackedLSTM
from lstmkit.models.vanilla import VanillaConfig, VanillaLSTM

__all__ = [
    "ARCHITECTURES",
    "ArchitectureSettings",
    "BidirectionalConfig",
    "BidirectionalLSTM",
    "CNNLSTM",
    "CNNLSTMConfig",
    "EncoderDecoderConfig",
    "EncoderDecoderLSTM",
    "GenerativeConfig",
    "GenerativeLSTM",
    "StackedConfig",
    "StackedLSTM",
    "State",
    "VanillaConfig",
    "VanillaLSTM",
    "architecture_class",
    "architecture_name",
    "build_architecture",
    "from_torch_state",
    "get_architecture",
    "register_architecture",
    "to_torch_state",
]
