"""Saving a fitted ``LSTMForecaster`` to one model file and loading it back.

The file is the inner regressor's (weights as safetensors, its manifest under
``"inner"``) plus what forecasting from the end of the data needs, as plain JSON: the
column roles, the frequency, the target transform and the covariate scaler (numbers),
the fitted missing-steps policy, the data seen so far (forecasts start after it) and
the calibration backtest behind the intervals, if any. A forecaster of many series
stores the roles and frequency beside ``"panel"``: one such entry per series
(:mod:`._forecast_panel_persistence`).
No pickle: a file from a user only ever yields numbers, names and known types.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from lstmkit.data._missing_json import frame_from_json, frame_to_json, gap_policy_from_dict
from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ModelFileError
from lstmkit.estimators._forecast_calibration import residuals_from_json, residuals_to_json
from lstmkit.estimators._forecast_data import SeriesRoles
from lstmkit.estimators._forecast_windows import ForecastEncoder
from lstmkit.estimators._persistence import (
    _decode_param,
    _json_params,
    estimator_from_payload,
    estimator_payload,
)

_POLICY_TAG = "__gap_policy__"


def forecaster_payload(forecaster: Any) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The inner model's tensors and a manifest holding everything else, as JSON."""
    forecaster._check_fitted("save")
    stateful = getattr(forecaster, "context", "window") == "state"  # keep the carried state
    tensors, inner = estimator_payload(forecaster.model_, include_state=stateful)
    params = forecaster.get_params(deep=False)
    if params["missing"] is not None and not isinstance(params["missing"], str):
        params["missing"] = {_POLICY_TAG: params["missing"].to_dict()}
    state = _panel_json(forecaster) if _is_panel(forecaster) else _series_json(forecaster)
    manifest = {
        "estimator": "LSTMForecaster",
        "params": _json_params(params),
        "inner": inner,
        "forecaster": state,
    }
    return tensors, manifest


def forecaster_from_payload(
    tensors: dict[str, torch.Tensor], manifest: dict[str, Any], custom_objects: Any, path: Any
) -> Any:
    """Rebuild the forecaster :func:`forecaster_payload` described."""
    from lstmkit.estimators._forecaster import LSTMForecaster

    try:
        params = {name: _decode_param(value) for name, value in manifest["params"].items()}
        if isinstance(params.get("missing"), dict):
            params["missing"] = gap_policy_from_dict(params["missing"][_POLICY_TAG])
        state = manifest["forecaster"]
        forecaster = LSTMForecaster(**params)
        forecaster.model_ = estimator_from_payload(tensors, manifest["inner"], custom_objects, path)
        roles = SeriesRoles(**state["roles"])
        forecaster.roles_ = roles
        forecaster.columns_ = list(roles.targets)
        forecaster.freq_ = pd.tseries.frequencies.to_offset(state["freq"])
        if "panel" in state:
            from lstmkit.estimators._forecast_panel_persistence import restore_panel

            restore_panel(forecaster, state["panel"])
        else:
            _restore_series(forecaster, state)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{str(path)!r} names an LSTMForecaster but its forecasting state is incomplete "
            f"or malformed ({type(exc).__name__}: {exc}): the file was not written by lstmkit"
        ) from exc
    forecaster.history_ = forecaster.model_.history_
    return forecaster


def _series_json(forecaster: Any) -> dict[str, Any]:
    """One series' forecasting state (the file format since issue 6's first step)."""
    roles = forecaster.roles_
    return {
        "roles": {"targets": roles.targets, "past": roles.past, "future": roles.future},
        "freq": forecaster.freq_.freqstr,
        **encoder_to_json(forecaster.encoder_),
        "gap_policy": None if forecaster.gap_policy_ is None else forecaster.gap_policy_.to_dict(),
        "frame": _frame(forecaster.frame_),
        "future_ahead": _frame(forecaster.future_ahead_),
        "residuals": residuals_to_json(getattr(forecaster, "residuals_", None)),
        "last_output": _numbers(getattr(forecaster, "last_output_", None)),
    }


def _restore_series(forecaster: Any, state: dict[str, Any]) -> None:
    encoder = encoder_from_json(forecaster.roles_, state)
    forecaster.encoder_ = encoder
    forecaster.transform_ = encoder.transform
    policy = state["gap_policy"]
    forecaster.gap_policy_ = None if policy is None else gap_policy_from_dict(policy)
    forecaster.frame_ = _unframe(state["frame"], forecaster.freq_)
    forecaster.future_ahead_ = _unframe(state["future_ahead"], forecaster.freq_)
    residuals = residuals_from_json(state.get("residuals"))  # files before calibrate lack it
    if residuals is not None:
        forecaster.residuals_ = residuals
    if forecaster.context == "state":  # the model's output where the carried state stands
        last = state["last_output"]
        forecaster.last_output_ = None if last is None else np.asarray(last, dtype=np.float64)


def _is_panel(forecaster: Any) -> bool:
    return getattr(forecaster, "panel_", None) is not None


def _panel_json(forecaster: Any) -> dict[str, Any]:
    from lstmkit.estimators._forecast_panel_persistence import panel_to_json

    roles = forecaster.roles_
    return {
        "roles": {"targets": roles.targets, "past": roles.past, "future": roles.future},
        "freq": forecaster.freq_.freqstr,
        "panel": panel_to_json(forecaster.panel_),
    }


def encoder_to_json(encoder: ForecastEncoder) -> dict[str, Any]:
    """A fitted encoder's numbers and names: the target transform, the covariate scaler.

    Example:
        >>> encoder = ForecastEncoder(["y"], [], [], [], SeriesTransform([1], None))
        >>> encoder_to_json(encoder.fit(pd.DataFrame({"y": [1.0, 3.0]})))["transform"]["lags"]
        [1]
    """
    return {
        "transform": encoder.transform.to_dict(),
        "covariate_scaler": None if encoder.scaler_ is None else encoder.scaler_.to_dict(),
        "indicators": encoder.indicators,
        "target_indicators": encoder.target_indicators,
    }


def encoder_from_json(roles: SeriesRoles, d: dict[str, Any]) -> ForecastEncoder:
    """Invert :func:`encoder_to_json` for the columns ``roles`` names."""
    from lstmkit.data import transformer_from_dict

    encoder = ForecastEncoder(
        roles.targets,
        roles.past,
        d["indicators"],
        roles.future,
        SeriesTransform.from_dict(d["transform"]),
        d["target_indicators"],
    )
    scaler = d["covariate_scaler"]
    encoder.scaler_ = None if scaler is None else transformer_from_dict(scaler)
    return encoder


def _numbers(values: Any) -> list[float] | None:
    return None if values is None else [float(value) for value in values]


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    return {"columns": [str(name) for name in frame.columns], **frame_to_json(frame)}


def _unframe(d: dict[str, Any], freq: Any) -> pd.DataFrame:
    frame = frame_from_json(d, d["columns"])
    if len(frame):
        frame.index.freq = freq
    return frame
