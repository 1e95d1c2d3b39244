"""The Bidirectional LSTM: each layer reads the sequence forwards and backwards.

The book's cumulative-sum chapter: ``Bidirectional(LSTM(50, return_sequences=True),
merge_mode=...)`` then ``TimeDistributed(Dense(1, activation='sigmoid'))``, and its
comparison of a forward-only, a backward-only and a bidirectional LSTM. Here that
comparison is one keyword, ``direction`` ("forward", "backward" or "both").

How a layer's two directions become one output (``merge_mode``, Keras's names)::

    forward  h→ h→ h→ h→      (reads steps 0 .. T-1)
    backward h← h← h← h←      (reads steps T-1 .. 0, each sequence from its own end)
             ↓  ↓  ↓  ↓
    merged   concat / sum / mul / ave, step by step → the next layer, or the head

Many-to-one (``return_sequences=False``) answers ``merge(forward at lengths − 1,
backward at step 0)``: each direction's output after it has read the whole sequence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from lstmkit.errors import ShapeError
from lstmkit.models._common import (
    ArchitectureSettings,
    DenseHead,
    build_config,
    check_common,
    common_config,
    count_parameters,
    optional_dropout,
    run_lstm,
)
from lstmkit.models._init import keras_init_lstm
from lstmkit.models._registry import register_architecture
from lstmkit.models._state import LayerState, State

MERGE_MODES = ("concat", "sum", "mul", "ave")
DIRECTIONS = ("both", "backward", "forward")


@dataclass(frozen=True)
class BidirectionalConfig:
    """Shape and options of a :class:`BidirectionalLSTM`.

    The common fields are the stacked LSTM's; ``merge_mode`` (used only when
    ``direction="both"``) and ``direction`` are this architecture's own.

    Example:
        >>> BidirectionalConfig(input_size=1, output_size=1, units=[50], merge_mode="sum").direction
        'both'
    """

    input_size: int
    output_size: int
    units: list[int] = field(default_factory=lambda: [32])
    dropout: float = 0.0
    input_dropout: float = 0.0
    dense_units: list[int] = field(default_factory=list)
    dense_activation: str = "relu"
    return_sequences: bool = False
    init: str = "keras"
    merge_mode: Literal["concat", "sum", "mul", "ave"] = "concat"
    direction: Literal["both", "backward", "forward"] = "both"

    def __post_init__(self) -> None:
        problems = []
        if self.merge_mode not in MERGE_MODES:
            problems.append(
                f"merge_mode must be one of {', '.join(MERGE_MODES)}, got {self.merge_mode!r}"
            )
        if self.direction not in DIRECTIONS:
            problems.append(
                f"direction must be one of {', '.join(DIRECTIONS)}, got {self.direction!r}"
            )
        check_common(self, "bidirectional", problems)


def merge(forward: torch.Tensor, backward: torch.Tensor, mode: str) -> torch.Tensor:
    """Merge the two directions' outputs the way Keras's ``Bidirectional`` does.

    ``concat`` doubles the last axis; ``sum``, ``mul`` and ``ave`` keep it.

    Example:
        >>> forward, backward = torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 4.0]])
        >>> [merge(forward, backward, mode).tolist() for mode in ("concat", "sum", "mul", "ave")]
        [[[1.0, 2.0, 3.0, 4.0]], [[4.0, 6.0]], [[3.0, 8.0]], [[2.0, 3.0]]]
    """
    if mode == "concat":
        return torch.cat([forward, backward], dim=-1)
    if mode == "sum":
        return forward + backward
    if mode == "mul":
        return forward * backward
    return (forward + backward) / 2


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Reverse each sequence within its own length; padding steps stay where they are.

    ``torch.flip`` would move a short sequence's padding to its front. Applying this
    twice gives ``x`` back.

    Shape:
        x: ``(batch, time, features)``, post-padded; the result has the same shape.

    Example:
        >>> x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]]).unsqueeze(-1)
        >>> reverse_padded(x, torch.tensor([3, 2])).squeeze(-1).tolist()
        [[3.0, 2.0, 1.0], [5.0, 4.0, 0.0]]
    """
    if lengths is None:
        return x.flip(1)
    steps = torch.arange(x.shape[1], device=x.device)  # (time,)
    valid = lengths.to(x.device).unsqueeze(1)  # (batch, 1)
    # Step t of a sequence of length L reads step L-1-t; padding steps read themselves.
    source = torch.where(steps < valid, valid - 1 - steps, steps)  # (batch, time)
    return x.gather(1, source.unsqueeze(-1).expand(-1, -1, x.shape[2]))


