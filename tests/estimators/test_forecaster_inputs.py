"""LSTMForecaster's inputs: CSV files, covariates past and known-future, missing steps."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.data import MaskGaps
from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ConfigError, DataError
from lstmkit.estimators._forecast_windows import ForecastEncoder, clean_starts, training_windows

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def quick(**params):
    settings = {"lookback": 6, "horizon": 3, "epochs": 40, "learning_rate": 0.01}
    return lstmkit.LSTMForecaster(**{**settings, "random_state": 0, **params})


def driven_series(periods=160, seed=0):
    """y follows a random on/off driver; nothing in y's own past tells the driver's future."""
    rng = np.random.default_rng(seed)
    driver = rng.integers(0, 2, size=periods + 6).astype(float)
    index = pd.date_range("2000-01-03", periods=periods + 6, freq="D")
    frame = pd.DataFrame({"sales": 10.0 + 3.0 * driver, "promo": driver}, index=index)
    frame["sales"] += rng.normal(scale=0.05, size=len(frame))
    return frame


def test_a_csv_path_with_a_time_column_is_read(tmp_path):
    frame = driven_series(periods=40)
    path = tmp_path / "sales.csv"
    frame.rename_axis("day").to_csv(path)
    model = quick(epochs=1, target="sales").fit(path, future_covariates=["promo"])
    assert model.roles_.targets == ["sales"] and model.roles_.future == ["promo"]
    assert model.frame_.index[-1] == frame.index[-1]
    forecast = model.predict(
        future_covariates=frame[["promo"]]
        .iloc[-3:]
        .set_axis(pd.date_range(frame.index[-1] + pd.Timedelta(days=1), periods=3, freq="D"))
    )
    assert list(forecast.columns) == ["sales"] and len(forecast) == 3


def test_known_future_covariates_are_read_for_the_forecast_steps():
    frame = driven_series()
    train, future = frame.iloc[:-6], frame.iloc[-6:-3]
    with_promo = quick().fit(frame["sales"].iloc[:-6], future_covariates=frame[["promo"]])
    without = quick().fit(train["sales"])
    # The rows of promo past the end of y were kept: predict reads them.
    error_with = np.abs(with_promo.predict()["sales"].to_numpy() - future["sales"].to_numpy())
    error_without = np.abs(without.predict()["sales"].to_numpy() - future["sales"].to_numpy())
    assert error_with.mean() < 0.5 and error_with.mean() < 0.5 * error_without.mean()


def test_recursive_forecasts_read_one_known_future_row_per_step():
    frame = driven_series()
    model = quick(strategy="recursive").fit(
        frame["sales"].iloc[:-6], future_covariates=frame[["promo"]]
    )
    forecast = model.predict(5)
    truth = frame["sales"].iloc[-6:-1].to_numpy()
    assert np.abs(forecast["sales"].to_numpy() - truth).mean() < 0.5


def test_a_future_covariate_missing_at_prediction_time_is_named():
    frame = driven_series(periods=40).iloc[:40]
    model = quick(epochs=1).fit(frame, future_covariates=["promo"])
    message = (
        "future covariate(s) ['promo'] missing at prediction time for 3 of the 3 steps "
        "forecast, the first 2000-02-12: pass predict(future_covariates=frame) with rows "
        "from 2000-02-12 to 2000-02-14"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        model.predict()
    wrong = pd.DataFrame({"price": [1.0] * 3}, pd.date_range("2000-02-12", periods=3, freq="D"))
    message = (
        "future covariate(s) ['promo'] missing at prediction time: future_covariates has "
        "columns ['price']; give ['promo']"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        model.predict(future_covariates=wrong)


def test_past_covariates_help_the_direct_strategy_and_are_refused_by_the_recursive_one():
    frame = driven_series()
    frame["sales"] = frame["sales"].shift(-1)  # sales follow yesterday's promo...
    frame["promo"] = frame["promo"]  # ...which is observed only up to now
    frame = frame.iloc[:-1]
    model = quick(horizon=1).fit(frame.iloc[:-1], past_covariates=["promo"])
    truth = frame["sales"].iloc[-1]
    assert abs(model.predict()["sales"].iloc[0] - truth) < 0.5
    message = (
        "the recursive strategy cannot use past covariates ['promo']: it feeds its own "
        "forecasts back, and their future values are unknown. Make them targets so they "
        "are forecast too (leave them in y), pass them as future_covariates if they are "
        "known ahead, or use strategy='direct'"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        quick(strategy="recursive").fit(frame, past_covariates=["promo"])


def test_the_covariate_scaler_sees_the_training_span_only():
    frame = driven_series(periods=60)
    frame.loc[frame.index[40:], "promo"] = 100.0  # a later regime the scaler must not see
    model = quick(epochs=1).fit(frame.iloc[:40], past_covariates=["promo"])
    np.testing.assert_allclose(model.encoder_.scaler_.mean_, [frame["promo"].iloc[:40].mean()])


def test_bad_covariates_are_refused_with_what_to_do():
    frame = driven_series(periods=40)
    cases = [
        ({"past_covariates": ["promt"]}, ConfigError, "past_covariates names column 'promt', which y does not have; y's columns are ['sales', 'promo']. Did you mean 'promo'?"),
        ({"past_covariates": ["promo"], "future_covariates": ["promo"]}, ConfigError, "column(s) ['promo'] are named both past and future covariates"),
        ({"future_covariates": frame[["promo"]]}, ConfigError, "future_covariates has column(s) ['promo'] that y has too"),
        ({"future_covariates": frame[["promo"]].iloc[5:].rename(columns={"promo": "p"})}, DataError, "future_covariates has no row for 5 of y's timestamps, the first 2000-01-03"),
    ]  # fmt: skip
    for keywords, error, message in cases:
        with pytest.raises(error, match=re.escape(message)):
            quick(epochs=1).fit(frame, **keywords)
    text = frame.assign(promo=frame["promo"].map({0.0: "no", 1.0: "yes"}))
    with pytest.raises(DataError, match=re.escape("column 'promo' of y is not numeric")):
        quick(epochs=1).fit(text)


def test_duplicate_timestamps_are_listed():
    frame = driven_series(periods=40)
    doubled = pd.concat([frame.iloc[:10], frame.iloc[9:]])
    with pytest.raises(DataError, match=re.escape("duplicated timestamp(s): 2000-01-12 (2 rows)")):
        quick(epochs=1).fit(doubled)


def gappy(periods=120):
    index = pd.date_range("2001-01-01", periods=periods, freq="D")
    values = 5.0 + np.sin(np.arange(periods) / 4.0)
    series = pd.Series(values, index=index, name="level")
    series.iloc[[30, 31, 32, 70]] = np.nan
    return series.drop(series.index[50])  # an absent timestamp is a missing step too


def test_missing_values_need_a_policy():
    message = (
        "column 'level' of y has 5 missing values, the first at 2001-01-31 (absent "
        "timestamps count as missing): choose a missing-steps policy, missing='interpolate', "
        "'seasonal', 'mask' or 'drop'"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        quick(epochs=1).fit(gappy())
    with pytest.raises(ConfigError, match=re.escape("missing='seasonal' fills from the same")):
        quick(epochs=1, missing="seasonal").fit(gappy())


@pytest.mark.parametrize("missing", ["interpolate", "drop", "mask", MaskGaps(fill_value="mean")])
def test_every_policy_trains_and_forecasts_past_the_gaps(missing):
    series = gappy()
    model = quick(epochs=1, missing=missing).fit(series)
    assert len(model.predict()) == 3 and np.isfinite(model.predict().to_numpy()).all()
    assert model.frame_.index.freqstr == "D" and len(model.frame_) == 120


def test_seasonal_policy_fills_from_past_seasons():
    model = quick(epochs=1, missing="seasonal", season=7).fit(gappy())
    assert model.gap_policy_.season_ == 7


def test_training_windows_never_cross_a_gap():
    index = pd.date_range("2000-01-01", periods=14, freq="D")
    frame = pd.DataFrame({"v": np.arange(14.0)}, index)
    frame.iloc[5, 0] = np.nan
    encoder = ForecastEncoder(["v"], [], [], [], SeriesTransform([], None)).fit(frame)
    inputs, targets, starts = training_windows(encoder.encode(frame), 3, 2, known_ahead=False)
    # By hand: a window of 3 + 2 steps avoids step 5: starts 0 and 6..9.
    assert starts.tolist() == [0, 6, 7, 8, 9]
    assert not np.isnan(inputs).any() and not np.isnan(targets).any()
    np.testing.assert_array_equal(
        inputs[:, :, 0], np.array([[s, s + 1, s + 2] for s in [0, 6, 7, 8, 9]])
    )


def test_a_masked_target_is_an_input_but_never_learnt():
    present = np.ones(8, bool)
    learnable = present.copy()
    learnable[4] = False  # filled by a mask: fine to read, not to learn
    assert clean_starts(present, learnable, 2, 1).tolist() == [0, 1, 3, 4, 5]
    index = pd.date_range("2000-01-01", periods=30, freq="D")
    series = pd.Series(np.sin(np.arange(30.0)), index, name="v")
    series.iloc[12] = np.nan
    model = quick(epochs=1, missing="mask", lookback=3, horizon=1).fit(series)
    assert model.encoder_.indicators == ["v_missing"]
    assert model.encoder_.target_indicators == ["v_missing"]
