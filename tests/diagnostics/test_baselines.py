"""Baseline forecasts against hand-worked values and plain pandas shifts."""

import re

import numpy as np
import pandas as pd
import pytest

from lstmkit.datasets import airline_passengers
from lstmkit.diagnostics import (
    BASELINES,
    drift,
    persistence,
    seasonal_naive,
    seasonal_naive_drift,
    walk_forward_baselines,
    walk_forward_targets,
)
from lstmkit.errors import ConfigError, DataError, ShapeError

HISTORY = np.array([1.0, 5.0, 2.0, 6.0, 3.0, 8.0])  # season 2: odd steps low, even high
TOL = 1e-12  # float64 arithmetic on a handful of values


def test_persistence_repeats_the_last_value():
    assert persistence(HISTORY, 3).tolist() == [8.0, 8.0, 8.0]


def test_seasonal_naive_repeats_the_last_season_past_one_season():
    # last season (3, 8); steps 3 and 5 go two and three seasons back to the same slot
    assert seasonal_naive(HISTORY, 5, season=2).tolist() == [3.0, 8.0, 3.0, 8.0, 3.0]
    assert seasonal_naive(HISTORY, 2, season=6).tolist() == [1.0, 5.0]  # history = one season


def test_drift_extends_the_line_from_first_to_last_value():
    slope = (8.0 - 1.0) / 5  # (y_T - y_1) / (T - 1) by hand
    np.testing.assert_allclose(drift(HISTORY, 3), 8.0 + slope * np.array([1, 2, 3]), atol=TOL)


def test_seasonal_naive_drift_adds_the_mean_seasonal_change_per_season():
    # seasonal differences: 2-1, 6-5, 3-2, 8-6 = 1, 1, 1, 2 -> b = 5/4
    b = 1.25
    expected = [3 + b, 8 + b, 3 + 2 * b, 8 + 2 * b, 3 + 3 * b]
    np.testing.assert_allclose(seasonal_naive_drift(HISTORY, 5, season=2), expected, atol=TOL)


def test_season_one_reduces_to_persistence_and_drift():
    rng = np.random.default_rng(1)
    history = rng.normal(size=30).cumsum()
    np.testing.assert_array_equal(seasonal_naive(history, 7, 1), persistence(history, 7))
    # the mean of first differences telescopes to (y_T - y_1) / (T - 1)
    np.testing.assert_allclose(seasonal_naive_drift(history, 7, 1), drift(history, 7), atol=TOL)


def test_multi_column_history_forecasts_each_column_on_its_own():
    columns = np.column_stack([HISTORY, 10 * HISTORY[::-1]])  # (6, 2)
    for method in (persistence, drift):
        out = method(columns, 4)
        assert out.shape == (4, 2)
        np.testing.assert_allclose(out[:, 1], method(columns[:, 1], 4), atol=TOL)
    out = seasonal_naive_drift(columns, 3, 2)
    # column 1 is 80 30 60 20 50 10: seasonal differences -20 -10 -10 -10 -> b = -12.5
    np.testing.assert_allclose(out[:, 1], [50 - 12.5, 10 - 12.5, 50 - 25], atol=TOL)
    assert seasonal_naive(columns, 3, 2)[:, 1].tolist() == [50.0, 10.0, 50.0]


def test_pandas_series_and_integer_histories_are_accepted():
    series = pd.Series([1, 2, 3, 4], index=pd.date_range("2000-01", periods=4, freq="MS"))
    out = drift(series, 2)
    assert out.dtype == np.float64 and out.tolist() == [5.0, 6.0]


def _at_origins(frame, step, origins):
    """What ``frame`` holds ``step`` rows after each origin: pandas' own shift, no lstmkit."""
    return frame.shift(-step).iloc[origins].to_numpy()


