"""Many series in one LSTMForecaster: per-series transforms, stacked windows, one model."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.errors import ConfigError, DataError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def wave(level, amplitude, periods, start="2000-01", phase=0.0, name="sales"):
    """A yearly cycle around ``level``: same shape at any level once each series is scaled."""
    steps = np.arange(periods)
    values = level + amplitude * np.sin(2 * np.pi * steps / 12 + phase)
    return pd.Series(values, pd.date_range(start, periods=periods, freq="MS"), name=name)


def quick(**params):
    settings = {"lookback": 4, "horizon": 2, "units": 4, "epochs": 1, "random_state": 0}
    return lstmkit.LSTMForecaster(**{**settings, **params})


def noisy(level, amplitude, periods, start="2000-01", seed=0):
    noise = np.random.default_rng(seed).normal(scale=0.1 * amplitude, size=periods)
    return wave(level, amplitude, periods, start) + noise


def capture_training_windows(monkeypatch):
    """Record the arrays the inner regressor is fitted on."""
    seen = {}
    original = lstmkit.LSTMRegressor.fit

    def recording_fit(self, X, y, *args, **kwargs):
        seen["X"], seen["y"] = np.asarray(X), np.asarray(y)
        return original(self, X, y, *args, **kwargs)

    monkeypatch.setattr(lstmkit.LSTMRegressor, "fit", recording_fit)
    return seen


# ------------------------------------------------------------------ per-series transforms
def test_each_series_has_the_scalers_of_its_own_training_span():
    a, b = noisy(10.0, 1.0, 40), noisy(10_000.0, 1_000.0, 30, start="2001-05", seed=1)
    price = {"a": a * 0 + np.arange(40.0), "b": b * 0 + 50.0 + np.arange(30.0) ** 2}
    frames = {
        key: pd.DataFrame({"sales": s, "price": price[key]}) for key, s in (("a", a), ("b", b))
    }
    static = pd.DataFrame({"size": [3.0, 7.0], "age": [1.0, 4.0]}, index=["a", "b"])
    model = quick(difference=[1]).fit(frames, past_covariates=["price"], static_covariates=static)
    for key, frame in frames.items():
        differences = frame["sales"].diff().dropna()  # pandas, independently
        scaler = model.transforms_[key].scaler_
        np.testing.assert_allclose(scaler.mean_, [differences.mean()], rtol=1e-12)
        np.testing.assert_allclose(scaler.scale_, [differences.std(ddof=0)], rtol=1e-12)
        covariates = model.panel_.series[key].encoder.scaler_  # undifferenced, own span
        np.testing.assert_allclose(covariates.mean_, [frame["price"].mean()], rtol=1e-12)
        np.testing.assert_allclose(covariates.scale_, [frame["price"].std(ddof=0)], rtol=1e-12)
    # Static covariates: one scaler across the series (two rows: mean 5, 2.5; std 2, 1.5).
    np.testing.assert_allclose(model.panel_.static_scaler.mean_, [5.0, 2.5], rtol=1e-12)
    np.testing.assert_allclose(model.panel_.static_scaler.scale_, [2.0, 1.5], rtol=1e-12)
    assert model.ids_ == ["a", "b"] and set(model.gap_report_) == {"a", "b"}


def test_the_panel_trains_on_the_union_of_each_series_windows(monkeypatch):
    """Series a: 30 steps; b: 25 steps with a gap at step 10 left missing (missing='drop')."""
    a = noisy(10.0, 1.0, 30)
    b = noisy(500.0, 50.0, 25, start="2002-01", seed=2)
    b.iloc[10] = np.nan
    seen = capture_training_windows(monkeypatch)
    static = pd.DataFrame({"size": [1.0, 9.0]}, index=["a", "b"])
    quick(difference=[1], missing="drop").fit({"a": a, "b": b}, static_covariates=static)
    lookback, horizon = 4, 2

    def reference(series):
        """Scaled first differences (NaN-aware), every window with no NaN inside: by brute force."""
        differences = np.diff(series.to_numpy())
        scaled = (differences - np.nanmean(differences)) / np.nanstd(differences)
        inputs, targets = [], []
        for start in range(len(scaled) - lookback - horizon + 1):
            span = scaled[start : start + lookback + horizon]
            if np.isfinite(span).all():
                inputs.append(span[:lookback])
                targets.append(span[lookback:])
        return np.array(inputs), np.array(targets)

    inputs_a, targets_a = reference(a)
    inputs_b, targets_b = reference(b)
    # By hand: a has 29 differences -> 29 - 6 + 1 = 24 windows. b's differences 9 and 10
    # are missing: runs of 9 and 13 present rows give 4 + 8 = 12 windows. Together 36.
    assert (len(inputs_a), len(inputs_b)) == (24, 12)
    X, y = seen["X"], seen["y"]
    assert X.shape == (36, lookback, 2) and y.shape == (36, horizon, 1)
    np.testing.assert_allclose(X[:24, :, 0], inputs_a, atol=1e-6)  # float32 tolerance
    np.testing.assert_allclose(X[24:, :, 0], inputs_b, atol=1e-6)
    np.testing.assert_allclose(y[:24, :, 0], targets_a, atol=1e-6)
    np.testing.assert_allclose(y[24:, :, 0], targets_b, atol=1e-6)
    # The static column: sizes 1 and 9 standardised across the two series: -1 and +1.
    assert np.all(X[:24, :, 1] == -1.0) and np.all(X[24:, :, 1] == 1.0)


# ------------------------------------------------------------------ forecasting
def test_series_of_very_different_levels_are_each_forecast_in_their_own_units():
    small = wave(10.0, 1.0, 72)  # ends 2005-12
    large = wave(10_000.0, 1_000.0, 66, start="2001-04", phase=1.0)  # ends 2006-09
    horizon = 6
    model = lstmkit.LSTMForecaster(
        lookback=12, horizon=horizon, units=16, epochs=40, learning_rate=0.01, random_state=0
    ).fit({"small": small[:-horizon], "large": large[:-horizon]})
    forecast = model.predict()
    assert forecast.index.names == ["series", "timestamp"]
    assert list(forecast.index.get_level_values(0).unique()) == ["small", "large"]
    for key, series, amplitude in (("small", small, 1.0), ("large", large, 1_000.0)):
        values = forecast.loc[key, "sales"]
        assert list(values.index) == list(series.index[-horizon:])  # its own dates continue
        error = np.abs(values.to_numpy() - series.to_numpy()[-horizon:]).mean()
        assert error < 0.1 * amplitude  # mean error below 10% of that series' amplitude


def test_a_static_covariate_tells_identical_series_apart():
    series = noisy(10.0, 1.0, 30)
    twins = {"x": series, "y": series.copy()}
    plain = quick(epochs=2).fit(twins).predict()
    np.testing.assert_allclose(plain.loc["x"].to_numpy(), plain.loc["y"].to_numpy(), atol=1e-6)
    static = pd.DataFrame({"size": [1.0, 5.0]}, index=["x", "y"])
    told = quick(epochs=2).fit(twins, static_covariates=static).predict()
    assert np.abs(told.loc["x"].to_numpy() - told.loc["y"].to_numpy()).max() > 1e-4


def test_save_load_predict_is_identical_for_a_panel(tmp_path):
    a, b = noisy(10.0, 1.0, 30), noisy(900.0, 90.0, 26, start="2000-07", seed=3)
    b.iloc[5] = np.nan
    calendar = pd.date_range("2000-01", "2003-12", freq="MS")
    month = pd.DataFrame({"month": calendar.month.astype(float)}, index=calendar)
    static = pd.DataFrame({"size": [2.0, 3.0]}, index=[7, "b"])
    model = quick(difference=[1], missing="interpolate").fit(
        {7: a, "b": b}, future_covariates=month, static_covariates=static
    )
    model.save(tmp_path / "panel.lstmkit")
    again = lstmkit.load_model(tmp_path / "panel.lstmkit")
    assert again.predict().equals(model.predict())  # bitwise (CONTRACTS §9)
    assert again.ids_ == [7, "b"]  # an integer id stays an integer


def test_a_list_and_long_frames_fit_the_same_model_as_a_dict(tmp_path):
    a, b = noisy(10.0, 1.0, 24), noisy(40.0, 4.0, 20, start="2000-05", seed=4)
    by_dict = quick().fit({0: a, 1: b}).predict()
    by_list = quick().fit([a, b]).predict()
    long = pd.concat([a.to_frame().assign(store=0), b.to_frame().assign(store=1)])
    by_long = quick(id_column="store").fit(long).predict()
    by_level = quick(id_column="store").fit(long.set_index("store", append=True)).predict()
    with_time = long.rename_axis("date").reset_index()
    by_column = quick(id_column="store", time_column="date").fit(with_time).predict()
    with_time.to_csv(tmp_path / "stores.csv", index=False)
    by_csv = quick(id_column="store").fit(tmp_path / "stores.csv").predict()
    for other in (by_list, by_long, by_level, by_column, by_csv):
        np.testing.assert_allclose(other.to_numpy(), by_dict.to_numpy(), atol=1e-6)
        assert list(other.index.get_level_values(1)) == list(by_dict.index.get_level_values(1))
    assert by_long.index.names == ["store", "timestamp"]


def test_predict_a_subset_of_the_series_and_refit_on_one_series():
    a, b = noisy(10.0, 1.0, 24), noisy(40.0, 4.0, 24, seed=5)
    model = quick().fit({"a": a, "b": b})
    assert list(model.predict(ids=["b"]).index.get_level_values(0)) == ["b", "b"]
    np.testing.assert_allclose(
        model.predict(ids="b").to_numpy(), model.predict().loc[["b"]].to_numpy(), atol=1e-6
    )
    single = model.fit(a).predict()  # the same forecaster, now on one series
    assert isinstance(single.index, pd.DatetimeIndex) and len(single) == 2


# ------------------------------------------------------------------ errors
def error(kind, message):
    return pytest.raises(kind, match=re.escape(message))


def test_series_must_share_frequency_and_columns():
    monthly = noisy(10.0, 1.0, 24)
    daily = pd.Series(np.arange(24.0), pd.date_range("2000-01-01", periods=24, freq="D"))
    with error(
        DataError,
        "the series have different frequencies: 'a' is 'MS', 'b' is 'D': give every series "
        "the same frequency (resample them first), or fit one forecaster per frequency",
    ):
        quick().fit({"a": monthly, "b": daily.rename("sales")})
    with error(
        DataError,
        "the series have different columns: 'a' has {'targets': ['sales'], 'past': [], "
        "'future': []}; 'b' has {'targets': ['units'], 'past': [], 'future': []}: give every "
        "series the same column names in every role (one model reads them all alike)",
    ):
        quick().fit({"a": monthly, "b": monthly.rename("units")})


def test_static_covariates_must_match_the_series():
    y = {"a": noisy(10.0, 1.0, 24), "b": noisy(20.0, 1.0, 24)}
    with error(
        DataError,
        "static_covariates must have one row per series of y: missing ids ['b'], extra ids "
        "['c']: index it by the series ids ['a', 'b']",
    ):
        quick().fit(y, static_covariates=pd.DataFrame({"size": [1.0, 2.0]}, index=["a", "c"]))
    with error(DataError, "static_covariates has duplicate ids ['a']: give one row per series"):
        quick().fit(y, static_covariates=pd.DataFrame({"size": [1.0, 2.0]}, index=["a", "a"]))
    kinds = pd.DataFrame({"kind": [True, False]}, index=["a", "b"])
    with error(
        DataError,
        "static covariate 'kind' is not numeric (dtype bool): encode it as numbers first "
        "(e.g. pd.get_dummies for categories)",
    ):
        quick().fit(y, static_covariates=kinds)
    with error(
        ConfigError,
        "static_covariates describe many series: give y as a dict {series id: series}, a list "
        "of series, or a long frame with id_column",
    ):
        quick().fit(y["a"], static_covariates=kinds)


def test_bad_panels_are_refused_with_the_series_named():
    with error(
        DataError,
        "series 'short': y has 5 steps, fewer than lookback + horizon = 6: give a longer "
        "series or a shorter lookback/horizon",
    ):
        quick().fit({"long": noisy(10.0, 1.0, 24), "short": noisy(10.0, 1.0, 5)})
    empty = (
        "y holds no series: give a dict {series id: series}, a list of series, or a long "
        "frame with id_column, holding at least one series"
    )
    with error(DataError, empty):
        quick().fit({})
    with error(DataError, empty):
        quick().fit([])
    long = noisy(10.0, 1.0, 24).to_frame().assign(shop=1)
    with error(
        ConfigError,
        "id_column='store' is not a column or index level of the long frame; its columns are "
        "['sales', 'shop']: name the column that holds the series ids, or pass a dict "
        "{series id: series} instead",
    ):
        quick(id_column="store").fit(long)
    with error(
        ConfigError,
        "series ids must be strings or integers, got 1.5 (float) in y: they name the series "
        "in the forecast's index and in the model file",
    ):
        quick().fit({1.5: noisy(10.0, 1.0, 24)})


def test_predicting_unknown_or_repeated_ids_is_refused():
    model = quick().fit({"a": noisy(10.0, 1.0, 24), "b": noisy(20.0, 1.0, 24)})
    with error(ConfigError, "ids has duplicate ids ['a']: name each series once"):
        model.predict(ids=["a", "a"])
    with error(
        ConfigError,
        "ids names series the forecaster was not fitted on: ['c']; the known ids are ['a', 'b']",
    ):
        model.predict(ids=["a", "c"])
