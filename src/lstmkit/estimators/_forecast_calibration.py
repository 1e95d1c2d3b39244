"""Calibrating a forecaster's prediction intervals on a walk-forward backtest.

``LSTMForecaster.calibrate`` backtests clones of the forecaster (same settings) and
keeps the forecasts beside the actuals as ``residuals_``; ``predict(coverage=c)`` then
adds split-conformal bounds per horizon step (:mod:`._forecast_intervals`). The
residuals are stored in the model file as plain JSON so a loaded forecaster gives the
same intervals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import NotFittedError
from lstmkit.estimators._forecast_intervals import add_intervals, conformal_quantiles

_NUMBERS = ("value", "actual")


def with_intervals(forecaster: Any, forecast: pd.DataFrame, coverage: float) -> pd.DataFrame:
    """``forecast`` with ``{target}_lower``/``_upper`` bounds from the calibration residuals.

    Example:
        >>> forecast = pd.DataFrame({"y": [1.0]}, pd.date_range("2000-01", periods=1, freq="MS"))
        >>> class Uncalibrated: pass
        >>> with_intervals(Uncalibrated(), forecast, 0.9)
        Traceback (most recent call last):
        ...
        lstmkit.errors.NotFittedError: no calibration residuals for intervals: call calibrate(y, start=...) first (a walk-forward backtest whose residuals set the bounds), or predict without coverage
    """
    residuals = getattr(forecaster, "residuals_", None)
    if residuals is None:
        raise NotFittedError(
            "no calibration residuals for intervals: call calibrate(y, start=...) first "
            "(a walk-forward backtest whose residuals set the bounds), or predict "
            "without coverage"
        )
    return add_intervals(forecast, conformal_quantiles(residuals, coverage))


def residuals_to_json(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    """The calibration backtest as JSON lists (timestamps as ISO text, NaN as None).

    Example:
        >>> stamps = pd.to_datetime(["2000-01-01", "2000-02-01"])
        >>> frame = pd.DataFrame({"origin": stamps[:1].repeat(2), "timestamp": stamps,
        ...     "step": [1, 2], "target": "y", "value": [1.0, 2.0], "actual": [1.5, np.nan]})
        >>> residuals_to_json(frame)["actual"]
        [1.5, None]
    """
    if frame is None:
        return None
    tz = frame["timestamp"].dt.tz
    out: dict[str, Any] = {
        "tz": None if tz is None else str(tz),  # stamps in UTC: wall times repeat, instants not
        "origin": _utc_text(frame["origin"]),
        "timestamp": _utc_text(frame["timestamp"]),
        "step": [int(step) for step in frame["step"]],
        "target": [str(name) for name in frame["target"]],
    }
    for name in _NUMBERS:
        out[name] = [None if np.isnan(v) else float(v) for v in frame[name].to_numpy(np.float64)]
    return out


def residuals_from_json(d: dict[str, Any] | None) -> pd.DataFrame | None:
    """Invert :func:`residuals_to_json`.

    Example:
        >>> d = {"origin": ["2000-01-01T00:00:00"], "timestamp": ["2000-02-01T00:00:00"],
        ...      "step": [1], "target": ["y"], "value": [1.0], "actual": [None]}
        >>> residuals_from_json(d)["actual"].isna().tolist()
        [True]
    """
    if d is None:
        return None
    frame = pd.DataFrame(
        {
            "origin": _stamps(d["origin"], d.get("tz")),
            "timestamp": _stamps(d["timestamp"], d.get("tz")),
            "step": np.asarray(d["step"], dtype=np.int64),
            "target": [str(name) for name in d["target"]],
        }
    )
    for name in _NUMBERS:
        frame[name] = np.array([np.nan if v is None else v for v in d[name]], dtype=np.float64)
    return frame


def _utc_text(stamps: pd.Series) -> list[str]:
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return [stamp.isoformat() for stamp in stamps]


def _stamps(texts: list[str], tz: str | None) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(texts))
    return stamps if tz is None else stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
