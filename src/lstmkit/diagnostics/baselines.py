"""Baselines every model is reported beside: persistence, seasonal naive, drift, Holt-Winters.

Each baseline reads a history (time first: ``(T,)`` or ``(T, targets)``) and returns
``horizon`` steps after its end. With ``y`` the history, ``T = len(y)``, ``m`` the season
and ``k(h) = ceil(h / m)`` the number of whole seasons step ``h`` reaches back:

```
persistence           y[T] for every step                          (y counted from 1)
seasonal naive        y[T + h - m k(h)]    the same point of the last observed season
drift                 y[T] + h (y[T] - y[1]) / (T - 1)
seasonal naive drift  y[T + h - m k(h)] + k(h) b,   b = mean of y[t] - y[t - m]
holt winters          exponential smoothing, additive trend, season m (statsmodels)

m = 4, horizon 6:   history ... a b c d | forecast a b c d a b   (seasonal naive)
                                                  +b +b +b +b +2b +2b  (with drift)
```

Seasonal naive with drift follows ``lagwalk(drift=TRUE)`` of R's forecast package
(Hyndman): one seasonal difference's mean added per season forecast. With ``m = 1``
seasonal naive is persistence and seasonal naive with drift is drift. Holt-Winters
(``_holt_winters.py``, re-exported here) needs ``m >= 2`` and two full seasons of history.

A walk-forward origin is the position of the last observation the forecast may use:
origin ``o`` forecasts ``series[o + 1 : o + 1 + horizon]`` from ``series[: o + 1]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from lstmkit.data._validation import as_numeric_array
from lstmkit.diagnostics._holt_winters import holt_winters
from lstmkit.errors import ConfigError, DataError, ShapeError, unknown_option

BASELINES = ("persistence", "seasonal_naive", "drift", "seasonal_naive_drift", "holt_winters")


def _check_positive_int(value: Any, name: str, meaning: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}: {meaning}.")
    return int(value)


def _check_horizon(horizon: Any) -> int:
    return _check_positive_int(horizon, "horizon", "the number of steps to forecast")


def _check_season(season: Any) -> int:
    return _check_positive_int(
        season, "season", "the steps in one seasonal cycle (12 for monthly data), or 1 for none"
    )


def _history(history: Any, name: str = "history") -> np.ndarray:
    """``history`` as float64 ``(T,)`` or ``(T, targets)``, finite, at least one row."""
    array = as_numeric_array(history, name)
    if array.ndim not in (1, 2):
        raise ShapeError(
            f"expected {name} of shape (time,) or (time, targets), got shape {array.shape}."
        )
    if len(array) == 0:
        raise DataError(f"{name} is empty: a baseline needs at least one observation.")
    array = array.astype(np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.argmax(bad.any(axis=1) if array.ndim == 2 else bad))
        raise DataError(
            f"{name} contains NaN or inf at row {row}: fill or drop missing values before "
            "forecasting a baseline."
        )
    return array


def _require_length(history: np.ndarray, needed: int, method: str, why: str) -> None:
    if len(history) < needed:
        raise DataError(
            f"{method} needs a history of at least {needed} observations ({why}), "
            f"got {len(history)}: use a longer history or a shorter season."
        )


def _season_steps(horizon: int, season: int) -> tuple[np.ndarray, np.ndarray]:
    """For steps 1..horizon: the index into the last season, and k(h) = ceil(h / season)."""
    steps = np.arange(horizon)  # step h - 1
    return steps % season, steps // season + 1


def persistence(history: Any, horizon: int) -> np.ndarray:
    """Repeat the last observed value (the naive forecast).

    Args:
        history: the observations up to the origin, ``(T,)`` or ``(T, targets)``.
        horizon: the number of steps to forecast.

    Returns:
        float64 ``(horizon,)`` or ``(horizon, targets)``.

    Raises:
        ConfigError: ``horizon`` is not an integer >= 1.
        DataError: ``history`` is empty or holds NaN/inf.

    Example:
        >>> persistence([1.0, 3.0, 2.0], horizon=3).tolist()
        [2.0, 2.0, 2.0]
    """
    horizon = _check_horizon(horizon)
    y = _history(history)
    return np.repeat(y[-1:], horizon, axis=0)


def seasonal_naive(history: Any, horizon: int, season: int) -> np.ndarray:
    """Repeat the last observed season: each step takes the value one season before it.

    Steps beyond one season reuse the last season again (two seasons back, and so on).

    Args:
        history: ``(T,)`` or ``(T, targets)`` with ``T >= season``.
        horizon: the number of steps to forecast.
        season: the steps in one seasonal cycle (1 gives persistence).

    Returns:
        float64 ``(horizon,)`` or ``(horizon, targets)``.

    Raises:
        ConfigError: ``horizon`` or ``season`` is not an integer >= 1.
        DataError: the history is shorter than one season, or holds NaN/inf.

    Example:
        >>> seasonal_naive([1, 2, 3, 10, 20, 30], horizon=5, season=3).tolist()
        [10.0, 20.0, 30.0, 10.0, 20.0]
    """
    horizon, season = _check_horizon(horizon), _check_season(season)
    y = _history(history)
    _require_length(y, season, "seasonal naive", f"one season of {season} steps")
    position, _ = _season_steps(horizon, season)
    return y[-season:][position]


def drift(history: Any, horizon: int) -> np.ndarray:
    """Extend the line from the first to the last observation (naive with drift).

    Args:
        history: ``(T,)`` or ``(T, targets)`` with ``T >= 2``.
        horizon: the number of steps to forecast.

    Returns:
        float64 ``(horizon,)`` or ``(horizon, targets)``: ``y[T] + h (y[T] - y[1]) / (T - 1)``.

    Raises:
        ConfigError: ``horizon`` is not an integer >= 1.
        DataError: fewer than 2 observations, or NaN/inf in the history.

    Example:
        >>> drift([1.0, 2.0, 4.0, 7.0], horizon=2).tolist()
        [9.0, 11.0]
    """
    horizon = _check_horizon(horizon)
    y = _history(history)
    _require_length(y, 2, "drift", "two to measure the average change")
    slope = (y[-1] - y[0]) / (len(y) - 1)
    steps = np.arange(1, horizon + 1).reshape((horizon,) + (1,) * (y.ndim - 1))
    return y[-1] + steps * slope


def seasonal_naive_drift(history: Any, horizon: int, season: int) -> np.ndarray:
    """Seasonal naive plus the average change from one season to the next.

    The drift ``b`` is the mean of ``y[t] - y[t - season]`` over the history; step ``h``
    adds ``ceil(h / season) * b`` (the number of seasons it reaches forward).

    Args:
        history: ``(T,)`` or ``(T, targets)`` with ``T >= season + 1``.
        horizon: the number of steps to forecast.
        season: the steps in one seasonal cycle (1 gives drift).

    Returns:
        float64 ``(horizon,)`` or ``(horizon, targets)``.

    Raises:
        ConfigError: ``horizon`` or ``season`` is not an integer >= 1.
        DataError: fewer than ``season + 1`` observations, or NaN/inf in the history.

    Example:
        >>> seasonal_naive_drift([1, 5, 2, 6, 3, 7], horizon=3, season=2).tolist()
        [4.0, 8.0, 5.0]
    """
    horizon, season = _check_horizon(horizon), _check_season(season)
    y = _history(history)
    _require_length(y, season + 1, "seasonal naive with drift", "one season plus one")
    per_season = (y[season:] - y[:-season]).mean(axis=0)
    position, seasons_ahead = _season_steps(horizon, season)
    seasons_ahead = seasons_ahead.reshape((horizon,) + (1,) * (y.ndim - 1))
    return y[-season:][position] + seasons_ahead * per_season


def _origins(origins: Any, length: int) -> np.ndarray:
    positions = np.asarray(origins)
    if positions.ndim != 1 or positions.size == 0 or positions.dtype.kind not in "iu":
        raise ConfigError(
            f"origins must be a non-empty list of integer positions, got {origins!r}: "
            "for timestamps use [series.index.get_loc(t) for t in timestamps]."
        )
    outside = [int(p) for p in positions if not 0 <= p < length]
    if outside:
        raise DataError(
            f"origins {outside} are outside the series of {length} observations: "
            f"expected positions from 0 to {length - 1}."
        )
    return positions.astype(np.int64)


def walk_forward_targets(series: Any, origins: Sequence[int], horizon: int) -> np.ndarray:
    """The observed values each origin's forecast is scored against.

    Args:
        series: the whole series, ``(T,)`` or ``(T, targets)`` (NaN marks a missing value).
        origins: positions of the last observation of each forecast's history.
        horizon: the number of steps after each origin.

    Returns:
        float64 ``(origins, horizon)`` or ``(origins, horizon, targets)``.

    Raises:
        ConfigError: bad ``horizon`` or ``origins``.
        DataError: an origin is outside the series, or its horizon runs past the end.

    Example:
        >>> walk_forward_targets([0, 1, 2, 3, 4], origins=[1, 2], horizon=2).tolist()
        [[2.0, 3.0], [3.0, 4.0]]
    """
    horizon = _check_horizon(horizon)
    y = as_numeric_array(series, "series").astype(np.float64)
    positions = _origins(origins, len(y))
    late = [int(p) for p in positions if p + horizon >= len(y)]
    if late:
        raise DataError(
            f"origins {late} leave fewer than horizon = {horizon} observations after them "
            f"in a series of {len(y)}: the last usable origin is {len(y) - 1 - horizon}."
        )
    return np.stack([y[p + 1 : p + 1 + horizon] for p in positions])


def _forecaster(name: str, season: int) -> Callable[[np.ndarray, int], np.ndarray]:
    if name == "persistence":
        return persistence
    if name == "drift":
        return drift
    seasonal = {  # the baselines that also read the season
        "seasonal_naive": seasonal_naive,
        "seasonal_naive_drift": seasonal_naive_drift,
        "holt_winters": holt_winters,
    }[name]
    return lambda history, horizon: seasonal(history, horizon, season)


def _default_methods(season: int) -> list[str]:
    """Every baseline, less holt_winters when ``season`` is 1 (it needs a seasonal cycle)."""
    return [name for name in BASELINES if season >= 2 or name != "holt_winters"]


def walk_forward_baselines(
    series: Any,
    origins: Sequence[int],
    horizon: int,
    season: int,
    methods: Iterable[str] | None = None,
) -> dict[str, np.ndarray]:
    """Forecast every origin of a walk-forward with each baseline.

    Each origin's baseline sees everything observed up to it (``series[: origin + 1]``),
    as a naive forecaster working at that date would; nothing after it.

    Args:
        series: the whole series, ``(T,)`` or ``(T, targets)``; histories must be finite.
        origins: positions of the last observation of each forecast's history
            (1958-12 in the airline series is position 119).
        horizon: the number of steps after each origin.
        season: the steps in one seasonal cycle (12 for monthly data).
        methods: names from ``BASELINES`` (default: all of them, except ``holt_winters``
            when ``season`` is 1: a series without a season has no cycle to fit).

    Returns:
        A dict from method name to float64 ``(origins, horizon)`` or
        ``(origins, horizon, targets)``, ready for :func:`metrics_table`.

    Raises:
        ConfigError: an unknown method, or bad ``horizon``, ``season`` or ``origins``.
        DataError: an origin is outside the series, or a history is too short.

    Example:
        >>> forecasts = walk_forward_baselines([1, 2, 3, 4, 5, 6], [3, 4], 2, season=2)
        >>> forecasts["seasonal_naive"].tolist(), forecasts["drift"].tolist()
        ([[3.0, 4.0], [4.0, 5.0]], [[5.0, 6.0], [6.0, 7.0]])
        >>> forecasts["holt_winters"].round(3).tolist()  # a straight line: exact
        [[5.0, 6.0], [6.0, 7.0]]
    """
    horizon, season = _check_horizon(horizon), _check_season(season)
    names = _default_methods(season) if methods is None else list(methods)
    for name in names:
        if name not in BASELINES:
            raise unknown_option("baseline", name, BASELINES)
    y = as_numeric_array(series, "series")
    positions = _origins(origins, len(y))
    forecasts = {}
    for name in names:
        forecast = _forecaster(name, season)
        forecasts[name] = np.stack([forecast(y[: p + 1], horizon) for p in positions])
    return forecasts
