"""Truncated backpropagation through time, TBPTT(k1, k2), over streams laid out in lanes.

Every k1 steps the weights are updated with the gradient of the loss on those steps,
backpropagated through at most k2 steps (CONTRACTS §4, whose n = 7 table this is). The
state is carried across updates and detached where the gradient is cut:

    step               0  1  2  3  4  5  6
    TBPTT(2, 3)  e=2   L  L                  from the initial state
                 e=4   .  =  L  L            from the state saved at 1
                 e=6   .  .  .  =  L  L      from the state saved at 3
                 e=7   .  .  .  .  =  =  L   from the state saved at 4
    TBPTT(3, 2)  e=3   -  L  L               from the carried state at 0
                 e=6   .  .  .  -  L  L      from the carried state at 3
                 e=7   .  .  .  .  .  =  L   from the state saved at 5

    L loss step and gradient window   = gradient window only   - run without gradient

The fused kernel runs whole segments, never one step at a time. An update's forward pass
is cut into segments at the positions later windows start from (their states are recorded
there, detached, computed with the weights of their time), at chunk edges where a lane
starts a new stream (the lane's state is multiplied by 0 there: no host synchronisation,
and the gradient stops with it), and where the no-gradient prefix ends.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import torch
from torch import nn

from lstmkit.errors import ConfigError, DataError
from lstmkit.models._state import State, require_unidirectional
from lstmkit.training._lanes import LaneLayout, LaneRunner
from lstmkit.training._losses import Loss
from lstmkit.training._metrics import MetricAccumulator

_RULES = {"k1": "steps between weight updates", "k2": "steps the gradient flows back"}
_SEGMENT_STEPS = 1024  # kernel call length for evaluation and prediction


@dataclass(frozen=True)
class Update:
    """One weight update of a TBPTT schedule; all positions are steps of the stream.

    Attributes:
        end: the update happens after step ``end - 1``.
        start: the gradient window is ``[start, end)``; the state entering ``start`` is
            detached (the table's "starts from state at").
        loss_start: the loss is the mean over valid targets in ``[loss_start, end)``.
        prefix_start: where steps run without gradient before ``start`` (from the carried
            state), or None when the window starts from a saved state.
        chunk_start: the previous update's end: the new steps are ``[chunk_start, end)``.

    Example:
        >>> TBPTT(3, 2).schedule(4)[0]
        Update(end=3, start=1, loss_start=1, prefix_start=0, chunk_start=0)
    """

    end: int
    start: int
    loss_start: int
    prefix_start: int | None
    chunk_start: int

    @property
    def origin(self) -> int:
        """Where this update's forward pass begins: the state it reads is the one entering here."""
        return self.start if self.prefix_start is None else self.prefix_start


@dataclass(frozen=True)
class TBPTT:
    """Truncated backpropagation through time with Sutskever's k1 and k2 (the book, ch. 2).

    The stream is processed forward; every ``k1`` steps the weights are updated with the
    gradient of the loss on those steps' outputs, backpropagated through at most ``k2``
    steps. TBPTT(n, n) is classic BPTT; TBPTT(k, k) is what Keras does by splitting
    sequences; k1 < k2 gives overlapping backward windows; k1 > k2 cheap updates with
    short gradients.

    Args:
        k1: steps between weight updates (forward steps per update).
        k2: steps the gradient flows back (the truncation length).

    Raises:
        ConfigError: k1 or k2 is not a positive integer (both reported together).

    Example:
        >>> tbptt = TBPTT(2, 3)
        >>> [(u.end, u.start, u.loss_start) for u in tbptt.schedule(7)]
        [(2, 0, 0), (4, 1, 2), (6, 3, 4), (7, 4, 6)]
    """

    k1: int
    k2: int

    def __post_init__(self) -> None:
        problems = []
        for name, rule in _RULES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                problems.append(f"TBPTT {name} must be a positive integer ({rule}), got {value!r}")
            else:
                object.__setattr__(self, name, int(value))
        if problems:
            raise ConfigError("; ".join(problems))

    def schedule(self, n: int) -> list[Update]:
        """The updates for a stream of ``n`` steps, exactly as CONTRACTS §4's table.

        Updates end at k1, 2·k1, … and at ``n`` (a short last chunk of k1' steps). The
        gradient window is ``[max(0, e − k2), e)``; where it starts after the chunk's first
        step (k1' > k2) the steps before it run without gradient; the loss covers the
        window's part of the chunk.

        Example:
            >>> [(u.end, u.start, u.loss_start, u.prefix_start) for u in TBPTT(3, 2).schedule(7)]
            [(3, 1, 1, 0), (6, 4, 4, 3), (7, 5, 6, None)]
        """
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
            raise ConfigError(f"the stream length must be a non-negative integer, got {n!r}")
        ends = list(range(self.k1, n + 1, self.k1)) + ([n] if n % self.k1 else [])
        updates, chunk_start = [], 0
        for end in ends:
            start = max(0, end - self.k2)
            prefix = chunk_start if start > chunk_start else None
            updates.append(Update(end, start, max(start, chunk_start), prefix, chunk_start))
            chunk_start = end
        return updates


@dataclass(frozen=True)
class TBPTTEpoch:
    """What one epoch of TBPTT updates returns.

    Attributes:
        loss: mean over the epoch's loss targets, each taken at its update (read once).
        state: the carried state at the end of the layout, one ``(h, c)`` per layer, each
            ``(lanes, hidden)``; lanes that ran dry before the end ran on through padding.
        updates: optimizer steps taken (updates without a valid target are skipped).

    Example:
        >>> TBPTTEpoch(loss=0.5, state=None, updates=3).updates
        3
    """

    loss: float
    state: State | None
    updates: int


@dataclass(frozen=True)
class StreamPrediction:
    """Per-step outputs over a lane layout and the states where streams end.

    Attributes:
        outputs: the module's per-step outputs, ``(lanes, steps, out)``, in lane layout
            (``layout.streams_of(outputs)`` cuts them back into streams); None when not kept.
        state: the state at the end of the layout, each ``(lanes, hidden)``.
        stream_states: per stream (original order), the state after its last real step,
            each ``(1, hidden)``.

    Example:
        >>> StreamPrediction(torch.zeros(1, 2, 1), None, []).outputs.shape[1]
        2
    """

    outputs: torch.Tensor
    state: State | None
    stream_states: list[State]


def _aligned_target(loss: Loss, layout: LaneLayout) -> torch.Tensor:
    """Regression targets ``(lanes, steps)`` gain the output axis the loss compares with."""
    if layout.y is None or layout.valid_counts is None:
        raise DataError("the lane layout has no targets: lay the streams out with their targets")
    if not loss.is_classification and layout.y.dim() == 2:
        return layout.y.unsqueeze(-1)  # (lanes, steps, 1)
    return layout.y


def _plan(updates: list[Update]) -> list[list[int]]:
    """For each update, the positions in ``(chunk_start, end]`` whose states later updates read.

    A state entering position p is recorded by the update whose new steps reach p, so it
    was computed with the weights of its time (CONTRACTS §4).
    """
    ends = [update.end for update in updates]
    records = [[update.end] for update in updates]
    for update in updates:
        if update.origin > 0:
            records[bisect.bisect_left(ends, update.origin)].append(update.origin)
    return records


def _loss_counts(layout: LaneLayout, updates: list[Update]) -> list[int]:
    """Valid targets in each update's loss steps, from the host copy of the counts."""
    cumulative = [0] + torch.cumsum(layout.valid_counts, 0).tolist()
    return [cumulative[u.end] - cumulative[u.loss_start] for u in updates]


def run_tbptt_epoch(
    module: nn.Module,
    loss: Loss,
    optimizer: torch.optim.Optimizer,
    tbptt: TBPTT,
    layout: LaneLayout,
    *,
    state: State | None = None,
    clipnorm: float | None = None,
    metrics: list[MetricAccumulator] = (),
) -> TBPTTEpoch:
    """Run one epoch of TBPTT(k1, k2) updates over the lanes of ``layout``.

    All lanes share one schedule, ``tbptt.schedule(layout.steps)``; each update's loss is
    the mean over the valid targets of every lane in its loss steps. An update whose loss
    steps hold no valid target (a many-to-one stream's early chunks, dry lanes) takes no
    optimizer step: its new steps just advance the state, without gradient.

    Args:
        module: follows the lstmkit contract, with per-step outputs
            (``forward(x, state) -> (y, state)``, ``y`` of shape ``(lanes, time, out)``).
        loss: the training loss (NaN / -1 targets are masked).
        optimizer: over ``module``'s parameters.
        tbptt: the schedule; ``tbptt.k1`` must equal ``layout.chunk_size``.
        layout: streams and targets in lanes, on the module's device.
        state: the state entering step 0 (zeros when None); lane resets at step 0 apply.
        clipnorm: clip the gradient's global norm to this value before each step.
        metrics: accumulators updated (on the device) with each update's loss steps, as a
            window batch's training metrics are; the caller resets and reads them.

    Returns:
        The epoch's mean loss, the carried state at the layout's end and the step count.

    Raises:
        ConfigError: the layout's chunk size differs from k1, or the module is bidirectional.
        DataError: the layout has no targets, or no valid one.

    Example:
        >>> from lstmkit.models import VanillaConfig, VanillaLSTM
        >>> from lstmkit.training import lay_out_streams
        >>> module = VanillaLSTM(VanillaConfig(1, 4, 1, return_sequences=True))
        >>> layout = lay_out_streams([torch.rand(7, 1)], [torch.rand(7)], num_lanes=1, chunk_size=2)
        >>> optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
        >>> result = run_tbptt_epoch(module, Loss("mse"), optimizer, TBPTT(2, 3), layout)
        >>> result.updates, tuple(result.state[0][0].shape)
        (4, (1, 4))
    """
    require_unidirectional(module, "TBPTT (tbptt=... or stateful=True)")
    if layout.chunk_size != tbptt.k1:
        raise ConfigError(
            f"the lane layout has chunk_size={layout.chunk_size} but TBPTT k1={tbptt.k1}: "
            "lay the streams out with chunk_size=k1 so stream starts fall on update edges"
        )
    target = _aligned_target(loss, layout)
    updates = tbptt.schedule(layout.steps)
    counts = _loss_counts(layout, updates)
    if sum(counts) == 0:
        raise DataError("the lane layout has no valid target (all NaN or -1): nothing to train on")
    runner, records = LaneRunner(module, layout), _plan(updates)
    step = _UpdateStep(
        loss, optimizer, target, layout.weight, layout.complete, clipnorm, tuple(metrics)
    )
    module.train()
    saved: dict[int, State | None] = {0: state}
    total, taken = None, 0
    for index, update in enumerate(updates):
        record = dict.fromkeys(records[index])  # filled with detached states by the run
        if counts[index] == 0:
            span = (update.chunk_start, update.end)
            runner.run(saved[update.chunk_start], span, update.end, record)
        else:
            value = step(runner, update, saved[update.origin], record)
            weighted = value.detach() * counts[index]  # summed on the device
            total = weighted if total is None else total + weighted
            taken += 1
        saved.update(record)
        following = updates[index + 1].origin if index + 1 < len(updates) else update.end
        saved = {position: kept for position, kept in saved.items() if position >= following}
    return TBPTTEpoch(float(total) / sum(counts), saved[layout.steps], taken)


@dataclass(frozen=True)
class _UpdateStep:
    """One optimizer step on an update's gradient window."""

    loss: Loss
    optimizer: torch.optim.Optimizer
    target: torch.Tensor  # (lanes, steps[, targets])
    weight: torch.Tensor | None  # (lanes, steps)
    complete: bool
    clipnorm: float | None
    metrics: tuple[MetricAccumulator, ...] = ()

    def __call__(
        self, runner: LaneRunner, update: Update, state: State | None, record: dict[int, Any]
    ) -> torch.Tensor:
        self.optimizer.zero_grad(set_to_none=True)
        span = (update.origin, update.end)
        prediction, _ = runner.run(state, span, update.start, record, update.loss_start)
        target = self.target[:, update.loss_start : update.end]
        weight = None if self.weight is None else self.weight[:, update.loss_start : update.end]
        value = self.loss(prediction, target, weight, complete=self.complete)
        value.backward()
        if self.clipnorm is not None:
            nn.utils.clip_grad_norm_(runner.module.parameters(), self.clipnorm)
        self.optimizer.step()
        for metric in self.metrics:
            metric.update(prediction.detach(), target, self.complete)
        return value


def _blocks(steps: int, segment_steps: int | None) -> list[tuple[int, int]]:
    size = segment_steps or _SEGMENT_STEPS
    if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
        raise ConfigError(f"segment_steps must be a positive integer or None, got {size!r}")
    return [(start, min(start + size, steps)) for start in range(0, steps, size)]


@torch.no_grad()
def evaluate_stream(
    module: nn.Module,
    loss: Loss,
    layout: LaneLayout,
    *,
    state: State | None = None,
    segment_steps: int | None = None,
) -> float:
    """Mean loss over every valid target of ``layout``, carrying the state, in eval mode.

    Args:
        module: follows the lstmkit contract, with per-step outputs.
        loss: the loss to report.
        layout: streams and targets in lanes; lane resets apply as in training.
        state: the state entering step 0 (zeros when None).
        segment_steps: steps per kernel call (also cut at stream starts); 1024 when None.

    Raises:
        DataError: the layout has no targets, or no valid one.

    Example:
        >>> from lstmkit.models import VanillaConfig, VanillaLSTM
        >>> from lstmkit.training import lay_out_streams
        >>> module = VanillaLSTM(VanillaConfig(1, 4, 1, return_sequences=True))
        >>> layout = lay_out_streams([torch.rand(7, 1)], [torch.zeros(7)], num_lanes=1, chunk_size=2)
        >>> evaluate_stream(module, Loss("mse"), layout) >= 0.0
        True
    """
    target = _aligned_target(loss, layout)
    counts = layout.valid_counts
    if int(counts.sum()) == 0:
        raise DataError("the lane layout has no valid target (all NaN or -1): nothing to evaluate")
    module.eval()
    runner, total = LaneRunner(module, layout), None
    for a, b in _blocks(layout.steps, segment_steps):
        prediction, state = runner.run(state, (a, b), a, None, a)
        count = int(counts[a:b].sum())
        if count:
            weight = None if layout.weight is None else layout.weight[:, a:b]
            value = loss(prediction, target[:, a:b], weight, complete=layout.complete) * count
            total = value if total is None else total + value
    return float(total) / int(counts.sum())


@torch.no_grad()
def predict_stream(
    module: nn.Module,
    layout: LaneLayout,
    *,
    state: State | None = None,
    segment_steps: int | None = None,
    keep_outputs: bool = True,
) -> StreamPrediction:
    """Per-step outputs over ``layout``, carrying the state, in eval mode.

    Args:
        module: follows the lstmkit contract, with per-step outputs.
        layout: streams in lanes (targets not needed); lane resets apply as in training.
        state: the state entering step 0 (zeros when None).
        segment_steps: steps per kernel call (also cut at stream starts and ends); 1024
            when None.
        keep_outputs: False keeps only the states (``outputs`` is None), so memory does
            not grow with the layout's length.

    Returns:
        Outputs in lane layout, the state at the layout's end and each stream's end state.

    Example:
        >>> from lstmkit.models import VanillaConfig, VanillaLSTM
        >>> from lstmkit.training import lay_out_streams
        >>> module = VanillaLSTM(VanillaConfig(1, 4, 2, return_sequences=True))
        >>> layout = lay_out_streams([torch.rand(5, 1), torch.rand(3, 1)], num_lanes=2, chunk_size=2)
        >>> result = predict_stream(module, layout)
        >>> tuple(result.outputs.shape), tuple(result.stream_states[1][0][0].shape)
        ((2, 5, 2), (1, 4))
    """
    module.eval()
    runner = LaneRunner(module, layout)
    record: dict[int, State | None] = {p.end: None for p in layout.placements}
    outputs = []
    for a, b in _blocks(layout.steps, segment_steps):
        prediction, state = runner.run(state, (a, b), a, record, a if keep_outputs else None)
        if keep_outputs:
            outputs.append(prediction)
    stream_states = [
        tuple((h[p.lane : p.lane + 1], c[p.lane : p.lane + 1]) for h, c in record[p.end])
        for p in layout.placements
    ]
    return StreamPrediction(torch.cat(outputs, dim=1) if outputs else None, state, stream_states)
