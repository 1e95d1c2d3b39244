"""Saving a fitted ``LSTMForecaster`` to one model file and loading it back.

The file is the inner regressor's (weights as safetensors, its manifest under
``"inner"``) plus what forecasting from the end of the data needs, as plain JSON: the
column roles, the frequency, the target transform and the covariate scaler (numbers),
the fitted missing-steps policy, the data seen so far (forecasts start after it) and
the calibration backtest behind the intervals, if any.
No pickle: a file from a user only ever yields numbers, names and known types.
"""

from __future__ import annotations

from typing import Any

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
    tensors, inner = estimator_payload(forecaster.model_)
    params = forecaster.get_params(deep=False)
    if params["missing"] is not None and not isinstance(params["missing"], str):
        params["missing"] = {_POLICY_TAG: params["missing"].to_dict()}
    encoder = forecaster.encoder_
    roles = forecaster.roles_
    manifest = {
        "estimator": "LSTMForecaster",
        "params": _json_params(params),
        "inner": inner,
        "forecaster": {
            "roles": {"targets": roles.targets, "past": roles.past, "future": roles.future},
            "freq": forecaster.freq_.freqstr,
            "transform": encoder.transform.to_dict(),
            "covariate_scaler": None if encoder.scaler_ is None else encoder.scaler_.to_dict(),
            "indicators": encoder.indicators,
            "target_indicators": encoder.target_indicators,
            "gap_policy": None
            if forecaster.gap_policy_ is None
            else forecaster.gap_policy_.to_dict(),
            "frame": _frame(forecaster.frame_),
            "future_ahead": _frame(forecaster.future_ahead_),
            "residuals": residuals_to_json(getattr(forecaster, "residuals_", None)),
        },
    }
    return tensors, manifest


def forecaster_from_payload(
    tensors: dict[str, torch.Tensor], manifest: dict[str, Any], custom_objects: Any, path: Any
) -> Any:
    """Rebuild the forecaster :func:`forecaster_payload` described."""
    from lstmkit.data import transformer_from_dict
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
        encoder = ForecastEncoder(
            roles.targets,
            roles.past,
            state["indicators"],
            roles.future,
            SeriesTransform.from_dict(state["transform"]),
            state["target_indicators"],
        )
        scaler = state["covariate_scaler"]
        encoder.scaler_ = None if scaler is None else transformer_from_dict(scaler)
        forecaster.encoder_ = encoder
        forecaster.transform_ = encoder.transform
        policy = state["gap_policy"]
        forecaster.gap_policy_ = None if policy is None else gap_policy_from_dict(policy)
        forecaster.frame_ = _unframe(state["frame"], forecaster.freq_)
        forecaster.future_ahead_ = _unframe(state["future_ahead"], forecaster.freq_)
        residuals = residuals_from_json(state.get("residuals"))  # files before calibrate lack it
        if residuals is not None:
            forecaster.residuals_ = residuals
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{str(path)!r} names an LSTMForecaster but its forecasting state is incomplete "
            f"or malformed ({type(exc).__name__}: {exc}): the file was not written by lstmkit"
        ) from exc
    forecaster.history_ = forecaster.model_.history_
    return forecaster


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    return {"columns": [str(name) for name in frame.columns], **frame_to_json(frame)}


def _unframe(d: dict[str, Any], freq: Any) -> pd.DataFrame:
    frame = frame_from_json(d, d["columns"])
    if len(frame):
        frame.index.freq = freq
    return frame
