"""Quantile forecasts: ``LSTMForecaster(loss="quantile", quantiles=...)``.

The inner regressor trains the pinball loss for each level (see
:mod:`lstmkit.training._losses`); :func:`~._forecast_steps.forecast_from` inverts each
level's path through the target transform. This module checks the settings and lays
the levels out in ``predict``'s frame:

```
              passengers   passengers_q10   passengers_q90      the point column is the
1961-01        442.1          421.7            463.0            0.5 quantile (the median)
1961-02        ...
attrs["interval"] = "quantile regression (pinball loss), quantiles [0.1, 0.5, 0.9]"
```

Split-conformal intervals (``predict(coverage=...)``) stay independent: they are built
around the point column from the calibration residuals, as for any other loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError
from lstmkit.estimators._forecast_calibration import with_intervals
from lstmkit.training import DEFAULT_QUANTILES, check_quantiles


def quantile_problems(forecaster: Any) -> list[str]:
    """What is wrong with a forecaster's ``loss`` / ``quantiles`` pair (checked in ``fit``).

    Example:
        >>> from types import SimpleNamespace
        >>> quantile_problems(SimpleNamespace(loss="quantile", quantiles=[0.1, 0.9],
        ...                                   strategy="direct"))
        ['quantiles [0.1, 0.9] lack 0.5: the forecast column of each target is the median, so add 0.5 (e.g. quantiles=(0.1, 0.5, 0.9))']
    """
    loss, quantiles = forecaster.loss, forecaster.quantiles
    if loss != "quantile":
        if quantiles is None:
            return []
        return [
            f"quantiles={quantiles!r} are the levels of loss='quantile', but loss={loss!r}: "
            "set loss='quantile' or leave quantiles out"
        ]
    problems = []
    if forecaster.strategy == "recursive":
        problems.append(
            "loss='quantile' cannot run the recursive strategy: each step would feed one "
            "quantile back as if observed, and a recursion of quantiles needs sampled paths; "
            "use strategy='direct' or 'seq2seq'"
        )
    try:
        levels = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
    except ConfigError as exc:
        return [*problems, str(exc)]
    if 0.5 not in levels:
        problems.append(
            f"quantiles {list(levels)} lack 0.5: the forecast column of each target is the "
            "median, so add 0.5 (e.g. quantiles=(0.1, 0.5, 0.9))"
        )
    return problems


def quantile_column(target: str, level: float) -> str:
    """The name of a target's column for one level: its percent, without trailing zeros.

    Example:
        >>> [quantile_column("passengers", q) for q in (0.1, 0.025, 0.975, 0.5)]
        ['passengers_q10', 'passengers_q2.5', 'passengers_q97.5', 'passengers_q50']
    """
    # Rounded first: 0.07 * 100 is 7.000000000000001 in floats.
    return f"{target}_q{round(level * 100, 8):g}"


def forecast_frame(
    forecaster: Any,
    history: pd.DataFrame,
    steps: int,
    future_covariates: Any,
    index: pd.DatetimeIndex,
    coverage: float | None,
) -> pd.DataFrame:
    """``predict``'s frame: the point columns, intervals if asked, then the quantile levels.

    Args:
        forecaster: the fitted forecaster.
        history: the filled frame up to the forecast origin.
        steps: steps to forecast; future_covariates: as for ``predict``.
        index: the forecast steps' timestamps.
        coverage: split-conformal coverage for ``{target}_lower``/``_upper``, or None.

    Returns:
        One column per target (a quantile model's 0.5 quantile), ``{target}_lower`` and
        ``{target}_upper`` with ``coverage``, then ``{target}_q{percent}`` for every other
        level (``_q10``, ``_q2.5``), non-decreasing in the level; ``attrs["interval"]``
        names the quantile regression.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=30, freq="MS")
        >>> y = pd.Series(np.sin(np.arange(30) / 3.0), index=index, name="wave")
        >>> model = LSTMForecaster(lookback=4, horizon=2, units=2, epochs=1, loss="quantile",
        ...                        quantiles=(0.025, 0.5, 0.975), random_state=0).fit(y)
        >>> ahead = pd.date_range("2002-07", periods=2, freq="MS")
        >>> forecast_frame(model, model.frame_, 2, None, ahead, None).columns.tolist()
        ['wave', 'wave_q2.5', 'wave_q97.5']
    """
    levels = getattr(forecaster.model_, "quantiles_", None)
    if levels is None:
        point = forecaster._forecast(history, steps, future_covariates)
        paths = None
    else:
        paths = _quantile_paths(forecaster, history, steps, future_covariates)
        point = paths[..., list(levels).index(0.5)]
    frame = pd.DataFrame(point, index=index, columns=forecaster.columns_)
    if coverage is not None:
        frame = with_intervals(forecaster, frame, coverage)
    if paths is None:
        return frame
    return with_quantile_columns(frame, paths, levels, forecaster.columns_)


def _quantile_paths(
    forecaster: Any, history: pd.DataFrame, steps: int, future_covariates: Any
) -> np.ndarray:
    """Every level of a quantile forecaster's forecast, ``(steps, targets, Q)``, original units."""
    # Imported here: that module imports the settings checks, which import this module.
    from lstmkit.estimators._forecast_panel_series import forecast_after

    encoder, model, ahead = forecaster.encoder_, forecaster.model_, forecaster.future_ahead_
    return forecast_after(
        forecaster, encoder, model, history, steps, ahead, future_covariates, every_quantile=True
    )


def with_quantile_columns(
    frame: pd.DataFrame, paths: np.ndarray, levels: tuple[float, ...], targets: list[str]
) -> pd.DataFrame:
    """``frame`` with ``{target}_q{percent}`` columns for every level but 0.5 (the point).

    Args:
        frame: the point forecast, one column per target (and maybe interval columns).
        paths: ``(steps, targets, Q)``, levels sorted; levels: the Q levels, sorted.
        targets: the target names, in the order of ``paths``' second axis.

    Example:
        >>> index = pd.date_range("2000-01", periods=2, freq="MS")
        >>> frame = pd.DataFrame({"y": [2.0, 4.0]}, index)
        >>> paths = np.array([[[1.0, 2, 3]], [[2, 4, 6]]])
        >>> out = with_quantile_columns(frame, paths, (0.1, 0.5, 0.9), ["y"])
        >>> out.columns.tolist(), out["y_q90"].tolist()
        (['y', 'y_q10', 'y_q90'], [3.0, 6.0])
        >>> out.attrs["interval"]
        'quantile regression (pinball loss), quantiles [0.1, 0.5, 0.9]'
    """
    out = frame.copy()
    for position, target in enumerate(targets):
        for level_position, level in enumerate(levels):
            if level != 0.5:  # the median is the target's own column
                out[quantile_column(target, level)] = paths[:, position, level_position]
    label = f"quantile regression (pinball loss), quantiles {list(levels)}"
    conformal = frame.attrs.get("interval")
    out.attrs["interval"] = label if conformal is None else f"{conformal}; {label}"
    return out
