"""Walk-forward backtests, leakage-free folds over windows, split-conformal intervals."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

import lstmkit
from lstmkit.data import windows
from lstmkit.errors import ConfigError, DataError
from lstmkit.estimators._forecast_backtest import backtest, time_series_folds
from lstmkit.estimators._forecast_intervals import add_intervals, conformal_quantiles, coverage

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def ar1(periods=40, phi=0.7, seed=0):
    """x[t] = phi x[t-1] + e[t], e ~ N(0, 1): daily, starting 2000-01-01."""
    noise = np.random.default_rng(seed).normal(size=periods)
    values = np.zeros(periods)
    for t in range(1, periods):
        values[t] = phi * values[t - 1] + noise[t]
    return pd.Series(values, pd.date_range("2000-01-01", periods=periods, freq="D"), name="ar")


def tiny(**params):
    settings = {"lookback": 5, "horizon": 3, "units": 8, "epochs": 5, "learning_rate": 0.01}
    return lstmkit.LSTMForecaster(**{**settings, "random_state": 0, **params})


# ----------------------------------------------------------------------------- the frame
def test_one_row_per_origin_step_and_target_with_the_actuals_beside():
    y = ar1()  # 40 steps: with H = 3 the last origin with 3 actuals is position 36
    frame = backtest(tiny(), y, start=20, step=2)
    positions = [20, 22, 24, 26, 28, 30, 32, 34, 36]  # by hand
    assert list(frame.columns) == ["origin", "timestamp", "step", "target", "value", "actual"]
    assert len(frame) == len(positions) * 3
    assert frame["origin"].unique().tolist() == list(y.index[positions])
    assert frame["step"].tolist() == [1, 2, 3] * len(positions)  # sorted by origin, then step
    assert (frame["target"] == "ar").all()
    expected_times = frame["origin"] + pd.to_timedelta(frame["step"], unit="D")
    assert (frame["timestamp"] == expected_times).all()
    np.testing.assert_array_equal(frame["actual"], y.loc[frame["timestamp"]].to_numpy())  # exact
    assert np.isfinite(frame["value"]).all()
    assert frame.attrs["horizon"] == 3


def test_a_timestamp_a_position_and_a_fraction_name_the_same_first_origin():
    y = ar1()
    by_fraction = backtest(tiny(epochs=1), y, start=0.5, step=4)  # trains on 20 steps: 0..19
    by_position = backtest(tiny(epochs=1), y, start=19, step=4)
    by_time = backtest(tiny(epochs=1), y, start=pd.Timestamp("2000-01-20"), step=4)
    for frame in (by_fraction, by_position, by_time):
        assert frame["origin"].iloc[0] == y.index[19]
    pd.testing.assert_frame_equal(by_fraction, by_position, rtol=0, atol=0)  # same run: bitwise


def test_several_targets_have_one_row_each():
    y = pd.concat([ar1().rename("a"), ar1(seed=1).rename("b")], axis=1)
    frame = backtest(tiny(epochs=1), y, start=34)
    assert frame["target"].tolist() == ["a", "b"] * 3 * 3  # origins 34..36, steps 1..3
    expected = [y.loc[time, name] for time, name in zip(frame["timestamp"], frame["target"])]
    np.testing.assert_array_equal(frame["actual"], expected)  # exact: copied, not computed


# ----------------------------------------------------------------------------- folds
@pytest.mark.parametrize("window", ["expanding", "sliding"])
def test_walk_forward_folds_are_time_ordered_and_end_at_their_first_origin(window):
    y = ar1()
    frame = backtest(tiny(epochs=1), y, start=25, refit=3, window=window)
    folds = frame.attrs["folds"]
    origins = list(frame["origin"].unique())  # positions 25..36: 12 origins
    assert [fold.origin for fold in folds] == origins[::3]  # a refit every 3rd origin
    assert [fold.train_end for fold in folds] == [fold.origin for fold in folds]
    ends = [fold.train_end for fold in folds]
    assert ends == sorted(ends) and len(set(ends)) == len(ends)
    first_span = len(pd.date_range(folds[0].train_start, folds[0].train_end, freq="D"))
    assert first_span == 26  # positions 0..25
    for fold in folds:
        span = len(pd.date_range(fold.train_start, fold.train_end, freq="D"))
        if window == "expanding":
            assert fold.train_start == y.index[0]
        else:
            assert span == first_span  # sliding keeps the first span's length


def test_without_refit_one_fit_on_the_data_up_to_the_first_origin():
    frame = backtest(tiny(epochs=1), ar1(), start=30)
    assert frame.attrs["folds"] == [
        (pd.Timestamp("2000-01-01"), pd.Timestamp("2000-01-31"), pd.Timestamp("2000-01-31"))
    ]


@pytest.mark.parametrize("refit", [False, True])
def test_an_origins_forecast_never_reads_the_data_after_it(refit):
    y = ar1()
    cut = 33  # change every value after position 33
    changed = y.copy()
    changed.iloc[cut + 1 :] = 1000.0 + np.arange(len(y) - cut - 1)
    original = backtest(tiny(), y, start=30, refit=refit)
    altered = backtest(tiny(), changed, start=30, refit=refit)
    before = original["origin"] <= y.index[cut]
    # Same process, same seeds, same data up to each origin: bitwise (CONTRACTS §9), atol 0.
    np.testing.assert_array_equal(
        original.loc[before, "value"].to_numpy(), altered.loc[before, "value"].to_numpy()
    )
    later = ~before  # the test can see a leak: later origins do read the changed values
    assert not np.allclose(original.loc[later, "value"], altered.loc[later, "value"])


def test_with_step_equal_to_the_horizon_the_forecast_spans_are_disjoint():
    y = ar1()
    frame = backtest(tiny(epochs=1), y, start=15, step=3)
    spans = frame.groupby("origin")["timestamp"].agg(["min", "max"])
    assert (spans["min"] > spans.index).all()  # each span starts after its origin
    assert (spans["min"].iloc[1:].to_numpy() > spans["max"].iloc[:-1].to_numpy()).all()
    assert frame["timestamp"].is_unique


def test_a_shorter_horizon_and_its_limit_for_direct_models():
    y = ar1()
    frame = backtest(tiny(epochs=1), y, start=30, horizon=2)
    assert frame["step"].max() == 2 and frame["origin"].iloc[-1] == y.index[37]
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "forecasts at most the horizon it was fitted with (3 steps), got horizon=4"
        ),
    ):
        backtest(tiny(), y, start=30, horizon=4)


# ----------------------------------------------------------------------------- errors
def test_a_start_that_leaves_no_origin_names_the_first_and_last_possible():
    y = ar1()  # lookback 5 + horizon 3: the first fit needs 8 steps (position 7)
    expected = (
        "start=38 leaves no origin to backtest: the first fit needs the data up to position 7 "
        "and every origin needs horizon = 3 actuals after it, so origins run from 2000-01-08 "
        "(position 7) to 2000-02-06 (position 36); choose a start between them"
    )
    with pytest.raises(ConfigError, match=re.escape(expected)):
        backtest(tiny(), y, start=38)
    with pytest.raises(ConfigError, match=re.escape("start=3 leaves no origin to backtest")):
        backtest(tiny(), y, start=3)
    with pytest.raises(
        ConfigError, match=re.escape("start=Timestamp('2001-01-01 00:00:00') leaves no origin")
    ):
        backtest(tiny(), y, start=pd.Timestamp("2001-01-01"))


def test_a_series_too_short_for_one_fit_and_one_horizon_is_a_data_error():
    expected = (
        "y has 10 steps, too few to backtest: the first fit needs 8 (lookback + horizon) and "
        "the first origin needs horizon = 3 actuals after it, so at least 11: give a longer "
        "series or a shorter lookback/horizon"
    )
    with pytest.raises(DataError, match=re.escape(expected)):
        backtest(tiny(), ar1(periods=10), start=7)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": 1.5}, "start=1.5: a float start is the fraction of the series"),
        (
            {"start": "2000-01-20 12:00"},
            "start='2000-01-20 12:00' is not a timestamp of y's grid (freq 'D'): choose one of y's timestamps, e.g. 2000-01-20",
        ),
        (
            {"start": [3]},
            "start must be a timestamp, an integer position or a float fraction in (0, 1), got [3]",
        ),
        (
            {"start": 20, "step": 0},
            "step must be a positive integer (steps between origins), got 0",
        ),
        (
            {"start": 20, "refit": 0},
            "refit must be False (fit once), True (refit at every origin) or a positive integer k (refit every k origins), got 0",
        ),
        (
            {"start": 20, "window": "rolling"},
            "unknown window 'rolling': expected one of 'expanding', 'sliding'",
        ),
    ],
)
def test_bad_settings_are_config_errors(options, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        backtest(tiny(), ar1(), **options)


# ----------------------------------------------------------------------------- windowed CV
def test_time_series_folds_leave_no_test_target_among_the_training_targets():
    values = 0.25 + 1.5 * np.arange(80.0)  # unique values: a target is identified by its value
    lookback, horizon = 4, 3
    _, y = windows(values, lookback=lookback, horizon=horizon)  # y: (74, 3, 1)
    folds = time_series_folds(len(y), horizon, n_splits=5)
    assert len(folds) == 5
    for train, test in folds:
        assert len(test) > 0 and train.max() < test.min()  # time-ordered
        assert not set(y[train].ravel()) & set(y[test].ravel())
    # The check can see a leak: one window less of gap shares a target step.
    leaky = TimeSeriesSplit(n_splits=5, gap=horizon - 2).split(np.arange(len(y)))
    assert all(set(y[train].ravel()) & set(y[test].ravel()) for train, test in leaky)


def test_time_series_folds_errors():
    with pytest.raises(ConfigError, match=re.escape("n_splits must be an integer >= 2, got 1")):
        time_series_folds(10, 2, 1)
    with pytest.raises(
        ConfigError,
        match=re.escape("4 windows are too few for 3 folds with a gap of horizon - 1 = 2 windows"),
    ):
        time_series_folds(4, 3, 3)


# ----------------------------------------------------------------------------- conformal
def residual_frame(residuals_by_step):
    """A backtest-shaped frame whose absolute residuals are the given ones (forecast 0)."""
    rows = [
        {"origin": k, "step": step, "target": "y", "value": 0.0, "actual": sign * value}
        for step, values in residuals_by_step.items()
        for k, (value, sign) in enumerate(zip(values, np.resize([1.0, -1.0], len(values))))
    ]
    return pd.DataFrame(rows).sort_values(["origin", "step"], ignore_index=True)


def test_conformal_quantiles_match_a_hand_count_and_a_numpy_reference():
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(np.arange(1, 20) / 10)  # 0.1 .. 1.9, n = 19
    other = rng.exponential(size=19)
    table = conformal_quantiles(residual_frame({1: shuffled, 2: other}), 0.9)
    # By hand: k = ceil(20 * 0.9) = 18, the 18th smallest of 0.1 .. 1.9 is 1.8.
    assert table.loc[1, "y"] == pytest.approx(1.8, abs=1e-12)
    k = math.ceil((19 + 1) * 0.9)
    assert table.loc[2, "y"] == np.sort(other)[k - 1]  # exactly one of the residuals
    assert table.index.tolist() == [1, 2] and table.attrs["residuals"] == 19
    # 80%: k = ceil(16) = 16.
    assert conformal_quantiles(residual_frame({1: shuffled}), 0.8).loc[1, "y"] == pytest.approx(
        1.6, abs=1e-12
    )


def test_too_few_origins_for_the_coverage_is_a_config_error():
    expected = (
        "a 90% split-conformal interval needs at least 9 backtest origins with an observed "
        "actual at every step, got 8: backtest from an earlier start or with a smaller step, "
        "or ask for a lower coverage"
    )
    with pytest.raises(ConfigError, match=re.escape(expected)):
        conformal_quantiles(residual_frame({1: np.arange(1.0, 9.0)}), 0.9)
    # n = 9 is the fewest: k = ceil(10 * 0.9) = 9 <= 9, the largest residual.
    assert conformal_quantiles(residual_frame({1: np.arange(1.0, 10.0)}), 0.9).loc[1, "y"] == 9.0


def test_add_intervals_to_a_forecast_and_to_a_backtest_and_count_coverage():
    quantiles = conformal_quantiles(
        residual_frame({1: np.arange(1, 20) / 10, 2: np.arange(1, 20) / 5}), 0.9
    )
    forecast = pd.DataFrame({"y": [10.0, 20.0]}, pd.date_range("2001-01", periods=2, freq="MS"))
    wide = add_intervals(forecast, quantiles)
    np.testing.assert_allclose(wide["y_lower"], [10 - 1.8, 20 - 3.6], atol=1e-12)
    np.testing.assert_allclose(wide["y_upper"], [10 + 1.8, 20 + 3.6], atol=1e-12)
    assert wide.attrs["interval"] == "90% split-conformal from 19 backtest residuals per step"
    assert "y_lower" not in forecast  # a new frame
    assert (
        add_intervals(forecast, quantiles, method_label="ensemble spread").attrs["interval"]
        == "ensemble spread"
    )
    long = pd.DataFrame(
        {"step": [1, 2, 1, 2], "target": "y", "value": 0.0, "actual": [1.7, 3.7, -1.9, 0.0]}
    )
    table = coverage(long, quantiles)  # inside: yes, no | no, yes (hand count)
    assert table["y"].tolist() == [0.5, 0.5, 0.5]
    assert table.index.tolist() == [1, 2, "all"] and table.attrs["nominal"] == 0.9


def test_split_conformal_reaches_its_coverage_on_exchangeable_residuals():
    """The finite-sample guarantee: with n = 19 and c = 0.9 a new residual falls inside
    with probability k / (n + 1) = 18 / 20 = 0.9 exactly. 4000 independent steps give
    the mean coverage to a standard error of 0.005."""
    rng = np.random.default_rng(1)
    steps = 4000
    big = pd.DataFrame(
        {
            "step": np.repeat(np.arange(1, steps + 1), 19),
            "target": "y",
            "value": 0.0,
            "actual": rng.normal(size=steps * 19),
        }
    )
    quantiles = conformal_quantiles(big, 0.9)
    fresh = pd.DataFrame(
        {
            "step": np.arange(1, steps + 1),
            "target": "y",
            "value": 0.0,
            "actual": rng.normal(size=steps),
        }
    )
    assert 0.88 <= coverage(fresh, quantiles).loc["all", "y"] <= 0.92


def test_intervals_from_an_earlier_backtest_cover_90_percent_of_a_later_one_on_ar1():
    """AR(1), phi = 0.7, 600 steps: one fit on the first 100 steps, origins 99..596.

    The first half of the origins calibrates, the later half is scored: the same model
    throughout, so the residuals are exchangeable and the coverage is distribution-free
    (a weak model only widens the intervals). Over 20 series seeds this check gave
    mean 0.899, sd 0.038 (19 of 20 within 85-95%); this is seed 0.
    """
    y = ar1(periods=600, seed=0)
    frame = backtest(tiny(epochs=10), y, start=99)
    origins = frame["origin"].unique()
    later = frame["origin"] >= origins[len(origins) // 2]
    quantiles = conformal_quantiles(frame[~later], 0.9)
    assert quantiles.attrs["residuals"] == 249
    table = coverage(frame[later], quantiles)
    assert 0.85 <= table.loc["all", "ar"] <= 0.95
    assert all(0.80 <= table.loc[step, "ar"] <= 1.0 for step in (1, 2, 3))
