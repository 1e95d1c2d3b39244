"""Many series, one model: per-series transforms and gap policies, one inner regressor.

Each series keeps its own missing-steps policy, target transform (power, differencing,
scaler) and covariate scaler, all fitted on that series' training span; so series of
very different levels (10 and 10,000) meet the model on the same scale. Their windows
are stacked into one training set (each never crossing its own gaps); static
covariates (one row of numbers per series, standardised across the series) are
appended to every input step of that series' windows:

```
series a   [a0 a1 ... ]  --transform_a-->  windows_a (n_a, L, w)  + static_a -> (n_a, L, w + s)
series b   [b0 b1 ... ]  --transform_b-->  windows_b (n_b, L, w)  + static_b -> (n_b, L, w + s)
                                           stacked: (n_a + n_b, L, w + s) -> one LSTMRegressor
predict    each series from its own end, inverted with its own transform, in its own units
           -> DataFrame indexed by (series id, timestamp)   (sktime's panel layout)
```

Backtests and calibration live in :mod:`._forecast_panel_backtest`, updates in
:mod:`._forecast_panel_update`; ``predict(coverage=c)`` bounds each series with its own
calibration residuals (their levels differ: pooled residuals would be too wide for the
small series and too narrow for the large ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._scaling import StandardScaler
from lstmkit.errors import ConfigError
from lstmkit.estimators._forecast_calibration import series_column, series_label, series_quantiles
from lstmkit.estimators._forecast_data import (
    SeriesData,
    SeriesRoles,
    check_strategy_roles,
    read_series,
)
from lstmkit.estimators._forecast_gaps import fill_gaps
from lstmkit.estimators._forecast_intervals import add_intervals
from lstmkit.estimators._forecast_panel_input import (
    check_same_layout,
    is_panel_input,
    naming_series,
    panel_series,
    per_series,
    read_static,
    series_id,
)
from lstmkit.estimators._forecast_panel_series import fit_series, forecast_after
from lstmkit.estimators._forecast_quantiles import with_quantile_columns

# What a single-series fit leaves behind and a panel fit replaces (one series' residuals
# included: a panel's intervals need each series' own).
_SINGLE_SERIES = ("encoder_", "transform_", "frame_", "future_ahead_", "gap_policy_")


@dataclass
class PanelSeries:
    """One series' fitted state: the data seen, the known-ahead rows, its policy and encoder.

    Example:
        >>> index = pd.date_range("2000-01", periods=2, freq="MS")
        >>> PanelSeries(pd.DataFrame({"v": [1.0, 2.0]}, index), pd.DataFrame(), None, None).end
        Timestamp('2000-02-01 00:00:00')
    """

    frame: pd.DataFrame
    future_ahead: pd.DataFrame
    gap_policy: Any
    encoder: Any  # ForecastEncoder

    @property
    def end(self) -> pd.Timestamp:
        """The last step seen: this series' forecasts start after it."""
        return self.frame.index[-1]


@dataclass
class PanelState:
    """Everything a panel forecaster needs beyond the inner model.

    ``static`` holds the static covariates in original units (rows in series order),
    ``static_scaler`` the scaler fitted across the series; ``level_names`` name the
    forecast's index levels; ``residuals`` is the calibration backtest saved with the
    panel (the forecaster's ``residuals_``; the model file reads it from here).

    Example:
        >>> state = PanelState({"a": None, "b": None}, None, None, ["series", "timestamp"])
        >>> state.ids, state.static_row("a").shape
        (['a', 'b'], (0,))
    """

    series: dict[Any, PanelSeries]
    static: pd.DataFrame | None
    static_scaler: StandardScaler | None
    level_names: list[str]
    residuals: pd.DataFrame | None = None

    @property
    def ids(self) -> list[Any]:
        """The series ids, in the order they were given."""
        return list(self.series)

    def static_row(self, key: Any) -> np.ndarray:
        """Series ``key``'s static covariates in the model's space, ``(static,)``."""
        if self.static is None:
            return np.zeros(0)
        values = self.static.loc[[key]].to_numpy(np.float64)
        return np.asarray(self.static_scaler.transform(values), dtype=np.float64)[0]


class StaticInputs:
    """The inner model, reading a series' static covariates appended to every input step.

    Example:
        >>> class Echo:
        ...     def predict(self, X):
        ...         return X
        >>> StaticInputs(Echo(), np.array([9.0])).predict(np.zeros((1, 2, 1))).tolist()
        [[[0.0, 9.0], [0.0, 9.0]]]
    """

    def __init__(self, model: Any, row: np.ndarray) -> None:
        self.model = model
        self.row = row

    def __getattr__(self, name: str) -> Any:
        # The inner model's fitted attributes (its quantile levels) read through the wrapper.
        if name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)

    def predict(self, inputs: np.ndarray) -> Any:
        """The model's prediction for ``inputs`` ``(batch, time, features)`` plus the static columns."""
        return self.model.predict(with_static(np.asarray(inputs), self.row))


