"""The Stacked LSTM: several LSTM layers (each its own width), then a dense head.

The book's second architecture (LSTM(20, return_sequences=True) → LSTM(20) → Dense(5)
for the damped sine wave), and the slides' traffic-flow builder: input dropout,
dropout between layers, a deep dense head with an activation, a multi-step output.
Layers of different widths cannot share one fused ``nn.LSTM``, so each layer is its
own ``nn.LSTM`` (still a fused kernel per layer).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from lstmkit.models._common import (
    ArchitectureSettings,
    DenseHead,
    build_config,
    check_common,
    common_config,
    count_parameters,
    last_step,
    optional_dropout,
    run_lstm,
)
from lstmkit.models._init import keras_init_lstm
from lstmkit.models._registry import register_architecture
from lstmkit.models._state import State


@dataclass(frozen=True)
class StackedConfig:
    """Shape and options of a :class:`StackedLSTM`.

    Example:
        >>> StackedConfig(input_size=1, output_size=5, units=[20, 20]).dense_units
        []
    """

    input_size: int
    output_size: int
    units: list[int] = field(default_factory=lambda: [32, 32])
    dropout: float = 0.0
    input_dropout: float = 0.0
    dense_units: list[int] = field(default_factory=list)
    dense_activation: str = "relu"
    return_sequences: bool = False
    init: str = "keras"

    def __post_init__(self) -> None:
        check_common(self, "stacked")


@register_architecture("stacked")
class StackedLSTM(nn.Module):
    """LSTM layers of any widths, dropout between them, then a :class:`DenseHead`.

    Shape:
        x: ``(batch, time, input_size)``.
        y: ``(batch, output_size)``, or ``(batch, time, output_size)`` with
        ``return_sequences=True``.
        state: one ``(h, c)`` pair per layer, each ``(batch, units[layer])``.

    Example:
        >>> model = StackedLSTM(StackedConfig(input_size=1, output_size=5, units=[20, 10]))
        >>> y, state = model(torch.zeros(4, 50, 1))
        >>> tuple(y.shape), [tuple(h.shape) for h, _ in state]
        ((4, 5), [(4, 20), (4, 10)])
    """

    def __init__(self, config: StackedConfig) -> None:
        super().__init__()
        self.config = config
        self.input_dropout = optional_dropout(config.input_dropout)
        widths = [config.input_size, *config.units]
        self.layers = nn.ModuleList(
            nn.LSTM(width, units, batch_first=True) for width, units in zip(widths, config.units)
        )
        self.dropout = optional_dropout(config.dropout)
        self.head = DenseHead.for_config(config.units[-1], config)
        if config.init == "keras":
            for lstm in self.layers:
                keras_init_lstm(lstm)

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Run the sequences in ``x`` from ``state`` (zeros when None).

        Args:
            x: ``(batch, time, features)`` input, post-padded when ``lengths`` is given.
            state: one ``(h, c)`` pair per layer, each ``(batch, units[layer])``.
            lengths: valid steps per sequence (CPU int64), or None when all are full.

        Returns:
            The outputs and the state after each sequence's last valid step.
        """
        outputs = self.input_dropout(x)
        new_state = []
        for index, lstm in enumerate(self.layers):
            layer_state = None if state is None else _unsqueezed(state[index])
            outputs, (hidden, cell) = run_lstm(lstm, outputs, layer_state, lengths)
            outputs = self.dropout(outputs)
            new_state.append((hidden[0], cell[0]))
        if not self.config.return_sequences:
            outputs = last_step(outputs, lengths)  # (batch, units[-1])
        return self.head(outputs), tuple(new_state)

    def state_sizes(self) -> tuple[int, ...]:
        """The width of each layer's ``(h, c)``, first layer first.

        Example:
            >>> StackedLSTM(StackedConfig(1, 1, units=[8, 4])).state_sizes()
            (8, 4)
        """
        return tuple(self.config.units)

    def get_config(self) -> dict[str, Any]:
        """Return the JSON-serialisable configuration that rebuilds this model.

        Example:
            >>> StackedLSTM(StackedConfig(1, 1, units=[8, 4])).get_config()["units"]
            [8, 4]
        """
        return asdict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> StackedLSTM:
        """Build a fresh (untrained) model from :meth:`get_config`'s output.

        Example:
            >>> StackedLSTM.from_config({"input_size": 1, "output_size": 1}).config.units
            [32, 32]
        """
        return cls(build_config(StackedConfig, config, "stacked"))

    @classmethod
    def from_settings(cls, settings: ArchitectureSettings, options: dict[str, Any]) -> StackedLSTM:
        """Build from an estimator's keywords (``options``: none for this architecture).

        Example:
            >>> settings = ArchitectureSettings(input_size=1, output_size=5, units=(20, 20))
            >>> StackedLSTM.from_settings(settings, {}).config.units
            [20, 20]
        """
        return cls.from_config({**common_config(settings), **options})

    def layer_summary(self) -> list[tuple[str, str, int]]:
        """Describe the layers as ``(name, output shape, parameters)`` rows.

        Example:
            >>> StackedLSTM(StackedConfig(1, 5, units=[20, 20])).layer_summary()[0]
            ('lstm (LSTM)', '(None, None, 20)', 1840)
        """
        rows = []
        last = len(self.layers) - 1
        for index, lstm in enumerate(self.layers):
            name = "lstm" if index == 0 else f"lstm_{index}"
            time = "None, " if index < last or self.config.return_sequences else ""
            rows.append(
                (f"{name} (LSTM)", f"(None, {time}{lstm.hidden_size})", count_parameters(lstm))
            )
        time = "None, " if self.config.return_sequences else ""
        return rows + self.head.summary_rows(time)


def _unsqueezed(pair: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """One layer's public ``(h, c)``, each ``(batch, hidden)``, as ``nn.LSTM`` wants it."""
    return pair[0].unsqueeze(0), pair[1].unsqueeze(0)
