"""holt_winters: noise-free series whose continuation is known by construction, and plumbing.

A Holt-Winters model with the right seasonality reproduces a noise-free trend-plus-season
series exactly (smoothing cannot move a level, trend or season that never deviates), so
the true continuation is the reference; the fit's optimizer leaves a small residue, hence
the stated tolerances.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.diagnostics import BASELINES, holt_winters, walk_forward_baselines
from lstmkit.diagnostics.forecast_evaluation import evaluate_forecaster
from lstmkit.errors import ConfigError, DataError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SEASON, HORIZON = 12, 12
OFFSETS = np.array([3.0, -2.0, 1.0, 0.0, -4.0, 2.0, 5.0, -1.0, 0.0, 1.0, -3.0, -2.0])
ADDITIVE_TOL = 5e-3  # absolute, on a seasonal swing of 9 (observed ~5e-4)
MULTIPLICATIVE_RTOL = 1e-4  # relative (observed ~2e-6; an additive fit misses by ~30%)


def additive(periods: int) -> np.ndarray:
    """-3 + 0.5 t plus a seasonal offset: starts below zero, so the rule picks additive."""
    steps = np.arange(periods)
    return -3.0 + 0.5 * steps + OFFSETS[steps % SEASON]


def multiplicative(periods: int) -> np.ndarray:
    """A growing level times (1 + 0.2 sin): all positive, the swing grows with the level."""
    steps = np.arange(periods)
    return (10.0 + 0.3 * steps) * (1.0 + 0.2 * np.sin(2 * np.pi * steps / SEASON))


@pytest.fixture(scope="module")
def fits():
    """Each noise-free series' forecast alone and both as two target columns (4 fits)."""
    histories = {"additive": additive(48), "multiplicative": multiplicative(48)}
    alone = {name: holt_winters(history, HORIZON, SEASON) for name, history in histories.items()}
    both = holt_winters(np.column_stack(list(histories.values())), HORIZON, SEASON)
    return alone, both


def test_additive_trend_and_season_are_continued_exactly(fits):
    assert additive(48).min() < 0  # the additive rule applies
    forecast = fits[0]["additive"]
    assert forecast.shape == (HORIZON,) and forecast.dtype == np.float64
    truth = additive(48 + HORIZON)[48:]
    np.testing.assert_allclose(forecast, truth, rtol=0, atol=ADDITIVE_TOL)


def test_a_positive_series_with_a_growing_swing_is_fitted_multiplicatively(fits):
    truth = multiplicative(48 + HORIZON)[48:]
    np.testing.assert_allclose(fits[0]["multiplicative"], truth, rtol=MULTIPLICATIVE_RTOL)


def test_each_target_column_is_its_own_model(fits):
    alone, both = fits
    assert both.shape == (HORIZON, 2)
    # the same fit on the same values, one column at a time: equal within float64 noise
    np.testing.assert_allclose(both[:, 0], alone["additive"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(both[:, 1], alone["multiplicative"], rtol=0, atol=1e-9)


def test_walk_forward_includes_it_when_the_season_is_known():
    series = additive(40)
    origins = [29, 33]
    forecasts = walk_forward_baselines(series, origins, 6, SEASON)
    assert list(forecasts) == list(BASELINES) and BASELINES[-1] == "holt_winters"
    truth = np.stack([series[o + 1 : o + 7] for o in origins])  # the continuation, by index
    np.testing.assert_allclose(forecasts["holt_winters"], truth, rtol=0, atol=ADDITIVE_TOL)


def test_walk_forward_without_a_season_leaves_it_out():
    forecasts = walk_forward_baselines(additive(30), [20, 25], 3, season=1)
    assert list(forecasts) == ["persistence", "seasonal_naive", "drift", "seasonal_naive_drift"]


def _monthly(values: np.ndarray) -> pd.Series:
    return pd.Series(values, pd.date_range("2000-01", periods=len(values), freq="MS"), name="y")


def _tiny(season: int | None) -> lstmkit.LSTMForecaster:
    return lstmkit.LSTMForecaster(lookback=12, horizon=3, units=4, epochs=1, season=season)


def test_evaluate_forecaster_scores_it_beside_the_others_when_a_season_is_known():
    y = _monthly(additive(40))
    result = evaluate_forecaster(_tiny(SEASON), y, start=35, seeds=(0,))  # origins 35, 36
    assert result.baselines.index.tolist() == list(BASELINES) and result.notes == []
    # noise-free: Holt-Winters continues the series, so its RMSE is ~0 (hand reference)
    assert result.baselines.loc["holt_winters", "RMSE"] < ADDITIVE_TOL


def test_evaluate_forecaster_skips_it_with_a_note_without_a_season():
    result = evaluate_forecaster(_tiny(None), _monthly(additive(40)), start=35, seeds=(0,))
    assert "holt_winters" not in result.baselines.index
    assert result.notes[0] == (
        "seasonal_naive, seasonal_naive_drift, holt_winters skipped: no season is known "
        "(give season=12 for monthly data, or set the forecaster's season)"
    )


def test_evaluate_forecaster_skips_it_with_a_note_when_the_history_is_short():
    # first origin at position 19: 20 observations, fewer than two seasons of 12
    result = evaluate_forecaster(_tiny(SEASON), _monthly(additive(24)), start=19, seeds=(0,))
    assert result.baselines.index.tolist() == list(BASELINES[:-1])
    assert result.notes == [
        "holt_winters skipped: the first origin's history has 20 observations, it needs "
        "two full seasons (24)"
    ]


def test_a_convergence_warning_becomes_one_named_user_warning(monkeypatch):
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    real_fit = ExponentialSmoothing.fit

    def fit_that_warns(self, *args, **kwargs):
        warnings.warn("Optimization failed to converge.", ConvergenceWarning, stacklevel=2)
        warnings.warn("overflow, say", RuntimeWarning, stacklevel=2)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(ExponentialSmoothing, "fit", fit_that_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        holt_winters(np.column_stack([additive(24), multiplicative(24)]), 2, SEASON)
    kinds = [record.category for record in caught]
    assert ConvergenceWarning not in kinds
    assert kinds.count(RuntimeWarning) == 2  # other warnings pass through, one per fit
    named = [str(record.message) for record in caught if record.category is UserWarning]
    assert named == [
        "holt_winters: statsmodels' ExponentialSmoothing did not converge on target "
        "column(s) [0, 1] of a history of 24 observations; the forecast uses the parameters "
        "where the optimizer stopped: read it with care, beside the other baselines."
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: holt_winters(additive(23), 3, SEASON),
            DataError,
            "holt_winters needs a history of at least 24 observations (two full seasons of "
            "12 steps), got 23: use a longer history or a shorter season.",
        ),
        (
            lambda: holt_winters(additive(30), 3, 1),
            ConfigError,
            "holt_winters needs season >= 2, got 1: it fits a seasonal cycle; give the steps "
            "in one cycle (12 for monthly data), or use drift for a series without one.",
        ),
        (
            lambda: holt_winters(np.where(np.arange(30) == 5, np.nan, additive(30)), 3, SEASON),
            DataError,
            "history contains NaN or inf at row 5: fill or drop missing values before "
            "forecasting a baseline.",
        ),
        (
            lambda: walk_forward_baselines(additive(30), [25], 3, 1, methods=["holt_winters"]),
            ConfigError,
            "holt_winters needs season >= 2, got 1",
        ),
    ],
)
def test_bad_input_gets_an_exact_message(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
