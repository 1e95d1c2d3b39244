"""LSTMForecaster, first step: fit on a dated series, dated forecasts in original units."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.errors import ConfigError, DataError, NotFittedError, ShapeError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def seasonal_series(periods=96, freq="MS", start="2000-01"):
    """A yearly cycle on a straight trend: differencing by 12 leaves a constant 0.6."""
    steps = np.arange(periods)
    values = 10.0 + np.sin(2 * np.pi * steps / 12) + 0.05 * steps
    return pd.Series(values, index=pd.date_range(start, periods=periods, freq=freq), name="load")


def quick(**params):
    settings = {"lookback": 12, "horizon": 6, "epochs": 30, "learning_rate": 0.01}
    return lstmkit.LSTMForecaster(**{**settings, "random_state": 0, **params})


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_each_strategy_forecasts_a_seasonal_trend_in_original_units(strategy):
    series = seasonal_series()
    train, future = series[:84], series[84:90]
    model = quick(strategy=strategy, difference=[12]).fit(train)
    forecast = model.predict()
    assert list(forecast.index) == list(future.index)  # the series' own frequency continues
    assert list(forecast.columns) == ["load"]
    naive = train[-12:-6].to_numpy()  # the same months a season back
    model_error = np.abs(forecast["load"].to_numpy() - future.to_numpy()).mean()
    assert model_error < 0.25 * np.abs(naive - future.to_numpy()).mean()


def test_the_scaler_sees_the_training_span_only():
    noise = np.random.default_rng(0).normal(scale=0.1, size=96)
    series = seasonal_series() + noise
    train = series[:60]
    model = quick(difference=[12], epochs=1).fit(train)
    seasonal_differences = (train - train.shift(12)).dropna()  # pandas, independently
    np.testing.assert_allclose(model.transform_.scaler_.mean_, [seasonal_differences.mean()])
    np.testing.assert_allclose(model.transform_.scaler_.scale_, [seasonal_differences.std(ddof=0)])


@pytest.mark.parametrize(("freq", "start"), [("W-SAT", "2001-01-06"), ("h", "2001-01-01")])
def test_the_forecast_index_continues_the_frequency(freq, start):
    series = seasonal_series(periods=98, freq=freq, start=start)
    forecast = quick(epochs=1, horizon=2).fit(series[:-2]).predict()
    assert list(forecast.index) == list(series.index[-2:])  # the steps after the data seen
    assert forecast.index.freqstr == series.index.freqstr


def test_several_targets_are_forecast_together():
    series = seasonal_series()
    frame = pd.DataFrame({"a": series, "b": series * 2.0 + 1.0})
    forecast = quick(epochs=1, horizon=3).fit(frame).predict()
    assert forecast.shape == (3, 2) and list(forecast.columns) == ["a", "b"]


def test_horizons_beyond_the_fitted_one_need_the_recursive_strategy():
    series = seasonal_series()
    direct = quick(epochs=1, horizon=3).fit(series)
    assert len(direct.predict(2)) == 2
    message = (
        "a direct model forecasts at most the horizon it was fitted with (3 steps), got "
        "horizon=5: refit with horizon=5, or use strategy='recursive'"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        direct.predict(5)
    assert len(quick(epochs=1, horizon=1, strategy="recursive").fit(series).predict(5)) == 5
    with pytest.raises(ConfigError, match=re.escape("horizon must be a positive integer, got 0")):
        direct.predict(0)


def test_bad_series_are_refused_with_what_to_do():
    series = seasonal_series()
    cases = [
        (series.to_numpy(), ShapeError, "y must be a pandas Series or DataFrame with a DatetimeIndex, got ndarray"),
        (series.reset_index(drop=True), ShapeError, "y must have a DatetimeIndex, got RangeIndex"),
        (series.astype(str), DataError, "column 'load' of y is not numeric (dtype "),
        (pd.Series(np.nan, index=series.index, name="load"), DataError, "column 'load' of y holds no values (all NaN): drop it"),
        (series[:15], DataError, "y has 15 steps, fewer than lookback + horizon = 18"),
        (series.iloc[[0, 1, 1, 2, 3, 4]], DataError, "the time index has 1 duplicated timestamp(s): 2000-02-01 (2 rows)"),
        (series.iloc[[0, 1, 3, 2, 4]], DataError, "the time index is not in increasing order"),
    ]  # fmt: skip
    for data, error, message in cases:
        with pytest.raises(error, match=re.escape(message)):
            quick(epochs=1).fit(data)
    gappy = series.copy()
    gappy.iloc[30] = np.nan
    with pytest.raises(DataError, match=re.escape("column 'load' of y has 1 missing values")):
        quick(epochs=1).fit(gappy)
    with pytest.raises(NotFittedError, match=re.escape("call fit(y) before predict")):
        quick().predict()
    with pytest.raises(ConfigError, match=re.escape("lookback must be a positive integer, got 0")):
        quick(lookback=0).fit(series)
    with pytest.raises(ConfigError, match=re.escape("Did you mean 'recursive'?")):
        quick(strategy="recursiv").fit(series)


def test_a_log_transform_is_fitted_and_inverted():
    series = np.exp(seasonal_series() / 5.0)  # multiplicative growth
    model = quick(power="log", difference=[12], epochs=1).fit(series)
    np.testing.assert_allclose(
        model.transform_.transform(series.to_numpy()[:, None])[:3, 0],
        model.transform_.scaler_.transform(
            (np.log(series.to_numpy())[12:] - np.log(series.to_numpy())[:-12])[:3, None]
        )[:, 0],
    )
    assert (model.predict()["load"] > 0).all()
    with pytest.raises(ConfigError, match=re.escape("power must be 'log', 'box-cox' or None")):
        quick(power="sqrt", epochs=1).fit(series)
