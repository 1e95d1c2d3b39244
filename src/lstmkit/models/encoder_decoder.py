"""The Encoder-Decoder LSTM: read the whole input, then answer ``output_steps`` steps.

The book's addition chapter (``"10+6" → "16"``)::

    LSTM(75, input_shape=(in_len, n_chars))       encoder: one vector per sequence
    RepeatVector(out_len)                         that vector at every output step
    LSTM(50, return_sequences=True)               decoder
    TimeDistributed(Dense(n_chars, 'softmax'))    head at every output step

That is ``decoder="repeat"``. ``decoder="teacher"`` is the other classic form: the
decoder starts from the encoder's final state and reads, at each output step, the
previous answer::

    encoder:  x0 x1 ... xT ──► (h, c) ──┐
    decoder:                  start ─► y0 ─► y1 ─► ...   (training: fed the previous
                              └──────┘ └───┘  └──        *target*; inference: the
                                                          previous *prediction*)

The returned state is the encoder's (what carries from one input chunk to the next);
the decoder's state is rebuilt from it at every call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from lstmkit.errors import ConfigError, ShapeError
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

DECODERS = ("repeat", "teacher")
FEEDBACKS = ("classes", "values")


@dataclass(frozen=True)
class EncoderDecoderConfig:
    """Shape and options of an :class:`EncoderDecoderLSTM`.

    ``units`` are the encoder's layer widths; ``decoder_units`` the decoder's (None:
    the same). ``feedback`` says what the ``"teacher"`` decoder reads back: the one-hot
    of the previous class (``"classes"``) or the previous values (``"values"``).

    Example:
        >>> EncoderDecoderConfig(input_size=12, output_size=12, output_steps=2, units=[75],
        ...                      decoder_units=[50]).decoder
        'repeat'
    """

    input_size: int
    output_size: int
    output_steps: int
    units: list[int] = field(default_factory=lambda: [32])
    dropout: float = 0.0
    input_dropout: float = 0.0
    dense_units: list[int] = field(default_factory=list)
    dense_activation: str = "relu"
    return_sequences: bool = False
    init: str = "keras"
    decoder: Literal["repeat", "teacher"] = "repeat"
    decoder_units: list[int] | None = None
    feedback: Literal["classes", "values"] = "classes"

    def __post_init__(self) -> None:
        check_common(self, "encoder_decoder", _own_problems(self))


def _own_problems(config: EncoderDecoderConfig) -> list[str]:
    """The problems with the fields only this architecture has."""
    problems = []
    steps = config.output_steps
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        problems.append(f"output_steps must be a positive integer, got {steps!r}")
    if config.return_sequences:
        problems.append(
            "return_sequences=True does not apply: an encoder-decoder reads the whole input, "
            "then answers output_steps steps; set output_steps instead"
        )
    if config.decoder not in DECODERS:
        problems.append(f"decoder must be 'repeat' or 'teacher', got {config.decoder!r}")
    if config.feedback not in FEEDBACKS:
        problems.append(f"feedback must be 'classes' or 'values', got {config.feedback!r}")
    widths = config.decoder_units
    if widths is not None and (
        not isinstance(widths, (list, tuple))
        or not widths
        or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths)
    ):
        problems.append(f"decoder_units must be None or positive integers, got {widths!r}")
    elif config.decoder == "teacher" and widths is not None and list(widths) != list(config.units):
        problems.append(
            "the 'teacher' decoder starts from the encoder's state, so decoder_units must "
            f"equal units: got decoder_units={list(widths)}, units={list(config.units)}; "
            "leave decoder_units as None"
        )
    return problems


@register_architecture("encoder_decoder")
class EncoderDecoderLSTM(nn.Module):
    """An LSTM encoder, an LSTM decoder over ``output_steps`` steps, a dense head per step.

    ``decoder="repeat"``: the encoder's last-layer output at each sequence's last valid
    step is repeated ``output_steps`` times and read by the decoder from a zero state
    (Keras's ``RepeatVector`` model). ``decoder="teacher"``: the decoder layers start
    from the encoder's final state; step 0 reads a zero "start" vector, step ``t`` the
    previous target in training (``self.training`` and ``targets`` given: teacher
    forcing, one fused call) and otherwise the previous prediction (greedy: the one-hot
    of its argmax, or its values).

    State: the returned state is the *encoder's* (one ``(h, c)`` per encoder layer), the
    part that carries from one input chunk to the next; a passed-in state continues the
    encoder. The decoder's state is rebuilt from the encoder's at every call, so it is
    never returned.

    Shape:
        x: ``(batch, time, input_size)``.
        y: ``(batch, output_steps, output_size)``, raw scores.
        targets (teacher only): ``(batch, output_steps)`` int64 class codes (-1: no
        target) for ``feedback="classes"``; ``(batch, output_steps, output_size)`` floats
        (NaN: no target) for ``"values"``.

    Example:
        >>> config = EncoderDecoderConfig(12, 12, output_steps=2, units=[75], decoder_units=[50])
        >>> y, state = EncoderDecoderLSTM(config)(torch.zeros(4, 5, 12))
        >>> tuple(y.shape), [tuple(h.shape) for h, _ in state]
        ((4, 2, 12), [(4, 75)])
    """

    # The engine passes ``targets=`` (in training steps only) to modules that say so.
    uses_targets = True
    config_class = EncoderDecoderConfig
    # Targets carry an output-step axis that is not aligned with the input steps.
    sequence_output = True

    def __init__(self, config: EncoderDecoderConfig) -> None:
        super().__init__()
        self.config = config
        self.input_dropout = optional_dropout(config.input_dropout)
        self.encoder = _lstm_layers(config.input_size, config.units)
        decoder_units = list(config.decoder_units or config.units)
        decoder_input = config.units[-1] if config.decoder == "repeat" else config.output_size
        self.decoder = _lstm_layers(decoder_input, decoder_units)
        self.dropout = optional_dropout(config.dropout)
        self.head = DenseHead.for_config(decoder_units[-1], config)
        if config.init == "keras":
            for lstm in [*self.encoder, *self.decoder]:
                keras_init_lstm(lstm)

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        lengths: torch.Tensor | None = None,
        targets: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Encode ``x`` from ``state`` (zeros when None), then decode ``output_steps`` steps.

        Args:
            x: ``(batch, time, features)`` input, post-padded when ``lengths`` is given.
            state: the encoder's state, one ``(h, c)`` pair per encoder layer.
            lengths: valid steps per sequence (CPU int64), or None when all are full.
            targets: the previous answers the ``"teacher"`` decoder reads in training;
                ignored by ``"repeat"`` and in eval mode.

        Returns:
            The ``(batch, output_steps, output_size)`` scores and the encoder's state
            after each sequence's last valid step.

        Raises:
            ShapeError: ``targets`` of the wrong shape for the teacher decoder.
        """
        encoded, encoder_state = self._encode(x, state, lengths)
        if self.config.decoder == "repeat":
            return self._decode_repeated(encoded), encoder_state
        if self.training and targets is not None:
            return self._decode_teacher_forced(encoder_state, targets), encoder_state
        return self._decode_greedy(encoder_state), encoder_state

    def _encode(
        self, x: torch.Tensor, state: State | None, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, State]:
        """The last layer's output at each last valid step ``(batch, units[-1])``, and the state."""
        outputs = self.input_dropout(x)
        new_state = []
        for index, lstm in enumerate(self.encoder):
            layer_state = None if state is None else _unsqueezed(state[index])
            outputs, (hidden, cell) = run_lstm(lstm, outputs, layer_state, lengths)
            outputs = self.dropout(outputs)  # (batch, time, units[index])
            new_state.append((hidden[0], cell[0]))
        return last_step(outputs, lengths), tuple(new_state)

    def _decode_repeated(self, encoded: torch.Tensor) -> torch.Tensor:
        """RepeatVector, then the decoder layers from a zero state, then the head per step."""
        steps = self.config.output_steps
        outputs = encoded.unsqueeze(1).expand(-1, steps, -1).contiguous()  # (batch, out, units)
        for lstm in self.decoder:
            outputs, _ = lstm(outputs)
            outputs = self.dropout(outputs)
        return self.head(outputs)  # (batch, output_steps, output_size)

    def _decode_teacher_forced(self, encoder_state: State, targets: torch.Tensor) -> torch.Tensor:
        """All output steps in one fused call: step t reads target t-1 (step 0: zeros)."""
        fed = self._target_feedback(targets, encoder_state[0][0])  # (batch, out, output_size)
        start = torch.zeros_like(fed[:, :1])
        outputs = torch.cat([start, fed[:, :-1]], dim=1)
        for lstm, pair in zip(self.decoder, encoder_state):
            outputs, _ = lstm(outputs, _unsqueezed(pair))
            outputs = self.dropout(outputs)
        return self.head(outputs)

    def _decode_greedy(self, encoder_state: State) -> torch.Tensor:
        """One output step at a time, each reading the previous step's prediction."""
        reference = encoder_state[0][0]
        step_input = reference.new_zeros(reference.shape[0], 1, self.config.output_size)
        layer_states = [_unsqueezed(pair) for pair in encoder_state]
        answers = []
        for _ in range(self.config.output_steps):
            outputs = step_input
            for index, lstm in enumerate(self.decoder):
                outputs, layer_states[index] = lstm(outputs, layer_states[index])
                outputs = self.dropout(outputs)
            scores = self.head(outputs)  # (batch, 1, output_size)
            answers.append(scores)
            if self.config.feedback == "classes":
                step_input = _one_hot(scores.argmax(dim=-1), self.config.output_size, scores)
            else:
                step_input = scores
        return torch.cat(answers, dim=1)

    def _target_feedback(self, targets: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """What each target step feeds back: a one-hot (zeros for code -1), or the values (NaN → 0)."""
        batch, steps, size = like.shape[0], self.config.output_steps, self.config.output_size
        if self.config.feedback == "classes":
            expected = (batch, steps)
            what = "int64 class codes (-1: no target)"
        else:
            expected = (batch, steps, size)
            what = "float values (NaN: no target)"
        if tuple(targets.shape) != expected:
            raise ShapeError(
                f"the 'teacher' decoder with feedback={self.config.feedback!r} expects targets "
                f"of shape {expected} ({what}), got {tuple(targets.shape)}"
            )
        if self.config.feedback == "classes":
            return _one_hot(targets, size, like)
        values = targets.to(like.dtype)
        return torch.where(torch.isnan(values), torch.zeros_like(values), values)

    def state_sizes(self) -> tuple[int, ...]:
        """The width of each encoder layer's ``(h, c)``, first layer first.

        Example:
            >>> config = EncoderDecoderConfig(3, 2, output_steps=4, units=[8, 4])
            >>> EncoderDecoderLSTM(config).state_sizes()
            (8, 4)
        """
        return tuple(self.config.units)

    def get_config(self) -> dict[str, Any]:
        """Return the JSON-serialisable configuration that rebuilds this model.

        Example:
            >>> config = EncoderDecoderConfig(3, 2, output_steps=4, units=(8,))
            >>> EncoderDecoderLSTM(config).get_config()["units"]
            [8]
        """
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self.config).items()
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EncoderDecoderLSTM:
        """Build a fresh (untrained) model from :meth:`get_config`'s output.

        Example:
            >>> model = EncoderDecoderLSTM.from_config(
            ...     {"input_size": 12, "output_size": 12, "output_steps": 2})
            >>> model.config.units, model.config.decoder
            ([32], 'repeat')
        """
        return cls(build_config(EncoderDecoderConfig, config, "encoder_decoder"))

    @classmethod
    def from_settings(
        cls, settings: ArchitectureSettings, options: dict[str, Any]
    ) -> EncoderDecoderLSTM:
        """Build from an estimator's keywords (``options``: decoder, decoder_units, feedback).

        Example:
            >>> settings = ArchitectureSettings(12, 12, units=(75,), output_steps=2)
            >>> EncoderDecoderLSTM.from_settings(settings, {"decoder": "teacher"}).config.decoder
            'teacher'
        """
        given = options.get("output_steps", settings.output_steps)
        if settings.output_steps is not None and given != settings.output_steps:
            raise ConfigError(
                f"architecture_options gives output_steps={given!r}, but y has "
                f"{settings.output_steps} output steps: leave output_steps out (it is read "
                "from y) or make y match"
            )
        values = {**common_config(settings), "output_steps": settings.output_steps}
        return cls.from_config({**values, **options})

    def layer_summary(self) -> list[tuple[str, str, int]]:
        """Describe the layers as ``(name, output shape, parameters)`` rows, like Keras's summary.

        Example:
            >>> config = EncoderDecoderConfig(12, 12, output_steps=2, units=[75], decoder_units=[50])
            >>> for row in EncoderDecoderLSTM(config).layer_summary():
            ...     print(row)
            ('lstm (LSTM)', '(None, 75)', 26700)
            ('repeat_vector (RepeatVector)', '(None, 2, 75)', 0)
            ('lstm_1 (LSTM)', '(None, 2, 50)', 25400)
            ('dense (Dense)', '(None, 2, 12)', 612)
        """
        rows = []
        last = len(self.encoder) - 1
        for index, lstm in enumerate(self.encoder):
            name = "lstm" if index == 0 else f"lstm_{index}"
            time = "None, " if index < last else ""
            rows.append(
                (f"{name} (LSTM)", f"(None, {time}{lstm.hidden_size})", count_parameters(lstm))
            )
        steps = self.config.output_steps
        if self.config.decoder == "repeat":
            width = self.config.units[-1]
            rows.append(("repeat_vector (RepeatVector)", f"(None, {steps}, {width})", 0))
            names = [f"lstm_{len(self.encoder) + index}" for index in range(len(self.decoder))]
        else:
            names = [
                "decoder_lstm" if i == 0 else f"decoder_lstm_{i}" for i in range(len(self.decoder))
            ]
        for name, lstm in zip(names, self.decoder):
            shape = f"(None, {steps}, {lstm.hidden_size})"
            rows.append((f"{name} (LSTM)", shape, count_parameters(lstm)))
        return rows + self.head.summary_rows(f"{steps}, ")


def _lstm_layers(input_size: int, units: list[int]) -> nn.ModuleList:
    """One batch-first ``nn.LSTM`` per width (widths differ, so no single fused stack)."""
    widths = [input_size, *units]
    return nn.ModuleList(
        nn.LSTM(width, size, batch_first=True) for width, size in zip(widths, units)
    )


def _one_hot(codes: torch.Tensor, size: int, like: torch.Tensor) -> torch.Tensor:
    """One-hot rows of ``like``'s dtype; codes outside ``[0, size)`` (e.g. -1) give zeros.

    A comparison rather than ``F.one_hot``: no error path, so no host synchronisation.
    """
    classes = torch.arange(size, device=codes.device)
    return (codes.unsqueeze(-1) == classes).to(like.dtype)  # (..., size)


def _unsqueezed(pair: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """One layer's public ``(h, c)``, each ``(batch, hidden)``, as ``nn.LSTM`` wants it."""
    return pair[0].unsqueeze(0), pair[1].unsqueeze(0)
