"""One series' encoder, windows and forecast: for the only series, or each of a panel.

The single-series ``LSTMForecaster`` and each series of a panel build the encoder
after the gap policy and forecast after a history (reading the known-future covariates
they need) alike, so they share :func:`series_encoder` and :func:`forecast_after`;
:func:`fit_series` fits a panel's series on its own span and cuts its windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._gap_windows import find_gaps
from lstmkit.data._series_transform import SeriesTransform
from lstmkit.estimators._forecast_data import SeriesData, SeriesRoles, future_rows
from lstmkit.estimators._forecast_gaps import fill_gaps, fit_gap_policy, target_indicators
from lstmkit.estimators._forecast_settings import check_length
from lstmkit.estimators._forecast_steps import forecast_from
from lstmkit.estimators._forecast_windows import ForecastEncoder, training_windows


def series_encoder(
    roles: SeriesRoles, policy: Any, filled: pd.DataFrame, transform: SeriesTransform
) -> ForecastEncoder:
    """The unfitted encoder of one series (of a panel, or the only one) after its gap policy.

    Columns the policy added (mask indicators) are inputs too; made-up targets are flagged.

    Example:
        >>> frame = pd.DataFrame({"v": [1.0, 2.0]}, pd.date_range("2000", periods=2, freq="MS"))
        >>> series_encoder(SeriesRoles(["v"], [], []), None, frame, SeriesTransform()).width
        1
    """
    indicators = [name for name in filled.columns if name not in roles.inputs]
    masked = target_indicators(policy, roles.targets)
    return ForecastEncoder(roles.targets, roles.past, indicators, roles.future, transform, masked)


@dataclass
class FittedSeries:
    """What :func:`fit_series` learnt from one series, and its training windows.

    ``inputs``: ``(n, lookback[+ ahead], width)``; ``targets``: ``(n, ahead, targets)``.

    Example:
        >>> FittedSeries(None, None, None, np.zeros((3, 4, 1)), np.zeros((3, 2, 1))).inputs.shape
        (3, 4, 1)
    """

    gap_policy: Any
    encoder: ForecastEncoder | None
    gap_report: Any
    inputs: np.ndarray
    targets: np.ndarray


def fit_series(forecaster: Any, data: SeriesData) -> FittedSeries:
    """Fit one series' gap policy and encoder on its own span and cut its windows.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> from lstmkit.estimators._forecast_data import read_series
        >>> index = pd.date_range("2000-01", periods=10, freq="MS")
        >>> data = read_series(pd.Series(np.arange(10.0), index, name="v"))
        >>> fit_series(LSTMForecaster(lookback=3, horizon=2), data).inputs.shape   # 10 - 5 + 1
        (6, 3, 1)
    """
    roles = data.roles
    report = find_gaps(data.frame)  # where steps are missing, before any policy
    policy = fit_gap_policy(forecaster.missing, forecaster.season, data.frame)
    filled = fill_gaps(policy, data.frame)
    transform = forecaster._transform()
    check_length(len(filled), forecaster._lookback(), forecaster._horizon(), transform)
    encoder = series_encoder(roles, policy, filled, transform).fit(filled)
    inputs, targets, _ = training_windows(
        encoder.encode(filled), forecaster._lookback(), forecaster._ahead(), bool(roles.future)
    )
    return FittedSeries(policy, encoder, report, inputs, targets)


def forecast_after(
    forecaster: Any,
    encoder: ForecastEncoder,
    model: Any,
    history: pd.DataFrame,
    steps: int,
    future_ahead: pd.DataFrame,
    future_covariates: Any,
    every_quantile: bool = False,
) -> np.ndarray:
    """``(steps, targets)`` in original units after ``history`` (filled, up to the origin).

    One series' forecast, for a panel's series or the only one: the known-future rows
    come from ``future_covariates`` where given, else from ``future_ahead`` (seen at fit).
    ``every_quantile``: a quantile model's every level, ``(steps, targets, Q)``.
    """
    future = None
    roles, freq = forecaster.roles_, forecaster.freq_
    if roles.future:
        rows = steps if forecaster.strategy == "recursive" else forecaster._horizon()
        start = history.index[-1] + freq
        future = future_rows(future_ahead, future_covariates, roles.future, start, rows, freq)
    return forecast_from(
        encoder,
        model,
        history,
        steps,
        future,
        strategy=forecaster.strategy,
        lookback=forecaster._lookback(),
        horizon=forecaster._horizon(),
        every_quantile=every_quantile,
    )
