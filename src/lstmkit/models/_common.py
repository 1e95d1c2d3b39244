"""What the architectures share: the settings an estimator builds them from, the dense
head, the checks on a configuration, and running an ``nn.LSTM`` over padded input.

Every built-in architecture offers ``from_settings(settings, options)``: the estimator's
common keywords arrive as :class:`ArchitectureSettings`, the architecture's own ones
(``merge_mode``, ``decoder``, ``frame_shape``, ...) as the ``options`` dict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstmkit.errors import ConfigError, did_you_mean
from lstmkit.models._init import keras_init_linear

# Activations a dense head may use, by their Keras names.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "selu": nn.SELU,
    "linear": nn.Identity,
}


@dataclass(frozen=True)
class ArchitectureSettings:
    """The estimator keywords every built-in architecture understands.

    Attributes:
        input_size: features per time step (read from X at fit).
        output_size: outputs per answer (classes, or target columns).
        units: LSTM units per layer, first layer first.
        dropout: dropout on each LSTM layer's output (between layers, before the head).
        input_dropout: dropout on the input features, before the first LSTM layer.
        dense_units: hidden dense layers of the head, before the output layer.
        dense_activation: activation of those dense layers (a Keras name).
        return_sequences: answer at every input step rather than once per sequence.
        init: ``"keras"`` or ``"torch"`` initialisation.
        output_steps: output steps of a sequence-output architecture (encoder-decoder);
            None for the others.

    Example:
        >>> ArchitectureSettings(input_size=1, output_size=1, units=(20, 20)).dense_activation
        'relu'
    """

    input_size: int
    output_size: int
    units: tuple[int, ...] = (32,)
    dropout: float = 0.0
    input_dropout: float = 0.0
    dense_units: tuple[int, ...] = ()
    dense_activation: str = "relu"
    return_sequences: bool = False
    init: str = "keras"
    output_steps: int | None = None


def common_config(settings: ArchitectureSettings) -> dict[str, Any]:
    """The settings as config keys (lists, not tuples: the config goes to JSON).

    Example:
        >>> common_config(ArchitectureSettings(2, 1, units=(4, 3)))["units"]
        [4, 3]
    """
    config = dataclasses.asdict(settings)
    config.pop("output_steps")
    config["units"] = list(settings.units)
    config["dense_units"] = list(settings.dense_units)
    return config


def build_config(config_class: type, values: dict[str, Any], architecture: str) -> Any:
    """Build ``config_class`` from ``values``, naming unknown keys with a did-you-mean.

    Raises:
        ConfigError: a key the architecture does not have.

    Example:
        >>> @dataclass(frozen=True)
        ... class Small:
        ...     units: int = 1
        >>> build_config(Small, {"unit": 2}, "small")
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: the 'small' architecture has no option 'unit'. Did you mean 'units'?
    """
    known = [field.name for field in dataclasses.fields(config_class)]
    for name in values:
        if name not in known:
            raise ConfigError(
                f"the {architecture!r} architecture has no option {name!r}."
                f"{did_you_mean(name, known) or ' Its options are: ' + ', '.join(known)}"
            )
    return config_class(**values)


def check_common(config: Any, architecture: str, extra: Sequence[str] = ()) -> None:
    """Raise one ConfigError listing every problem with the common fields of ``config``.

    ``extra`` holds problems the caller found in its own fields.

    Example:
        >>> @dataclass(frozen=True)
        ... class Config:
        ...     input_size: int = 1
        ...     output_size: int = 1
        ...     units: tuple = (0,)
        ...     dropout: float = 0.0
        ...     input_dropout: float = 0.0
        ...     dense_units: tuple = ()
        ...     dense_activation: str = "relu"
        ...     init: str = "keras"
        >>> check_common(Config(), "stacked")
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: invalid stacked configuration: units must be positive integers, got (0,)
    """
    problems = []
    for name in ("input_size", "output_size"):
        if not _is_positive_int(getattr(config, name)):
            problems.append(f"{name} must be a positive integer, got {getattr(config, name)!r}")
    for name in ("units", "dense_units"):
        values = getattr(config, name)
        allowed_empty = name == "dense_units"
        if not isinstance(values, (list, tuple)) or (not values and not allowed_empty):
            problems.append(f"{name} must be a list of positive integers, got {values!r}")
        elif not all(_is_positive_int(value) for value in values):
            problems.append(f"{name} must be positive integers, got {values!r}")
    for name in ("dropout", "input_dropout"):
        value = getattr(config, name)
        if not isinstance(value, (int, float)) or not 0.0 <= float(value) < 1.0:
            problems.append(f"{name} must be in [0, 1), got {value!r}")
    if config.dense_activation not in ACTIVATIONS:
        problems.append(
            f"dense_activation must be one of {', '.join(ACTIVATIONS)}, got {config.dense_activation!r}"
        )
    if config.init not in ("keras", "torch"):
        problems.append(f"init must be 'keras' or 'torch', got {config.init!r}")
    problems += list(extra)
    if problems:
        raise ConfigError(f"invalid {architecture} configuration: " + "; ".join(problems))


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def optional_dropout(rate: float) -> nn.Module:
    """A Dropout layer, or Identity when ``rate`` is 0 (a p=0 Dropout still costs a call).

    Example:
        >>> type(optional_dropout(0.0)).__name__, type(optional_dropout(0.5)).__name__
        ('Identity', 'Dropout')
    """
    return nn.Dropout(rate) if rate > 0 else nn.Identity()


class DenseHead(nn.Module):
    """Dense layers after the LSTM: ``dense_units`` hidden layers, then the output layer.

    Keras's stack ``Dense(n, activation) → Dropout → … → Dense(outputs)``; the dropout
    between the hidden dense layers uses the model's ``dropout``. The output layer has
    no activation: the loss applies it.

    Example:
        >>> head = DenseHead(8, [16, 8], "relu", 0.0, 5, "keras")
        >>> tuple(head(torch.zeros(3, 8)).shape)
        (3, 5)
    """

    def __init__(
        self,
        input_size: int,
        dense_units: Sequence[int],
        activation: str,
        dropout: float,
        output_size: int,
        init: str,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = input_size
        for units in dense_units:
            layers += [nn.Linear(width, units), ACTIVATIONS[activation]()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = units
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(width, output_size)
        if init == "keras":
            for layer in self.modules():
                if isinstance(layer, nn.Linear):
                    keras_init_linear(layer)

    @classmethod
    def for_config(cls, input_size: int, config: Any) -> DenseHead:
        """The head an architecture's config asks for, reading ``input_size`` features.

        Example:
            >>> from lstmkit.models import StackedConfig
            >>> DenseHead.for_config(8, StackedConfig(1, 5, dense_units=[4])).output.out_features
            5
        """
        return cls(
            input_size,
            config.dense_units,
            config.dense_activation,
            config.dropout,
            config.output_size,
            config.init,
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Apply the hidden layers and the output layer to the last axis of ``features``."""
        return self.output(self.hidden(features))

    def summary_rows(self, time: str) -> list[tuple[str, str, int]]:
        """``(name, output shape, parameters)`` rows for ``summary()``.

        Example:
            >>> DenseHead(4, [3], "relu", 0.0, 2, "keras").summary_rows("")
            [('dense (Dense)', '(None, 3)', 15), ('dense_1 (Dense)', '(None, 2)', 8)]
        """
        linears = [layer for layer in self.modules() if isinstance(layer, nn.Linear)]
        rows = []
        for index, layer in enumerate(linears):
            name = "dense" if index == 0 else f"dense_{index}"
            count = sum(parameter.numel() for parameter in layer.parameters())
            rows.append((f"{name} (Dense)", f"(None, {time}{layer.out_features})", count))
        return rows


