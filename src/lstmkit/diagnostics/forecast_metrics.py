"""Forecast accuracy per horizon step and overall: RMSE, MAE, MAPE, sMAPE and MASE.

Forecasts and actuals are shaped ``(origins, horizon)`` or ``(origins, horizon, targets)``:
one row per forecast origin of a walk-forward, one column per step ahead.

```
            step 1  step 2 ... step H
origin 0   [ e      e          e ]      per step: the mean down a column
origin 1   [ e      e          e ]      overall:  the mean over every cell
```

With ``e = y - ŷ``, means taken over origins (per step) or over origins and steps
(overall), and each target scored on its own (their units differ):

- RMSE = sqrt(mean e²), MAE = mean |e|, in the units of ``y``.
- MAPE = 100 · mean |e| / |y|, in percent. It divides by ``y``: the metric functions
  raise on a zero in ``y_true``; the tables report NaN with a ``DataWarning``.
- sMAPE = 100 · mean 2|e| / (|y| + |ŷ|), in percent, from 0 to 200; a term with
  ``y = ŷ = 0`` counts as 0 (a perfect forecast).
- MASE = mean |e| / s, with s the in-sample MAE of the seasonal naive one-step forecast
  on the training series, ``mean |y[t] - y[t - m]|`` (Hyndman & Koehler, 2006; m = 1 is
  the naive forecast). Below 1: better than that naive forecast was in-sample.

A NaN in ``y_true`` is a missing observation and is left out of every mean (CONTRACTS
§2); a NaN or inf in a forecast is an error. Steps count from 1 (one step ahead).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._validation import as_numeric_array
from lstmkit.data._warnings import DataWarning
from lstmkit.diagnostics.baselines import BASELINES, _check_season
from lstmkit.errors import ConfigError, DataError, ShapeError

METRICS = ("RMSE", "MAE", "MAPE", "sMAPE", "MASE")
_LAYOUT = "(origins, horizon) or (origins, horizon, targets)"


def _position(index: tuple[int, ...], shape: tuple[int, ...], ndim: int) -> str:
    where = f"origin {index[0]}, step {index[1] + 1} of {shape[1]}"
    return where + (f", target {index[2]}" if ndim == 3 else "")


def _target_note(target: int, ndim: int) -> str:
    return f" for target {target}" if ndim == 3 else ""


def _as_forecast_array(values: Any, name: str) -> np.ndarray:
    array = as_numeric_array(values, name)
    if array.ndim not in (2, 3):
        hint = f": for one forecast of {len(array)} steps use {name}.reshape(1, -1)"
        raise ShapeError(
            f"expected {name} of shape {_LAYOUT}, got shape {array.shape}"
            + (hint if array.ndim == 1 else "")
            + "."
        )
    if 0 in array.shape:
        raise ShapeError(
            f"{name} has shape {array.shape}: expected at least one origin, one horizon "
            "step (horizon >= 1) and one target."
        )
    return array.astype(np.float64)


def _reject_nonfinite(array: np.ndarray, name: str, ndim: int, is_ok: Any, fix: str) -> None:
    bad = ~is_ok(array)
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), array.shape)
        value = array[index]
        kind = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
        raise DataError(f"{name} contains {kind} at {_position(index, array.shape, ndim)}: {fix}.")


def _check_pair(
    y_true: Any, y_pred: Any, pred_name: str = "y_pred"
) -> tuple[np.ndarray, np.ndarray, int]:
    """Both arrays as float64 ``(origins, horizon, targets)``, plus the rank given."""
    truth = _as_forecast_array(y_true, "y_true")
    forecast = _as_forecast_array(y_pred, pred_name)
    if forecast.shape != truth.shape:
        raise ShapeError(
            f"{pred_name} has shape {forecast.shape} but y_true has shape {truth.shape}: "
            "expected one forecast of the same horizon (and targets) for every origin."
        )
    ndim = truth.ndim
    fix = "a forecast must be finite: check the model's output and its inverse transform"
    _reject_nonfinite(forecast, pred_name, ndim, np.isfinite, fix)
    fix = "y_true may hold NaN for a missing observation, never an infinity"
    _reject_nonfinite(truth, "y_true", ndim, lambda array: ~np.isinf(array), fix)
    if np.isnan(truth).all():
        raise DataError("y_true has no observed values (all NaN): nothing to score against.")
    if ndim == 2:
        truth, forecast = truth[..., None], forecast[..., None]
    return truth, forecast, ndim


def _mean(values: np.ndarray, per_step: bool) -> np.ndarray:
    """NaN-skipping mean over origins (per step) or origins and steps: ``(H, K)`` or ``(K,)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a step with no observation gives NaN
        return np.nanmean(values, axis=0 if per_step else (0, 1))


