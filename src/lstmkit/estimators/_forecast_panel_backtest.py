"""Walk-forward backtests of a forecaster of many series, and calibration on them.

The origins are timestamps shared by every series, on their common grid: ``start`` must
be a timestamp (a position or a fraction would count differently in series of
different lengths). Each fit is a clone trained on every series' rows up to the origin
(``"expanding"``) or in the last span as long as the first (``"sliding"``); a series
joins a fit once it has ``lookback + horizon`` steps there. At each origin, every series
of the current fit that has the origin and ``horizon`` steps after it in its own span
is forecast:

```
common grid  2000-01 ............ 2002-01 ............ 2003-06 ......... 2004-12
series a     [======================================]                    ends 2003-06
series b                 [=============================================]  starts 2001-01
start = 2002-01, H = 2, refit=False: one fit, on a's and b's rows up to 2002-01
origin 2002-01   a -> 2002-02, 2002-03     b -> 2002-02, 2002-03
...
origin 2003-04   a -> 2003-05, 2003-06     b -> ...        (a's last origin with 2 actuals)
origin 2003-05                             b -> ...        (b's alone, until 2004-10)
```

A series never forecast (too short, or never in a fit at an origin it could answer) is
left out and named in ``attrs["notes"]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from lstmkit.data._time_index import stamp
from lstmkit.errors import ConfigError, DataError
from lstmkit.estimators._forecast_backtest import (
    COLUMNS,
    Fold,
    _known_ahead,
    _long_frame,
    _refit_every,
    _step,
    _window,
)
from lstmkit.estimators._forecast_data import SeriesData
from lstmkit.estimators._forecast_gaps import fill_gaps
from lstmkit.estimators._forecast_panel import (
    StaticInputs,
    check_panel_settings,
    id_level,
    is_panel,
    read_panel,
)
from lstmkit.estimators._forecast_panel_input import is_panel_input, read_static
from lstmkit.estimators._forecast_panel_series import forecast_after
from lstmkit.estimators._params import is_count


def backtest_panel(
    forecaster: Any,
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    static_covariates: Any = None,
    *,
    start: Any,
    step: int = 1,
    refit: bool | int = False,
    window: str = "expanding",
    horizon: int | None = None,
) -> pd.DataFrame:
    """Forecast every series from every shared origin of a walk-forward; actuals beside.

    Args:
        forecaster: an ``LSTMForecaster`` (fitted or not; each fit is a clone of it).
        y, past_covariates, future_covariates: as for ``fit`` with many series.
        static_covariates: as for ``fit``; default the ones ``forecaster`` was fitted
            with, if any (each fit reads the rows of the series it trains on).
        start: the first origin, a timestamp on the series' grid.
        step, refit, window, horizon: as for :func:`~._forecast_backtest.backtest`.

    Returns:
        The long frame of one series' backtest with a leading series column (named
        after ``id_column``, else ``"series"``): one row per (origin, series, step,
        target), in that order. ``attrs``: ``"folds"`` (a :class:`Fold` per fit),
        ``"horizon"``, ``"notes"`` (series left out, fits skipped).

    Raises:
        ConfigError: ``start`` not a timestamp, off the grid or outside the possible
            origins (named); bad ``step``, ``refit``, ``window``, ``horizon``.
        DataError: every series too short for one fit and one horizon of actuals.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=24, freq="MS")
        >>> y = {"a": pd.Series(np.sin(np.arange(24.0)), index, name="v"),
        ...      "b": pd.Series(np.cos(np.arange(20.0)), index[4:], name="v")}
        >>> model = LSTMForecaster(lookback=3, horizon=2, units=2, epochs=1, random_state=0)
        >>> frame = backtest_panel(model, y, start="2001-08", step=2)
        >>> frame.groupby("series")["origin"].nunique().to_dict()
        {'a': 2, 'b': 2}
        >>> frame.columns.tolist()[:3], frame.attrs["notes"]
        (['series', 'origin', 'timestamp'], [])
    """
    template = clone(forecaster)
    template._check_settings()
    check_panel_settings(template, y)
    _check_id_name(id_level(template))
    steps = template._steps(horizon)
    datas = read_panel(template, y, past_covariates, future_covariates)
    if template.freq is None:  # every fit reads a slice: keep the series' grid
        template.set_params(freq=next(iter(datas.values())).freq)
    static = _static(forecaster, static_covariates, list(datas))
    need = _need(template)
    grid = _common_grid(datas, template.freq)
    positions = _origins(start, grid, datas, need, steps, _step(step))
    every, window = _refit_every(refit), _window(window)
    blocks, folds, notes = [], [], []
    for number, position in enumerate(positions):
        if number == 0 or (every and number % every == 0):
            train_start = grid[0] if window == "expanding" else grid[position - positions[0]]
            fitted = _fit(template, datas, static, train_start, grid[position], need)
            if fitted is None:
                notes.append(_no_fit_note(grid[position], need))
            else:
                folds.append(Fold(train_start, grid[position], grid[position]))
        if fitted is not None:
            blocks += _forecasts(fitted, datas, train_start, grid[position], steps)
    return _frame(
        blocks, datas, template, steps, folds, notes + _left_out(datas, blocks, need, steps)
    )


def calibrate_panel(
    forecaster: Any,
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    static_covariates: Any = None,
    *,
    start: Any,
    step: int = 1,
    refit: bool | int = False,
    window: str = "expanding",
) -> Any:
    """Backtest ``forecaster``'s settings on many series; keep the frame as ``residuals_``.

    The arguments are :func:`backtest_panel`'s. ``predict(coverage=c)`` then bounds each
    series from its own rows (:func:`~._forecast_calibration.series_quantiles`).

    Raises:
        ConfigError: a forecaster fitted on one series, or ``y`` of one series for a
            forecaster fitted on many.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=20, freq="MS")
        >>> model = LSTMForecaster(lookback=3, units=2, epochs=1).fit(pd.Series(np.arange(20.0), index))
        >>> calibrate_panel(model, {"a": None}, start="2001-01")
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: this forecaster was fitted on one series: calibrate it on that series (a Series or DataFrame), or fit it on many series first
    """
    if hasattr(forecaster, "model_") and not is_panel(forecaster):
        raise ConfigError(
            "this forecaster was fitted on one series: calibrate it on that series (a Series "
            "or DataFrame), or fit it on many series first"
        )
    if is_panel(forecaster) and not is_panel_input(y, forecaster.id_column):
        raise ConfigError(
            "this forecaster was fitted on many series: calibrate it on them (a dict, a list, "
            "or a long frame with id_column), so each series gets its own residuals"
        )
    residuals = backtest_panel(
        forecaster,
        y,
        past_covariates,
        future_covariates,
        static_covariates,
        start=start,
        step=step,
        refit=refit,
        window=window,
    )
    forecaster.residuals_ = residuals
    if is_panel(forecaster):  # the model file saves them with the panel
        forecaster.panel_.residuals = residuals
    return forecaster


def _need(template: Any) -> int:
    """Steps a series needs up to an origin to join a fit: lookback + horizon (+ differencing)."""
    lost = template._transform().lost_steps
    return template._lookback() + template._horizon() + lost


def _static(forecaster: Any, given: Any, ids: list[Any]) -> pd.DataFrame | None:
    """The static covariates of ``ids``: given, else the forecaster's fitted ones, else None."""
    fitted = forecaster.panel_.static if is_panel(forecaster) else None
    if given is not None or fitted is None:
        return read_static(given, ids)
    missing = [key for key in ids if key not in list(fitted.index)]
    if missing:
        raise DataError(
            f"the static covariates the forecaster was fitted with have no row for series "
            f"{missing} of y: pass static_covariates=... with one row per series of y"
        )
    return read_static(fitted.loc[ids], ids)


