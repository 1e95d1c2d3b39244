"""LSTMForecaster.backtest, calibrate and predict(coverage=...): intervals from residuals."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.errors import ConfigError, NotFittedError
from lstmkit.estimators import backtest
from lstmkit.estimators._forecast_calibration import residuals_from_json, residuals_to_json

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def wave(periods=48, tz=None):
    index = pd.date_range("2000-01", periods=periods, freq="MS", tz=tz)
    noise = np.random.default_rng(0).normal(0.0, 0.1, periods)
    return pd.Series(np.sin(np.arange(periods) / 2.0) + noise, index=index, name="wave")


def small(**params):
    settings = {"lookback": 4, "horizon": 3, "units": 4, "epochs": 3, "random_state": 0}
    return lstmkit.LSTMForecaster(**{**settings, **params})


def test_the_method_backtests_like_the_function_and_leaves_the_forecaster_unfitted():
    series = wave()
    model = small()
    by_method = model.backtest(series, start=30, step=2)
    by_function = backtest(small(), series, start=30, step=2)
    pd.testing.assert_frame_equal(by_method, by_function)
    assert not hasattr(model, "model_")


def test_coverage_without_calibration_says_to_calibrate():
    model = small().fit(wave())
    message = "no calibration residuals for intervals: call calibrate(y, start=...) first"
    with pytest.raises(NotFittedError, match=re.escape(message)):
        model.predict(coverage=0.9)


def test_bounds_are_the_forecast_plus_minus_a_hand_counted_residual_per_step():
    series = wave()
    model = small().fit(series).calibrate(series, start=20)
    forecast = model.predict(coverage=0.8)
    plain = model.predict()
    np.testing.assert_array_equal(forecast["wave"], plain["wave"])
    residuals = model.residuals_
    for step in (1, 2, 3):
        errors = np.sort(np.abs(residuals.query("step == @step").eval("actual - value")))
        rank = math.ceil((len(errors) + 1) * 0.8)  # split conformal's finite-sample rank
        half = errors[rank - 1]
        row = forecast.iloc[step - 1]
        assert row["wave_lower"] == pytest.approx(row["wave"] - half)
        assert row["wave_upper"] == pytest.approx(row["wave"] + half)
    count = len(residuals.query("step == 1"))
    assert forecast.attrs["interval"] == (
        f"80% split-conformal from {count} backtest residuals per step"
    )


def test_a_shorter_forecast_uses_the_first_steps_bounds():
    series = wave()
    model = small().fit(series).calibrate(series, start=20)
    full, short = model.predict(coverage=0.8), model.predict(horizon=2, coverage=0.8)
    pd.testing.assert_frame_equal(short, full.iloc[:2], check_freq=False)


def test_too_few_origins_for_the_coverage_names_how_many_are_needed():
    series = wave()
    model = small().fit(series).calibrate(series, start=40, step=1)  # 6 origins
    with pytest.raises(ConfigError, match=re.escape("needs at least 19 backtest origins")):
        model.predict(coverage=0.95)


def test_saved_and_loaded_forecaster_gives_the_same_intervals(tmp_path):
    series = wave()
    model = small().fit(series).calibrate(series, start=20)
    model.save(tmp_path / "model.lstmkit")
    loaded = lstmkit.load_model(tmp_path / "model.lstmkit")
    pd.testing.assert_frame_equal(loaded.residuals_, model.residuals_, check_freq=False)
    pd.testing.assert_frame_equal(loaded.predict(coverage=0.8), model.predict(coverage=0.8))


def test_an_uncalibrated_forecaster_loads_without_residuals(tmp_path):
    model = small().fit(wave())
    model.save(tmp_path / "model.lstmkit")
    assert not hasattr(lstmkit.load_model(tmp_path / "model.lstmkit"), "residuals_")


@pytest.mark.parametrize("tz", [None, "Europe/Paris"])
def test_residuals_round_trip_through_json_with_missing_actuals(tz):
    stamps = pd.Series(pd.date_range("2020-03-01", periods=3, freq="MS", tz=tz))
    frame = pd.DataFrame(
        {
            "origin": stamps.iloc[[0, 0, 0]].reset_index(drop=True),
            "timestamp": stamps,
            "step": [1, 2, 3],
            "target": "y",
            "value": [1.0, 2.0, 3.0],
            "actual": [1.5, np.nan, 2.5],
        }
    )
    pd.testing.assert_frame_equal(residuals_from_json(residuals_to_json(frame)), frame)