def test_airline_walk_forward_matches_pandas_shifts():
    series = airline_passengers()
    months = [(1958, 12)] + [(1959, month) for month in range(1, 13)]  # CONTRACTS §10
    origins = [series.index.get_loc(pd.Timestamp(year, month, 1)) for year, month in months]
    assert origins == list(range(119, 132))
    forecasts = walk_forward_baselines(series, origins, 12, season=12)
    targets = walk_forward_targets(series, origins, 12)
    assert set(forecasts) == set(BASELINES)
    seasonal_change = (series - series.shift(12)).expanding().mean()  # b at each origin
    for step in range(1, 13):
        one_season_back = _at_origins(series.shift(12), step, origins)
        column = step - 1
        np.testing.assert_array_equal(forecasts["seasonal_naive"][:, column], one_season_back)
        np.testing.assert_array_equal(
            forecasts["persistence"][:, column], series.iloc[origins].to_numpy()
        )
        np.testing.assert_allclose(
            forecasts["seasonal_naive_drift"][:, column],
            one_season_back + seasonal_change.iloc[origins].to_numpy(),
            rtol=1e-12,
        )
        np.testing.assert_array_equal(targets[:, column], _at_origins(series, step, origins))


def test_seasonal_naive_two_seasons_ahead_reads_two_seasons_back():
    series = airline_passengers()
    forecast = walk_forward_baselines(series, [119], 24, 12, methods=["seasonal_naive"])
    # both forecast years repeat 1958 (positions 108..119)
    expected = np.tile(series.iloc[108:120].to_numpy(), 2)
    np.testing.assert_array_equal(forecast["seasonal_naive"][0], expected)


def test_walk_forward_targets_keep_missing_values_as_nan():
    targets = walk_forward_targets([0.0, 1.0, np.nan, 3.0], [0, 1], 2)
    np.testing.assert_array_equal(targets, [[1.0, np.nan], [np.nan, 3.0]])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: persistence(HISTORY, 0),
            ConfigError,
            "horizon must be an integer >= 1, got 0: the number of steps to forecast.",
        ),
        (
            lambda: seasonal_naive(HISTORY, 3, 0),
            ConfigError,
            "season must be an integer >= 1, got 0: the steps in one seasonal cycle "
            "(12 for monthly data), or 1 for none.",
        ),
        (
            lambda: seasonal_naive(HISTORY, 3, 7),
            DataError,
            "seasonal naive needs a history of at least 7 observations (one season of 7 "
            "steps), got 6: use a longer history or a shorter season.",
        ),
        (
            lambda: seasonal_naive_drift(HISTORY, 3, 6),
            DataError,
            "seasonal naive with drift needs a history of at least 7 observations (one season "
            "plus one), got 6: use a longer history or a shorter season.",
        ),
        (
            lambda: drift([4.0], 3),
            DataError,
            "drift needs a history of at least 2 observations (two to measure the average "
            "change), got 1: use a longer history or a shorter season.",
        ),
        (
            lambda: persistence([1.0, np.nan, 2.0], 1),
            DataError,
            "history contains NaN or inf at row 1: fill or drop missing values before "
            "forecasting a baseline.",
        ),
        (
            lambda: persistence([], 1),
            DataError,
            "history is empty: a baseline needs at least one observation.",
        ),
        (
            lambda: persistence(np.zeros((3, 2, 2)), 1),
            ShapeError,
            "expected history of shape (time,) or (time, targets), got shape (3, 2, 2).",
        ),
        (
            lambda: walk_forward_baselines(HISTORY, [3], 2, 2, methods=["seasonal_navie"]),
            ConfigError,
            "unknown baseline 'seasonal_navie': expected one of 'drift', 'holt_winters', "
            "'persistence', 'seasonal_naive', 'seasonal_naive_drift'. Did you mean "
            "'seasonal_naive'?",
        ),
        (
            lambda: walk_forward_baselines(HISTORY, [2, 6, -1], 2, 2),
            DataError,
            "origins [6, -1] are outside the series of 6 observations: expected positions "
            "from 0 to 5.",
        ),
        (
            lambda: walk_forward_baselines(HISTORY, [2.5], 2, 2),
            ConfigError,
            "origins must be a non-empty list of integer positions, got [2.5]: for timestamps "
            "use [series.index.get_loc(t) for t in timestamps].",
        ),
        (
            lambda: walk_forward_targets(HISTORY, [2, 4], 2),
            DataError,
            "origins [4] leave fewer than horizon = 2 observations after them in a series of "
            "6: the last usable origin is 3.",
        ),
        (
            lambda: walk_forward_baselines(HISTORY, [0], 2, 2),
            DataError,
            "seasonal naive needs a history of at least 2 observations (one season of 2 "
            "steps), got 1: use a longer history or a shorter season.",
        ),
    ],
)
def test_bad_input_gets_an_exact_message(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