def _common_grid(datas: dict[Any, SeriesData], freq: Any) -> pd.DatetimeIndex:
    """Every step from the earliest series start to the latest series end."""
    first = min(data.frame.index[0] for data in datas.values())
    last = max(data.frame.index[-1] for data in datas.values())
    return pd.date_range(first, last, freq=freq)


def _origins(start: Any, grid: pd.DatetimeIndex, datas: dict, need: int, steps: int, step: int):
    """Positions on ``grid`` of the origins from ``start`` to the last any series can answer."""
    spans = {
        key: (data.frame.index[need - 1], data.frame.index[-1 - steps])
        for key, data in datas.items()
        if len(data.frame) >= need + steps
    }
    if not spans:
        longest = max(datas, key=lambda key: len(datas[key].frame))
        raise DataError(
            f"every series is too short to backtest: the longest, {longest!r}, has "
            f"{len(datas[longest].frame)} steps; the first fit needs {need} steps (lookback + "
            f"horizon, + differencing) and the first origin needs horizon = {steps} actuals "
            f"after it, so at least {need + steps}: give longer series or a shorter "
            "lookback/horizon"
        )
    first_key = min(spans, key=lambda key: spans[key][0])
    last_key = max(spans, key=lambda key: spans[key][1])
    first, last = spans[first_key][0], spans[last_key][1]
    origin = _start_timestamp(start, grid)
    if not first <= origin <= last:
        raise ConfigError(
            f"start={start!r} leaves no origin to backtest: an origin needs a series with "
            f"{need} steps up to it (lookback + horizon, + differencing) and horizon = {steps} "
            f"actuals after it, so origins run from {stamp(first)} (series {first_key!r}) to "
            f"{stamp(last)} (series {last_key!r}); choose a start between them"
        )
    return np.arange(grid.get_loc(origin), grid.get_loc(last) + 1, step)


