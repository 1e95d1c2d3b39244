"""The five learning-curve rules: the measures they read and the order they are tried in.

See :func:`lstmkit.diagnostics.diagnose_learning_curves` for the rules in words.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_NOISE_FLOOR = 1e-3  # relative changes are taken against at least 0.1% of the first value

# ---------------------------------------------------------------- measures


def _relative(change: float, value: float, first: float) -> float:
    """``change`` as a share of ``value``, floored at 0.1% of the curve's first value."""
    base = max(value, _NOISE_FLOOR * first)
    if base <= 0:
        return 0.0 if change <= 0 else math.inf
    return change / base


def _tail(curve: np.ndarray, tail: float) -> np.ndarray:
    return curve[-min(len(curve), max(2, math.ceil(tail * len(curve)))) :]


def _slope(curve: np.ndarray, tail: float) -> float:
    """Least-squares slope over the tail, as a share of the tail's mean, per epoch."""
    end = _tail(curve, tail)
    slope = np.polyfit(np.arange(len(end), dtype=float), end, 1)[0]
    return _relative(float(slope), float(end.mean()), float(curve[0]))


def _best_stretch(curve: np.ndarray, tail: float) -> tuple[float, int]:
    """The lowest mean over any tail-long run of epochs, and that run's first index."""
    width = len(_tail(curve, tail))
    means = np.convolve(curve, np.ones(width) / width, mode="valid")  # (epochs - width + 1,)
    start = int(means.argmin())
    return float(means[start]), start


def _spike_epochs(curve: np.ndarray, jump: float) -> list[int]:
    """Epochs (from 1) at which the curve rose by more than ``jump`` and then fell back.

    A steady rise (an overfitting val_loss) is no spike: only a rise undone at the next
    epoch is, which is what a zig-zag curve is made of.
    """
    return [
        epoch + 1
        for epoch in range(1, len(curve) - 1)
        if _relative(curve[epoch] - curve[epoch - 1], curve[epoch - 1], curve[0]) > jump
        and curve[epoch + 1] < curve[epoch]
    ]


def _signed_percent(share: float) -> str:
    """``+0.5%`` for a rise, ``-4.9%`` for a fall, ``0.0%`` for neither."""
    text = _percent(share)
    return text if text.startswith("-") or text == "0.0%" else f"+{text}"


def _percent(share: float) -> str:
    if math.isinf(share):
        return "inf%"
    return f"{round(share * 100, 1) + 0.0:.1f}%"  # + 0.0 turns -0.0 into 0.0


# ---------------------------------------------------------------- the rules


def _non_finite(name: str, curve: np.ndarray | None) -> list[str]:
    if curve is None or np.isfinite(curve).all():
        return []
    bad = np.flatnonzero(~np.isfinite(curve))
    return [
        f"{name} is {curve[bad[0]]} at epoch {bad[0] + 1} ({len(bad)} of {len(curve)} epochs "
        "not finite): training diverged; lower the learning rate or set clipnorm."
    ]


def _unstable(m: dict, thresholds: dict, metric: str) -> list[str]:
    reasons = []
    spikes, steps = m["spikes"], m["steps"]
    if len(spikes) >= 2 and len(spikes) > thresholds["max_jump_share"] * steps:
        reasons.append(
            f"{metric} {_spikes_text(spikes, steps, thresholds)}: the learning rate may be too "
            "high, or the batches too small."
        )
    if m["rise"] > thresholds["rise"]:
        reasons.append(
            f"{metric} ends at {m['tail_mean']:.4g}, {_percent(m['rise'])} above its best "
            f"stretch {m['best_stretch']:.4g} (epochs {_stretch_text(m, 'best_stretch_start')}): "
            "the loss is climbing back; lower the learning rate."
        )
    return reasons


def _spikes_text(spikes: list[int], steps: int, thresholds: dict) -> str:
    return (
        f"spiked (rose by more than {_percent(thresholds['jump'])} over the epoch before, then "
        f"fell) at {len(spikes)} of {steps} steps (epochs {_epochs_text(spikes)})"
    )


def _stretch_text(m: dict, key: str) -> str:
    return f"{m[key]}-{m[key] + m['tail_epochs'] - 1}"


def _epochs_text(epochs: list[int]) -> str:
    shown = ", ".join(str(epoch) for epoch in epochs[:5])
    return shown + (", ..." if len(epochs) > 5 else "")


def _overfit(m: dict, thresholds: dict, metric: str) -> list[str]:
    val = f"val_{metric}"
    if m["val_rise"] > thresholds["rise"] and m["tail_mean"] < m["loss_over_val_best"]:
        return [
            f"{val} ends at {m['val_tail_mean']:.4g}, {_percent(m['val_rise'])} above its best "
            f"stretch {m['val_best_stretch']:.4g} (epochs "
            f"{_stretch_text(m, 'val_best_stretch_start')}), while {metric} kept falling from "
            f"{m['loss_over_val_best']:.4g} to {m['tail_mean']:.4g}: stop near epoch "
            f"{m['best_epoch']} (EarlyStopping) or regularise (dropout, fewer units)."
        ]
    if m["val_tail_slope"] >= -thresholds["slope"] and m["gap_share"] > thresholds["max_gap"]:
        return [
            f"{val} levelled off at {m['val_tail_mean']:.4g}, {m['gap_end']:.4g} above {metric} "
            f"({_percent(m['gap_share'])} of the reference {m['reference']:.4g}, more than "
            f"{_percent(thresholds['max_gap'])}): the model fits the training data far better "
            "than unseen data; regularise, or check that the validation span resembles the "
            "training span."
        ]
    return []