def with_static(inputs: np.ndarray, row: np.ndarray) -> np.ndarray:
    """``inputs`` ``(n, time, w)`` with ``row`` ``(s,)`` appended to every step: ``(n, time, w + s)``.

    Example:
        >>> with_static(np.zeros((2, 3, 1), np.float32), np.array([1.0, 2.0])).shape
        (2, 3, 3)
    """
    if len(row) == 0:
        return inputs
    tiled = np.broadcast_to(row.astype(inputs.dtype), (*inputs.shape[:2], len(row)))
    return np.concatenate([inputs, tiled], axis=2)


def is_panel(forecaster: Any) -> bool:
    """Whether ``forecaster`` was fitted on many series.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> is_panel(LSTMForecaster())
        False
    """
    return getattr(forecaster, "panel_", None) is not None


def fit_panel(
    forecaster: Any, y: Any, past_covariates: Any, future_covariates: Any, static_covariates: Any
) -> Any:
    """Fit ``forecaster`` on many series (see the module); returns it, fitted.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=20, freq="MS")
        >>> y = {"a": pd.Series(np.sin(np.arange(20.0)), index), "b": pd.Series(np.arange(20.0), index)}
        >>> model = fit_panel(LSTMForecaster(lookback=3, units=2, epochs=1), y, None, None, None)
        >>> model.ids_
        ['a', 'b']
    """
    check_panel_settings(forecaster, y)
    datas = read_panel(forecaster, y, past_covariates, future_covariates)
    roles = next(iter(datas.values())).roles
    static = read_static(static_covariates, list(datas))
    scaler = None if static is None else StandardScaler().fit(static.to_numpy(np.float64))
    state = PanelState({}, static, scaler, [id_level(forecaster), "timestamp"])
    reports, inputs, targets = {}, [], []
    for key, data in datas.items():
        with naming_series(key):
            fitted = fit_series(forecaster, data)
        state.series[key] = PanelSeries(
            data.frame, data.future_ahead, fitted.gap_policy, fitted.encoder
        )
        reports[key] = fitted.gap_report
        inputs.append(with_static(fitted.inputs, state.static_row(key)))  # (n, L, w + static)
        targets.append(fitted.targets)
    stacked = np.concatenate(targets)  # (windows of every series, ahead, targets)
    if forecaster.strategy == "recursive":
        stacked = stacked[:, 0]  # (windows, targets): one step
    forecaster.model_ = forecaster._regressor().fit(np.concatenate(inputs), stacked)
    _adopt(forecaster, state, roles, next(iter(datas.values())).freq, reports)
    return forecaster


def check_panel_settings(forecaster: Any, y: Any) -> None:
    """Raise unless ``y`` holds many series and the settings suit them (a window context).

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> check_panel_settings(LSTMForecaster(context="state"), {"a": None})
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: context='state' is not available for a forecaster of many series yet: use context='window' (the default), or fit one forecaster per series
    """
    if not is_panel_input(y, forecaster.id_column):
        raise ConfigError(
            "static_covariates describe many series: give y as a dict {series id: series}, "
            "a list of series, or a long frame with id_column"
        )
    context = getattr(forecaster, "context", "window")  # a stateful context: not for panels
    if context != "window":
        raise ConfigError(
            f"context={context!r} is not available for a forecaster of many series yet: "
            "use context='window' (the default), or fit one forecaster per series"
        )


def read_panel(forecaster: Any, y: Any, past: Any, future: Any) -> dict[Any, SeriesData]:
    """Every series of ``y`` read and checked, its columns in the first series' order.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=3, freq="MS")
        >>> datas = read_panel(LSTMForecaster(), [pd.Series([1.0, 2, 3], index, name="v")], None, None)
        >>> list(datas), datas[0].roles.targets
        ([0], ['v'])
    """
    raw = panel_series(y, forecaster.id_column, forecaster.time_column)
    datas = _read_each(forecaster, raw, past, future)
    roles = next(iter(datas.values())).roles
    check_strategy_roles(forecaster.strategy, roles)
    return {key: _ordered(data, roles) for key, data in datas.items()}


def _read_each(forecaster: Any, raw: dict[Any, Any], past: Any, future: Any) -> dict:
    """Every series read and checked on its own, then checked against the others."""
    datas = {}
    for key, series in raw.items():
        with naming_series(key):
            datas[key] = read_series(
                series,
                per_series(past, key, "past_covariates"),
                per_series(future, key, "future_covariates"),
                time_column=forecaster.time_column,
                target=forecaster.target,
                freq=forecaster.freq,
            )
    check_same_layout(datas)
    return datas