def _start_timestamp(start: Any, grid: pd.DatetimeIndex) -> pd.Timestamp:
    """``start`` as a timestamp of ``grid`` (or outside it), or a ConfigError saying why."""
    if isinstance(start, (bool, float, np.floating)) or is_count(start):
        raise ConfigError(
            f"start={start!r}: with many series start must be a timestamp, the first origin "
            f"shared by every series (e.g. start='{stamp(grid[len(grid) // 2])}'); a position "
            "or a fraction would count differently in series of different lengths"
        )
    try:
        origin = pd.Timestamp(start)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"start must be a timestamp (the first origin) with many series, got {start!r}"
        ) from exc
    if grid[0] <= origin <= grid[-1] and origin not in grid:
        raise ConfigError(
            f"start={start!r} is not a timestamp of the series' grid (freq '{grid.freqstr}'): "
            f"choose one of their timestamps, e.g. {stamp(grid.asof(origin))}"
        )
    return origin


def _fit(template: Any, datas: dict, static: Any, train_start: Any, origin: Any, need: int):
    """A clone fitted on each series' rows in ``[train_start, origin]``, or None if none has enough.

    A series joins with at least ``need`` steps there; nothing after the origin is read.
    """
    spans = {key: data.frame.loc[train_start:origin] for key, data in datas.items()}
    spans = {key: frame for key, frame in spans.items() if len(frame) >= need}
    if not spans:
        return None
    roles = next(iter(datas.values())).roles
    return clone(template).fit(
        spans,
        past_covariates=list(roles.past) or None,
        future_covariates=list(roles.future) or None,
        static_covariates=None if static is None else static.loc[list(spans)],
    )


def _forecasts(fitted: Any, datas: dict, train_start: Any, origin: Any, steps: int) -> list:
    """``(series id, origin, dates, forecast, actuals)`` of each series ``fitted`` can answer.

    A series answers at ``origin`` if the fit trained on it and its own span holds the
    origin and ``steps`` steps after it; its history runs from ``train_start``.
    """
    blocks = []
    targets = fitted.roles_.targets
    for key in fitted.ids_:
        data = datas[key]
        index = data.frame.index
        if not index[0] <= origin <= index[-1] or index.get_loc(origin) + steps >= len(index):
            continue
        series = fitted.panel_.series[key]
        history = fill_gaps(series.gap_policy, data.frame.loc[train_start:origin])
        model = StaticInputs(fitted.model_, fitted.panel_.static_row(key))
        forecast = forecast_after(
            fitted, series.encoder, model, history, steps, series.future_ahead, _known_ahead(data)
        )  # (steps, targets)
        after = slice(index.get_loc(origin) + 1, index.get_loc(origin) + 1 + steps)
        actuals = data.frame[targets].to_numpy()[after]  # (steps, targets), NaN where missing
        blocks.append((key, origin, index[after], forecast, actuals))
    return blocks


def _frame(
    blocks: list, datas: dict, template: Any, steps: int, folds: list, notes: list[str]
) -> pd.DataFrame:
    """The long frame of one series' backtest with the series column in front."""
    if not blocks:
        raise ConfigError(
            "the backtest has no forecast: no series that a fit trained on has an origin "
            f"with horizon = {steps} actuals after it ({'; '.join(notes)}); choose an "
            "earlier start, or refit=True"
        )
    targets = next(iter(datas.values())).roles.targets
    frame = _long_frame([block[1:] for block in blocks], targets)
    keys = [block[0] for block in blocks for _ in range(steps * len(targets))]
    # object dtype: integer and string ids stay as given (and as the model file keeps them)
    frame.insert(0, id_level(template), pd.Series(keys, dtype=object))
    frame.attrs.update(folds=folds, horizon=steps, notes=notes)
    return frame


def _check_id_name(name: str) -> None:
    if name in COLUMNS:
        raise ConfigError(
            f"id_column={name!r} is also a column of the backtest frame {COLUMNS}: rename "
            "the id column of y (and id_column) to something else, e.g. 'series'"
        )


def _no_fit_note(origin: pd.Timestamp, need: int) -> str:
    return (
        f"no series has {need} steps in the training span ending at {stamp(origin)}: no "
        "fit there, and no forecasts until the next one"
    )


def _left_out(datas: dict, blocks: list, need: int, steps: int) -> list[str]:
    """A note for each series with no forecast at all, saying why."""
    answered = {block[0] for block in blocks}
    notes = []
    for key, data in datas.items():
        if key in answered:
            continue
        index = data.frame.index
        if len(index) < need + steps:
            why = f"{len(index)} steps, fewer than the {need + steps} of one fit and one horizon"
        else:
            why = (
                f"no fit trained on it at an origin with horizon = {steps} actuals after it "
                f"in its span ({stamp(index[0])} to {stamp(index[-1])}); an earlier start or "
                "refit=True brings it in"
            )
        notes.append(f"series {key!r} is left out: {why}")
    return notes
