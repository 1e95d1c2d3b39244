"""Long streams laid out in batch lanes, for stateful training and TBPTT(k1, k2).

A generalisation of ``batchify`` from pytorch/examples' word_language_model, which
cuts one long token stream into ``batch`` equal columns. Here there are many streams of
unequal length, each with aligned per-step targets, and the state must be zeroed where a
lane moves on to its next stream. Each stream is padded at its end to a multiple of the
chunk size k1 (masked steps: no target), so every stream starts on a chunk edge, and
streams are dealt out back to back, each to the lane that is shortest so far:

    streams A(7) B(4) C(9) D(5) E(3), chunk_size = 2, 3 lanes     · = masked padding

    chunk       0     1     2     3     4     5
    lane 0   | A A | A A | A A | A · | E E | E
    lane 1   | B B | B B | D D | D D | D · | ·
    lane 2   | C C | C C | C C | C C | C · | ·
    resets     0,1,2        1           0      (lanes that start a stream)

The layout ends where the longest lane's real steps end (11 steps above, a short last
chunk), so a single stream keeps CONTRACTS §4's schedule with its short last update.
Lanes that run dry are padded with masked steps rather than dropped from the batch (the
batch shape stays fixed, as CUDA-graph capture needs; masked steps add nothing to the
loss); ``padding_share`` reports what that costs. :class:`LaneRunner` runs a module over a
layout with the fused kernel, zeroing a lane's state where it starts a new stream.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import torch
from torch import nn

from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.models._state import State


@dataclass(frozen=True)
class StreamPlacement:
    """Where one stream lies in a :class:`LaneLayout`: ``x[lane, start:start + length]``.

    Example:
        >>> StreamPlacement(stream=3, lane=1, start=4, length=5).end
        9
    """

    stream: int
    lane: int
    start: int
    length: int

    @property
    def end(self) -> int:
        """One past the stream's last real step on its lane."""
        return self.start + self.length


