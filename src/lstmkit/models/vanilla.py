"""The Vanilla LSTM: LSTM layer(s), then a dense output layer.

The book's first architecture (input → LSTM → Dense). ``num_layers > 1`` stacks
LSTM layers inside the one fused ``nn.LSTM`` kernel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstmkit.errors import ConfigError
from lstmkit.models._common import ArchitectureSettings
from lstmkit.models._init import keras_init_linear, keras_init_lstm
from lstmkit.models._registry import register_architecture
from lstmkit.models._state import State, from_torch_state, to_torch_state


@dataclass(frozen=True)
class VanillaConfig:
    """Shape and options of a :class:`VanillaLSTM`.

    Example:
        >>> VanillaConfig(input_size=10, hidden_size=25, output_size=10).num_layers
        1
    """

    input_size: int
    hidden_size: int
    output_size: int
    num_layers: int = 1
    dropout: float = 0.0
    return_sequences: bool = False
    init: Literal["keras", "torch"] = "keras"

    def __post_init__(self) -> None:
        problems = []
        for name in ("input_size", "hidden_size", "output_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 <= float(self.dropout) < 1.0:
            problems.append(f"dropout must be in [0, 1), got {self.dropout!r}")
        if self.init not in ("keras", "torch"):
            problems.append(f"init must be 'keras' or 'torch', got {self.init!r}")
        if problems:
            raise ConfigError("invalid Vanilla LSTM configuration: " + "; ".join(problems))


@register_architecture("vanilla")
class VanillaLSTM(nn.Module):
    """One or more LSTM layers followed by a linear output layer.

    The output is the raw score (logits for classification); the loss applies
    the activation. Dropout, when set, is applied to the output of every LSTM
    layer (between stacked layers and before the dense layer).

    Shape:
        x: ``(batch, time, input_size)``.
        y: ``(batch, output_size)``, or ``(batch, time, output_size)`` with
        ``return_sequences=True``.

    Example:
        >>> model = VanillaLSTM(VanillaConfig(input_size=10, hidden_size=25, output_size=10))
        >>> y, state = model(torch.zeros(4, 5, 10))
        >>> tuple(y.shape), len(state), tuple(state[0][0].shape)
        ((4, 10), 1, (4, 25))
    """

    def __init__(self, config: VanillaConfig) -> None:
        super().__init__()
        self.config = config
        self.lstm = nn.LSTM(
            config.input_size,
            config.hidden_size,
            num_layers=config.num_layers,
            batch_first=True,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        # No module at all when dropout is off: even a p=0 Dropout costs a call per step.
        self.output_dropout = nn.Dropout(config.dropout) if config.dropout > 0 else nn.Identity()
        self.head = nn.Linear(config.hidden_size, config.output_size)
        if config.init == "keras":
            keras_init_lstm(self.lstm)
            keras_init_linear(self.head)

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Run the sequences in ``x`` from ``state`` (zeros when None).

        Args:
            x: ``(batch, time, features)`` input, post-padded when ``lengths`` is given.
            state: one ``(h, c)`` pair per layer, each ``(batch, hidden)``.
            lengths: valid steps per sequence (CPU int64), or None when all are full.

        Returns:
            The outputs and the state after each sequence's last valid step.
        """
        torch_state = None if state is None else to_torch_state(state)
        outputs, (hidden, cell) = self._run_lstm(x, torch_state, lengths)  # (batch, time, hidden)
        if self.config.return_sequences:
            y = self.head(self.output_dropout(outputs))  # (batch, time, output)
        else:
            last = self._last_step(outputs, lengths)  # (batch, hidden)
            y = self.head(self.output_dropout(last))  # (batch, output)
        return y, from_torch_state(hidden, cell)

    def _run_lstm(self, x, torch_state, lengths):
        time_steps = x.shape[1]
        if lengths is None or bool((lengths == time_steps).all()):
            return self.lstm(x, torch_state)
        # Unequal lengths: pack, so the returned state is the one after each
        # sequence's own last step rather than after the padding.
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_out, (hidden, cell) = self.lstm(packed, torch_state)
        outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=time_steps)
        return outputs, (hidden, cell)

    @staticmethod
    def _last_step(outputs: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        if lengths is None:
            return outputs[:, -1]
        rows = torch.arange(outputs.shape[0], device=outputs.device)
        return outputs[rows, lengths.to(outputs.device) - 1]

    def get_config(self) -> dict[str, Any]:
        """Return the JSON-serialisable configuration that rebuilds this model.

        Example:
            >>> VanillaLSTM(VanillaConfig(2, 3, 1)).get_config()["hidden_size"]
            3
        """
        return asdict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> VanillaLSTM:
        """Build a fresh (untrained) model from :meth:`get_config`'s output.

        Example:
            >>> model = VanillaLSTM.from_config({"input_size": 2, "hidden_size": 3, "output_size": 1})
            >>> model.config.num_layers
            1
        """
        return cls(VanillaConfig(**config))

    @classmethod
    def from_settings(cls, settings: ArchitectureSettings, options: dict[str, Any]) -> VanillaLSTM:
        """Build from an estimator's keywords; the Vanilla LSTM has no options of its own.

        Its layers share one fused ``nn.LSTM``, so they all have the same width, and it
        has no input dropout or dense hidden layers: those need ``architecture="stacked"``.

        Example:
            >>> settings = ArchitectureSettings(input_size=1, output_size=1, units=(25,))
            >>> VanillaLSTM.from_settings(settings, {}).config.hidden_size
            25
        """
        problems = []
        if len(set(settings.units)) > 1:
            problems.append(f"units={list(settings.units)} (layers of different widths)")
        if settings.input_dropout:
            problems.append(f"input_dropout={settings.input_dropout}")
        if settings.dense_units:
            problems.append(f"dense_units={list(settings.dense_units)}")
        if options:
            problems.append(f"architecture_options {sorted(options)}")
        if problems:
            raise ConfigError(
                "the 'vanilla' architecture (one fused LSTM and a linear output) does not take "
                + ", ".join(problems)
                + ": use architecture='stacked', which has per-layer units, input dropout and "
                "a dense head"
            )
        return cls(
            VanillaConfig(
                input_size=settings.input_size,
                hidden_size=settings.units[0],
                output_size=settings.output_size,
                num_layers=len(settings.units),
                dropout=settings.dropout,
                return_sequences=settings.return_sequences,
                init=settings.init,
            )
        )

    def state_sizes(self) -> tuple[int, ...]:
        """The width of each layer's ``(h, c)``, first layer first.

        Example:
            >>> VanillaLSTM(VanillaConfig(1, 4, 1, num_layers=2)).state_sizes()
            (4, 4)
        """
        return (self.config.hidden_size,) * self.config.num_layers

    def layer_summary(self) -> list[tuple[str, str, int]]:
        """Describe the layers as ``(name, output shape, parameters)`` rows.

        Example:
            >>> VanillaLSTM(VanillaConfig(10, 25, 10)).layer_summary()[0]
            ('lstm (LSTM)', '(None, 25)', 3700)
        """
        config = self.config
        time = "None, " if config.return_sequences else ""
        lstm_params = sum(p.numel() for p in self.lstm.parameters())
        head_params = sum(p.numel() for p in self.head.parameters())
        return [
            ("lstm (LSTM)", f"(None, {time}{config.hidden_size})", lstm_params),
            ("dense (Dense)", f"(None, {time}{config.output_size})", head_params),
        ]
