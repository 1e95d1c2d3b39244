"""Losses by name, with targets that may be missing at some positions.

"No target here" is NaN for regression and -1 for classification (CONTRACTS §2);
those positions count neither in the loss nor in its denominator.

The quantile (pinball) loss trains Q outputs per target value, one per level q.
With ``e = target - prediction`` its value is ``max(q e, (q - 1) e)``, averaged over
the levels: under-forecasting costs q per unit, over-forecasting 1 - q, so the
best constant is the q-quantile of the targets (Koenker and Bassett, 1978).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

from lstmkit.errors import ConfigError, ShapeError, unknown_option

LossName = Literal["mse", "mae", "quantile", "binary_crossentropy", "categorical_crossentropy"]
LOSSES = ("mse", "mae", "quantile", "binary_crossentropy", "categorical_crossentropy")
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


def check_quantiles(quantiles: Any) -> tuple[float, ...]:
    """Return ``quantiles`` as sorted distinct floats in (0, 1), or raise one ConfigError.

    Example:
        >>> check_quantiles([0.9, 0.1, 0.5])
        (0.1, 0.5, 0.9)
        >>> check_quantiles([0.5, 0.5, 1.0])
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: invalid quantiles [0.5, 0.5, 1.0]: each must lie strictly between 0 and 1, got 1.0; they must be distinct, got 0.5 more than once: pass distinct levels in (0, 1), e.g. (0.1, 0.5, 0.9)
    """
    # A list, a tuple or a 1-D NumPy array (what a grid search may hand over).
    listed = isinstance(quantiles, Sequence) and not isinstance(quantiles, str)
    listed = listed or (isinstance(quantiles, np.ndarray) and quantiles.ndim == 1)
    items = list(quantiles) if listed else []
    if not items or not all(isinstance(q, numbers.Real) and not isinstance(q, bool) for q in items):
        raise ConfigError(
            f"quantiles must be a non-empty sequence of numbers in (0, 1), e.g. "
            f"(0.1, 0.5, 0.9), got {quantiles!r}"
        )
    levels = [float(q) for q in items]
    problems = []
    outside = [q for q in levels if not 0.0 < q < 1.0]
    if outside:
        shown = ", ".join(repr(q) for q in outside)
        problems.append(f"each must lie strictly between 0 and 1, got {shown}")
    repeated = sorted({q for q in levels if levels.count(q) > 1})
    if repeated:
        shown = ", ".join(repr(q) for q in repeated)
        problems.append(f"they must be distinct, got {shown} more than once")
    if problems:
        raise ConfigError(
            f"invalid quantiles {levels}: "
            + "; ".join(problems)
            + ": pass distinct levels in (0, 1), e.g. (0.1, 0.5, 0.9)"
        )
    return tuple(sorted(levels))


class Loss:
    """A named loss over model outputs, with optional sample weights.

    Args:
        name: one of ``LOSSES``.
        quantiles: the levels of ``"quantile"`` (default ``DEFAULT_QUANTILES``), sorted
            on use; other losses take none.

    Shape:
        prediction: ``(batch, out)`` or ``(batch, time, out)``; for
        ``categorical_crossentropy`` ``out`` is the number of classes, for
        ``binary_crossentropy`` it is 1; for ``quantile`` it is Q values per target
        value, the levels of one target value side by side (``out = targets · Q``).
        target: regression: the prediction's shape (NaN = no target);
        classification: the prediction's shape without ``out`` (int, -1 = no target).
        weight: ``(batch,)`` (one weight per sample), ``(batch, time)`` (one per step)
        or None.

    Example:
        >>> loss = Loss("mse")
        >>> float(loss(torch.tensor([[1.0], [3.0]]), torch.tensor([[0.0], [float("nan")]])))
        1.0
        >>> pinball = Loss("quantile", quantiles=(0.1, 0.9))
        >>> round(float(pinball(torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0]]))), 6)
        0.5
    """

    def __init__(self, name: str, quantiles: Sequence[float] | None = None) -> None:
        if name not in LOSSES:
            raise unknown_option("loss", name, LOSSES)
        if quantiles is not None and name != "quantile":
            raise ConfigError(
                f"quantiles are the levels of loss='quantile', but the loss is {name!r}: "
                "use Loss('quantile', quantiles=...) or leave quantiles out"
            )
        self.name = name
        self.is_classification = name.endswith("crossentropy")
        self.quantiles = (
            check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
            if name == "quantile"
            else None
        )

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
        if self.name == "quantile":
            return self._pinball(prediction, target).mean()
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
        if self.name == "quantile":
            clean = torch.where(valid, target, torch.zeros_like(target))
            # Zero where no target: masked positions add nothing, and no gradient.
            return self._pinball(prediction, clean) * valid, valid
        clean = torch.where(valid, target, prediction.detach())
        difference = prediction - clean
        values = difference.square() if self.name == "mse" else difference.abs()
        return values, valid

    def _pinball(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The pinball loss per target value, averaged over the levels: ``target``'s shape."""
        levels = len(self.quantiles)
        if prediction.shape[:-1] != target.shape[:-1] or (
            prediction.shape[-1] != target.shape[-1] * levels
        ):
            raise ShapeError(
                f"loss='quantile' with {levels} quantiles expects {levels} outputs per target "
                f"value: predictions of shape {(*target.shape[:-1], target.shape[-1] * levels)} "
                f"for targets of shape {tuple(target.shape)}, got {tuple(prediction.shape)}"
            )
        q = torch.tensor(self.quantiles, dtype=prediction.dtype, device=prediction.device)
        predicted = prediction.reshape(*target.shape, levels)  # (..., targets, Q)
        error = target.unsqueeze(-1) - predicted
        return torch.maximum(q * error, (q - 1.0) * error).mean(dim=-1)
