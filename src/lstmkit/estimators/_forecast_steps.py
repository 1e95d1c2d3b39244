"""Forecasting from an origin: the direct/seq2seq window, or the recursive loop.

Both work in the model's space (differenced, scaled) and turn the result back into
original units with the target transform, continuing from the history before the origin.

A quantile model (``loss="quantile"``, direct or seq2seq) answers Q levels per step and
target; each level's path is inverted on its own, from the same observed history:

```
model's space   d_q10[1..H]  d_q50[1..H]  d_q90[1..H]      one path per level
                    │            │            │            unscale, integrate, unpower
original units  x_q10[1..H]  x_q50[1..H]  x_q90[1..H]      then sorted per step
```

That is exact when every step integrates observed values only (all lags >= the
horizon, e.g. ``difference=[12]`` with horizon 12: ``x[t] = x[t - 12] + d[t]``, and
adding an observed number keeps a quantile a quantile). With a lag shorter than the
horizon a step adds the same level's earlier forecast (``x[t] = x[t - 1] + d[t]``),
and quantiles do not add: the integrated levels are an approximation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._time_index import stamp
from lstmkit.errors import DataError
from lstmkit.estimators._forecast_windows import ForecastEncoder, model_input


def forecast_from(
    encoder: ForecastEncoder,
    model: Any,
    history: pd.DataFrame,
    steps: int,
    future: np.ndarray | None,
    *,
    strategy: str,
    lookback: int,
    horizon: int,
    every_quantile: bool = False,
) -> np.ndarray:
    """Forecast ``steps`` in original units after ``history`` (the filled frame up to the origin).

    Args:
        encoder: the fitted encoder; model: the fitted one-step or multi-step regressor.
        history: every row up to and including the origin, after the missing-steps policy.
        future: the known-future covariates of the forecast steps, original units
            (``(at least steps or horizon, k)``), or None when there are none.
        every_quantile: for a quantile model, return every level, not just the median.

    Returns:
        ``(steps, targets)`` in original units: a quantile model's 0.5 quantile; with
        ``every_quantile`` and a quantile model, ``(steps, targets, Q)``, levels sorted.
    """
    encoded = encoder.encode(history)
    past, future_past = encoded.past[-lookback:], encoded.future[-lookback:]
    _check_window(past, future_past, history, lookback)
    ahead = None if future is None else encoder.scale_future(future)
    levels = _levels(model)
    if strategy == "recursive":  # a point model (the settings refuse quantile recursion)
        scaled = _recursive(encoder, model, past, future_past, ahead, steps)[..., None]
    else:
        window = model_input(past, future_past, ahead)
        answer = np.asarray(model.predict(window[None].astype(np.float32)))
        count = 1 if levels is None else len(levels)
        scaled = answer.reshape(-1, len(encoder.targets), count)[:steps]
    targets = history[encoder.targets].to_numpy(np.float64)
    # scaled: (steps, targets, levels); each level's path is inverted on its own.
    paths = [encoder.transform.inverse(scaled[..., k], targets) for k in range(scaled.shape[2])]
    forecast = np.sort(np.stack(paths, axis=-1), axis=-1)  # rearranged: no crossing
    if not np.isfinite(forecast).all():
        raise DataError(
            "the forecast needs the last observed values before the origin "
            f"({stamp(history.index[-1])}) to undo differencing, and some are missing: fill "
            "them with a missing-steps policy (missing='interpolate')"
        )
    if levels is None:
        return forecast[..., 0]
    return forecast if every_quantile else forecast[..., levels.index(0.5)]


def _levels(model: Any) -> list[float] | None:
    """A quantile regressor's sorted levels; None for a point (mse/mae) model."""
    levels = getattr(model, "quantiles_", None)
    return None if levels is None else list(levels)


def _recursive(encoder, model, past, future_past, ahead, steps: int) -> np.ndarray:
    """Feed each one-step forecast back as the newest past row (indicators 0: observed)."""
    width = len(encoder.targets)
    produced = []
    for step in range(steps):
        upcoming = None if ahead is None else ahead[step : step + 1]
        window = model_input(past, future_past, upcoming)
        value = np.asarray(model.predict(window[None].astype(np.float32))).reshape(-1)[:width]
        produced.append(value)
        row = np.zeros((1, past.shape[1]))
        row[0, :width] = value
        past = np.concatenate([past[1:], row])
        if upcoming is not None:
            future_past = np.concatenate([future_past[1:], upcoming])
    return np.stack(produced)


def _check_window(past: np.ndarray, future_past: np.ndarray, history, lookback: int) -> None:
    if len(past) < lookback:
        raise DataError(
            f"forecasting needs {lookback} steps (the lookback) after differencing before "
            f"the origin, got {len(past)}: give more history"
        )
    bad = ~(np.isfinite(past).all(axis=1) & np.isfinite(future_past).all(axis=1))
    if bad.any():
        first = history.index[len(history) - lookback + int(np.argmax(bad))]
        raise DataError(
            f"the last {lookback} steps before the forecast origin ({stamp(history.index[-1])}) "
            f"have {int(bad.sum())} missing, the first {stamp(first)}: the model reads a "
            "whole window; fill them with a missing-steps policy (missing='interpolate', "
            "'seasonal' or 'mask')"
        )