def _shaped(values: np.ndarray, ndim: int, per_step: bool) -> float | np.ndarray:
    if ndim == 3:
        return values
    return values[:, 0] if per_step else float(values[0])


def _mase_scale(y_train: Any, season: int, targets: int, ndim: int) -> np.ndarray:
    """The in-sample seasonal naive MAE of each target: ``(targets,)``."""
    train = as_numeric_array(y_train, "y_train").astype(np.float64)
    if train.ndim != ndim - 1 or (ndim == 3 and train.shape[1] != targets):
        expected, layout = (
            ("(time,)", "(origins, horizon)")
            if ndim == 2
            else (f"(time, {targets})", f"(origins, horizon, {targets})")
        )
        raise ShapeError(
            f"expected y_train of shape {expected} for forecasts of shape {layout}, "
            f"got shape {train.shape}: pass the training span of the same target(s)."
        )
    if len(train) <= season:
        raise DataError(
            f"MASE needs more than season = {season} training values to measure the seasonal "
            f"naive error, got {len(train)}: pass the whole training span as y_train."
        )
    if np.isinf(train).any():
        raise DataError("y_train contains inf: the MASE scale must come from finite values.")
    train = train.reshape(len(train), -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.nanmean(np.abs(train[season:] - train[:-season]), axis=0)
    if np.isnan(scale).any():
        raise DataError(
            f"y_train has no pair of observations one season (season = {season}) apart"
            f"{_target_note(int(np.argmax(np.isnan(scale))), ndim)}: fill its missing values."
        )
    return scale


def _zero_message(truth: np.ndarray, ndim: int) -> str | None:
    zero = truth == 0
    if not zero.any():
        return None
    index = np.unravel_index(int(np.argmax(zero)), truth.shape)
    return f"y_true is 0 at {_position(index, truth.shape, ndim)}, where MAPE divides by zero"


def _scale_message(scale: np.ndarray, season: int, ndim: int) -> str | None:
    if (scale > 0).all():
        return None
    target = int(np.argmax(scale == 0))
    return (
        f"the training series' in-sample seasonal naive MAE (season = {season}) is 0"
        f"{_target_note(target, ndim)}: it repeats exactly every {season} steps, so any "
        "error divided by it is infinite"
    )


def _values(
    metric: str, truth: np.ndarray, forecast: np.ndarray, scale: np.ndarray, per_step: bool
) -> np.ndarray:
    """One metric for every target, NaN where it is undefined (zeros, zero scale)."""
    error = np.abs(truth - forecast)  # NaN where the observation is missing
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "RMSE":
            return np.sqrt(_mean(error**2, per_step))
        if metric == "MAE":
            return _mean(error, per_step)
        if metric == "MAPE":
            undefined = (truth == 0).any(axis=(0, 1))
            return np.where(undefined, np.nan, 100.0 * _mean(error / np.abs(truth), per_step))
        if metric == "sMAPE":
            total = np.abs(truth) + np.abs(forecast)
            ratio = np.where(total == 0, 0.0, 2.0 * error / total)  # 0/0: a perfect forecast
            return 100.0 * _mean(ratio, per_step)
        return np.where(scale > 0, _mean(error, per_step) / scale, np.nan)


def rmse(y_true: Any, y_pred: Any, *, per_step: bool = False) -> float | np.ndarray:
    """Root mean squared error, overall or per horizon step.

    Args:
        y_true: the observations, ``(origins, horizon)`` or ``(origins, horizon, targets)``.
        y_pred: the forecasts, same shape.
        per_step: return one value per horizon step instead of one overall.

    Returns:
        A float for 2-D input (``(horizon,)`` per step); for 3-D input ``(targets,)``
        (``(horizon, targets)`` per step).

    Raises:
        ShapeError: the shapes differ, are not 2-D or 3-D, or have an empty axis.
        DataError: ``y_pred`` holds NaN/inf, or ``y_true`` holds inf or is all NaN.

    Example:
        >>> rmse([[1.0, 2.0], [3.0, 4.0]], [[1.0, 4.0], [3.0, 4.0]])
        1.0
        >>> rmse([[1.0, 2.0], [3.0, 4.0]], [[1.0, 4.0], [3.0, 4.0]], per_step=True).tolist()
        [0.0, 1.4142135623730951]
    """
    truth, forecast, ndim = _check_pair(y_true, y_pred)
    return _shaped(_values("RMSE", truth, forecast, np.ones(1), per_step), ndim, per_step)


def mae(y_true: Any, y_pred: Any, *, per_step: bool = False) -> float | np.ndarray:
    """Mean absolute error, overall or per horizon step (shapes as in :func:`rmse`).

    Example:
        >>> mae([[1.0, 2.0], [3.0, 4.0]], [[2.0, 2.0], [3.0, 1.0]])
        1.0
    """
    truth, forecast, ndim = _check_pair(y_true, y_pred)
    return _shaped(_values("MAE", truth, forecast, np.ones(1), per_step), ndim, per_step)


def mape(y_true: Any, y_pred: Any, *, per_step: bool = False) -> float | np.ndarray:
    """Mean absolute percentage error in percent (shapes as in :func:`rmse`).

    Raises:
        DataError: ``y_true`` holds a zero (MAPE divides by it): use :func:`smape` or
            :func:`mase` there. :func:`metrics_table` reports NaN with a warning instead.

    Example:
        >>> mape([[100.0, 200.0]], [[110.0, 180.0]])
        10.0
    """
    truth, forecast, ndim = _check_pair(y_true, y_pred)
    problem = _zero_message(truth, ndim)
    if problem:
        raise DataError(f"MAPE is undefined: {problem}. Use sMAPE or MASE, which stay finite.")
    return _shaped(_values("MAPE", truth, forecast, np.ones(1), per_step), ndim, per_step)


def smape(y_true: Any, y_pred: Any, *, per_step: bool = False) -> float | np.ndarray:
    """Symmetric MAPE, ``100 · mean 2|y - ŷ| / (|y| + |ŷ|)``: percent from 0 to 200.

    Shapes as in :func:`rmse`. A term with ``y = ŷ = 0`` counts as 0.

    Example:
        >>> smape([[100.0, 0.0]], [[300.0, 0.0]])
        50.0
    """
    truth, forecast, ndim = _check_pair(y_true, y_pred)
    return _shaped(_values("sMAPE", truth, forecast, np.ones(1), per_step), ndim, per_step)


def mase(
    y_true: Any, y_pred: Any, y_train: Any, season: int = 1, *, per_step: bool = False
) -> float | np.ndarray:
    """Mean absolute scaled error (Hyndman & Koehler, 2006); shapes as in :func:`rmse`.

    Args:
        y_true: the observations.
        y_pred: the forecasts.
        y_train: the training series, ``(time,)`` for 2-D forecasts or ``(time, targets)``.
        season: m of the in-sample seasonal naive scale (1: the naive forecast).
        per_step: return one value per horizon step.

    Raises:
        ConfigError: ``season`` is not an integer >= 1.
        DataError: ``y_train`` has no more than ``season`` values, or its seasonal naive
            MAE is 0 (a series that repeats exactly: MASE is undefined).

    Example:
        >>> mase([[5.0, 6.0]], [[4.0, 8.0]], y_train=[1.0, 2.0, 4.0])
        1.0
    """
    season = _check_season(season)
    truth, forecast, ndim = _check_pair(y_true, y_pred)
    scale = _mase_scale(y_train, season, truth.shape[2], ndim)
    problem = _scale_message(scale, season, ndim)
    if problem:
        raise DataError(f"MASE is undefined: {problem}. Report RMSE or MAE instead.")
    return _shaped(_values("MASE", truth, forecast, scale, per_step), ndim, per_step)


def _check_forecasts(forecasts: Any) -> None:
    if not isinstance(forecasts, Mapping) or not forecasts:
        raise ConfigError(
            "forecasts must be a non-empty dict from method name to forecast array, "
            f"got {forecasts!r}."
        )


def _scored(
    y_true: Any, forecasts: Mapping[str, Any], y_train: Any, season: int, per_step: bool
) -> tuple[dict[str, dict[str, np.ndarray]], int]:
    """Every metric of every forecast, warning once for metrics that are undefined."""
    season = _check_season(season)
    checked = {name: _check_pair(y_true, f, f"forecast {name!r}") for name, f in forecasts.items()}
    truth, _, ndim = next(iter(checked.values()))
    scale = _mase_scale(y_train, season, truth.shape[2], ndim)
    for metric, problem in (
        ("MAPE", _zero_message(truth, ndim)),
        ("MASE", _scale_message(scale, season, ndim)),
    ):
        if problem:
            warnings.warn(f"{metric} is reported as NaN: {problem}.", DataWarning, stacklevel=3)
    scores = {
        name: {metric: _values(metric, truth, forecast, scale, per_step) for metric in METRICS}
        for name, (_, forecast, _) in checked.items()
    }
    return scores, ndim


def _baseline_names(forecasts: Mapping[str, Any], baselines: Any) -> list[str]:
    if baselines is None:
        names = [name for name in forecasts if name in BASELINES]
    else:
        names = [baselines] if isinstance(baselines, str) else list(baselines)
        missing = [name for name in names if name not in forecasts]
        if missing:
            raise ConfigError(
                f"baselines {missing} are not among the forecasts {list(forecasts)}: "
                "name keys of the forecasts dict."
            )
    if not names:
        raise ConfigError(
            f"no baseline among the forecasts {list(forecasts)}: a model is only judged "
            f"beside one. Add one of {list(BASELINES)} (lstmkit.diagnostics."
            "walk_forward_baselines), or name your baseline keys with baselines=[...]."
        )
    return names


def metrics_table(
    y_true: Any,
    forecasts: Mapping[str, Any],
    y_train: Any,
    season: int,
    *,
    baselines: Any = None,
) -> pd.DataFrame:
    """One row per method, one column per metric overall, and who loses to a baseline.

    The ``loses_to_baseline`` column lists the metrics on which a method scores worse
    than the best baseline on that metric (``""`` when none): a model that does not
    beat the baselines is flagged, not hidden. NaN metrics (see MAPE and MASE in the
    module notes) are never flagged.

    Args:
        y_true: the observations, ``(origins, horizon)`` or ``(origins, horizon, targets)``.
        forecasts: method name to forecast array of the same shape, models and baselines.
        y_train: the training series, for MASE's scale.
        season: m of MASE's seasonal naive scale (1: naive).
        baselines: which keys are baselines (default: the keys named in ``BASELINES``).

    Returns:
        A DataFrame indexed by ``method`` (by ``method`` and ``target`` for 3-D input)
        with columns ``RMSE, MAE, MAPE, sMAPE, MASE, loses_to_baseline``.

    Raises:
        ConfigError: no forecasts, no baseline among them, or a bad ``season``.
        ShapeError, DataError: as in :func:`rmse` and :func:`mase`, naming the method.

    Example:
        >>> table = metrics_table([[3.0, 4.0]], {"model": [[3.0, 6.8]],
        ...                       "persistence": [[2.0, 2.0]]}, [0.0, 1.0, 2.0], season=1)
        >>> table["loses_to_baseline"].to_dict()
        {'model': 'RMSE', 'persistence': ''}
        >>> table.loc["model", ["RMSE", "MAE", "MAPE", "sMAPE", "MASE"]].round(2).tolist()
        [1.98, 1.4, 35.0, 25.93, 1.4]
    """
    _check_forecasts(forecasts)
    names = _baseline_names(forecasts, baselines)
    scores, ndim = _scored(y_true, forecasts, y_train, season, per_step=False)
    best = {  # per metric, the best baseline value of each target (NaN when none is defined)
        metric: np.fmin.reduce([scores[name][metric] for name in names]) for metric in METRICS
    }
    rows, index = [], []
    for name, values in scores.items():
        for target in range(len(values["RMSE"])):
            row = {metric: float(values[metric][target]) for metric in METRICS}
            row["loses_to_baseline"] = ", ".join(
                metric for metric in METRICS if row[metric] > best[metric][target]
            )
            rows.append(row)
            index.append(name if ndim == 2 else (name, target))
    if ndim == 2:
        return pd.DataFrame(rows, index=pd.Index(index, name="method"))
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["method", "target"]))