def _ordered(data: SeriesData, roles: SeriesRoles) -> SeriesData:
    """``data`` with its columns in the first series' order (targets, past, future)."""
    frame = data.frame[roles.inputs]
    return SeriesData(frame, roles, data.freq, data.future_ahead[roles.future])


def id_level(forecaster: Any) -> str:
    """The name of the series level of forecasts and column of backtests.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> id_level(LSTMForecaster()), id_level(LSTMForecaster(id_column="store"))
        ('series', 'store')
    """
    column = forecaster.id_column
    return "series" if column is None else str(column)


def _adopt(forecaster: Any, state: PanelState, roles: SeriesRoles, freq: Any, reports) -> None:
    """Set the panel's fitted attributes; drop those a single-series fit left."""
    for name in _SINGLE_SERIES:
        vars(forecaster).pop(name, None)
    residuals = getattr(forecaster, "residuals_", None)  # calibrated before: kept if per series
    if residuals is not None and series_column(residuals) is None:
        del forecaster.residuals_
    elif residuals is not None:
        state.residuals = residuals
    forecaster.panel_ = state
    forecaster.roles_, forecaster.freq_ = roles, freq
    forecaster.columns_ = list(roles.targets)
    forecaster.ids_ = state.ids
    forecaster.transforms_ = {key: fitted.encoder.transform for key, fitted in state.series.items()}
    forecaster.gap_report_ = reports
    forecaster.history_ = forecaster.model_.history_


def predict_panel(
    forecaster: Any, horizon: Any, future_covariates: Any, coverage: Any, ids: Any
) -> pd.DataFrame:
    """Forecast each series chosen from its own end: a frame indexed by (series id, timestamp).

    ``future_covariates``: a dict ``{id: frame}``, or one dated frame for every series.
    """
    steps = forecaster._steps(horizon)
    state = forecaster.panel_
    chosen = chosen_ids(ids, state.ids)
    bounds = None if coverage is None else series_quantiles(forecaster, chosen, coverage)
    frames = []
    for key in chosen:
        with naming_series(key):
            future = per_series(future_covariates, key, "future_covariates")
            quantiles = None if bounds is None else bounds[key]
            frames.append(_forecast_series(forecaster, key, steps, future, quantiles))
    forecast = pd.concat(frames, keys=chosen, names=state.level_names)
    forecast.attrs = dict(frames[0].attrs)  # the same label for every series
    if bounds is not None:  # the count of residuals differs by series: say the range
        forecast.attrs["interval"] = series_label(frames[0].attrs["interval"], bounds)
    return forecast


def chosen_ids(ids: Any, known: list[Any]) -> list[Any]:
    """The ids to forecast, checked: every known one by default.

    Example:
        >>> chosen_ids(["b", "b"], ["a", "b"])
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: ids has duplicate ids ['b']: name each series once
    """
    if ids is None:
        return list(known)
    given = [ids] if isinstance(ids, (str, int)) else list(ids)
    given = [series_id(key, "ids") for key in given]
    duplicates = sorted({key for key in given if given.count(key) > 1}, key=str)
    if duplicates:
        raise ConfigError(f"ids has duplicate ids {duplicates}: name each series once")
    unknown = [key for key in given if key not in known]
    if unknown:
        raise ConfigError(
            f"ids names series the forecaster was not fitted on: {unknown}; the known ids "
            f"are {known}"
        )
    if not given:
        raise ConfigError("ids names no series: give at least one id, or leave ids out")
    return given


def _forecast_series(
    forecaster: Any, key: Any, steps: int, future_covariates: Any, quantiles: Any
) -> pd.DataFrame:
    """One series' forecast ``(steps, targets)`` in its own units, indexed by its own dates.

    ``quantiles``: the series' split-conformal half-widths per step, or None (no bounds).
    """
    fitted = forecaster.panel_.series[key]
    history = fill_gaps(fitted.gap_policy, fitted.frame)
    model = StaticInputs(forecaster.model_, forecaster.panel_.static_row(key))
    levels = getattr(forecaster.model_, "quantiles_", None)  # a quantile model's levels
    values = forecast_after(
        forecaster,
        fitted.encoder,
        model,
        history,
        steps,
        fitted.future_ahead,
        future_covariates,
        every_quantile=levels is not None,
    )
    index = pd.date_range(fitted.end + forecaster.freq_, periods=steps, freq=forecaster.freq_)
    point_values = values if levels is None else values[..., list(levels).index(0.5)]
    point = pd.DataFrame(point_values, index=index, columns=forecaster.columns_)
    if quantiles is not None:  # bounds first, then the quantile levels (as for one series)
        point = add_intervals(point, quantiles)
    if levels is None:
        return point
    return with_quantile_columns(point, values, levels, forecaster.columns_)
