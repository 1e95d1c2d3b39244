"""Forecasting from an origin: the direct/seq2seq window, or the recursive loop.

Both work in the model's space (differenced, scaled) and turn the result back into
original units with the target transform, continuing from the history before the origin.
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
) -> np.ndarray:
    """Forecast ``steps`` in original units after ``history`` (the filled frame up to the origin).

    Args:
        encoder: the fitted encoder; model: the fitted one-step or multi-step regressor.
        history: every row up to and including the origin, after the missing-steps policy.
        future: the known-future covariates of the forecast steps, original units
            (``(at least steps or horizon, k)``), or None when there are none.

    Returns:
        ``(steps, targets)`` in original units.
    """
    encoded = encoder.encode(history)
    past, future_past = encoded.past[-lookback:], encoded.future[-lookback:]
    _check_window(past, future_past, history, lookback)
    ahead = None if future is None else encoder.scale_future(future)
    if strategy == "recursive":
        scaled = _recursive(encoder, model, past, future_past, ahead, steps)
    else:
        window = model_input(past, future_past, ahead)
        width = len(encoder.targets)
        scaled = np.asarray(model.predict(window[None].astype(np.float32))).reshape(-1, width)
        scaled = scaled[:steps]
    targets = history[encoder.targets].to_numpy(np.float64)
    forecast = encoder.transform.inverse(scaled, targets)
    if not np.isfinite(forecast).all():
        raise DataError(
            "the forecast needs the last observed values before the origin "
            f"({stamp(history.index[-1])}) to undo differencing, and some are missing: fill "
            "them with a missing-steps policy (missing='interpolate')"
        )
    return forecast


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