def per_step_table(
    y_true: Any, forecasts: Mapping[str, Any], y_train: Any, season: int
) -> pd.DataFrame:
    """Every metric per horizon step, one row per method and step (steps from 1).

    Arguments and errors as in :func:`metrics_table` (no baseline is required here).
    ``table["RMSE"].unstack("method")`` gives one column per method, ready to plot.

    Returns:
        A DataFrame indexed by ``method`` and ``step`` (and ``target`` between them for
        3-D input), with columns ``RMSE, MAE, MAPE, sMAPE, MASE``.

    Example:
        >>> table = per_step_table([[3.0, 4.0]], {"model": [[3.0, 6.0]]}, [0.0, 1.0], 1)
        >>> table["MAE"].tolist()
        [0.0, 2.0]
    """
    _check_forecasts(forecasts)
    scores, ndim = _scored(y_true, forecasts, y_train, season, per_step=True)
    rows = [
        {"method": name, "target": target, "step": step + 1}
        | {metric: values[metric][step, target] for metric in METRICS}
        for name, values in scores.items()
        for target in range(values["RMSE"].shape[1])
        for step in range(values["RMSE"].shape[0])
    ]
    keys = ["method", "step"] if ndim == 2 else ["method", "target", "step"]
    return pd.DataFrame(rows).drop(columns=[] if ndim == 3 else ["target"]).set_index(keys)