def _not_converged(m: dict, thresholds: dict, metric: str) -> list[str]:
    val_rising = m["val_tail_slope"] is not None and m["val_tail_slope"] > thresholds["slope"]
    if m["tail_slope"] < -thresholds["slope"] and not val_rising:
        return [
            f"{metric} is still falling by {_percent(-m['tail_slope'])} per epoch over the last "
            f"{m['tail_epochs']} epochs (more than {_percent(thresholds['slope'])}): train for "
            "more epochs, or raise the learning rate."
        ]
    return []


def _underfit(m: dict, thresholds: dict, metric: str) -> list[str]:
    if m["improvement"] < thresholds["min_improvement"]:
        # A loss that ends above its reference is "above", never "-2.6% below".
        where = (
            f"only {_percent(m['improvement'])} below"
            if m["improvement"] >= 0
            else f"{_percent(-m['improvement'])} above"
        )
        return [
            f"{metric} ends at {m['tail_mean']:.4g}, {where} "
            f"{m['reference_name']} {m['reference']:.4g} (less than "
            f"{_percent(thresholds['min_improvement'])}): the model learned little; give it "
            "more capacity (units, layers), more informative inputs or a longer lookback."
        ]
    return []


def _good_fit(m: dict, metric: str) -> list[str]:
    reasons = [
        f"{metric} levelled off at {m['tail_mean']:.4g} ({_signed_percent(m['tail_slope'])} per "
        f"epoch over the last {m['tail_epochs']} epochs), {_percent(m['improvement'])} below "
        f"{m['reference_name']} {m['reference']:.4g}."
    ]
    if m["val_rise"] is not None:
        reasons.append(
            f"val_{metric} ends at {m['val_tail_mean']:.4g}, {_percent(m['val_rise'])} above its "
            f"best stretch; val_{metric} - {metric} = {m['gap_end']:.4g} at the end."
        )
    return reasons


def _val_noise(m: dict, thresholds: dict, metric: str) -> list[str]:
    """A note (never a verdict) when val_loss zig-zags."""
    spikes, steps = m["val_spikes"] or [], m["steps"]
    if len(spikes) < 2 or len(spikes) <= thresholds["max_jump_share"] * steps:
        return []
    return [
        f"note: val_{metric} {_spikes_text(spikes, steps, thresholds)}: a small validation set "
        "is noisy; the overfitting rules read it through its tail-long means."
    ]


def _measures(train, validation, thresholds: dict) -> dict[str, Any]:
    """Every number the rules read (the val_ ones None without validation)."""
    baseline, tail = thresholds["baseline_loss"], thresholds["tail"]
    reference = float(train[0]) if baseline is None else float(baseline)
    tail_mean = float(_tail(train, tail).mean())
    best_stretch, start = _best_stretch(train, tail)
    m: dict[str, Any] = {
        "tail_mean": tail_mean,
        "tail_slope": _slope(train, tail),
        "tail_epochs": len(_tail(train, tail)),
        "best_stretch": best_stretch,
        "best_stretch_start": start + 1,
        "rise": _relative(tail_mean - best_stretch, best_stretch, float(train[0])),
        "steps": len(train) - 1,
        "spikes": _spike_epochs(train, thresholds["jump"]),
        "reference": reference,
        "reference_name": "the first epoch's" if baseline is None else "baseline_loss",
        "improvement": _relative(reference - tail_mean, reference, float(train[0])),
    }
    names = ("val_tail_mean", "val_tail_slope", "val_best_stretch", "val_best_stretch_start")
    names += ("val_rise", "val_spikes", "loss_over_val_best", "best_epoch", "gap_end")
    m.update(dict.fromkeys(names + ("gap_share",)))
    if validation is not None:
        val_tail_mean = float(_tail(validation, tail).mean())
        val_best, val_start = _best_stretch(validation, tail)
        stretch = slice(val_start, val_start + m["tail_epochs"])
        m.update(
            val_tail_mean=val_tail_mean,
            val_tail_slope=_slope(validation, tail),
            val_best_stretch=val_best,
            val_best_stretch_start=val_start + 1,
            val_rise=_relative(val_tail_mean - val_best, val_best, float(validation[0])),
            val_spikes=_spike_epochs(validation, thresholds["jump"]),
            loss_over_val_best=float(train[stretch].mean()),
            best_epoch=int(validation.argmin()) + 1,
            gap_end=val_tail_mean - tail_mean,
            gap_share=_relative(val_tail_mean - tail_mean, reference, reference),
        )
    return m


def judge(train, validation, thresholds, metric) -> tuple[str, list[str], dict[str, Any]]:
    """Apply the rules in order: the verdict, its reasons and the measures read."""
    val = f"val_{metric}"
    broken = _non_finite(metric, train) + _non_finite(val, validation)
    if broken:
        return "unstable", broken, {}
    m = _measures(train, validation, thresholds)
    measures = {k: v for k, v in m.items() if k not in ("reference_name", "best_epoch")}
    notes = _val_noise(m, thresholds, metric)
    if reasons := _unstable(m, thresholds, metric):
        return "unstable", reasons + notes, measures
    if validation is not None and (reasons := _overfit(m, thresholds, metric)):
        return "overfit", reasons + notes, measures
    if reasons := _not_converged(m, thresholds, metric):
        return "not converged", reasons + notes, measures
    if reasons := _underfit(m, thresholds, metric):
        return "underfit", reasons + notes, measures
    return "good fit", _good_fit(m, metric) + notes, measures
