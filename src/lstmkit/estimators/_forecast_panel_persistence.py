"""A panel forecaster's state as plain JSON, and back (no pickle).

Beside the inner model, the file's ``"forecaster"`` block holds ``"panel"``: the series
ids in order (strings and integers stay what they were: JSON keeps them apart), one
entry per series (its encoder's numbers, its fitted gap policy, the data seen and the
known-ahead rows), the static covariates in original units and the scaler fitted
across the series, the forecast's index level names, and the calibration backtest
(``residuals_``, with its series column) when there is one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._missing_json import gap_policy_from_dict
from lstmkit.estimators._forecast_calibration import residuals_from_json, residuals_to_json
from lstmkit.estimators._forecast_panel import PanelSeries, PanelState
from lstmkit.estimators._forecast_persistence import (
    _frame,
    _unframe,
    encoder_from_json,
    encoder_to_json,
)


def panel_to_json(state: PanelState) -> dict[str, Any]:
    """Everything in ``state`` as JSON-ready lists and numbers.

    Example:
        >>> state = PanelState({}, None, None, ["series", "timestamp"])
        >>> panel_to_json(state)
        {'ids': [], 'series': [], 'static': None, 'level_names': ['series', 'timestamp'], 'residuals': None}
    """
    return {
        "ids": state.ids,
        "series": [_series_to_json(fitted) for fitted in state.series.values()],
        "static": _static_to_json(state),
        "level_names": list(state.level_names),
        "residuals": residuals_to_json(state.residuals),
    }


def _series_to_json(fitted: PanelSeries) -> dict[str, Any]:
    policy = fitted.gap_policy
    return {
        **encoder_to_json(fitted.encoder),
        "gap_policy": None if policy is None else policy.to_dict(),
        "frame": _frame(fitted.frame),
        "future_ahead": _frame(fitted.future_ahead),
    }


def _static_to_json(state: PanelState) -> dict[str, Any] | None:
    if state.static is None:
        return None
    return {
        "columns": list(state.static.columns),
        "values": state.static.to_numpy(np.float64).tolist(),  # rows in the order of ids
        "scaler": state.static_scaler.to_dict(),
    }


def restore_panel(forecaster: Any, d: dict[str, Any]) -> None:
    """Set the panel attributes of a forecaster rebuilt from a file (roles and freq set).

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> from lstmkit.estimators._forecast_data import SeriesRoles
        >>> model = LSTMForecaster()
        >>> model.roles_, model.freq_ = SeriesRoles(["v"], [], []), pd.offsets.MonthBegin()
        >>> restore_panel(model, panel_to_json(PanelState({}, None, None, ["store", "timestamp"])))
        >>> model.ids_, model.panel_.level_names
        ([], ['store', 'timestamp'])
    """
    from lstmkit.data import transformer_from_dict

    roles, freq = forecaster.roles_, forecaster.freq_
    series = {
        key: _series_from_json(entry, roles, freq) for key, entry in zip(d["ids"], d["series"])
    }
    static, scaler = None, None
    if d["static"] is not None:
        values = np.asarray(d["static"]["values"], dtype=np.float64)
        static = pd.DataFrame(
            values, index=pd.Index(d["ids"], dtype=object), columns=d["static"]["columns"]
        )
        scaler = transformer_from_dict(d["static"]["scaler"])
    residuals = residuals_from_json(d.get("residuals"))  # older files lack it
    state = PanelState(series, static, scaler, list(d["level_names"]), residuals)
    forecaster.panel_ = state
    if residuals is not None:
        forecaster.residuals_ = residuals
    forecaster.ids_ = state.ids
    forecaster.transforms_ = {key: fitted.encoder.transform for key, fitted in series.items()}


def _series_from_json(entry: dict[str, Any], roles: Any, freq: Any) -> PanelSeries:
    policy = entry["gap_policy"]
    return PanelSeries(
        _unframe(entry["frame"], freq),
        _unframe(entry["future_ahead"], freq),
        None if policy is None else gap_policy_from_dict(policy),
        encoder_from_json(roles, entry),
    )
