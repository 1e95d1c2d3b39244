"""Updating a forecaster of many series as new observations arrive, series by series.

The three modes of :mod:`._forecast_update`, for a panel:

```
update({"a": rows_a})          any subset of the fitted ids; each continues right after
                               its own end (a's here; b stays where it was)
carry       a's rows appended: a's next forecast starts after them; nothing retrained
fine_tune   appended, then the shared model trains on the windows (of every series
            updated) whose targets are new, each with its own encoder; transforms kept
refit       a new fit on every series' data seen (updated or not), with the static
            covariates fitted before
```

Every series is read and checked before any changes, so a bad series leaves the
forecaster as it was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, DataError, unknown_option
from lstmkit.estimators._forecast_data import read_series
from lstmkit.estimators._forecast_gaps import fill_gaps
from lstmkit.estimators._forecast_panel import PanelSeries, is_panel, with_static
from lstmkit.estimators._forecast_panel_input import (
    is_panel_input,
    naming_series,
    panel_series,
    per_series,
)
from lstmkit.estimators._forecast_update import (
    MODES,
    _check_continues,
    _default_epochs,
    _named,
)
from lstmkit.estimators._forecast_windows import training_windows
from lstmkit.estimators._params import is_count


def update_panel(
    forecaster: Any,
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    *,
    mode: str = "carry",
    epochs: int | None = None,
) -> Any:
    """Append each series' new rows after its own end, then update per ``mode``.

    Args:
        forecaster: a fitted forecaster of many series.
        y: the new observations: a dict ``{series id: rows}``, a list (ids 0, 1, ...) or
            a long frame with ``id_column``; any subset of the fitted series.
        past_covariates, future_covariates: as for ``update`` of one series (a dict
            gives each series its own).
        mode, epochs: as for ``update`` of one series (see the module).

    Raises:
        ConfigError: a bad mode or epochs; a forecaster of one series, or ``y`` of one.
        DataError: an id the forecaster was not fitted on (the known ones named); rows
            that do not continue after their series' end; no new window to fine-tune on.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=24, freq="MS")
        >>> y = {"a": pd.Series(np.arange(24.0), index), "b": pd.Series(np.ones(24), index)}
        >>> model = LSTMForecaster(lookback=3, units=2, epochs=1).fit({"a": y["a"][:20], "b": y["b"]})
        >>> str(model.predict().loc["a"].index[0].date())     # after a's 20 months
        '2001-09-01'
        >>> model = update_panel(model, {"a": y["a"][20:]})
        >>> [str(model.predict().loc[key].index[0].date()) for key in ("a", "b")]
        ['2002-01-01', '2002-01-01']
    """
    _check_mode(mode, epochs)
    _check_kinds(forecaster, y)
    raw = panel_series(y, forecaster.id_column, forecaster.time_column)
    _check_known(list(raw), forecaster.ids_)
    appended = {}
    for key, rows in raw.items():
        with naming_series(key):
            past = per_series(past_covariates, key, "past_covariates")
            future = per_series(future_covariates, key, "future_covariates")
            appended[key] = _appended(forecaster, key, rows, past, future)
    if mode == "refit":
        return _refit(forecaster, appended)
    series = forecaster.panel_.series
    windows = _new_windows(forecaster, appended) if mode == "fine_tune" else None
    for key, (frame, ahead) in appended.items():
        series[key] = PanelSeries(frame, ahead, series[key].gap_policy, series[key].encoder)
    if windows is not None:
        _fine_tune(forecaster, *windows, epochs)
    return forecaster


def _check_mode(mode: Any, epochs: Any) -> None:
    if mode not in MODES:
        raise unknown_option("update mode", str(mode), MODES)
    if epochs is not None and (not is_count(epochs) or epochs < 1):
        raise ConfigError(f"epochs must be a positive integer or None, got {epochs!r}")


def _check_kinds(forecaster: Any, y: Any) -> None:
    """Many new series for a forecaster of many, and only then."""
    if not is_panel(forecaster):
        raise ConfigError(
            "this forecaster was fitted on one series: update it with that series' new "
            "observations (a Series or DataFrame), or fit it on many series first"
        )
    if not is_panel_input(y, forecaster.id_column):
        raise ConfigError(
            "this forecaster was fitted on many series: give the new observations as a dict "
            "{series id: new rows}, a list, or a long frame with id_column"
        )


def _check_known(given: list[Any], known: list[Any]) -> None:
    unknown = [key for key in given if key not in known]
    if unknown:
        raise DataError(
            f"the new observations name series the forecaster was not fitted on: {unknown}; "
            f"the known ids are {known}: update known series only, or fit again on every "
            "series to add one"
        )


def _appended(forecaster: Any, key: Any, rows: Any, past: Any, future: Any) -> tuple:
    """Series ``key``'s data seen so far with ``rows`` after it, and its rows known ahead.

    Returns ``(frame, future_ahead)`` on the series' grid, as ``update`` of one series
    builds them: known-ahead rows seen before fill the new steps' future covariates.
    """
    roles, freq = forecaster.roles_, forecaster.freq_
    fitted = forecaster.panel_.series[key]
    data = read_series(
        rows,
        _named(past, roles.past, rows),
        _named(future, roles.future, rows),
        target=roles.targets,
        freq=freq,
    )
    if data.roles != roles:
        raise DataError(
            f"the new observations have the columns {data.roles.inputs} (targets "
            f"{data.roles.targets}), but the forecaster was fitted on {roles.inputs} (targets "
            f"{roles.targets}): give the same columns"
        )
    _check_continues(fitted.end, data.frame.index[0])
    grid = pd.date_range(fitted.frame.index[0], data.frame.index[-1], freq=freq)
    combined = pd.concat([fitted.frame, data.frame[fitted.frame.columns]]).reindex(grid)
    if roles.future:
        earlier = fitted.future_ahead.reindex(grid)
        combined[roles.future] = combined[roles.future].combine_first(earlier)
    combined.index.freq = freq
    ahead = pd.concat([fitted.future_ahead, data.future_ahead])
    ahead = ahead[~ahead.index.duplicated(keep="last") & (ahead.index > grid[-1])]
    return combined, ahead


def _new_windows(forecaster: Any, appended: dict) -> tuple[np.ndarray, np.ndarray]:
    """The windows, of every series updated, whose last target is a new observation.

    Each series' windows are cut with its own (unchanged) gap policy and encoder and
    carry its static covariates: ``inputs (n, L[+ahead], w + s)``, ``targets (n, ahead, k)``.
    """
    state = forecaster.panel_
    lookback, ahead = forecaster._lookback(), forecaster._ahead()
    inputs, targets = [], []
    for key, (frame, _) in appended.items():
        fitted = state.series[key]
        filled = fill_gaps(fitted.gap_policy, frame)
        encoded = fitted.encoder.encode(filled)
        with naming_series(key):
            X, y, starts = training_windows(
                encoded, lookback, ahead, bool(forecaster.roles_.future)
            )
        last_target = starts + encoded.offset + lookback + ahead - 1  # rows of the frame
        new = filled.index[last_target] > fitted.end
        inputs.append(with_static(X[new], state.static_row(key)))
        targets.append(y[new])
    inputs, targets = np.concatenate(inputs), np.concatenate(targets)
    if len(inputs) == 0:
        raise DataError(
            "no window ends in the new observations of any series (too few of them, or "
            "gaps): nothing to fine-tune on; the model needs lookback + horizon = "
            f"{lookback + ahead} steps ending in new data"
        )
    return inputs, targets


def _fine_tune(forecaster: Any, inputs: np.ndarray, targets: np.ndarray, epochs: Any) -> None:
    """Continue training the shared model on ``inputs``/``targets`` for ``epochs``."""
    if forecaster.strategy == "recursive":
        targets = targets[:, 0]  # (windows, targets): one step
    model = forecaster.model_
    model.set_params(warm_start=True, epochs=int(epochs or _default_epochs(forecaster)))
    try:
        model.fit(inputs, targets)
    finally:
        model.set_params(warm_start=False, epochs=forecaster.epochs)
    forecaster.history_ = model.history_


def _refit(forecaster: Any, appended: dict) -> Any:
    """Fit again on every series' data seen, with the static covariates fitted before."""
    state, roles = forecaster.panel_, forecaster.roles_
    y, future = {}, {}
    for key, fitted in state.series.items():
        frame, ahead = appended.get(key, (fitted.frame, fitted.future_ahead))
        y[key] = frame[[*roles.targets, *roles.past]]
        if roles.future:  # the rows seen and those known ahead, as one dated frame
            future[key] = pd.concat([frame[roles.future], ahead[roles.future]])
    return forecaster.fit(
        y,
        past_covariates=list(roles.past) or None,
        future_covariates=future or None,
        static_covariates=state.static,
    )
