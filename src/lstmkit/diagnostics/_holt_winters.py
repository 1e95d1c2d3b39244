"""Holt-Winters: the exponential-smoothing baseline reported beside the naive ones.

statsmodels' ``ExponentialSmoothing`` with an additive (not damped) trend and a seasonal
cycle of ``season`` steps, initial states estimated with the smoothing parameters, fitted
with statsmodels' defaults (CONTRACTS §10: "Holt-Winters (statsmodels) is reported
beside them"). One model per target column. The seasonality follows the data:

```
every history value > 0   multiplicative   y = (level + trend) * seasonal factor
otherwise                 additive         y = level + trend + seasonal offset
```

Multiplicative is the textbook choice for the airline series, whose seasonal swing
grows with its level (Hyndman and Athanasopoulos, *Forecasting: Principles and
Practice*, fit it multiplicatively); a series that touches zero or goes negative cannot
be scaled by seasonal factors, so it falls back to additive.

statsmodels is imported inside the functions, so ``import lstmkit`` stays fast.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, DataError


def _seasonality(column: np.ndarray) -> str:
    """``"mul"`` when every value is positive, else ``"add"`` (see the module docstring)."""
    return "mul" if bool((column > 0).all()) else "add"


def _fit_and_forecast(
    column: np.ndarray, horizon: int, season: int
) -> tuple[np.ndarray, bool, list[warnings.WarningMessage]]:
    """One column's forecast ``(horizon,)``, whether the fit converged, other warnings."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    # Record rather than print, so the caller can re-issue them under the baseline's
    # name; "always" for convergence only, other categories keep the caller's filters.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = ExponentialSmoothing(
            column,
            trend="add",
            damped_trend=False,
            seasonal=_seasonality(column),
            seasonal_periods=season,
            initialization_method="estimated",
        )
        forecast = np.asarray(model.fit().forecast(horizon), dtype=np.float64)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    others = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    return forecast, converged, others


def _reissue(others: list[warnings.WarningMessage], failed: list[int], length: int) -> None:
    """Other warnings as they came, then one ``UserWarning`` naming holt_winters."""
    for record in others:
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    if failed:
        warnings.warn(
            f"holt_winters: statsmodels' ExponentialSmoothing did not converge on target "
            f"column(s) {failed} of a history of {length} observations; the forecast uses "
            "the parameters where the optimizer stopped: read it with care, beside the "
            "other baselines.",
            UserWarning,
            stacklevel=3,  # the caller of holt_winters
        )


def holt_winters(history: Any, horizon: int, season: int) -> np.ndarray:
    """Forecast with Holt-Winters exponential smoothing (statsmodels), one model per target.

    Additive trend (not damped), a seasonal cycle of ``season`` steps, multiplicative
    seasonality when every value of the column is > 0 and additive otherwise (the
    airline series' seasonal swing grows with its level, so it is fitted
    multiplicatively), initial states estimated, statsmodels' default fit.

    Warnings: when statsmodels' optimizer does not converge (its ``ConvergenceWarning``),
    the fits' warnings are replaced by one ``UserWarning`` starting ``"holt_winters:"``
    that names the target columns concerned; a forecast still comes back. Any other
    warning statsmodels raises passes through unchanged.

    Args:
        history: ``(T,)`` or ``(T, targets)`` with ``T >= 2 * season``.
        horizon: the number of steps to forecast.
        season: the steps in one seasonal cycle, at least 2 (12 for monthly data).

    Returns:
        float64 ``(horizon,)`` or ``(horizon, targets)``.

    Raises:
        ConfigError: ``horizon`` is not an integer >= 1, or ``season`` not one >= 2.
        DataError: fewer than two full seasons of history, NaN/inf in it, or a fit whose
            forecast is not finite.

    Example:
        >>> steps = np.arange(24)  # six seasons of 4 steps on a trend
        >>> added = steps + np.tile([1.0, -1.0, 2.0, -2.0], 6)  # holds 0: additive
        >>> holt_winters(added, horizon=4, season=4).round(2).tolist()
        [25.0, 24.0, 28.0, 25.0]
        >>> scaled = (10 + steps) * np.tile([1.1, 0.9, 1.2, 0.8], 6)  # all > 0: multiplicative
        >>> holt_winters(scaled, horizon=4, season=4).round(2).tolist()
        [37.4, 31.5, 43.2, 29.6]
    """
    # Imported here: baselines.py imports this module to dispatch and re-export it.
    from lstmkit.diagnostics.baselines import (
        _check_horizon,
        _check_season,
        _history,
        _require_length,
    )

    horizon, season = _check_horizon(horizon), _check_season(season)
    if season < 2:
        raise ConfigError(
            f"holt_winters needs season >= 2, got {season}: it fits a seasonal cycle; give "
            "the steps in one cycle (12 for monthly data), or use drift for a series "
            "without one."
        )
    y = _history(history)
    _require_length(y, 2 * season, "holt_winters", f"two full seasons of {season} steps")
    columns = y.reshape(len(y), -1)  # (T, targets)
    forecasts, others, failed = [], [], []
    for index in range(columns.shape[1]):
        forecast, converged, records = _fit_and_forecast(columns[:, index], horizon, season)
        forecasts.append(_finite(forecast, index))
        others += records
        if not converged:
            failed.append(index)
    _reissue(others, failed, len(y))
    stacked = np.stack(forecasts, axis=1)  # (horizon, targets)
    return stacked if y.ndim == 2 else stacked[:, 0]


def _finite(forecast: np.ndarray, column: int) -> np.ndarray:
    """The forecast, or a DataError when the fit diverged to NaN or inf."""
    if not np.isfinite(forecast).all():
        raise DataError(
            f"holt_winters forecast NaN or inf for target column {column}: the fit "
            "diverged; check the series for extreme values, or rely on the other baselines."
        )
    return forecast
