"""Many series over time: panel backtests, per-series intervals, updates, save -> load."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.diagnostics import evaluate_forecaster
from lstmkit.errors import ConfigError, DataError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def wave(level, amplitude, periods, start="2000-01", seed=0):
    """A yearly cycle around ``level`` with noise of a tenth of the amplitude."""
    steps = np.arange(periods)
    noise = np.random.default_rng(seed).normal(scale=0.1 * amplitude, size=periods)
    values = level + amplitude * np.sin(2 * np.pi * steps / 12) + noise
    return pd.Series(values, pd.date_range(start, periods=periods, freq="MS"), name="sales")


def quick(**params):
    settings = {"lookback": 4, "horizon": 2, "units": 4, "epochs": 1, "random_state": 0}
    return lstmkit.LSTMForecaster(**{**settings, **params})


def two_series():
    """a: 30 months, 2000-01 to 2002-06; b: 20 months, 2001-01 to 2002-08 (100x a's level)."""
    return {"a": wave(10.0, 1.0, 30), "b": wave(1000.0, 100.0, 20, start="2001-01", seed=1)}


def months(*texts):
    return [pd.Timestamp(text) for text in texts]


def error(kind, message):
    return pytest.raises(kind, match=re.escape(message))


# ------------------------------------------------------------------ backtest
def test_origins_and_rows_of_two_series_of_different_lengths_by_hand():
    y = two_series()
    frame = quick().backtest(y, start="2001-09", step=2)
    # Lookback 4 + horizon 2 = 6 steps to join the fit at 2001-09: a has 21, b has 9.
    # An origin needs 2 actuals after it: a's last is 2002-04, b's 2002-06. Every second
    # month from 2001-09: a at 4 origins, b at 5; 2 steps each -> 18 rows.
    by_hand = [
        ("2001-09", "a"), ("2001-09", "b"), ("2001-11", "a"), ("2001-11", "b"),
        ("2002-01", "a"), ("2002-01", "b"), ("2002-03", "a"), ("2002-03", "b"),
        ("2002-05", "b"),
    ]  # fmt: skip
    assert list(frame.columns) == [
        "series", "origin", "timestamp", "step", "target", "value", "actual"
    ]  # fmt: skip
    assert len(frame) == 18
    pairs = frame[["origin", "series"]].drop_duplicates()
    assert list(zip(pairs["origin"], pairs["series"])) == [
        (pd.Timestamp(origin), key) for origin, key in by_hand
    ]
    assert frame["step"].tolist() == [1, 2] * 9
    steps_after = zip(frame["origin"], frame["step"])
    expected_times = [origin + pd.DateOffset(months=step) for origin, step in steps_after]
    assert frame["timestamp"].tolist() == expected_times
    expected = [y[key][time] for key, time in zip(frame["series"], frame["timestamp"])]
    np.testing.assert_array_equal(frame["actual"], expected)  # exact: copied, not computed
    assert np.isfinite(frame["value"]).all()
    assert frame.attrs["folds"] == [tuple(months("2000-01", "2001-09", "2001-09"))]
    assert frame.attrs["horizon"] == 2 and frame.attrs["notes"] == []


def test_a_series_joins_the_fits_once_it_has_lookback_plus_horizon_steps():
    y = two_series()  # b starts 2001-01: 6 steps only at 2001-06
    once = quick().backtest(y, start="2001-03")
    assert set(once["series"]) == {"a"}  # the only fit (2001-03) had 3 of b's steps
    assert once.attrs["notes"] == [
        "series 'b' is left out: no fit trained on it at an origin with horizon = 2 actuals "
        "after it in its span (2001-01-01 to 2002-08-01); an earlier start or refit=True "
        "brings it in"
    ]
    every = quick().backtest(y, start="2001-03", step=1, refit=True)
    first_of_b = every.loc[every["series"] == "b", "origin"].min()
    assert first_of_b == pd.Timestamp("2001-06")  # 2001-01 .. 2001-06: 6 steps
    assert len(every.attrs["folds"]) == every["origin"].nunique() == 16  # 2001-03 .. 2002-06


def test_sliding_folds_keep_the_first_span_and_a_long_frame_names_the_column():
    y = two_series()
    long = pd.concat([series.to_frame().assign(store=key) for key, series in y.items()])
    frame = quick(id_column="store").backtest(long, start="2001-09", refit=3, window="sliding")
    assert frame.columns[0] == "store"
    folds = frame.attrs["folds"]
    assert [fold.origin for fold in folds] == months("2001-09", "2001-12", "2002-03", "2002-06")
    # The first span runs 2000-01 .. 2001-09 (21 months); later ones keep 21 months.
    assert [fold.train_start for fold in folds] == months(
        "2000-01", "2000-04", "2000-07", "2000-10"
    )


@pytest.mark.parametrize("refit", [False, True])
def test_an_origins_forecasts_never_read_any_series_after_it(refit):
    y = two_series()
    changed = {"a": y["a"], "b": y["b"].copy()}
    cut = pd.Timestamp("2002-02")
    changed["b"][changed["b"].index > cut] = 5000.0 + np.arange(6)
    original = quick().backtest(y, start="2001-12", refit=refit)
    altered = quick().backtest(changed, start="2001-12", refit=refit)
    before = original["origin"] <= cut
    # Same process, same seeds, same data up to each origin: bitwise (CONTRACTS §9).
    np.testing.assert_array_equal(original.loc[before, "value"], altered.loc[before, "value"])
    later_b = ~before & (original["series"] == "b")  # the test can see a leak
    assert not np.allclose(original.loc[later_b, "value"], altered.loc[later_b, "value"])


def test_bad_starts_are_config_errors_that_say_what_to_give():
    y = two_series()
    with error(
        ConfigError,
        "start=20: with many series start must be a timestamp, the first origin shared by "
        "every series (e.g. start='2001-05-01'); a position or a fraction would count "
        "differently in series of different lengths",
    ):
        quick().backtest(y, start=20)
    with error(
        ConfigError,
        "start='2001-09-15' is not a timestamp of the series' grid (freq 'MS'): choose one of "
        "their timestamps, e.g. 2001-09-01",
    ):
        quick().backtest(y, start="2001-09-15")
    with error(
        ConfigError,
        "start='2002-07' leaves no origin to backtest: an origin needs a series with 6 steps "
        "up to it (lookback + horizon, + differencing) and horizon = 2 actuals after it, so "
        "origins run from 2000-06-01 (series 'a') to 2002-06-01 (series 'b'); choose a start "
        "between them",
    ):
        quick().backtest(y, start="2002-07")
    with error(
        DataError,
        "every series is too short to backtest: the longest, 'b', has 7 steps; the first fit "
        "needs 6 steps (lookback + horizon, + differencing) and the first origin needs horizon "
        "= 2 actuals after it, so at least 8: give longer series or a shorter lookback/horizon",
    ):
        quick().backtest({"a": y["a"][:5], "b": y["b"][:7]}, start="2001-06")


# ------------------------------------------------------------------ intervals
def test_each_series_gets_bounds_from_its_own_residuals_only():
    y = two_series()
    model = quick().fit(y).calibrate(y, start="2001-09")  # a: 8 origins, b: 10
    forecast = model.predict(coverage=0.8)
    np.testing.assert_array_equal(forecast["sales"], model.predict()["sales"])
    residuals = model.residuals_
    for key in ("a", "b"):
        rows = residuals[residuals["series"] == key]
        for step in (1, 2):
            mine = rows[rows["step"] == step]
            errors = np.sort(np.abs(mine["actual"].to_numpy() - mine["value"].to_numpy()))
            half = errors[math.ceil((len(errors) + 1) * 0.8) - 1]  # split conformal's rank
            row = forecast.loc[key].iloc[step - 1]
            assert row["sales_lower"] == pytest.approx(row["sales"] - half, abs=1e-9)
            assert row["sales_upper"] == pytest.approx(row["sales"] + half, abs=1e-9)
    widths = forecast["sales_upper"] - forecast["sales_lower"]
    assert widths.loc["b"].min() > 10 * widths.loc["a"].max()  # pooled, they would be alike
    assert forecast.attrs["interval"] == (
        "80% split-conformal per series from 8 to 10 backtest residuals per step"
    )
    with error(
        ConfigError,
        "series 'a': a 90% split-conformal interval needs at least 9 backtest origins with an "
        "observed actual at every step, got 8: backtest from an earlier start",
    ):
        model.predict(coverage=0.9)


def test_calibration_must_match_the_kind_of_forecaster():
    y = two_series()
    single = quick().fit(y["a"])
    with error(
        ConfigError,
        "this forecaster was fitted on one series: calibrate it on that series (a Series or "
        "DataFrame), or fit it on many series first",
    ):
        single.calibrate(y, start="2001-09")
    panel = quick().fit(y)
    with error(
        ConfigError,
        "this forecaster was fitted on many series: calibrate it on them (a dict, a list, or "
        "a long frame with id_column), so each series gets its own residuals",
    ):
        panel.calibrate(y["a"], start="2001-09")


def test_save_load_after_calibrate_gives_the_same_intervals(tmp_path):
    y = two_series()
    y = {7: y["a"], "b": y["b"]}  # an integer id and a string id
    model = quick().fit(y).calibrate(y, start="2001-09")
    model.save(tmp_path / "panel.lstmkit")
    loaded = lstmkit.load_model(tmp_path / "panel.lstmkit")
    pd.testing.assert_frame_equal(loaded.residuals_, model.residuals_, check_exact=True)
    assert loaded.residuals_["series"].tolist()[:4] == [7, 7, "b", "b"]
    pd.testing.assert_frame_equal(
        loaded.predict(coverage=0.8), model.predict(coverage=0.8), check_exact=True
    )


# ------------------------------------------------------------------ update
def test_carry_moves_only_the_updated_series_and_matches_a_backtest_origin():
    y = two_series()
    start = {key: series[:"2001-12"] for key, series in y.items()}
    model = quick().fit(start)
    weights = [p.detach().clone() for p in model.model_.module_.parameters()]
    before = model.predict()
    model.update({"a": y["a"]["2002-01":"2002-03"]})
    after = model.predict()
    assert after.loc["a"].index[0] == pd.Timestamp("2002-04")
    pd.testing.assert_frame_equal(
        after.loc[["b"]], before.loc[["b"]], check_exact=True, check_freq=False
    )
    for old, new in zip(weights, model.model_.module_.parameters()):
        assert bool((old == new.detach()).all())
    # Another path to the same forecast: a backtest fitted once at 2001-12 forecasts a
    # from 2002-03 with the rows up to it (float32 across paths: 1e-6, CONTRACTS §9).
    frame = quick().backtest(y, start="2001-12")
    reference = frame[(frame["series"] == "a") & (frame["origin"] == "2002-03")]
    np.testing.assert_allclose(after.loc["a", "sales"], reference["value"], rtol=0, atol=1e-6)
    # Two chunks carry to where one does.
    chunked = quick().fit(start)
    chunked.update({"a": y["a"]["2002-01":"2002-01"]})
    chunked.update({"a": y["a"]["2002-02":"2002-03"]})
    pd.testing.assert_frame_equal(chunked.predict(), after, check_exact=True)


def test_fine_tune_trains_on_the_new_windows_of_every_updated_series(monkeypatch):
    y = two_series()
    start = {"a": y["a"][:25], "b": y["b"][:17]}
    model = quick(epochs=2).fit(start)
    weights = [p.detach().clone() for p in model.model_.module_.parameters()]
    seen = {}
    original = lstmkit.LSTMRegressor.fit

    def recording_fit(self, X, y, *args, **kwargs):
        seen["X"], seen["y"] = np.asarray(X), np.asarray(y)
        return original(self, X, y, *args, **kwargs)

    monkeypatch.setattr(lstmkit.LSTMRegressor, "fit", recording_fit)
    model.update({"a": y["a"][25:], "b": y["b"][17:]}, mode="fine_tune", epochs=3)
    # Each new step is the last target of one window: a has 5 new steps, b 3 -> 8 windows.
    assert seen["X"].shape == (8, 4, 1) and seen["y"].shape == (8, 2, 1)
    for rows, key, new in ((slice(0, 5), "a", y["a"][25:]), (slice(5, 8), "b", y["b"][17:])):
        scaler = model.transforms_[key].scaler_  # the fit's, unchanged
        scaled = (new.to_numpy() - scaler.mean_[0]) / scaler.scale_[0]
        np.testing.assert_allclose(seen["y"][rows, -1, 0], scaled, atol=1e-6)  # float32
    assert len(model.history_.epoch) == 2 + 3
    changed = [
        not bool((old == new.detach()).all())
        for old, new in zip(weights, model.model_.module_.parameters())
    ]
    assert any(changed)
    assert model.predict().loc["b"].index[0] == pd.Timestamp("2002-09")


def test_refit_fits_every_series_again_on_all_the_data_seen():
    y = two_series()
    static = pd.DataFrame({"size": [1.0, 4.0]}, index=["a", "b"])
    model = quick().fit({"a": y["a"][:25], "b": y["b"]}, static_covariates=static)
    model.calibrate({"a": y["a"][:25], "b": y["b"]}, start="2001-09")
    model.update({"a": y["a"][25:]}, mode="refit")
    for key in ("a", "b"):
        scaler = model.transforms_[key].scaler_
        np.testing.assert_allclose(scaler.mean_, [y[key].mean()], rtol=1e-12)
    np.testing.assert_allclose(model.panel_.static["size"], [1.0, 4.0], rtol=0)
    assert model.predict().loc["a"].index[0] == pd.Timestamp("2002-07")
    assert "series" in model.residuals_  # the calibration of these settings is kept


def test_save_load_update_is_the_same_as_update_in_memory(tmp_path):
    y = two_series()
    model = quick().fit({"a": y["a"][:25], "b": y["b"][:15]})
    model.save(tmp_path / "panel.lstmkit")
    loaded = lstmkit.load_model(tmp_path / "panel.lstmkit")
    new = {"b": y["b"][15:], "a": y["a"][25:27]}
    for mode in ("carry", "refit"):
        model.update(new if mode == "carry" else {"a": y["a"][27:]}, mode=mode)
        loaded.update(new if mode == "carry" else {"a": y["a"][27:]}, mode=mode)
        pd.testing.assert_frame_equal(loaded.predict(), model.predict(), check_exact=True)


def test_bad_updates_name_the_series_and_what_to_do():
    y = two_series()
    model = quick().fit({"a": y["a"][:25], "b": y["b"]})
    with error(
        DataError,
        "the new observations name series the forecaster was not fitted on: ['c']; the known "
        "ids are ['a', 'b']: update known series only, or fit again on every series to add one",
    ):
        model.update({"a": y["a"][25:], "c": y["a"]})
    with error(
        DataError,
        "series 'a': the new observations start at 2001-12-01, but the data seen so far ends "
        "at 2002-01-01: give only the observations after it",
    ):
        model.update({"a": y["a"][23:]})
    with error(
        ConfigError,
        "this forecaster was fitted on many series: give the new observations as a dict "
        "{series id: new rows}, a list, or a long frame with id_column",
    ):
        model.update(y["a"][25:])
    assert model.panel_.series["a"].end == pd.Timestamp("2002-01")  # left as it was


def test_evaluate_forecaster_refuses_many_series_and_says_what_to_do():
    with error(
        ConfigError,
        "evaluate_forecaster scores one series; for many series backtest with "
        "model.backtest(...) and score each series",
    ):
        evaluate_forecaster(quick(), two_series(), start="2001-09", seeds=(0,))
