"""Losses by name, with targets that may be missing at some positions.

"No target here" is NaN for regression and -1 for classification (CONTRACTS §2);
those positions count neither in the loss nor in its denominator.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

from lstmkit.errors import unknown_option

LossName = Literal["mse", "mae", "binary_crossentropy", "categorical_crossentropy"]
LOSSES = ("mse", "mae", "binary_crossentropy", "categorical_crossentropy")


class Loss:
    """A named loss over model outputs, with optional sample weights.

    Args:
        name: one of ``LOSSES``.

    Shape:
        prediction: ``(batch, out)`` or ``(batch, time, out)``; for
        ``categorical_crossentropy`` ``out`` is the number of classes, for
        ``binary_crossentropy`` it is 1.
        target: regression: the prediction's shape (NaN = no target);
        classification: the prediction's shape without ``out`` (int, -1 = no target).
        weight: ``(batch,)`` (one weight per sample), ``(batch, time)`` (one per step)
        or None.

    Example:
        >>> loss = Loss("mse")
        >>> float(loss(torch.tensor([[1.0], [3.0]]), torch.tensor([[0.0], [float("nan")]])))
        1.0
    """

    def __init__(self, name: str) -> None:
        if name not in LOSSES:
            raise unknown_option("loss", name, LOSSES)
        self.name = name
        self.is_classification = name.endswith("crossentropy")

    def __call__(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: torch.Tensor | None = None,
        complete: bool = False,
    ) -> torch.Tensor:
        """Return the mean loss over valid targets (weighted when ``weight`` is given).

        ``complete=True`` promises every target is present (no NaN / -1), as
        checked once when the data was prepared: the plain fused mean is used.
        """
        if complete and weight is None:
            return self._plain_mean(prediction, target)
        elements, valid = self.elementwise(prediction, target)
        if weight is not None:
            # One weight per sample (or per step), broadcast over the remaining axes.
            shape = tuple(weight.shape) + (1,) * (elements.dim() - weight.dim())
            elements = elements * weight.view(shape)
        return elements.sum() / valid.sum().clamp(min=1)

    def _plain_mean(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # The fused library losses: what a hand-written loop would call.
        if self.name == "categorical_crossentropy":
            return F.cross_entropy(prediction.reshape(-1, prediction.shape[-1]), target.reshape(-1))
        if self.name == "binary_crossentropy":
            logits = prediction.squeeze(-1)
            return F.binary_cross_entropy_with_logits(logits, target.to(logits.dtype))
        if self.name == "mse":
            return F.mse_loss(prediction, target)
        return F.l1_loss(prediction, target)

    def elementwise(
        self, prediction: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-position losses (zero where no target) and the validity mask.

        Example:
            >>> values, valid = Loss("mae").elementwise(torch.ones(2, 1), torch.zeros(2, 1))
            >>> values.tolist(), valid.tolist()
            ([[1.0], [1.0]], [[True], [True]])
        """
        if self.name == "categorical_crossentropy":
            classes = prediction.shape[-1]
            values = F.cross_entropy(
                prediction.reshape(-1, classes),
                target.reshape(-1),
                ignore_index=-1,
                reduction="none",
            ).view(target.shape)
            return values, target != -1
        if self.name == "binary_crossentropy":
            logits = prediction.squeeze(-1)
            valid = target != -1
            values = F.binary_cross_entropy_with_logits(
                logits, target.clamp(min=0).to(logits.dtype), reduction="none"
            )
            return values * valid, valid
        valid = ~torch.isnan(target)
        clean = torch.where(valid, target, prediction.detach())
        difference = prediction - clean
        values = difference.square() if self.name == "mse" else difference.abs()
        return values, valid
