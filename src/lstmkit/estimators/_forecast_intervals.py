"""Split-conformal prediction intervals per horizon step, from a backtest's residuals.

For each step h (and target), the n backtest residuals ``|actual - value|`` (``value``
is the backtest's forecast) give the interval half-width ``q_h``: the k-th smallest
residual with ``k = ceil((n + 1) c)`` for coverage c, i.e. their ``ceil((n + 1) c) / n``
quantile (the finite-sample correction of split conformal prediction; Vovk et al.,
Lei et al. 2018). If the residuals and the future error are exchangeable,
``forecast ± q_h`` covers the actual with probability at least c, whatever the model
(CONTRACTS §10):

```
residuals of step 1, sorted:  0.1 0.2 0.3 ... 1.9      n = 19, c = 0.9
k = ceil(20 * 0.9) = 18   ->  q_1 = 1.8 (the 18th)       interval: forecast ± 1.8
n = 8, c = 0.9: k = ceil(8.1) = 9 > 8: no residual is large enough -> an error
```
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, ShapeError

_TOLERANCE = 1e-9  # (n + 1) * c computed in floats: 10 * 0.9 must stay 9, not 9.000000000000002


def _percent(coverage: float) -> str:
    """``0.9`` -> ``'90%'``, ``0.975`` -> ``'97.5%'``."""
    return f"{coverage * 100:.10g}%"


def _check_coverage(coverage: Any) -> float:
    if isinstance(coverage, bool) or not isinstance(coverage, (int, float)) or not 0 < coverage < 1:
        raise ConfigError(f"coverage must be a fraction in (0, 1), e.g. 0.9, got {coverage!r}")
    return float(coverage)


def _rank(count: int, coverage: float) -> int:
    """k = ceil((n + 1) c): the rank of the residual that is the interval's half-width."""
    return math.ceil((count + 1) * coverage - _TOLERANCE)


def origins_needed(coverage: float) -> int:
    """The fewest residuals per step for which a ``coverage`` interval exists.

    Example:
        >>> origins_needed(0.9), origins_needed(0.95), origins_needed(0.5)
        (9, 19, 1)
    """
    coverage = _check_coverage(coverage)
    count = 1
    while _rank(count, coverage) > count:
        count += 1
    return count


def _check_backtest(frame: Any) -> pd.DataFrame:
    needed = ["step", "target", "value", "actual"]
    if not isinstance(frame, pd.DataFrame) or any(name not in frame for name in needed):
        have = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame).__name__
        raise ShapeError(
            f"expected a backtest frame with columns {needed} (from backtest()), got {have}"
        )
    return frame


def conformal_quantiles(backtest_frame: pd.DataFrame, coverage: float) -> pd.DataFrame:
    """Per-step split-conformal half-widths from a backtest's absolute residuals.

    Args:
        backtest_frame: the frame :func:`backtest` returns; rows with a missing actual
            are left out.
        coverage: the intervals' nominal coverage, in (0, 1).

    Returns:
        A DataFrame indexed by ``step`` (1..H), one column per target: the half-width
        ``q``. ``attrs["coverage"]`` is the coverage, ``attrs["residuals"]`` the fewest
        residuals any step had (n), ``attrs["counts"]`` the counts per step and target.

    Raises:
        ConfigError: ``coverage`` outside (0, 1), or too few residuals for it (the
            message says how many origins it needs).
        ShapeError: not a backtest frame.

    Example:
        >>> frame = pd.DataFrame({"step": [1] * 19, "target": "y", "value": 0.0,
        ...                       "actual": np.arange(1, 20) / 10})
        >>> conformal_quantiles(frame, 0.9)["y"].tolist()
        [1.8]
    """
    coverage = _check_coverage(coverage)
    frame = _check_backtest(backtest_frame)
    residuals = (frame["actual"] - frame["value"]).abs()
    observed = frame.assign(residual=residuals)[residuals.notna()]
    targets = list(dict.fromkeys(frame["target"]))
    counts = observed.groupby(["step", "target"])["residual"].count().unstack("target")
    counts = counts.reindex(columns=targets).fillna(0).astype(int)
    fewest = int(counts.to_numpy().min()) if counts.size else 0
    if counts.size == 0 or _rank(fewest, coverage) > fewest:
        raise ConfigError(
            f"a {_percent(coverage)} split-conformal interval needs at least "
            f"{origins_needed(coverage)} backtest origins with an observed actual at every "
            f"step, got {fewest}: backtest from an earlier start or with a smaller step, "
            "or ask for a lower coverage"
        )
    quantiles = observed.groupby(["step", "target"])["residual"].agg(
        lambda values: np.sort(values.to_numpy())[_rank(len(values), coverage) - 1]
    )
    table = quantiles.unstack("target").reindex(columns=targets)
    table.columns.name = None
    table.attrs.update(coverage=coverage, residuals=fewest, counts=counts)
    return table


def _label(quantiles: pd.DataFrame, coverage: float, method_label: str | None) -> str:
    if method_label is not None:
        return method_label
    count = quantiles.attrs.get("residuals", "?")
    return f"{_percent(coverage)} split-conformal from {count} backtest residuals per step"


