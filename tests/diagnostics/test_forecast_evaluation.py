"""evaluate_forecaster: a backtest per seed, scored beside the baselines on the same origins."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.diagnostics import (
    compare_runs,
    drift,
    persistence,
    seasonal_naive,
    seasonal_naive_drift,
)
from lstmkit.diagnostics.forecast_evaluation import ForecastEvaluation, evaluate_forecaster
from lstmkit.errors import ConfigError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SEASON, HORIZON = 12, 3


def seasonal(periods=60, amplitude=10.0, noise=0.3, seed=0):
    """A strong yearly cycle on a trend, monthly, with a little noise."""
    steps = np.arange(periods)
    wave = amplitude * np.sin(2 * np.pi * steps / SEASON) + 0.1 * steps + 50.0
    values = wave + np.random.default_rng(seed).normal(scale=noise, size=periods)
    return pd.Series(values, pd.date_range("2000-01", periods=periods, freq="MS"), name="load")


def tiny(**params):
    settings = {
        "lookback": 12,
        "horizon": HORIZON,
        "units": 8,
        "epochs": 10,
        "learning_rate": 0.01,
        "season": SEASON,
    }
    return lstmkit.LSTMForecaster(**{**settings, **params})


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_forecaster(tiny(), seasonal(), start=45, seeds=(0, 1))


def by_hand(actual, forecast, train):
    """RMSE, MAE, MAPE, sMAPE and MASE in NumPy, over every origin and step."""
    error = actual - forecast
    scale = np.mean(np.abs(train[SEASON:] - train[:-SEASON]))
    return {
        "RMSE": np.sqrt(np.mean(error**2)),
        "MAE": np.mean(np.abs(error)),
        "MAPE": 100 * np.mean(np.abs(error) / np.abs(actual)),
        "sMAPE": 100 * np.mean(2 * np.abs(error) / (np.abs(actual) + np.abs(forecast))),
        "MASE": np.mean(np.abs(error)) / scale,
    }


def test_one_run_per_seed_scored_from_its_own_backtest(evaluation):
    y = seasonal().to_numpy()
    assert evaluation.runs.index.tolist() == [0, 1]
    assert evaluation.runs.columns.tolist() == ["RMSE", "MAE", "MAPE", "sMAPE", "MASE"]
    for seed, frame in evaluation.backtests.items():
        assert frame["origin"].iloc[0] == pd.Timestamp("2003-10-01")  # position 45
        forecast = frame["value"].to_numpy().reshape(-1, HORIZON)  # (origins, steps)
        actual = frame["actual"].to_numpy().reshape(-1, HORIZON)
        expected = by_hand(actual, forecast, y[:46])  # MASE: the span up to the first origin
        for metric, value in expected.items():
            assert evaluation.runs.loc[seed, metric] == pytest.approx(value, rel=1e-12)
    first, second = (frame["value"] for frame in evaluation.backtests.values())
    assert not np.allclose(first, second)  # the seeds really differ


def test_baselines_are_scored_on_exactly_the_same_origins(evaluation):
    y = seasonal().to_numpy()
    origins = range(45, 60 - HORIZON)  # 45 .. 56: every origin with 3 actuals after it
    actual = np.stack([y[o + 1 : o + 1 + HORIZON] for o in origins])
    methods = {
        "persistence": lambda history: persistence(history, HORIZON),
        "seasonal_naive": lambda history: seasonal_naive(history, HORIZON, SEASON),
        "drift": lambda history: drift(history, HORIZON),
        "seasonal_naive_drift": lambda history: seasonal_naive_drift(history, HORIZON, SEASON),
    }  # holt_winters against a known continuation: tests/diagnostics/test_holt_winters.py
    assert evaluation.baselines.index.tolist() == [*methods, "holt_winters"]
    for name, method in methods.items():
        forecast = np.stack([method(y[: o + 1]) for o in origins])
        for metric, value in by_hand(actual, forecast, y[:46]).items():
            assert evaluation.baselines.loc[name, metric] == pytest.approx(value, rel=1e-12)


def test_per_step_scores_and_the_summary(evaluation):
    per_step = evaluation.per_step
    assert per_step.index.tolist() == [1, 2, 3]
    assert per_step.columns.tolist() == ["model", *evaluation.baselines.index]
    step_errors = [  # per seed: RMSE of each step over the origins, then the mean over seeds
        np.sqrt(np.mean((f.to_numpy().reshape(-1, 3) - a.to_numpy().reshape(-1, 3)) ** 2, axis=0))
        for f, a in ((b["value"], b["actual"]) for b in evaluation.backtests.values())
    ]
    np.testing.assert_allclose(per_step["model"], np.mean(step_errors, axis=0), rtol=1e-12)
    summary = evaluation.summary()
    rmse = evaluation.runs["RMSE"].to_numpy()
    assert summary.index.tolist() == ["LSTM", *evaluation.baselines.index]
    assert summary.loc["LSTM", "RMSE"] == pytest.approx(rmse.mean(), rel=1e-12)
    assert summary.loc["LSTM", "RMSE std"] == pytest.approx(rmse.std(ddof=1), rel=1e-12)
    assert summary.loc["LSTM", "RMSE min"] == rmse.min()
    assert summary.loc["LSTM", "RMSE max"] == rmse.max()
    assert summary.loc["drift", "RMSE std"] == 0.0
    better = [
        b for b in evaluation.baselines.index if evaluation.baselines.loc[b, "RMSE"] < rmse.mean()
    ]
    assert summary.loc["LSTM", "loses_to"] == ", ".join(better)


def test_a_useless_model_is_flagged_as_losing_to_seasonal_naive():
    useless = tiny(epochs=1, learning_rate=0.001)  # barely trained, on a strong yearly cycle
    result = evaluate_forecaster(
        useless, seasonal(), start=45, seeds=(0, 1), baselines=["seasonal_naive"]
    )
    assert result.verdict() == "LSTM LOSES to seasonal_naive on RMSE"
    assert result.summary().loc["LSTM", "loses_to"] == "seasonal_naive"
    lines = result.report().splitlines()
    assert "LSTM LOSES to seasonal_naive on RMSE" in lines
    assert lines[0] == (
        "Backtest of 'load': 12 origins from 2003-10-01 to 2004-09-01 every 1 step, "
        "horizon 3, fit once"
    )
    assert lines[1].split() == ["RMSE", "MAE", "MAPE", "sMAPE", "MASE"]
    assert lines[2].startswith("LSTM (mean ± std over 2 seeds)")
    assert lines[3].startswith("seasonal_naive ")


def test_a_model_that_beats_every_baseline_says_so():
    runs = pd.DataFrame(
        {"RMSE": [1.0, 1.2, 1.1], "MAE": [0.8, 0.9, 1.0]}, index=pd.Index([0, 1, 2], name="seed")
    )
    baselines = pd.DataFrame(
        {"RMSE": [1.5, 1.3], "MAE": [1.0, 0.7]}, index=["persistence", "seasonal_naive"]
    )
    result = ForecastEvaluation(runs, baselines, pd.DataFrame(), {})
    assert result.verdict() == "LSTM beats every baseline on RMSE"
    assert result.verdict("mae") == "LSTM LOSES to seasonal_naive on MAE"
    report = result.report().splitlines()
    assert report[1].split()[:7] == ["LSTM", "(mean", "±", "std", "over", "3", "seeds)"]
    assert report[1].split()[7:] == ["1.1", "±", "0.1", "0.9", "±", "0.1"]  # by hand
    assert report[-1] == "LSTM beats every baseline on RMSE"


def test_one_seed_says_there_is_no_spread_instead_of_printing_nan():
    runs = pd.DataFrame({"RMSE": [1.25]}, index=pd.Index([0], name="seed"))
    baselines = pd.DataFrame({"RMSE": [1.5]}, index=["persistence"])
    report = ForecastEvaluation(runs, baselines, pd.DataFrame(), {}).report().splitlines()
    assert report[1].split() == ["LSTM", "(one", "seed:", "no", "spread)", "1.25"]
    assert "nan" not in "\n".join(report)


def test_comparison_pairs_each_seed_with_the_deterministic_baseline(evaluation):
    result = evaluation.comparison("seasonal_naive")
    runs = evaluation.runs["RMSE"].to_numpy()
    baseline = evaluation.baselines.loc["seasonal_naive", "RMSE"]
    assert result.n_pairs == 2 and result.test == "Welch's t"
    assert result.mean_difference == pytest.approx(runs.mean() - baseline, rel=1e-12)
    reference = compare_runs(list(runs), [baseline, baseline])  # two equal baseline runs
    assert result.p_value == pytest.approx(reference.p_value, rel=1e-12)


def test_the_plot_draws_the_seeds_and_the_baselines(evaluation):
    figure = evaluation.plot()
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    for name, value in evaluation.baselines["RMSE"].items():
        assert f"{name} ({value:.4g})" in labels
    assert figure.axes[0].get_title() == "RMSE over 2 runs"


def test_the_ensemble_spread_is_labelled_and_spans_the_seeds(evaluation):
    spread = evaluation.ensemble_spread()
    forecasts = np.stack([b["value"].to_numpy() for b in evaluation.backtests.values()])
    np.testing.assert_array_equal(spread["lower"], forecasts.min(axis=0))
    np.testing.assert_array_equal(spread["upper"], forecasts.max(axis=0))
    assert spread.attrs["interval"] == (
        "ensemble spread: min to max over 2 seeds (not a prediction interval)"
    )


def test_without_a_season_the_seasonal_baselines_are_skipped_and_noted():
    result = evaluate_forecaster(tiny(season=None, epochs=1), seasonal(), start=54, seeds=(0, 1))
    assert result.baselines.index.tolist() == ["persistence", "drift"]
    assert result.notes[0] == (
        "seasonal_naive, seasonal_naive_drift, holt_winters skipped: no season is known "
        "(give season=12 for monthly data, or set the forecaster's season)"
    )
    assert "Note: " + result.notes[0] in result.report().splitlines()


def test_gaps_in_a_baselines_history_are_filled_from_the_past_only():
    y = seasonal()
    y.iloc[[20, 50]] = np.nan  # one gap before the first origin, one between origins
    result = evaluate_forecaster(
        tiny(missing="interpolate", epochs=1),
        y,
        start=45,
        step=2,
        seeds=(0, 1),
        baselines=["seasonal_naive"],
    )
    values = y.to_numpy()
    origins = range(45, 57, 2)  # 45, 47, ..., 55: position 50 is never an origin
    forecasts = []
    for origin in origins:  # each history interpolated on its own (pandas, linear)
        history = pd.Series(values[: origin + 1]).interpolate(limit_area="inside").to_numpy()
        forecasts.append(history[-SEASON:][:HORIZON])  # seasonal naive, by hand
    actual = np.stack([values[o + 1 : o + 1 + HORIZON] for o in origins])
    observed = ~np.isnan(actual)  # the missing actual at position 50 is left out
    error = (actual - np.stack(forecasts))[observed]
    expected = np.sqrt(np.mean(error**2))
    assert result.baselines.loc["seasonal_naive", "RMSE"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"metrics": ["rmse", "r2"]}, "unknown metric 'r2'"),
        (
            {"baselines": ["seasonal_naive"], "season": None},
            "no baseline left to judge the model beside: baselines=['seasonal_naive'] need a season (season=...)",
        ),
        ({"baselines": ["naive"]}, "unknown baseline 'naive'"),
        ({"seeds": (1, 1)}, "seeds must be distinct integers, at least one, got (1, 1)"),
    ],
)
def test_bad_settings_are_config_errors(options, message):
    model = tiny(epochs=1, season=options.pop("season", SEASON))
    with pytest.raises(ConfigError, match=re.escape(message)):
        evaluate_forecaster(model, seasonal(), start=54, **options)


def test_several_targets_need_the_one_to_score():
    y = pd.concat([seasonal(), seasonal(seed=1).rename("other")], axis=1)
    expected = "the forecaster forecasts 2 targets ['load', 'other']: name the one to score with target='load'"
    with pytest.raises(ConfigError, match=re.escape(expected)):
        evaluate_forecaster(tiny(epochs=1), y, start=54, seeds=(0,))
    result = evaluate_forecaster(tiny(epochs=1), y, start=54, seeds=(0, 1), target="other")
    assert result.description.startswith("Backtest of 'other'")
