"""The airline passengers recipe on the test protocol (CONTRACTS §10), and its demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstmkit.datasets import airline_passengers
from lstmkit.problems import airline

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def seasonal_naive_rmse_by_hand() -> float:
    """Seasonal naive from the 13 origins 1958-12 .. 1959-12: step h repeats h - 12."""
    series = airline_passengers().astype(float)
    values, errors = series.to_numpy(), []
    first = series.index.get_loc(pd.Timestamp("1958-12"))
    for origin in range(first, first + 13):
        for step in range(1, 13):
            errors.append(values[origin + step] - values[origin + step - 12])
    return float(np.sqrt(np.mean(np.square(errors))))


@pytest.fixture(scope="module")
def result():
    return airline.recipe()  # the full protocol: five seeds, about 10 s on one thread


def test_the_protocol_reads_13_origins_and_no_month_after_1960(result):
    evaluation = result.details["evaluation"]
    frame = evaluation.backtests[0]
    origins = frame["origin"].drop_duplicates().dt.strftime("%Y-%m").tolist()
    assert origins == ["1958-12", *[f"1959-{month:02d}" for month in range(1, 13)]]
    assert frame["timestamp"].max() == pd.Timestamp("1960-12")
    assert [fold.train_end for fold in frame.attrs["folds"]] == [pd.Timestamp("1958-12")]
    assert sorted(evaluation.backtests) == [0, 1, 2, 3, 4]


def test_the_seasonal_naive_score_matches_a_hand_count(result):
    assert result.baseline == pytest.approx(seasonal_naive_rmse_by_hand(), rel=1e-12)
    assert result.details["baselines"]["seasonal_naive"] == pytest.approx(53.37, abs=0.01)


def test_the_recipe_beats_seasonal_naive_and_seasonal_naive_with_drift(result):
    # Measured over seeds 0-4: mean RMSE 21.0, every seed between 20.0 and 22.5, against
    # 53.4 (seasonal naive) and 26.6 (with drift). The bar is the contract's, not tighter.
    runs = result.details["evaluation"].runs["RMSE"]
    baselines = result.details["baselines"]
    assert runs.mean() < baselines["seasonal_naive"]
    assert runs.mean() < baselines["seasonal_naive_drift"]
    assert result.beats_baseline and all(result.details["beats"].values())


def test_the_demo_prints_the_table_tests_and_a_dated_1961_forecast_with_intervals(capsys):
    status = airline.demo(seeds=(0, 1))
    printed = capsys.readouterr().out
    assert status == 0
    assert "LSTM (mean ± std over 2 seeds)" in printed
    for name in airline.MUST_BEAT:  # the paired test against each baseline to beat
        assert f"LSTM vs {name} on RMSE over 2 paired runs: mean difference" in printed
    loses_to_holt_winters = "LOSES to holt_winters" in printed  # reported, not a must-beat
    assert printed.count("Welch's t p = ") == 2 + loses_to_holt_winters
    assert "seasonal_naive_drift" in printed
    assert "Forecast for 1961 (80% split-conformal from 25 backtest residuals per step):" in (
        printed
    )
    for month in ("1961-01-01", "1961-12-01"):
        assert month in printed
    assert "passengers_lower" in printed and "passengers_upper" in printed
