"""Forecast metrics against hand-worked values, scikit-learn and pandas shifts."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    root_mean_squared_error,
)

from lstmkit.data import DataWarning
from lstmkit.datasets import airline_passengers
from lstmkit.diagnostics import (
    mae,
    mape,
    mase,
    metrics_table,
    per_step_table,
    rmse,
    smape,
    walk_forward_baselines,
    walk_forward_targets,
)
from lstmkit.errors import ConfigError, DataError, ShapeError

TOL = 1e-12  # float64 means over a few values
# Worked by hand: errors e = [[-1, 0], [1, 4]]
Y_TRUE = np.array([[2.0, 4.0], [5.0, 10.0]])
Y_PRED = np.array([[3.0, 4.0], [4.0, 6.0]])
Y_TRAIN = np.array([1.0, 3.0, 2.0, 6.0])  # |first differences| 2, 1, 4; |lag-2| 1, 3


@pytest.mark.parametrize(
    ("metric", "overall", "per_step"),
    [
        (rmse, np.sqrt(18 / 4), [1.0, np.sqrt(8)]),
        (mae, 6 / 4, [1.0, 2.0]),
        (mape, 100 * (0.5 + 0 + 0.2 + 0.4) / 4, [35.0, 20.0]),
        (smape, 100 * (2 / 5 + 0 + 2 / 9 + 8 / 16) / 4, [100 * (2 / 5 + 2 / 9) / 2, 25.0]),
    ],
)
def test_metrics_match_hand_worked_values(metric, overall, per_step):
    assert metric(Y_TRUE, Y_PRED) == pytest.approx(overall, abs=TOL)
    np.testing.assert_allclose(metric(Y_TRUE, Y_PRED, per_step=True), per_step, atol=TOL)


def test_mase_scales_by_the_in_sample_seasonal_naive_mae():
    assert mase(Y_TRUE, Y_PRED, Y_TRAIN) == pytest.approx(1.5 / (7 / 3), abs=TOL)
    assert mase(Y_TRUE, Y_PRED, Y_TRAIN, season=2) == pytest.approx(1.5 / 2, abs=TOL)
    np.testing.assert_allclose(mase(Y_TRUE, Y_PRED, Y_TRAIN, 2, per_step=True), [0.5, 1.0])


def test_smape_spans_0_to_200_and_counts_zero_over_zero_as_perfect():
    assert smape([[1.0, 0.0]], [[-1.0, 0.0]]) == pytest.approx(100.0, abs=TOL)  # 200 and 0
    assert smape([[5.0]], [[0.0]]) == pytest.approx(200.0, abs=TOL)


def test_rmse_mae_mape_match_scikit_learn():
    rng = np.random.default_rng(3)
    y_true = rng.uniform(50, 150, size=(9, 6))
    y_pred = y_true + rng.normal(0, 10, size=(9, 6))
    pairs = [
        (rmse, root_mean_squared_error, 1.0),
        (mae, mean_absolute_error, 1.0),
        (mape, mean_absolute_percentage_error, 100.0),  # scikit-learn's is a fraction
    ]
    for ours, theirs, unit in pairs:
        assert ours(y_true, y_pred) == pytest.approx(unit * theirs(y_true.ravel(), y_pred.ravel()))
        # scikit-learn's outputs are our horizon steps: one column each
        np.testing.assert_allclose(
            ours(y_true, y_pred, per_step=True),
            unit * theirs(y_true, y_pred, multioutput="raw_values"),
            rtol=1e-12,
        )


def test_several_targets_are_scored_each_on_its_own():
    rng = np.random.default_rng(4)
    y_true = rng.uniform(1, 2, size=(5, 3, 2)) * [1.0, 1000.0]  # units differ by 1000
    y_pred = y_true * rng.uniform(0.9, 1.1, size=y_true.shape)
    flat = lambda array: array.reshape(-1, 2)  # noqa: E731  (origins * steps, targets)
    np.testing.assert_allclose(
        rmse(y_true, y_pred),
        root_mean_squared_error(flat(y_true), flat(y_pred), multioutput="raw_values"),
        rtol=1e-12,
    )
    per_step = mae(y_true, y_pred, per_step=True)
    assert per_step.shape == (3, 2)
    for step in range(3):
        np.testing.assert_allclose(
            per_step[step],
            mean_absolute_error(y_true[:, step], y_pred[:, step], multioutput="raw_values"),
            rtol=1e-12,
        )
    train = rng.uniform(1, 2, size=(20, 2))
    scale = np.abs(np.diff(train, axis=0)).mean(axis=0)
    np.testing.assert_allclose(
        mase(y_true, y_pred, train), np.abs(y_true - y_pred).mean(axis=(0, 1)) / scale, rtol=1e-12
    )


def test_missing_observations_are_left_out():
    y_true = np.array([[2.0, np.nan], [5.0, 10.0]])
    # observed errors: -1 (step 1), 1 (step 1), 4 (step 2)
    assert mae(y_true, Y_PRED) == pytest.approx(2.0, abs=TOL)
    np.testing.assert_allclose(rmse(y_true, Y_PRED, per_step=True), [1.0, 4.0], atol=TOL)


def _airline_walk_forward(origins):
    series = airline_passengers()
    forecast = walk_forward_baselines(series, origins, 12, 12, ["seasonal_naive"])
    return series, walk_forward_targets(series, origins, 12), forecast["seasonal_naive"]


def test_airline_seasonal_naive_rmse_matches_pandas_shifts():
    # Two origins, 1958-12 and 1959-12: each month of 1959-1960 is forecast once, by the
    # same month a year before.
    series, targets, forecast = _airline_walk_forward([119, 131])
    test_span = series["1959-01-01":"1960-12-01"]
    by_hand = np.sqrt(((test_span - series.shift(12)[test_span.index]) ** 2).mean())
    assert rmse(targets, forecast) == pytest.approx(by_hand, rel=1e-12)


def test_airline_walk_forward_rmse_per_step_matches_pandas_shifts():
    origins = list(range(119, 132))  # CONTRACTS §10: 1958-12 to 1959-12, horizon 12
    series, targets, forecast = _airline_walk_forward(origins)
    error = series - series.shift(12)
    per_step = [np.sqrt((error.shift(-step).iloc[origins] ** 2).mean()) for step in range(1, 13)]
    pooled = pd.concat([error.shift(-step).iloc[origins] for step in range(1, 13)])
    np.testing.assert_allclose(rmse(targets, forecast, per_step=True), per_step, rtol=1e-12)
    assert rmse(targets, forecast) == pytest.approx(np.sqrt((pooled**2).mean()), rel=1e-12)


def test_mase_is_one_in_sample_for_the_seasonal_naive_forecast():
    train = np.random.default_rng(5).normal(size=40).cumsum()
    # the one-step seasonal naive forecasts of the training series itself
    y_true, y_pred = train[4:].reshape(-1, 1), train[:-4].reshape(-1, 1)
    assert mase(y_true, y_pred, train, season=4) == pytest.approx(1.0, abs=TOL)


def test_mase_of_seasonal_naive_is_one_per_step_on_a_trending_seasonal_series():
    # y = pattern + 0.5 t: every seasonal difference is 4 * 0.5 = 2, in and out of sample
    series = np.tile([3.0, 1.0, 4.0, 1.0], 10) + 0.5 * np.arange(40)
    origins, train = list(range(27, 36)), series[:28]
    forecasts = walk_forward_baselines(series, origins, 4, 4)
    targets = walk_forward_targets(series, origins, 4)
    np.testing.assert_allclose(
        mase(targets, forecasts["seasonal_naive"], train, 4, per_step=True), 1.0, atol=TOL
    )
    assert mase(targets, forecasts["seasonal_naive_drift"], train, 4) == pytest.approx(0, abs=TOL)


def test_mase_is_undefined_on_a_purely_repeating_series():
    # Not 1: the seasonal naive forecast is exact (error 0), and so is its in-sample scale.
    series = np.tile([3.0, 1.0, 4.0, 1.0], 10)
    targets = walk_forward_targets(series, [27, 31], 4)
    forecast = walk_forward_baselines(series, [27, 31], 4, 4)["seasonal_naive"]
    assert rmse(targets, forecast) == 0.0
    message = (
        "MASE is undefined: the training series' in-sample seasonal naive MAE (season = 4) is "
        "0: it repeats exactly every 4 steps, so any error divided by it is infinite. "
        "Report RMSE or MAE instead."
    )
    with pytest.raises(DataError, match=re.escape(message)):
        mase(targets, forecast, series[:28], season=4)
    with pytest.warns(DataWarning, match=re.escape("MASE is reported as NaN: the training")):
        table = metrics_table(targets, {"seasonal_naive": forecast}, series[:28], 4)
    assert np.isnan(table.loc["seasonal_naive", "MASE"])


def test_mape_refuses_zeros_and_the_table_reports_nan_with_a_warning():
    y_true = np.array([[1.0, 2.0], [0.0, 4.0]])
    message = (
        "MAPE is undefined: y_true is 0 at origin 1, step 1 of 2, where MAPE divides by zero. "
        "Use sMAPE or MASE, which stay finite."
    )
    with pytest.raises(DataError, match=re.escape(message)):
        mape(y_true, Y_PRED)
    warning = "MAPE is reported as NaN: y_true is 0 at origin 1, step 1 of 2, where MAPE"
    with pytest.warns(DataWarning, match=re.escape(warning)):
        table = metrics_table(y_true, {"drift": Y_PRED}, Y_TRAIN, 1)
    assert np.isnan(table.loc["drift", "MAPE"])
    assert table.loc["drift", "sMAPE"] == pytest.approx(smape(y_true, Y_PRED), abs=TOL)


def test_metrics_table_flags_a_model_that_loses_to_the_best_baseline():
    y_true = np.array([[10.0, 20.0], [30.0, 40.0]])
    forecasts = {
        "lstm": y_true + [[0.0, 0.0], [0.0, 6.0]],  # one large miss: MAE 1.5, RMSE 3
        "persistence": y_true + 2.0,  # MAE 2, RMSE 2
        "drift": y_true - 4.0,  # worse than persistence everywhere
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = metrics_table(y_true, forecasts, [0.0, 5.0, 10.0], season=1)
    assert list(table.columns) == ["RMSE", "MAE", "MAPE", "sMAPE", "MASE", "loses_to_baseline"]
    assert list(table.index) == ["lstm", "persistence", "drift"]
    assert table.loc["lstm", "RMSE"] == pytest.approx(3.0, abs=TOL)
    assert table.loc["lstm", "MAE"] == pytest.approx(1.5, abs=TOL)
    assert table.loc["lstm", "MASE"] == pytest.approx(1.5 / 5, abs=TOL)
    # lstm: MAPE 100 * 6/40 / 4 = 3.75 vs persistence's 100 * (0.2 + 0.1 + 1/15 + 0.05) / 4
    assert table["loses_to_baseline"].to_dict() == {
        "lstm": "RMSE",
        "persistence": "",
        "drift": "RMSE, MAE, MAPE, sMAPE, MASE",
    }


def test_metrics_table_with_named_baselines_and_several_targets():
    y_true = np.stack([Y_TRUE, 100 * Y_TRUE], axis=-1)  # (2, 2, 2)
    forecasts = {"mine": np.stack([Y_PRED, 100 * Y_TRUE], axis=-1), "naive": y_true + 1.0}
    train = np.column_stack([Y_TRAIN, 100 * Y_TRAIN])
    table = metrics_table(y_true, forecasts, train, 1, baselines=["naive"])
    assert table.index.names == ["method", "target"]
    assert table.loc[("mine", 0), "MAE"] == pytest.approx(1.5, abs=TOL)
    assert table.loc[("mine", 1), "MAE"] == 0.0
    assert table.loc[("mine", 0), "loses_to_baseline"] == "RMSE, MAE, MAPE, sMAPE, MASE"
    assert table.loc[("mine", 1), "loses_to_baseline"] == ""


def test_per_step_table_matches_scikit_learn_per_column():
    table = per_step_table(Y_TRUE, {"model": Y_PRED, "drift": Y_TRUE + 1}, Y_TRAIN, 1)
    assert table.index.names == ["method", "step"]
    rmse_by_method = table["RMSE"].unstack("method")
    np.testing.assert_allclose(
        rmse_by_method["model"],
        root_mean_squared_error(Y_TRUE, Y_PRED, multioutput="raw_values"),
        rtol=1e-12,
    )
    assert rmse_by_method.index.tolist() == [1, 2]
    np.testing.assert_allclose(rmse_by_method["drift"], [1.0, 1.0], atol=TOL)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: rmse(Y_TRUE, Y_PRED[:, :1]),
            ShapeError,
            "y_pred has shape (2, 1) but y_true has shape (2, 2): expected one forecast of the "
            "same horizon (and targets) for every origin.",
        ),
        (
            lambda: rmse([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
            ShapeError,
            "expected y_true of shape (origins, horizon) or (origins, horizon, targets), got "
            "shape (3,): for one forecast of 3 steps use y_true.reshape(1, -1).",
        ),
        (
            lambda: mae(np.zeros((3, 0)), np.zeros((3, 0))),
            ShapeError,
            "y_true has shape (3, 0): expected at least one origin, one horizon step "
            "(horizon >= 1) and one target.",
        ),
        (
            lambda: mae(Y_TRUE, [[1.0, 2.0], [np.nan, 1.0]]),
            DataError,
            "y_pred contains NaN at origin 1, step 1 of 2: a forecast must be finite: check "
            "the model's output and its inverse transform.",
        ),
        (
            lambda: mae(np.full((1, 2, 2), np.inf), np.ones((1, 2, 2))),
            DataError,
            "y_true contains inf at origin 0, step 1 of 2, target 0: y_true may hold NaN for a "
            "missing observation, never an infinity.",
        ),
        (
            lambda: mae([[np.nan]], [[1.0]]),
            DataError,
            "y_true has no observed values (all NaN): nothing to score against.",
        ),
        (
            lambda: mase(Y_TRUE, Y_PRED, Y_TRAIN, season=0),
            ConfigError,
            "season must be an integer >= 1, got 0: the steps in one seasonal cycle "
            "(12 for monthly data), or 1 for none.",
        ),
        (
            lambda: mase(Y_TRUE, Y_PRED, Y_TRAIN, season=4),
            DataError,
            "MASE needs more than season = 4 training values to measure the seasonal naive "
            "error, got 4: pass the whole training span as y_train.",
        ),
        (
            lambda: mase(Y_TRUE, Y_PRED, np.ones((5, 2))),
            ShapeError,
            "expected y_train of shape (time,) for forecasts of shape (origins, horizon), got "
            "shape (5, 2): pass the training span of the same target(s).",
        ),
        (
            lambda: metrics_table(Y_TRUE, {"lstm": Y_PRED}, Y_TRAIN, 1),
            ConfigError,
            "no baseline among the forecasts ['lstm']: a model is only judged beside one. Add "
            "one of ['persistence', 'seasonal_naive', 'drift', 'seasonal_naive_drift', "
            "'holt_winters'] (lstmkit.diagnostics.walk_forward_baselines), or name your "
            "baseline keys with baselines=[...].",
        ),
        (
            lambda: metrics_table(Y_TRUE, {"lstm": Y_PRED}, Y_TRAIN, 1, baselines=["snaive"]),
            ConfigError,
            "baselines ['snaive'] are not among the forecasts ['lstm']: name keys of the "
            "forecasts dict.",
        ),
        (
            lambda: metrics_table(Y_TRUE, {}, Y_TRAIN, 1),
            ConfigError,
            "forecasts must be a non-empty dict from method name to forecast array, got {}.",
        ),
        (
            lambda: metrics_table(Y_TRUE, {"drift": Y_PRED[:1]}, Y_TRAIN, 1),
            ShapeError,
            "forecast 'drift' has shape (1, 2) but y_true has shape (2, 2)",
        ),
    ],
)
def test_bad_input_gets_an_exact_message(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_per_step_table_of_several_targets_has_a_target_level():
    y_true = np.stack([Y_TRUE, 100 * Y_TRUE], axis=-1)  # (2, 2, 2)
    train = np.column_stack([Y_TRAIN, 100 * Y_TRAIN])
    table = per_step_table(y_true, {"naive": y_true + 1.0}, train, 1)
    assert table.index.names == ["method", "target", "step"]
    assert table.index.tolist() == [
        ("naive", 0, 1),
        ("naive", 0, 2),
        ("naive", 1, 1),
        ("naive", 1, 2),
    ]
    np.testing.assert_allclose(table["MAE"], 1.0, atol=TOL)
    # MAPE of target 1 at step 1: 100 * mean(1/200, 1/500)
    assert table.loc[("naive", 1, 1), "MAPE"] == pytest.approx(100 * (1 / 200 + 1 / 500) / 2)