@register_architecture("bidirectional")
class BidirectionalLSTM(nn.Module):
    """Bidirectional LSTM layers (or one direction of them), then a :class:`DenseHead`.

    Each entry of ``units`` is one layer; with ``direction="both"`` a layer is one
    ``nn.LSTM(bidirectional=True)`` whose merged output feeds the next layer (Keras's
    stacked ``Bidirectional`` layers). ``dropout`` follows every layer's merged output.

    ``direction="backward"`` reads each sequence from its own last valid step back to
    step 0, and its outputs stay aligned with the input: the output at step t is the
    state after reading steps T-1 .. t. This differs from Keras's
    ``LSTM(go_backwards=True)``, which returns its outputs in reversed order. With
    several layers every layer reads backwards. ``direction="forward"`` is the stacked
    LSTM, kept so the book's comparison is one keyword.

    The state is not for carrying: the backward direction starts at each sequence's
    end, so the model refuses stateful prediction, TBPTT and streaming (it sets
    ``bidirectional``, which ``require_unidirectional`` reads) unless
    ``direction="forward"``. With ``direction="both"`` each layer's ``h`` and ``c`` are
    ``(batch, 2 * units)``: the forward direction's final value, then the backward
    one's (after reading step 0). A state passed in that layout is split back into the
    two directions' initial states.

    Shape:
        x: ``(batch, time, input_size)``.
        y: ``(batch, output_size)``, or ``(batch, time, output_size)`` with
        ``return_sequences=True``.
        state: one ``(h, c)`` pair per layer, each ``(batch, 2 * units[layer])`` for
        ``direction="both"``, else ``(batch, units[layer])``.

    Example:
        >>> config = BidirectionalConfig(1, 1, units=[50], return_sequences=True)
        >>> y, state = BidirectionalLSTM(config)(torch.zeros(4, 10, 1))
        >>> tuple(y.shape), tuple(state[0][0].shape)
        ((4, 10, 1), (4, 100))
    """

    def __init__(self, config: BidirectionalConfig) -> None:
        super().__init__()
        self.config = config
        self.bidirectional = config.direction != "forward"
        self.input_dropout = optional_dropout(config.input_dropout)
        widths = [config.input_size, *(self._merged_width(units) for units in config.units)]
        self.layers = nn.ModuleList(
            nn.LSTM(width, units, batch_first=True, bidirectional=config.direction == "both")
            for width, units in zip(widths, config.units)
        )
        self.dropout = optional_dropout(config.dropout)
        self.head = DenseHead.for_config(widths[-1], config)
        if config.init == "keras":
            for lstm in self.layers:
                keras_init_lstm(lstm)  # covers the ``*_reverse`` parameters too

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        """Run the sequences in ``x`` from ``state`` (zeros when None).

        Args:
            x: ``(batch, time, features)`` input, post-padded when ``lengths`` is given.
            state: one ``(h, c)`` pair per layer, in the layout of :meth:`state_sizes`.
            lengths: valid steps per sequence (CPU int64), or None when all are full.

        Returns:
            The outputs and each layer's final state (see the class docstring).
        """
        backward_only = self.config.direction == "backward"
        outputs = self.input_dropout(x)
        if backward_only:
            # Reading the reversed sequences forwards is reading them backwards; the
            # padding stays at the end, so run_lstm's packing still applies.
            outputs = reverse_padded(outputs, lengths)
        new_state = []
        last = len(self.layers) - 1
        for index, lstm in enumerate(self.layers):
            layer_state = None if state is None else self._torch_state(state[index], index)
            raw, (hidden, cell) = run_lstm(lstm, outputs, layer_state, lengths)
            new_state.append((self._public(hidden), self._public(cell)))
            if index == last and not self.config.return_sequences:
                # The final hidden states are the forward output at lengths - 1 and the
                # backward output at step 0 (CONTRACTS §5), already gathered by nn.LSTM.
                outputs = self.dropout(self._public_merged(hidden))  # (batch, width)
            else:
                outputs = self.dropout(self._merge_steps(raw))  # (batch, time, width)
        if backward_only and self.config.return_sequences:
            outputs = reverse_padded(outputs, lengths)  # back to the input's step order
        return self.head(outputs), tuple(new_state)

    def _merged_width(self, units: int) -> int:
        doubled = self.config.direction == "both" and self.config.merge_mode == "concat"
        return 2 * units if doubled else units

    def _merge_steps(self, raw: torch.Tensor) -> torch.Tensor:
        """``(batch, time, 2 * units)`` from a bidirectional nn.LSTM → merged outputs."""
        if self.config.direction != "both":
            return raw
        forward, backward = raw.chunk(2, dim=-1)
        return merge(forward, backward, self.config.merge_mode)

    def _public_merged(self, hidden: torch.Tensor) -> torch.Tensor:
        """nn.LSTM's final ``h`` ``(directions, batch, units)`` → the merged last output."""
        if self.config.direction != "both":
            return hidden[0]
        return merge(hidden[0], hidden[1], self.config.merge_mode)

    def _public(self, stacked: torch.Tensor) -> torch.Tensor:
        """``(directions, batch, units)`` → ``(batch, directions * units)``, forward first."""
        return torch.cat(stacked.unbind(0), dim=-1)

    def _torch_state(self, pair: LayerState, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """One layer's public ``(h, c)`` → nn.LSTM's ``(directions, batch, units)`` pair."""
        width = self.state_sizes()[index]
        directions = 2 if self.config.direction == "both" else 1
        converted = []
        for tensor in pair:
            if tensor.dim() != 2 or tensor.shape[-1] != width:
                raise ShapeError(
                    f"the state of layer {index} must be (h, c), each (batch, {width}) "
                    f"{'= cat(forward, backward) ' if directions == 2 else ''}for "
                    f"direction={self.config.direction!r}, got {tuple(tensor.shape)}: pass "
                    "a state this model returned"
                )
            converted.append(torch.stack(tensor.chunk(directions, dim=-1)))
        return converted[0], converted[1]

    def state_sizes(self) -> tuple[int, ...]:
        """The width of each layer's ``h`` and ``c``: ``2 * units`` with both directions.

        Example:
            >>> BidirectionalLSTM(BidirectionalConfig(1, 1, units=[8, 4])).state_sizes()
            (16, 8)
        """
        directions = 2 if self.config.direction == "both" else 1
        return tuple(directions * units for units in self.config.units)

    def get_config(self) -> dict[str, Any]:
        """Return the JSON-serialisable configuration that rebuilds this model.

        Example:
            >>> BidirectionalLSTM(BidirectionalConfig(1, 1, merge_mode="ave")).get_config()["merge_mode"]
            'ave'
        """
        return asdict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> BidirectionalLSTM:
        """Build a fresh (untrained) model from :meth:`get_config`'s output.

        Example:
            >>> BidirectionalLSTM.from_config({"input_size": 1, "output_size": 1}).config.units
            [32]
        """
        return cls(build_config(BidirectionalConfig, config, "bidirectional"))

    @classmethod
    def from_settings(
        cls, settings: ArchitectureSettings, options: dict[str, Any]
    ) -> BidirectionalLSTM:
        """Build from an estimator's keywords; ``options``: ``merge_mode``, ``direction``.

        Example:
            >>> settings = ArchitectureSettings(input_size=1, output_size=1, units=(50,))
            >>> BidirectionalLSTM.from_settings(settings, {"direction": "backward"}).bidirectional
            True
        """
        return cls.from_config({**common_config(settings), **options})

    def layer_summary(self) -> list[tuple[str, str, int]]:
        """Describe the layers as ``(name, output shape, parameters)`` rows.

        Example:
            >>> config = BidirectionalConfig(1, 1, units=[50], return_sequences=True)
            >>> BidirectionalLSTM(config).layer_summary()[0]
            ('bidirectional (Bidirectional)', '(None, None, 100)', 21200)
        """
        kind, layer_type = ("bidirectional", "Bidirectional")
        if self.config.direction != "both":
            kind, layer_type = ("lstm", "LSTM")
        rows = []
        last = len(self.layers) - 1
        for index, lstm in enumerate(self.layers):
            name = kind if index == 0 else f"{kind}_{index}"
            time = "None, " if index < last or self.config.return_sequences else ""
            width = self._merged_width(lstm.hidden_size)
            rows.append(
                (f"{name} ({layer_type})", f"(None, {time}{width})", count_parameters(lstm))
            )
        time = "None, " if self.config.return_sequences else ""
        return rows + self.head.summary_rows(time)