def run_lstm(
    lstm: nn.LSTM,
    x: torch.Tensor,
    state: tuple[torch.Tensor, torch.Tensor] | None,
    lengths: torch.Tensor | None,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Run ``lstm`` (batch first) over post-padded ``x``; pack only when lengths differ.

    Packing makes the returned state the one after each sequence's own last step (and
    runs a backward direction from each sequence's own end); equal lengths keep the
    fused call. Outputs past a sequence's length are zeros.

    Example:
        >>> lstm = nn.LSTM(1, 2, batch_first=True)
        >>> outputs, (h, c) = run_lstm(lstm, torch.zeros(3, 4, 1), None, torch.tensor([4, 2, 1]))
        >>> tuple(outputs.shape), tuple(h.shape)
        ((3, 4, 2), (1, 3, 2))
    """
    time_steps = x.shape[1]
    if lengths is None or bool((lengths == time_steps).all()):
        return lstm(x, state)
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    packed_out, new_state = lstm(packed, state)
    outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=time_steps)
    return outputs, new_state


def last_step(outputs: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Each sequence's output at its last valid step: ``(batch, time, n) → (batch, n)``.

    Example:
        >>> outputs = torch.arange(6.0).view(2, 3, 1)
        >>> last_step(outputs, torch.tensor([3, 1])).flatten().tolist()
        [2.0, 3.0]
    """
    if lengths is None:
        return outputs[:, -1]
    rows = torch.arange(outputs.shape[0], device=outputs.device)
    return outputs[rows, lengths.to(outputs.device) - 1]


def count_parameters(module: nn.Module) -> int:
    """The number of parameters of ``module``.

    Example:
        >>> count_parameters(nn.Linear(3, 2))
        8
    """
    return sum(parameter.numel() for parameter in module.parameters())
