"""Calibrating a forecaster's prediction intervals on a walk-forward backtest.

``LSTMForecaster.calibrate`` backtests clones of the forecaster (same settings) and
keeps the forecasts beside the actuals as ``residuals_``; ``predict(coverage=c)`` then
adds split-conformal bounds per horizon step (:mod:`._forecast_intervals`). The
residuals are stored in the model file as plain JSON so a loaded forecaster gives the
same intervals.

A forecaster of many series keeps one backtest of all of them, with a leading series
column (named after ``id_column``, else ``"series"``); each series' bounds come from
its own rows only (:func:`series_quantiles`): series of levels 10 and 10,000 have
residuals of very different sizes, and pooled ones would fit neither.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, NotFittedError
from lstmkit.estimators._forecast_intervals import _percent, add_intervals, conformal_quantiles
from lstmkit.estimators._forecast_panel_input import naming_series, series_id

_NUMBERS = ("value", "actual")
_UNCALIBRATED = (
    "no calibration residuals for intervals: call calibrate(y, start=...) first "
    "(a walk-forward backtest whose residuals set the bounds), or predict "
    "without coverage"
)


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
        raise NotFittedError(_UNCALIBRATED)
    column = series_column(residuals)
    if column is not None:
        raise ConfigError(
            f"the calibration residuals are of many series (a {column!r} column) but this "
            "forecaster forecasts one: calibrate it on its own series, calibrate(y, start=...)"
        )
    return add_intervals(forecast, conformal_quantiles(residuals, coverage))


def series_column(frame: pd.DataFrame) -> Any:
    """The series column of a backtest of many series (its first), or None for one series.

    Example:
        >>> series_column(pd.DataFrame(columns=["store", "origin", "step"]))
        'store'
        >>> series_column(pd.DataFrame(columns=["origin", "step"])) is None
        True
    """
    first = frame.columns[0] if len(frame.columns) else None
    return None if first in (None, "origin") else first


def series_quantiles(forecaster: Any, keys: list[Any], coverage: float) -> dict[Any, pd.DataFrame]:
    """Each series' split-conformal half-widths per step, from that series' rows only.

    Raises:
        NotFittedError: no calibration residuals.
        ConfigError: residuals of one series; too few origins for a series (the message
            of :func:`conformal_quantiles`, after the series id).

    Example:
        >>> from types import SimpleNamespace
        >>> rows = pd.DataFrame({"series": ["a"] * 9 + ["b"] * 9, "origin": 0, "step": 1,
        ...                      "target": "y", "value": 0.0, "actual": np.arange(18.0)})
        >>> bounds = series_quantiles(SimpleNamespace(residuals_=rows), ["a", "b"], 0.5)
        >>> bounds["a"]["y"].tolist(), bounds["b"]["y"].tolist()   # 5th of 0..8, of 9..17
        ([4.0], [13.0])
    """
    residuals = getattr(forecaster, "residuals_", None)
    if residuals is None:
        raise NotFittedError(_UNCALIBRATED)
    column = series_column(residuals)
    if column is None:
        raise ConfigError(
            "the calibration residuals are of one series but this forecaster forecasts many: "
            "calibrate it on all of them, calibrate(y_panel, start=...), so each series "
            "gets bounds from its own residuals"
        )
    owners = residuals[column]
    bounds = {}
    for key in keys:
        mine = residuals[[owner == key for owner in owners]]  # == keeps 7 and "7" apart
        with naming_series(key):
            bounds[key] = conformal_quantiles(mine.drop(columns=column), coverage)
    return bounds


def series_label(label: str, bounds: dict[Any, pd.DataFrame]) -> str:
    """A panel forecast's interval label: per series, with the range of residual counts.

    Example:
        >>> from types import SimpleNamespace
        >>> q = lambda n: SimpleNamespace(attrs={"coverage": 0.9, "residuals": n})
        >>> series_label("90% split-conformal from 9 backtest residuals per step",
        ...              {"a": q(9), "b": q(12)})
        '90% split-conformal per series from 9 to 12 backtest residuals per step'
    """
    counts = [quantiles.attrs["residuals"] for quantiles in bounds.values()]
    coverage = next(iter(bounds.values())).attrs["coverage"]
    fewest, most = min(counts), max(counts)
    span = str(fewest) if fewest == most else f"{fewest} to {most}"
    conformal = (
        f"{_percent(coverage)} split-conformal per series from {span} backtest residuals per step"
    )
    rest = label.split("; ", 1)  # a quantile model's label follows the conformal one
    return conformal if len(rest) == 1 else f"{conformal}; {rest[1]}"


def residuals_to_json(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    """The calibration backtest as JSON lists (timestamps as ISO text, NaN as None).

    A backtest of many series adds ``"series_column"`` (its name) and ``"series"`` (the
    ids, strings and integers kept apart); files of one series are unchanged.

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
    column = series_column(frame)
    if column is not None:
        out["series_column"] = str(column)
        out["series"] = [series_id(key, "the residuals") for key in frame[column]]
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
    if d.get("series_column") is not None:  # a backtest of many series: the ids lead
        frame.insert(0, d["series_column"], pd.Series(d["series"], dtype=object))
    return frame


def _utc_text(stamps: pd.Series) -> list[str]:
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return [stamp.isoformat() for stamp in stamps]


def _stamps(texts: list[str], tz: str | None) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(texts))
    return stamps if tz is None else stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
