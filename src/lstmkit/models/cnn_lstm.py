"""The CNN-LSTM: convolutions read each frame, LSTM layers read the frames in order.

The book's moving-square chapter::

    TimeDistributed(Conv2D(2, (2, 2), activation='relu'))
    TimeDistributed(MaxPooling2D(pool_size=(2, 2)))
    TimeDistributed(Flatten())
    LSTM(50)
    Dense(1, activation='sigmoid')

The input stays 3-D like every architecture's: each step is one frame flattened
channels-last, which is what ``frames.reshape(samples, timesteps, -1)`` gives for a
Keras ``(samples, timesteps, rows, cols, channels)`` array::

    x (batch, time, rows*cols*channels)
      -> frames (batch*time, channels, rows, cols)     every step is one image
      -> [Conv2D -> activation -> MaxPooling2D] per entry of ``filters``
      -> flattened channels-last (batch, time, features)
      -> LSTM layers, dropout, dense head              the stacked LSTM, unchanged

The convolutions see one frame at a time, so the model stays causal: state carries
across chunks and padding never changes a result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from lstmkit.errors import ShapeError
from lstmkit.models._common import (
    ACTIVATIONS,
    ArchitectureSettings,
    build_config,
    check_common,
    common_config,
    count_parameters,
)
from lstmkit.models._registry import register_architecture
from lstmkit.models._state import State
from lstmkit.models.stacked import StackedConfig, StackedLSTM

# One stage of the convolutional part: a Conv2D, then a MaxPooling2D.
_STAGE_LAYERS = ("Conv2D", "MaxPooling2D")


@dataclass(frozen=True)
class CNNLSTMConfig:
    """Shape and options of a :class:`CNNLSTM`.

    ``frame_shape`` is required (Keras's channels-last ``[rows, cols, channels]``) and
    ``input_size`` must equal ``rows * cols * channels``. Tuples are stored as lists.

    Example:
        >>> CNNLSTMConfig(input_size=2500, output_size=1, frame_shape=(50, 50, 1)).frame_shape
        [50, 50, 1]
    """

    input_size: int
    output_size: int
    frame_shape: list[int] | None = None
    units: list[int] = field(default_factory=lambda: [50])
    dropout: float = 0.0
    input_dropout: float = 0.0
    dense_units: list[int] = field(default_factory=list)
    dense_activation: str = "relu"
    return_sequences: bool = False
    init: str = "keras"
    filters: list[int] = field(default_factory=lambda: [2])
    kernel_size: int = 2
    pool_size: int = 2
    conv_activation: str = "relu"

    def __post_init__(self) -> None:
        # get_config goes to JSON: keep lists, as a user may well write (50, 50, 1).
        for name in ("frame_shape", "filters"):
            if isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, list(getattr(self, name)))
        check_common(self, "cnn_lstm", self._conv_problems())

    def _conv_problems(self) -> list[str]:
        problems = []
        for name in ("kernel_size", "pool_size"):
            if not _is_positive_int(getattr(self, name)):
                problems.append(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not isinstance(self.filters, list) or not self.filters:
            problems.append(f"filters must be a list of positive integers, got {self.filters!r}")
        elif not all(_is_positive_int(value) for value in self.filters):
            problems.append(f"filters must be positive integers, got {self.filters!r}")
        if self.conv_activation not in ACTIVATIONS:
            problems.append(
                f"conv_activation must be one of {', '.join(ACTIVATIONS)}, "
                f"got {self.conv_activation!r}"
            )
        frame_problem = _frame_shape_problem(self.frame_shape)
        if frame_problem:
            return problems + [frame_problem]
        if problems:
            return problems  # the size checks below need valid layer settings
        return _size_problems(self)


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _frame_shape_problem(frame_shape: Any) -> str | None:
    if frame_shape is None:
        return (
            "frame_shape is required: the [rows, cols, channels] of one frame, e.g. "
            "frame_shape=[50, 50, 1] for the book's 50x50 one-channel frames"
        )
    if not isinstance(frame_shape, list) or len(frame_shape) != 3:
        return (
            "frame_shape must be [rows, cols, channels] (channels last, Keras's input_shape "
            f"without the time axis), got {frame_shape!r}"
        )
    if not all(_is_positive_int(value) for value in frame_shape):
        return f"frame_shape must hold positive integers, got {frame_shape!r}"
    return None


def _size_problems(config: CNNLSTMConfig) -> list[str]:
    """The input_size / frame_shape mismatch and a frame too small for the stages."""
    problems = []
    rows, cols, channels = config.frame_shape
    values = rows * cols * channels
    if _is_positive_int(config.input_size) and config.input_size != values:
        problems.append(
            f"input_size={config.input_size} does not match frame_shape {config.frame_shape}, "
            f"which holds {rows}*{cols}*{channels}={values} values per step: each step of x "
            f"must be one frame flattened channels-last (frames.reshape(samples, timesteps, "
            f"-1)); set input_size={values} or fix frame_shape"
        )
    sizes = frame_sizes(rows, cols, len(config.filters), config.kernel_size, config.pool_size)
    if len(sizes) < 1 + 2 * len(config.filters):
        layer = _STAGE_LAYERS[(len(sizes) - 1) % 2]
        window = config.kernel_size if layer == "Conv2D" else config.pool_size
        trace = " -> ".join(f"{name} {r}x{c}" for name, r, c in sizes)
        problems.append(
            f"frame_shape {config.frame_shape} is too small for {len(config.filters)} "
            f"Conv2D(kernel_size={config.kernel_size}) + MaxPooling2D(pool_size="
            f"{config.pool_size}) stages: {trace}, then {layer} needs at least "
            f"{window}x{window}; use larger frames, fewer filters, or a smaller kernel_size "
            "or pool_size"
        )
    return problems


def frame_sizes(
    rows: int, cols: int, stages: int, kernel_size: int, pool_size: int
) -> list[tuple[str, int, int]]:
    """The frame's ``(layer, rows, cols)`` after each Conv2D and MaxPooling2D, Keras's way.

    Both use 'valid' padding; a pool's stride is its size. The list stops early at
    a layer the frame is too small for.

    Example:
        >>> frame_sizes(50, 50, 1, kernel_size=2, pool_size=2)
        [('frame', 50, 50), ('Conv2D', 49, 49), ('MaxPooling2D', 24, 24)]
        >>> frame_sizes(3, 3, 2, kernel_size=2, pool_size=2)
        [('frame', 3, 3), ('Conv2D', 2, 2), ('MaxPooling2D', 1, 1)]
    """
    sizes = [("frame", rows, cols)]
    for _ in range(stages):
        for layer in _STAGE_LAYERS:
            window = kernel_size if layer == "Conv2D" else pool_size
            if rows < window or cols < window:
                return sizes
            if layer == "Conv2D":
                rows, cols = rows - window + 1, cols - window + 1
            else:
                rows, cols = rows // window, cols // window
            sizes.append((layer, rows, cols))
    return sizes


@register_architecture("cnn_lstm")
class CNNLSTM(nn.Module):
    """Conv2D → activation → MaxPooling2D stages on every frame, then a stacked LSTM.

    The LSTM layers, dropout and dense head are a :class:`StackedLSTM` (``recurrent``)
    reading the flattened frame features; ``input_dropout`` acts on those features,
    the input of the first LSTM layer. The features are flattened channels-last, in
    the order of Keras's ``Flatten``, so the LSTM's input weights line up with a Keras
    model's. With ``init="keras"`` the convolutions start Glorot-uniform with zero bias.

    Shape:
        x: ``(batch, time, rows * cols * channels)``, each step one flattened
        channels-last frame.
        y: ``(batch, output_size)``, or ``(batch, time, output_size)`` with
        ``return_sequences=True``.
        state: one ``(h, c)`` pair per LSTM layer, each ``(batch, units[layer])``.

    Example:
        >>> config = CNNLSTMConfig(input_size=2500, output_size=1, frame_shape=[50, 50, 1])
        >>> y, state = CNNLSTM(config)(torch.zeros(2, 5, 2500))
        >>> tuple(y.shape), tuple(state[0][0].shape)
        ((2, 1), (2, 50))
    """

    # The estimators read this to accept Keras's 5-D video arrays (frame_shape from X).
    config_class = CNNLSTMConfig

    def __init__(self, config: CNNLSTMConfig) -> None:
        super().__init__()
        self.config = config
        channels = [config.frame_shape[2], *config.filters]
        self.convs = nn.ModuleList(
            nn.Conv2d(inputs, outputs, config.kernel_size)
            for inputs, outputs in zip(channels, config.filters)
        )
        self.conv_activation = ACTIVATIONS[config.conv_activation]()
        self.pool = nn.MaxPool2d(config.pool_size)
        if config.init == "keras":
            for conv in self.convs:
                # Keras's kernel (k, k, in, out) has the same Glorot fans as torch's.
                nn.init.xavier_uniform_(conv.weight)
                nn.init.zeros_(conv.bias)
        self.recurrent = StackedLSTM(
            StackedConfig(
                input_size=self._feature_size(),
                output_size=config.output_size,
                units=config.units,
                dropout=config.dropout,
                input_dropout=config.input_dropout,
                dense_units=config.dense_units,
                dense_activation=config.dense_activation,
                return_sequences=config.return_sequences,
                init=config.init,
            )
        )

    def _sizes(self) -> list[tuple[str, int, int]]:
        rows, cols, _ = self.config.frame_shape
        config = self.config
        return frame_sizes(rows, cols, len(config.filters), config.kernel_size, config.pool_size)

    def _feature_size(self) -> int:
        _, rows, cols = self._sizes()[-1]
        return rows * cols * self.config.filters[-1]

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Run the frame sequences in ``x`` from ``state`` (zeros when None).

        Args:
            x: ``(batch, time, rows * cols * channels)``, post-padded when ``lengths``
                is given.
            state: one ``(h, c)`` pair per LSTM layer, each ``(batch, units[layer])``.
            lengths: valid steps per sequence (CPU int64), or None when all are full.

        Returns:
            The outputs and the state after each sequence's last valid step.

        Raises:
            ShapeError: ``x`` is not ``(batch, time, rows * cols * channels)``.
        """
        self._check_input(x)
        batch, time = x.shape[0], x.shape[1]
        rows, cols, channels = self.config.frame_shape
        # channels-last frames viewed channels-first, as Conv2d wants: no copy.
        frames = x.reshape(batch * time, rows, cols, channels).permute(0, 3, 1, 2)
        for conv in self.convs:
            frames = self.pool(self.conv_activation(conv(frames)))  # (batch*time, f, r, c)
        # Flatten channels-last, in Keras's Flatten order.
        features = frames.permute(0, 2, 3, 1).reshape(batch, time, -1)  # (batch, time, features)
        return self.recurrent(features, state, lengths)

    def _check_input(self, x: torch.Tensor) -> None:
        rows, cols, channels = self.config.frame_shape
        if x.dim() != 3 or x.shape[-1] != self.config.input_size:
            raise ShapeError(
                f"expected x of shape (batch, time, {self.config.input_size}), each step one "
                f"{rows}x{cols}x{channels} frame flattened channels-last, got "
                f"{tuple(x.shape)}: reshape Keras-style frames (samples, timesteps, rows, cols, "
                "channels) with frames.reshape(samples, timesteps, -1)"
            )

    def state_sizes(self) -> tuple[int, ...]:
        """The width of each LSTM layer's ``(h, c)``, first layer first.

        Example:
            >>> CNNLSTM(CNNLSTMConfig(16, 1, frame_shape=[4, 4, 1], units=[8, 4])).state_sizes()
            (8, 4)
        """
        return self.recurrent.state_sizes()

    def get_config(self) -> dict[str, Any]:
        """Return the JSON-serialisable configuration that rebuilds this model.

        Example:
            >>> CNNLSTM(CNNLSTMConfig(16, 1, frame_shape=[4, 4, 1])).get_config()["filters"]
            [2]
        """
        return asdict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CNNLSTM:
        """Build a fresh (untrained) model from :meth:`get_config`'s output.

        Example:
            >>> CNNLSTM.from_config({"input_size": 16, "output_size": 1, "frame_shape": [4, 4, 1]}).config.units
            [50]
        """
        return cls(build_config(CNNLSTMConfig, config, "cnn_lstm"))

    @classmethod
    def from_settings(cls, settings: ArchitectureSettings, options: dict[str, Any]) -> CNNLSTM:
        """Build from an estimator's keywords; ``options`` holds ``frame_shape`` and the
        convolution settings (``filters``, ``kernel_size``, ``pool_size``, ``conv_activation``).

        Example:
            >>> settings = ArchitectureSettings(input_size=2500, output_size=1, units=(50,))
            >>> CNNLSTM.from_settings(settings, {"frame_shape": (50, 50, 1)}).config.frame_shape
            [50, 50, 1]
        """
        return cls.from_config({**common_config(settings), **options})

    def layer_summary(self) -> list[tuple[str, str, int]]:
        """Describe the layers as ``(name, output shape, parameters)`` rows, as Keras does.

        Example:
            >>> model = CNNLSTM(CNNLSTMConfig(2500, 1, frame_shape=[50, 50, 1]))
            >>> model.layer_summary()[0]
            ('time_distributed (TimeDistributed(Conv2D))', '(None, None, 49, 49, 2)', 10)
        """
        rows = []
        sizes = self._sizes()[1:]  # after each Conv2D and MaxPooling2D
        for index, (layer, height, width) in enumerate(sizes):
            stage = index // 2
            filters = self.config.filters[stage]
            count = count_parameters(self.convs[stage]) if layer == "Conv2D" else 0
            shape = f"(None, None, {height}, {width}, {filters})"
            rows.append((_time_distributed_name(index, layer), shape, count))
        flatten = _time_distributed_name(len(sizes), "Flatten")
        rows.append((flatten, f"(None, None, {self._feature_size()})", 0))
        return rows + self.recurrent.layer_summary()


def _time_distributed_name(index: int, layer: str) -> str:
    name = "time_distributed" if index == 0 else f"time_distributed_{index}"
    return f"{name} (TimeDistributed({layer}))"
