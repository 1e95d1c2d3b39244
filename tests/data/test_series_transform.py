"""SeriesTransform: log / Box-Cox, differencing, scaling, and the exact inverse for forecasts."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ConfigError, DataError


# A continuation may leave the fitted range: the min-max scaler says so, as it should.
@pytest.mark.filterwarnings("ignore::lstmkit.data._warnings.OutOfRangeWarning")
@settings(max_examples=40, deadline=None)
@given(
    lags=st.lists(st.integers(1, 5), max_size=2),
    scale=st.sampled_from([None, "standard", "minmax"]),
    seed=st.integers(0, 10_000),
)
def test_inverse_of_a_continuation_gives_back_the_original(lags, scale, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(40, 2)).cumsum(axis=0) + 5.0
    history, future = values[:30], values[30:]
    transform = SeriesTransform(lags, scale).fit(history)
    # The future as the model would forecast it: the transformed continuation.
    continuation = transform.transform(values)[-len(future) :]
    np.testing.assert_allclose(transform.inverse(continuation, history), future, atol=1e-9)


def test_differencing_matches_numpy_and_the_scaler_sees_the_given_span():
    values = np.arange(30, dtype=float)[:, None] ** 1.5
    transform = SeriesTransform([1, 12], "standard").fit(values)
    expected = np.diff(values, axis=0)
    expected = expected[12:] - expected[:-12]
    np.testing.assert_allclose(transform.scaler_.mean_, expected.mean(axis=0))
    assert transform.lost_steps == 13


def test_bad_settings_and_short_series():
    with pytest.raises(
        ConfigError, match=re.escape("difference lags must be positive integers, got [0]")
    ):
        SeriesTransform([0])
    with pytest.raises(ConfigError, match=re.escape("scale must be 'standard', 'minmax' or None")):
        SeriesTransform([], "robust")
    with pytest.raises(
        DataError, match=re.escape("differencing with lag 12 needs more than 12 steps, got 5")
    ):
        SeriesTransform([12]).fit(np.ones((5, 1)))


def test_state_round_trips_through_json():
    import json

    values = np.random.default_rng(0).normal(size=(20, 1))
    transform = SeriesTransform([2], "minmax").fit(values)
    restored = SeriesTransform.from_dict(json.loads(json.dumps(transform.to_dict())))
    np.testing.assert_array_equal(restored.transform(values), transform.transform(values))


# --- power transforms: log and Box-Cox ------------------------------------------------------


def positive_series():
    """Airline-like: a trend times a yearly season times noise, two columns, all positive."""
    rng = np.random.default_rng(3)
    steps = np.arange(144)
    level = (100 + 2 * steps) * (1 + 0.2 * np.sin(2 * np.pi * steps / 12))
    first = level * np.exp(rng.normal(0, 0.02, 144))
    second = np.sqrt(level) + rng.uniform(0, 1, 144)
    return np.column_stack([first, second])


@pytest.mark.parametrize(
    ("power", "lags", "scale"),
    [
        ("log", [], None),
        ("box-cox", [], None),
        ("box-cox", [12], "standard"),
        ("log", [1, 12], "standard"),
    ],
)
def test_inverse_after_a_power_transform_gives_back_the_original(power, lags, scale):
    values = positive_series()
    history, future = values[:120], values[120:]
    transform = SeriesTransform(lags, scale, power).fit(history)
    continuation = transform.transform(values)[-len(future) :]
    # float64 round trip: relative 1e-9.
    np.testing.assert_allclose(transform.inverse(continuation, history), future, rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    lags=st.lists(st.integers(1, 5), max_size=2),
    power=st.sampled_from(["log", "box-cox"]),
    seed=st.integers(0, 10_000),
)
def test_inverse_with_a_power_transform_on_random_positive_walks(lags, power, seed):
    rng = np.random.default_rng(seed)
    values = np.exp(rng.normal(scale=0.1, size=(40, 2)).cumsum(axis=0)) * 50.0
    history, future = values[:30], values[30:]
    transform = SeriesTransform(lags, "standard", power).fit(history)
    continuation = transform.transform(values)[-len(future) :]
    # Box-Cox with a λ far from 0 loses a few digits in x**λ: relative 1e-7 on float64.
    np.testing.assert_allclose(transform.inverse(continuation, history), future, rtol=1e-7)


def test_log_and_box_cox_match_their_formulas():
    values = positive_series()
    logged = SeriesTransform([], None, "log").fit(values).transform(values)
    np.testing.assert_allclose(logged, np.log(values), rtol=1e-12)
    transform = SeriesTransform([], None, "box-cox").fit(values)
    lambdas = transform.lambdas_
    assert np.all(lambdas != 0)
    # Box-Cox by hand: (x ** λ - 1) / λ, per column.
    np.testing.assert_allclose(
        transform.transform(values), (values**lambdas - 1) / lambdas, rtol=1e-12
    )


def test_box_cox_then_differencing_then_scaling_in_that_order():
    values = positive_series()
    transform = SeriesTransform([12], "standard", "box-cox").fit(values)
    powered = (values**transform.lambdas_ - 1) / transform.lambdas_
    differenced = powered[12:] - powered[:-12]
    expected = (differenced - differenced.mean(axis=0)) / differenced.std(axis=0)
    np.testing.assert_allclose(transform.transform(values), expected, rtol=1e-9, atol=1e-12)


def test_box_cox_lambda_is_scipys_on_the_training_span_only():
    import scipy.stats

    values = positive_series()
    train = values[:96]
    transform = SeriesTransform([1], "standard", "box-cox").fit(train)
    for column in range(2):
        expected = scipy.stats.boxcox(train[:, column])[1]
        np.testing.assert_allclose(transform.lambdas_[column], expected, rtol=1e-12)
        # And it is the maximum-likelihood λ: the log-likelihood falls on either side.
        nearby = (expected - 1e-3, expected, expected + 1e-3)
        llf = [scipy.stats.boxcox_llf(lam, train[:, column]) for lam in nearby]
        assert llf[1] > llf[0] and llf[1] > llf[2]
    full_lambda = scipy.stats.boxcox(values[:, 0])[1]
    assert abs(full_lambda - transform.lambdas_[0]) > 1e-3  # the test can tell the spans apart
    # Leakage: transforming data whose later values changed does not move λ or the training part.
    before = transform.transform(values)
    changed = values.copy()
    changed[96:] *= 3.0
    after = transform.transform(changed)
    np.testing.assert_array_equal(transform.lambdas_, [scipy.stats.boxcox(c)[1] for c in train.T])
    np.testing.assert_array_equal(after[: 96 - 1], before[: 96 - 1])


def test_power_state_round_trips_through_json():
    import json

    values = positive_series()
    transform = SeriesTransform([1, 12], "standard", "box-cox").fit(values[:120])
    state = json.loads(json.dumps(transform.to_dict()))
    assert state["power"] == "box-cox" and len(state["lambdas"]) == 2
    restored = SeriesTransform.from_dict(state)
    np.testing.assert_array_equal(restored.lambdas_, transform.lambdas_)
    np.testing.assert_array_equal(restored.transform(values), transform.transform(values))
    forecast = transform.transform(values)[-24:]
    np.testing.assert_array_equal(
        restored.inverse(forecast, values[:120]), transform.inverse(forecast, values[:120])
    )


def test_dicts_written_before_power_existed_still_load():
    old = {"lags": [1], "scale": None, "scaler": None}
    restored = SeriesTransform.from_dict(old)
    assert restored.power is None
    np.testing.assert_array_equal(restored.transform(np.array([[1.0], [4.0]])), [[3.0]])


def test_positional_lags_and_scale_still_work():
    transform = SeriesTransform([1], None)
    assert (transform.lags, transform.scale, transform.power) == ([1], None, None)


def test_bad_power_settings_and_values():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "power must be 'log', 'box-cox' or None (no power transform), got 'sqrt': "
            "e.g. power='log'"
        ),
    ):
        SeriesTransform([], None, "sqrt")
    values = np.column_stack([np.arange(1.0, 6.0), np.arange(-2.0, 3.0)])
    for power in ("log", "box-cox"):
        with pytest.raises(
            DataError,
            match=re.escape(
                f"power='{power}' needs positive values, but column 1 has -2 as its smallest "
                "value: shift the series to be positive, or use power=None"
            ),
        ):
            SeriesTransform([], None, power).fit(values)
    # Zero is not positive either, and a later span is checked too (log(0) would be -inf).
    transform = SeriesTransform([], None, "log").fit(np.ones((3, 1)) + np.arange(3)[:, None])
    with pytest.raises(DataError, match=re.escape("column 0 has 0 as its smallest value")):
        transform.transform(np.zeros((3, 1)))
    with pytest.raises(
        DataError,
        match=re.escape(
            "power='box-cox' cannot fit lambda on column 0: its training values are constant "
            "(4 observed): use power='log' or power=None"
        ),
    ):
        SeriesTransform([], None, "box-cox").fit(np.full((4, 1), 2.0))


def test_a_missing_step_stays_missing_and_does_not_move_the_scaler():
    values = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 7.0])[:, None]
    transform = SeriesTransform([1], "standard").fit(values)
    differences = np.array([1.0, 1.0, 2.0])  # the steps whose both ends are observed
    np.testing.assert_allclose(transform.scaler_.mean_, [differences.mean()], rtol=1e-12)
    transformed = transform.transform(values)[:, 0]
    assert np.isnan(transformed[[1, 2]]).all() and np.isfinite(transformed[[0, 3, 4]]).all()
