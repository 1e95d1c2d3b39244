r"""Read a learning curve: underfit, good fit, overfit, unstable or not converged.

Five numbered rules (``LEARNING_CURVE_RULES``), tried in order; the first that holds is
the verdict. Each compares the curve's *tail* (the last 20% of the epochs, at least 2)
with a reference, so a reader can check every verdict against the plot:

```
 loss                                  val_loss
  |\                                    |\              _/   overfit: val_loss ends more
  | \                                   | \           _/       than 10% above its minimum,
  |  `-._                               |  `-._____.-'         the gap to loss widened
  |      `--.______ good fit: flat      |          ^ best epoch
  |                 tail, low           |
  +-------------[ tail ]--> epoch       +---------------------> epoch
 still falling in the tail: not converged; flat but barely below epoch 1 (or
 baseline_loss): underfit; spikes, NaN or a rising loss: unstable
```

Relative changes are taken against ``max(value, 0.001 x the curve's first value)``, so
float noise on a loss near zero is never read as a spike or a rise.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmkit.diagnostics._learning_curve_rules import judge
from lstmkit.diagnostics._plot_checks import check_target, history_values, save_figure
from lstmkit.errors import ConfigError, DataError, ShapeError, did_you_mean

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LEARNING_CURVE_VERDICTS = ("underfit", "good fit", "overfit", "unstable", "not converged")

LEARNING_CURVE_RULES = (
    "1. unstable: a value is NaN or infinite; or loss spikes (rises by more than `jump`, "
    "10%, over the epoch before and falls again in the next) at 2 or more epochs and at more "
    "than `max_jump_share` (20%) of the epoch-to-epoch steps; or loss ends more than `rise` "
    "(10%) above its best stretch.",
    "2. overfit (needs val_loss): val_loss ends more than `rise` (10%) above its best stretch "
    "while loss ends below its own mean over those epochs (training kept improving); or "
    "val_loss has levelled off (it falls by less than `slope` per epoch) at a gap "
    "val_loss - loss larger than `max_gap` (0.3) times the reference loss of rule 4.",
    "3. not converged: loss is still falling at the end: its least-squares slope over the "
    "tail falls by more than `slope` (1% of its tail mean) per epoch, and val_loss, if "
    "recorded, is not rising by more than `slope` per epoch.",
    "4. underfit: loss ends less than `min_improvement` (10%) below the reference: "
    "`baseline_loss` when given (e.g. the loss of always predicting the training mean), "
    "else the loss of the first epoch.",
    "5. good fit: none of the above: loss has levelled off well below the reference, and "
    "val_loss, if recorded, stays near its best stretch and near loss.",
)

_MIN_EPOCHS = 3


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class LearningCurveDiagnosis:
    """A learning curve's verdict, the sentences that justify it and the numbers behind them.

    Attributes:
        verdict: one of ``LEARNING_CURVE_VERDICTS``.
        reasons: sentences with the numbers that decided, then notes on skipped rules.
        best_epoch: the epoch (from 1) of the lowest val_loss, else of the lowest loss;
            None when no value is finite.
        metric: the curve judged (``"loss"``).
        epochs: the number of epochs recorded.
        measures: the numbers the rules read (None where not computed).
        thresholds: the thresholds used.
        history: every recorded curve, for :meth:`plot`.

    Example:
        >>> result = LearningCurveDiagnosis("good fit", ["loss levelled off"], 3, "loss", 3)
        >>> result.summary_line()
        'good fit (loss, 3 epochs, best epoch 3): loss levelled off'
    """

    verdict: str
    reasons: list[str]
    best_epoch: int | None
    metric: str
    epochs: int
    measures: dict[str, float | int | None] = field(default_factory=dict)
    thresholds: dict[str, float | None] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict, repr=False)

    def headline(self) -> str:
        """The verdict, the curve, its length and its best epoch: the plot's title."""
        best = "" if self.best_epoch is None else f", best epoch {self.best_epoch}"
        return f"{self.verdict} ({self.metric}, {self.epochs} epochs{best})"

    def summary_line(self) -> str:
        """The headline and the first reason, on one line."""
        return f"{self.headline()}: {self.reasons[0]}" if self.reasons else self.headline()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict for ``verdict.json`` (NaN and inf become None).

        Example:
            >>> import json
            >>> result = LearningCurveDiagnosis("unstable", ["loss is NaN"], None, "loss", 3,
            ...                                 {"final_loss": float("nan")})
            >>> json.dumps(result.to_dict()["measures"], allow_nan=False)
            '{"final_loss": null}'
        """
        return {
            "verdict": self.verdict,
            "summary": self.summary_line(),
            "metric": self.metric,
            "epochs": self.epochs,
            "best_epoch": self.best_epoch,
            "reasons": list(self.reasons),
            "measures": {name: _json_number(value) for name, value in self.measures.items()},
            "thresholds": {name: _json_number(value) for name, value in self.thresholds.items()},
            "rules": list(LEARNING_CURVE_RULES),
        }

    def plot(
        self, path: str | os.PathLike[str] | None = None, *, overwrite: bool = False
    ) -> Figure:
        """Draw the curves (``plot_learning_curves``), the verdict as title, the best epoch.

        Example:
            >>> result = diagnose_learning_curves({"loss": [1.0, 0.5, 0.4, 0.4]})
            >>> result.plot().get_suptitle()
            'good fit (loss, 4 epochs, best epoch 3)'
        """
        from lstmkit.diagnostics.plots import plot_learning_curves

        if path is not None:
            check_target(path, overwrite)
        figure = plot_learning_curves(self.history, title=self.headline())
        if self.best_epoch is not None:
            for ax in figure.axes:
                if ax.get_ylabel() == self.metric:
                    ax.axvline(self.best_epoch, color="0.5", linestyle=":", label="best epoch")
                    ax.legend(loc="best", fontsize="small")
        if path is not None:
            save_figure(figure, path, overwrite=overwrite)
        return figure


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------- inputs


def _check_thresholds(thresholds: dict[str, float | None]) -> None:
    problems = []
    for name, value in thresholds.items():
        if name == "baseline_loss" and value is None:
            continue
        number = float(value) if isinstance(value, numbers.Real) else float("nan")
        upper = 1.0 if name in ("max_jump_share", "tail") else math.inf
        if isinstance(value, bool) or not (0 < number <= upper):
            bound = "in (0, 1]" if upper == 1.0 else "a positive number"
            problems.append(f"{name} must be {bound}, got {value!r}")
    if problems:
        raise ConfigError(
            "; ".join(problems) + ": see LEARNING_CURVE_RULES for what each threshold does."
        )


def _curves(history: Any, metric: str) -> tuple[dict[str, np.ndarray], np.ndarray, Any]:
    """All recorded curves, and the judged training and validation curves (lower is better)."""
    values = history_values(history)
    if not isinstance(metric, str) or metric not in values or metric.startswith("val_"):
        names = [name for name in values if not name.startswith("val_")]
        hint = did_you_mean(str(metric).removeprefix("val_"), names)
        raise ConfigError(
            f"metric {metric!r} was not recorded for training: the history holds "
            f"{sorted(values)}; pass one of {sorted(names)} (its val_ twin is read "
            f"automatically).{hint}"
        )
    train = values[metric]
    validation = values.get(f"val_{metric}")
    if len(train) < _MIN_EPOCHS:
        raise DataError(
            f"need at least {_MIN_EPOCHS} epochs to judge a learning curve, got "
            f"{len(train)}: fit for more epochs (10 or more give a clearer verdict)."
        )
    if validation is not None and len(validation) != len(train):
        raise ShapeError(
            f"history['val_{metric}'] has {len(validation)} values but history['{metric}'] "
            f"has {len(train)}: expected one value per epoch for both."
        )
    _check_range(metric, train)
    if validation is not None:
        _check_range(f"val_{metric}", validation)
    if metric in ("accuracy", "acc"):  # judged as the error rate, which falls like a loss
        train, validation = 1 - train, None if validation is None else 1 - validation
    return values, train, validation


def _check_range(name: str, curve: np.ndarray) -> None:
    """Refuse values the rules cannot read: a negative loss, an accuracy outside [0, 1]."""
    accuracy = name.removeprefix("val_") in ("accuracy", "acc")
    with np.errstate(invalid="ignore"):  # NaN is judged later (unstable), not refused here
        bad = np.flatnonzero((curve < 0) | ((curve > 1) if accuracy else False))
    if bad.size:
        expected = "an accuracy in [0, 1]" if accuracy else "a non-negative loss"
        raise DataError(
            f"history['{name}'] is {curve[bad[0]]:.4g} at epoch {bad[0] + 1}, expected "
            f"{expected}: the rules compare relative changes of a loss that is 0 at best; "
            "diagnose a non-negative loss or error metric (metric='loss')."
        )


# ---------------------------------------------------------------- the diagnosis


def diagnose_learning_curves(
    history: Any,
    *,
    metric: str = "loss",
    baseline_loss: float | None = None,
    jump: float = 0.10,
    max_jump_share: float = 0.2,
    rise: float = 0.10,
    max_gap: float = 0.3,
    slope: float = 0.01,
    min_improvement: float = 0.10,
    tail: float = 0.2,
) -> LearningCurveDiagnosis:
    """Judge a learning curve: "underfit", "good fit", "overfit", "unstable" or "not converged".

    The rules are tried in order; the first that holds gives the verdict (the same text
    is in ``LEARNING_CURVE_RULES``). The *tail* is the last ``tail`` share of the epochs
    (at least 2); a curve "ends" at its mean over the tail, and its *best stretch* is its
    lowest mean over any run of as many consecutive epochs, so one lucky epoch is not
    taken for a minimum.

    1. unstable: a value is NaN or infinite; or loss spikes (rises by more than `jump`,
       10%, over the epoch before and falls again in the next) at 2 or more epochs and at
       more than `max_jump_share` (20%) of the epoch-to-epoch steps; or loss ends more
       than `rise` (10%) above its best stretch.
    2. overfit (needs val_loss): val_loss ends more than `rise` (10%) above its best
       stretch while loss ends below its own mean over those epochs (training kept
       improving); or val_loss has levelled off (it falls by less than `slope` per epoch)
       at a gap val_loss - loss larger than `max_gap` (0.3) times the reference loss of
       rule 4.
    3. not converged: loss is still falling at the end: its least-squares slope over the
       tail falls by more than `slope` (1% of its tail mean) per epoch, and val_loss, if
       recorded, is not rising by more than `slope` per epoch.
    4. underfit: loss ends less than `min_improvement` (10%) below the reference:
       `baseline_loss` when given (e.g. the loss of always predicting the training mean),
       else the loss of the first epoch.
    5. good fit: none of the above: loss has levelled off well below the reference, and
       val_loss, if recorded, stays near its best stretch and near loss.

    Spikes in val_loss are reported in ``reasons`` but decide nothing: a small
    validation set zig-zags on a plateau even when training is sound.
    Relative changes are taken against ``max(value, 0.001 x the curve's first value)``,
    so float noise on a loss near zero is not read as instability. Without val_loss the
    validation parts are skipped and ``reasons`` says so. ``metric="accuracy"`` is judged
    as the error rate ``1 - accuracy``. Without ``baseline_loss``, a model that learned
    everything in its first epoch looks underfit: pass the loss of a naive prediction
    (for ``loss="mse"``, the variance of the training targets in the units trained on).

    Args:
        history: a fitted estimator, its ``history_`` or a mapping
            ``{"loss": [...], "val_loss": [...]}``.
        metric: the curve to judge (its ``val_`` twin is read too).
        baseline_loss: the loss of a naive prediction, rule 4's reference.
        jump, max_jump_share, rise, max_gap, slope, min_improvement, tail: the thresholds
            of the rules above (shares: 0.1 is 10%).

    Returns:
        A :class:`LearningCurveDiagnosis`.

    Raises:
        ConfigError: ``metric`` not recorded, or a threshold out of range.
        DataError: fewer than 3 epochs, an empty history, a negative loss or an accuracy
            outside [0, 1].
        ShapeError: training and validation curves of different lengths.

    Example:
        >>> result = diagnose_learning_curves(
        ...     {"loss": [1.0, 0.5, 0.3, 0.25, 0.24, 0.24], "val_loss": [1.1, 0.6, 0.4, 0.45,
        ...      0.55, 0.65]})
        >>> result.verdict, result.best_epoch
        ('overfit', 3)
    """
    thresholds = {
        "baseline_loss": baseline_loss,
        "jump": jump,
        "max_jump_share": max_jump_share,
        "rise": rise,
        "max_gap": max_gap,
        "slope": slope,
        "min_improvement": min_improvement,
        "tail": tail,
    }
    _check_thresholds(thresholds)
    values, train, validation = _curves(history, metric)
    verdict, reasons, measures = judge(train, validation, thresholds, metric)
    if validation is None:
        reasons.append(
            f"no val_{metric} was recorded: rules 2 and 3 were read without it "
            "and overfitting cannot be seen; fit with validation_split or validation_data."
        )
    return LearningCurveDiagnosis(
        verdict=verdict,
        reasons=reasons,
        best_epoch=_best_epoch(train, validation),
        metric=metric,
        epochs=len(train),
        measures=measures,
        thresholds=thresholds,
        history={name: curve.tolist() for name, curve in values.items()},
    )


def _best_epoch(train: np.ndarray, validation: np.ndarray | None) -> int | None:
    curve = train if validation is None else validation
    finite = np.isfinite(curve)
    return int(np.nanargmin(np.where(finite, curve, np.nan))) + 1 if finite.any() else None
