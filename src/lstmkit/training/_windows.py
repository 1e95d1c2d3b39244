"""The independent-window batch layout: every sample is its own sequence.

Samples live in device tensors; a batch is an index slice of them (no
DataLoader for in-memory data, CONTRACTS §12). Samples of unequal length are
bucketed so most batches have one length and take the fused kernel:

    lengths   5 2 5 3 2 5          sorted by length: 2 2 | 3 5 | 5 5
    batches of 2 ──────────────►   each batch trimmed to its own longest sample
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch


@dataclass
class WindowData:
    """Samples ready for the engine.

    Attributes:
        x: ``(samples, time, features)`` inputs, post-padded where lengths differ.
        y: targets in the layout the loss expects, or None (prediction only).
        weight: ``(samples,)`` sample weights, ``(samples, time)`` per-step weights, or None.
        lengths: ``(samples,)`` CPU int64 valid lengths, or None when all are full.
        per_step: targets have a time axis aligned with ``x`` (``return_sequences``).
        complete: every target is present (no NaN / -1): the loss needs no mask.

    Example:
        >>> data = WindowData(torch.zeros(3, 4, 2), torch.zeros(3, dtype=torch.long))
        >>> len(data)
        3
    """

    x: torch.Tensor
    y: torch.Tensor | None = None
    weight: torch.Tensor | None = None
    lengths: torch.Tensor | None = None
    per_step: bool = False
    complete: bool = False

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device) -> WindowData:
        """Return a copy whose tensors (not the CPU lengths) live on ``device``."""
        move = lambda tensor: None if tensor is None else tensor.to(device)  # noqa: E731
        return WindowData(
            move(self.x),
            move(self.y),
            move(self.weight),
            self.lengths,
            self.per_step,
            self.complete,
        )

    def batch(self, index: torch.Tensor) -> WindowData:
        """Select the samples at ``index`` (a CPU or device int64 tensor)."""
        device_index = index.to(self.x.device)
        take = lambda tensor: None if tensor is None else tensor[device_index]  # noqa: E731
        if self.lengths is None:
            return WindowData(
                take(self.x), take(self.y), take(self.weight), None, self.per_step, self.complete
            )
        lengths = self.lengths[index.cpu()]
        longest = int(lengths.max())
        x = take(self.x)[:, :longest]
        y = take(self.y)
        if y is not None and self.per_step:
            y = y[:, :longest]  # per-step targets follow the trimmed time axis
        return WindowData(x, y, take(self.weight), lengths, self.per_step, self.complete)


def batch_indices(
    data: WindowData,
    batch_size: int,
    shuffle: bool,
    generator: torch.Generator | None = None,
) -> Iterator[torch.Tensor]:
    """Yield the sample indices of each batch of one epoch.

    Without lengths: a permutation (or ``arange``) cut into slices. With
    lengths: samples bucketed by length, the batch order shuffled.

    Example:
        >>> data = WindowData(torch.zeros(5, 2, 1))
        >>> [index.tolist() for index in batch_indices(data, 2, shuffle=False)]
        [[0, 1], [2, 3], [4]]
    """
    count = len(data)
    order = torch.randperm(count, generator=generator) if shuffle else torch.arange(count)
    if data.lengths is None:
        yield from order.split(batch_size)
        return
    # A stable sort keeps the random order inside each group of equal length.
    order = order[torch.sort(data.lengths[order], stable=True).indices]
    batches = list(order.split(batch_size))
    if shuffle:
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
    yield from batches