@dataclass(frozen=True)
class LaneLayout:
    """Streams laid out in lanes; build it with :func:`lay_out_streams`.

    Attributes:
        x: inputs, zero at padding.
        y: aligned targets with "no target" (NaN, or -1 for integer targets) at padding,
            or None when laid out for prediction only.
        resets: True where a lane starts a new stream at a chunk's first step (its state
            is zeroed before that chunk).
        chunk_size: steps per chunk (TBPTT's k1); every stream starts on a chunk edge.
        placements: one per stream, in the streams' original order.
        valid_counts: CPU int64, valid target values at each step summed over lanes (and
            target columns), or None without targets; lets the runner plan without
            reading the device.
        weight: per-step loss weights (0 at padding), or None for unweighted.

    Shape:
        x: ``(lanes, steps, features)``.
        y: ``(lanes, steps)`` or ``(lanes, steps, targets)``.
        resets: ``(lanes, chunks)`` with ``chunks = ceil(steps / chunk_size)``.
        valid_counts: ``(steps,)``.
        weight: ``(lanes, steps)``.

    Example:
        >>> layout = lay_out_streams([torch.ones(3, 1), torch.ones(2, 1)], num_lanes=1, chunk_size=2)
        >>> tuple(layout.x.shape), layout.resets.tolist(), round(layout.padding_share, 3)
        ((1, 6, 1), [[True, False, True]], 0.167)
    """

    x: torch.Tensor
    y: torch.Tensor | None
    resets: torch.Tensor
    chunk_size: int
    placements: tuple[StreamPlacement, ...]
    valid_counts: torch.Tensor | None = None
    weight: torch.Tensor | None = None

    @property
    def num_lanes(self) -> int:
        """The batch size of every chunk."""
        return self.x.shape[0]

    @property
    def steps(self) -> int:
        """Length of the lane time axis."""
        return self.x.shape[1]

    @property
    def num_chunks(self) -> int:
        """Chunks of ``chunk_size`` steps (the last may be shorter)."""
        return -(-self.steps // self.chunk_size)

    @property
    def padding_share(self) -> float:
        """Fraction of lane steps that hold no stream step (masked padding)."""
        real = sum(placement.length for placement in self.placements)
        return 1.0 - real / (self.num_lanes * self.steps)

    @property
    def complete(self) -> bool:
        """Every position has a target (no padding, no NaN / -1): the loss needs no mask."""
        if self.y is None or self.valid_counts is None or self.weight is not None:
            return False
        return int(self.valid_counts.sum()) == self.y.numel()

    def reset_edges(self) -> list[int]:
        """Sorted steps at which at least one lane starts a stream (chunk edges).

        Example:
            >>> layout = lay_out_streams([torch.ones(3, 1)] * 3, num_lanes=2, chunk_size=2)
            >>> layout.reset_edges()
            [0, 4]
        """
        return sorted({placement.start for placement in self.placements})

    def streams_of(self, values: torch.Tensor) -> list[torch.Tensor]:
        """Cut a lane-layout tensor back into per-stream pieces, in the original order.

        Args:
            values: anything indexed like ``x``: ``(lanes, steps, ...)``, e.g. outputs.

        Returns:
            One ``(length_i, ...)`` view per stream.

        Example:
            >>> layout = lay_out_streams([torch.zeros(2, 1), torch.ones(3, 1)], num_lanes=2, chunk_size=2)
            >>> [piece.squeeze(-1).tolist() for piece in layout.streams_of(layout.x)]
            [[0.0, 0.0], [1.0, 1.0, 1.0]]
        """
        return [values[p.lane, p.start : p.end] for p in self.placements]

    def to(self, device: torch.device | str) -> LaneLayout:
        """Return a copy whose tensors live on ``device`` (``valid_counts`` stays on the CPU).

        Example:
            >>> layout = lay_out_streams([torch.ones(2, 1)], num_lanes=1, chunk_size=2)
            >>> layout.to("cpu").x.device.type
            'cpu'
        """
        y = None if self.y is None else self.y.to(device)
        weight = None if self.weight is None else self.weight.to(device)
        return LaneLayout(
            self.x.to(device),
            y,
            self.resets.to(device),
            self.chunk_size,
            self.placements,
            self.valid_counts,
            weight,
        )


def lay_out_streams(
    streams: Any,
    targets: Any = None,
    *,
    num_lanes: int,
    chunk_size: int,
    order: Sequence[int] | None = None,
    weights: Any = None,
) -> LaneLayout:
    """Lay streams of unequal length into ``num_lanes`` batch lanes (see the module diagram).

    Each stream is padded at its end to a multiple of ``chunk_size`` with masked steps;
    streams are taken in ``order`` and each goes to the lane that is shortest so far (the
    lowest lane index on ties), so the layout is deterministic. Any number of lanes works;
    lanes beyond the number of streams stay fully masked.

    Args:
        streams: one ``(time, features)`` array or tensor, a sequence of them (ragged), or a
            3-D array of equal-length streams.
        targets: per-step targets aligned with each stream, ``(time,)`` or
            ``(time, targets)``, NaN (float) or -1 (integer) where there is no target; or
            None for prediction only.
        num_lanes: batch lanes (the batch size of every chunk).
        chunk_size: TBPTT's k1; streams start on multiples of it.
        order: a permutation of the stream indices: the order in which streams are dealt
            to lanes (shuffle it between epochs; the order within a stream never changes).
        weights: per-step loss weights aligned with each stream, ``(time,)``; or None.

    Returns:
        The layout; ``x`` keeps the streams' floating dtype (float32 otherwise).

    Raises:
        ConfigError: ``num_lanes`` or ``chunk_size`` is not a positive integer, or
            ``order`` is not a permutation of the stream indices.
        ShapeError: a stream is not 2-D or has no steps, streams differ in features, or
            targets do not line up with their streams (all problems reported together).
        DataError: no streams at all.

    Example:
        >>> streams = [torch.ones(3, 2), torch.ones(5, 2), torch.ones(2, 2)]
        >>> layout = lay_out_streams(streams, num_lanes=2, chunk_size=2)
        >>> [(p.lane, p.start) for p in layout.placements]
        [(0, 0), (1, 0), (0, 4)]
        >>> tuple(layout.x.shape), layout.reset_edges()
        ((2, 6, 2), [0, 4])
    """
    _check_counts(num_lanes, chunk_size)
    single = _is_single_stream(streams)
    xs = _to_streams(streams, single)
    ys = None if targets is None else _to_streams(targets, single)
    _check_streams(xs, ys)
    order = _check_order(order, len(xs))
    padded = [-(-len(stream) // chunk_size) * chunk_size for stream in xs]
    placements = _assign(padded, [len(stream) for stream in xs], num_lanes, order)
    steps = max(placement.end for placement in placements)
    chunks = -(-steps // chunk_size)
    x = _fill(xs, placements, (num_lanes, steps), _float_dtype(xs[0]), 0)
    resets = torch.zeros(num_lanes, chunks, dtype=torch.bool)
    for placement in placements:
        resets[placement.lane, placement.start // chunk_size] = True
    y, counts = None, None
    if ys is not None:
        floating = ys[0].is_floating_point()
        dtype = ys[0].dtype if floating else torch.int64
        y = _fill(ys, placements, (num_lanes, steps), dtype, float("nan") if floating else -1)
        valid = ~torch.isnan(y) if floating else y != -1
        # Lane by lane: summing the whole bool mask at once would cast all of it to int64.
        counts = torch.zeros(steps, dtype=torch.int64)
        for lane in valid.reshape(num_lanes, steps, -1):
            counts += lane.sum(dim=1)
    weight = None
    if weights is not None:
        ws = _to_streams(weights, single)
        _check_weights(xs, ws)
        weight = _fill(ws, placements, (num_lanes, steps), _float_dtype(xs[0]), 0.0)
    return LaneLayout(x, y, resets, chunk_size, placements, counts, weight)


def _check_counts(num_lanes: Any, chunk_size: Any) -> None:
    problems = []
    for name, value in (("num_lanes", num_lanes), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            problems.append(f"{name} must be a positive integer, got {value!r}")
    if problems:
        raise ConfigError("cannot lay out streams: " + "; ".join(problems))


def _is_single_stream(streams: Any) -> bool:
    return hasattr(streams, "shape") and len(streams.shape) == 2


def _to_streams(values: Any, single: bool) -> list[torch.Tensor]:
    if single:
        return [torch.as_tensor(values)]
    return [torch.as_tensor(value) for value in values]


def _check_streams(xs: list[torch.Tensor], ys: list[torch.Tensor] | None) -> None:
    if not xs:
        raise DataError("no streams to lay out: pass at least one (time, features) array")
    problems = []
    features = xs[0].shape[-1] if xs[0].dim() == 2 else None
    for index, stream in enumerate(xs):
        if stream.dim() != 2:
            problems.append(
                f"stream {index} must be 2-D (time, features), got {tuple(stream.shape)}"
            )
        elif stream.shape[0] == 0:
            problems.append(f"stream {index} has no steps")
        elif stream.shape[1] != features:
            problems.append(
                f"stream {index} has {stream.shape[1]} features, stream 0 has {features}"
            )
    if ys is not None:
        problems += _target_problems(xs, ys)
    if problems:
        raise ShapeError("cannot lay out streams: " + "; ".join(problems))


def _target_problems(xs: list[torch.Tensor], ys: list[torch.Tensor]) -> list[str]:
    if len(ys) != len(xs):
        return [f"got {len(xs)} streams but {len(ys)} target arrays (one per stream)"]
    problems = []
    trailing = tuple(ys[0].shape[1:])
    for index, (stream, target) in enumerate(zip(xs, ys)):
        if target.dim() not in (1, 2) or tuple(target.shape[1:]) != trailing:
            problems.append(
                f"targets of stream {index} must be (time,) or (time, targets) like stream 0's, "
                f"got {tuple(target.shape)}"
            )
        elif target.shape[0] != stream.shape[0]:
            problems.append(
                f"targets of stream {index} have {target.shape[0]} steps but the stream has "
                f"{stream.shape[0]} (align them step by step; NaN or -1 where there is no target)"
            )
    return problems


def _check_weights(xs: list[torch.Tensor], ws: list[torch.Tensor]) -> None:
    if len(ws) != len(xs):
        raise ShapeError(f"got {len(xs)} streams but {len(ws)} weight arrays (one per stream)")
    for index, (stream, weight) in enumerate(zip(xs, ws)):
        if tuple(weight.shape) != (stream.shape[0],):
            raise ShapeError(
                f"weights of stream {index} must be ({stream.shape[0]},), one per step, "
                f"got {tuple(weight.shape)}"
            )


def _check_order(order: Sequence[int] | None, count: int) -> list[int]:
    if order is None:
        return list(range(count))
    try:
        entries = [operator.index(index) for index in order]
    except TypeError:
        entries = None
    if entries is None or sorted(entries) != list(range(count)):
        raise ConfigError(
            f"order must be a permutation of the stream indices 0..{count - 1}, got {list(order)!r}"
        )
    return entries


def _assign(
    padded: list[int], lengths: list[int], num_lanes: int, order: list[int]
) -> tuple[StreamPlacement, ...]:
    """Deal streams to the currently shortest lane (lowest index on ties)."""
    lanes = [(0, lane) for lane in range(num_lanes)]  # (padded length so far, lane): a heap
    placements = {}
    for stream in order:
        start, lane = heapq.heappop(lanes)
        placements[stream] = StreamPlacement(stream, lane, start, lengths[stream])
        heapq.heappush(lanes, (start + padded[stream], lane))
    return tuple(placements[stream] for stream in range(len(order)))


def _float_dtype(stream: torch.Tensor) -> torch.dtype:
    return stream.dtype if stream.is_floating_point() else torch.float32


def _fill(
    pieces: list[torch.Tensor],
    placements: tuple[StreamPlacement, ...],
    lanes_steps: tuple[int, int],
    dtype: torch.dtype,
    fill: float,
) -> torch.Tensor:
    """Copy each stream's pieces into a ``(lanes, steps, ...)`` tensor filled with ``fill``."""
    result = torch.full(lanes_steps + tuple(pieces[0].shape[1:]), fill, dtype=dtype)
    for placement, piece in zip(placements, pieces):
        result[placement.lane, placement.start : placement.end] = piece.to(dtype)
    return result


class LaneRunner:
    """Runs a module over spans of a layout with the fused kernel, applying lane resets.

    A span is cut into segments (one kernel call each) at chunk edges where some lane
    starts a stream (its state is multiplied by 0 there: no host synchronisation, and the
    gradient stops with it), at the positions whose states the caller records, and where
    the gradient starts. Used by the TBPTT runner, evaluation and prediction.

    Example:
        >>> from lstmkit.models import VanillaConfig, VanillaLSTM
        >>> module = VanillaLSTM(VanillaConfig(1, 4, 1, return_sequences=True))
        >>> layout = lay_out_streams([torch.rand(3, 1), torch.rand(2, 1)], num_lanes=1, chunk_size=2)
        >>> record = {3: None}
        >>> outputs, state = LaneRunner(module, layout).run(None, (0, 6), 0, record, 0)
        >>> tuple(outputs.shape), tuple(record[3][0][0].shape)
        ((1, 6, 1), (1, 4))
    """

    def __init__(self, module: nn.Module, layout: LaneLayout) -> None:
        self.module = module
        self.x = layout.x  # (lanes, steps, features)
        self.chunk = layout.chunk_size
        self.edges = layout.reset_edges()
        self.keep = (~layout.resets).to(layout.x.dtype)  # (lanes, chunks): 0 where a stream starts

    def reset(self, state: State | None, position: int) -> State | None:
        """Zero the state of lanes that start a stream at ``position`` (None = zeros already)."""
        index = bisect.bisect_left(self.edges, position)
        if state is None or index == len(self.edges) or self.edges[index] != position:
            return state
        keep = self.keep[:, position // self.chunk, None]  # (lanes, 1)
        return tuple((h * keep, c * keep) for h, c in state)

    def run(
        self,
        state: State | None,
        span: tuple[int, int],
        grad_from: int,
        record: dict[int, State | None] | None = None,
        collect_from: int | None = None,
    ) -> tuple[torch.Tensor | None, State | None]:
        """Run steps ``[a, b)`` from the state entering ``a``.

        Steps before ``grad_from`` run without gradient. The detached state after each
        position that is a key of ``record`` is stored there. Outputs of steps
        ``[collect_from, b)`` are returned (None when ``collect_from`` is None).
        """
        a, b = span
        inner = self.edges[bisect.bisect_right(self.edges, a) : bisect.bisect_left(self.edges, b)]
        marks = [*(record or {}), grad_from]
        cuts = sorted({a, b, *inner, *(p for p in marks if a < p < b)})
        outputs = []
        for left, right in zip(cuts, cuts[1:]):
            state = self.reset(state, left)
            no_grad = left < grad_from
            with torch.no_grad() if no_grad else contextlib.nullcontext():
                y, state = self.module(self.x[:, left:right], state)  # (lanes, time, out)
            if record is not None and right in record:
                record[right] = _detach(state)
            if collect_from is not None and right > collect_from:
                outputs.append(y[:, max(collect_from - left, 0) :])
        collected = torch.cat(outputs, dim=1) if outputs else None
        return collected, state


def _detach(state: State | None) -> State | None:
    return None if state is None else tuple((h.detach(), c.detach()) for h, c in state)