def add_intervals(
    forecast_frame: pd.DataFrame,
    quantiles: pd.DataFrame,
    coverage: float | None = None,
    method_label: str | None = None,
) -> pd.DataFrame:
    """A copy of a forecast with ``forecast ± q`` bounds per step.

    Two layouts: a ``predict()`` frame (one row per step, one column per target) gets
    ``{target}_lower`` and ``{target}_upper`` columns, row i using step i + 1; a
    backtest frame (long: ``step``, ``target``, ``value``) gets ``lower`` and ``upper``
    columns by its ``step`` and ``target``.

    Args:
        forecast_frame: the forecast, either layout.
        quantiles: half-widths from :func:`conformal_quantiles` (or any per-step table).
        coverage: the nominal coverage, for the label (default: ``quantiles``' own).
        method_label: the label instead of the split-conformal one (e.g. for an
            ensemble spread, which is not a prediction interval).

    Returns:
        The new frame; ``attrs["interval"]`` says what the bounds are, e.g.
        ``"90% split-conformal from 198 backtest residuals per step"``.

    Raises:
        ShapeError: more forecast steps than ``quantiles`` has, or a target it lacks.

    Example:
        >>> q = pd.DataFrame({"y": [1.0, 2.0]}, index=pd.Index([1, 2], name="step"))
        >>> q.attrs.update(coverage=0.9, residuals=30)
        >>> forecast = pd.DataFrame({"y": [10.0, 11.0]},
        ...                         pd.date_range("2000-01", periods=2, freq="MS"))
        >>> out = add_intervals(forecast, q)
        >>> out["y_lower"].tolist(), out["y_upper"].tolist(), out.attrs["interval"]
        ([9.0, 9.0], [11.0, 13.0], '90% split-conformal from 30 backtest residuals per step')
    """
    coverage = quantiles.attrs.get("coverage") if coverage is None else coverage
    if method_label is None:
        coverage = _check_coverage(coverage)
    out = forecast_frame.copy()
    if "value" in out and "step" in out and "target" in out:
        half = _long_half_widths(out, quantiles)
        out["lower"], out["upper"] = out["value"] - half, out["value"] + half
    else:
        _check_wide(out, quantiles)
        for name in list(forecast_frame.columns):
            half = quantiles[name].to_numpy()[: len(out)]
            out[f"{name}_lower"], out[f"{name}_upper"] = out[name] - half, out[name] + half
    out.attrs["interval"] = _label(quantiles, coverage, method_label)
    return out


def _long_half_widths(frame: pd.DataFrame, quantiles: pd.DataFrame) -> np.ndarray:
    stacked = quantiles.stack()  # (step, target) -> q
    keys = pd.MultiIndex.from_arrays([frame["step"], frame["target"]])
    half = stacked.reindex(keys).to_numpy(dtype=np.float64)
    if np.isnan(half).any():
        row = int(np.argmax(np.isnan(half)))
        raise ShapeError(
            f"quantiles have no half-width for step {frame['step'].iloc[row]} of target "
            f"{frame['target'].iloc[row]!r}: they cover steps {list(quantiles.index)} and "
            f"targets {list(quantiles.columns)}"
        )
    return half


def _check_wide(frame: pd.DataFrame, quantiles: pd.DataFrame) -> None:
    absent = [name for name in frame.columns if name not in quantiles.columns]
    if absent:
        raise ShapeError(
            f"quantiles have no column for target(s) {absent}; they have "
            f"{list(quantiles.columns)}: compute them from a backtest of the same targets"
        )
    if len(frame) > len(quantiles):
        raise ShapeError(
            f"the forecast has {len(frame)} steps but quantiles cover {len(quantiles)}: "
            "backtest with the horizon you forecast"
        )


def coverage(backtest_frame: pd.DataFrame, quantiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Empirical coverage of a backtest's intervals, per step and overall.

    Args:
        backtest_frame: a backtest frame with ``lower``/``upper`` columns (from
            :func:`add_intervals`), or without them and ``quantiles`` to add them.
        quantiles: per-step half-widths from :func:`conformal_quantiles`.

    Returns:
        A DataFrame indexed by step (1..H) then ``"all"``, one column per target: the
        share of observed actuals inside ``[lower, upper]``. ``attrs["nominal"]`` is the
        quantiles' coverage when known.

    Raises:
        ShapeError: no bounds and no ``quantiles``, or not a backtest frame.

    Example:
        >>> frame = pd.DataFrame({"step": [1, 1, 2, 2], "target": "y", "value": 0.0,
        ...                       "actual": [0.5, 3.0, -0.5, 0.1]})
        >>> q = pd.DataFrame({"y": [1.0, 1.0]}, index=pd.Index([1, 2], name="step"))
        >>> coverage(frame, q)["y"].tolist()
        [0.5, 1.0, 0.75]
    """
    frame = _check_backtest(backtest_frame)
    if quantiles is not None:
        frame = add_intervals(frame, quantiles, method_label="")
    elif "lower" not in frame or "upper" not in frame:
        raise ShapeError(
            "the backtest frame has no lower/upper columns: pass quantiles=... (from "
            "conformal_quantiles) or add them with add_intervals first"
        )
    observed = frame[frame["actual"].notna()]
    inside = (observed["actual"] >= observed["lower"]) & (observed["actual"] <= observed["upper"])
    marked = observed.assign(inside=inside.astype(np.float64))
    targets = list(dict.fromkeys(frame["target"]))
    per_step = marked.groupby(["step", "target"])["inside"].mean().unstack("target")
    overall = marked.groupby("target")["inside"].mean().rename("all")
    table = pd.concat([per_step, overall.to_frame().T]).reindex(columns=targets)
    table.index = pd.Index(list(per_step.index) + ["all"], name="step", dtype=object)
    table.columns.name = None
    if quantiles is not None and "coverage" in quantiles.attrs:
        table.attrs["nominal"] = quantiles.attrs["coverage"]
    return table
