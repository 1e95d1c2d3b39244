"""The stream batch layout: long sequences trained with truncated BPTT, state carried.

Where :class:`WindowData` treats every sample as an independent window, a
:class:`StreamData` holds whole streams that are laid into lanes afresh each epoch
(shuffling permutes which stream goes to which lane, never the order inside one)
and trained with :func:`run_tbptt_epoch`:

    stream 0: ██████████████        lane 0: ██████████████|███████
    stream 1: ███████        ──►    lane 1: ███████|██████████
    stream 2: ██████████                    (| = a lane reset at a chunk edge)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from lstmkit.errors import ConfigError
from lstmkit.models._state import State
from lstmkit.training._lanes import LaneLayout, lay_out_streams
from lstmkit.training._losses import Loss
from lstmkit.training._metrics import MetricAccumulator
from lstmkit.training._tbptt import TBPTT, evaluate_stream, predict_stream, run_tbptt_epoch


@dataclass
class StreamData:
    """Streams and their per-step targets, for TBPTT training.

    Attributes:
        streams: one ``(T_i, features)`` tensor per stream.
        targets: one ``(T_i,)`` or ``(T_i, targets)`` tensor per stream (NaN / -1 = no target).
        tbptt: the update schedule.
        num_lanes: batch lanes (the ``batch_size`` of a stream-trained estimator).
        weights: one ``(T_i,)`` tensor of per-step loss weights per stream, or None.
        initial_state: per-stream states ``(streams, hidden)`` per layer to start each stream
            from (continuing streams, e.g. ``partial_fit``), or None for zeros. Needs one
            lane per stream, so every stream starts at step 0.

    Example:
        >>> data = StreamData([torch.zeros(6, 1)], [torch.zeros(6, 1)], TBPTT(2, 4), 1)
        >>> data.layout().steps
        6
    """

    streams: list[torch.Tensor]
    targets: list[torch.Tensor]
    tbptt: TBPTT
    num_lanes: int
    weights: list[torch.Tensor] | None = None
    initial_state: State | None = None

    def __len__(self) -> int:
        return len(self.streams)

    def layout(
        self, order: list[int] | None = None, device: torch.device | None = None
    ) -> LaneLayout:
        """Lay the streams into lanes (in ``order`` when given) on ``device``."""
        layout = lay_out_streams(
            self.streams,
            self.targets,
            num_lanes=self.num_lanes,
            chunk_size=self.tbptt.k1,
            order=order,
            weights=self.weights,
        )
        return layout if device is None else layout.to(device)

    def entry(self, layout: LaneLayout) -> tuple[LaneLayout, State | None]:
        """The layout and the state entering step 0: zeros, or each stream's initial state.

        With initial states the step-0 resets are lifted (the state continues) and each
        stream's state is put in its lane's row.
        """
        if self.initial_state is None:
            return layout, None
        if any(placement.start != 0 for placement in layout.placements):
            raise ConfigError(
                f"continuing {len(self)} streams from their carried state needs one lane per "
                f"stream, but batch_size={self.num_lanes}: set batch_size to at least "
                f"{len(self)}, or call reset_state() to start the streams afresh"
            )
        lanes = torch.tensor([placement.lane for placement in layout.placements])
        state = []
        for h, c in self.initial_state:
            lane_h = h.new_zeros((layout.num_lanes, h.shape[1]))
            lane_c = c.new_zeros((layout.num_lanes, c.shape[1]))
            lane_h[lanes], lane_c[lanes] = h, c
            device = layout.x.device
            state.append((lane_h.to(device, layout.x.dtype), lane_c.to(device, layout.x.dtype)))
        resets = layout.resets.clone()
        resets[:, 0] = False
        return dataclasses.replace(layout, resets=resets), tuple(state)


def train_stream_epoch(
    module: nn.Module,
    loss: Loss,
    optimizer: torch.optim.Optimizer,
    data: StreamData,
    device: torch.device,
    generator: torch.Generator | None,
    shuffle: bool,
    clipnorm: float | None,
    metrics: list[MetricAccumulator] = (),
) -> float:
    """One epoch of TBPTT updates over freshly laid lanes; returns the mean loss.

    ``metrics`` are reset, then updated over each update's loss steps (read them after).

    Example:
        >>> from lstmkit.models import VanillaConfig, VanillaLSTM
        >>> module = VanillaLSTM(VanillaConfig(1, 3, 1, return_sequences=True))
        >>> data = StreamData([torch.rand(8, 1)], [torch.rand(8, 1)], TBPTT(4, 4), 1)
        >>> sgd = torch.optim.SGD(module.parameters(), lr=0.1)
        >>> loss = train_stream_epoch(module, Loss("mse"), sgd, data, torch.device("cpu"), None, False, None)
        >>> loss > 0
        True
    """
    order = torch.randperm(len(data), generator=generator).tolist() if shuffle else None
    module.train()
    for metric in metrics:
        metric.reset()
    layout, state = data.entry(data.layout(order, device))
    epoch = run_tbptt_epoch(
        module, loss, optimizer, data.tbptt, layout, state=state, clipnorm=clipnorm, metrics=metrics
    )
    return epoch.loss


@torch.no_grad()
def evaluate_streams(
    module: nn.Module,
    loss: Loss,
    metrics: list[MetricAccumulator],
    data: StreamData,
    device: torch.device,
) -> dict[str, float]:
    """Loss and metrics over whole streams, each starting from a zero state.

    Example:
        >>> from lstmkit.models import VanillaConfig, VanillaLSTM
        >>> module = VanillaLSTM(VanillaConfig(1, 3, 1, return_sequences=True))
        >>> data = StreamData([torch.rand(8, 1)], [torch.rand(8, 1)], TBPTT(4, 4), 1)
        >>> sorted(evaluate_streams(module, Loss("mse"), [], data, torch.device("cpu")))
        ['loss']
    """
    layout, state = data.entry(data.layout(device=device))
    module.eval()
    if not metrics:
        # The loss alone is summed segment by segment, never holding every output.
        return {"loss": evaluate_stream(module, loss, layout, state=state)}
    outputs = predict_stream(module, layout, state=state).outputs  # (lanes, steps, out)
    results = {"loss": float(loss(outputs, layout.y, layout.weight))}
    for metric in metrics:
        metric.reset()
        metric.update(outputs, layout.y)
        results[metric.name] = metric.result()
    return results


def stream_end_states(module: nn.Module, data: StreamData, device: torch.device):
    """The state after each stream's last step, from one ordered pass without gradients.

    Returns one ``(h, c)`` pair per layer, each ``(streams, hidden)`` (CONTRACTS §3).
    """
    module.eval()
    layout, state = data.entry(data.layout(device=device))
    # States only, in short segments: keeping every output made memory grow with the
    # stream (and fragmented the heap; bench/tbptt_memory.py).
    segment = max(layout.chunk_size, 256 // layout.chunk_size * layout.chunk_size)
    per_stream = predict_stream(
        module, layout, state=state, segment_steps=segment, keep_outputs=False
    ).stream_states
    layers = len(per_stream[0])
    return tuple(
        (
            torch.cat([state[layer][0] for state in per_stream]).cpu(),
            torch.cat([state[layer][1] for state in per_stream]).cpu(),
        )
        for layer in range(layers)
    )
