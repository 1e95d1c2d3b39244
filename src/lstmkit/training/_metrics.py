"""Metrics accumulated on the device over an epoch, read once at its end.

Reading a value from the GPU forces a host synchronisation; doing it once per
epoch keeps the training step free of them (CONTRACTS §14).
"""

from __future__ import annotations

import torch

from lstmkit.errors import unknown_option

METRICS = ("accuracy", "mae", "rmse")
_ALIASES = {"acc": "accuracy", "mean_absolute_error": "mae", "root_mean_squared_error": "rmse"}


def canonical_metric_name(name: str) -> str:
    """Map Keras spellings (``"acc"``) to lstmkit's names, or raise for unknown ones.

    Example:
        >>> canonical_metric_name("acc")
        'accuracy'
    """
    name = _ALIASES.get(name, name)
    if name not in METRICS:
        raise unknown_option("metric", name, METRICS)
    return name


class MetricAccumulator:
    """Running sums of one metric over batches, kept as device tensors.

    Args:
        name: ``"accuracy"``, ``"mae"`` or ``"rmse"``.
        binary: predictions are single logits (binary classification).

    Example:
        >>> metric = MetricAccumulator("accuracy")
        >>> metric.update(torch.tensor([[2.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 0]))
        >>> metric.result()
        0.5
    """

    def __init__(self, name: str, binary: bool = False) -> None:
        self.name = canonical_metric_name(name)
        self.binary = binary
        self.total: torch.Tensor | float = 0.0
        self.count: torch.Tensor | float = 0.0

    def reset(self) -> None:
        """Start a new epoch."""
        self.total, self.count = 0.0, 0.0

    @torch.no_grad()
    def update(
        self, prediction: torch.Tensor, target: torch.Tensor, complete: bool = False
    ) -> None:
        """Add one batch (shapes as for :class:`~lstmkit.training.Loss`).

        ``complete=True`` promises no target is missing, which skips the masking.
        """
        if complete:
            self._update_complete(prediction, target)
            return
        if self.name == "accuracy":
            labels = self._labels(prediction)
            valid = target != -1
            hits = (labels == target) & valid
            self.total = self.total + hits.sum()
            self.count = self.count + valid.sum()
            return
        valid = ~torch.isnan(target)
        difference = torch.where(valid, prediction - target, torch.zeros_like(prediction))
        values = difference.abs() if self.name == "mae" else difference.square()
        self.total = self.total + values.sum()
        self.count = self.count + valid.sum()

    def _labels(self, prediction: torch.Tensor) -> torch.Tensor:
        if self.binary:
            return (prediction.squeeze(-1) > 0).long()
        return prediction.argmax(dim=-1)

    def _update_complete(self, prediction: torch.Tensor, target: torch.Tensor) -> None:
        # The training step's hot path: what a hand-written loop would compute.
        if self.name == "accuracy":
            self.total = self.total + (self._labels(prediction) == target).sum()
        else:
            difference = prediction - target
            values = difference.abs() if self.name == "mae" else difference.square()
            self.total = self.total + values.sum()
        self.count = self.count + target.numel()

    def result(self) -> float:
        """Return the metric over everything seen since the last reset (one host read)."""
        count = float(self.count)
        mean = float(self.total) / count if count else float("nan")
        return mean**0.5 if self.name == "rmse" else mean
