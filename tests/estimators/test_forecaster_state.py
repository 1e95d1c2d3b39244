"""LSTMForecaster(context="state"): one stream, TBPTT, the state carried to the origin and on."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.errors import ConfigError, DataError
from lstmkit.estimators._forecast_state import present_runs, step_targets, training_streams
from lstmkit.estimators._forecast_windows import EncodedSeries

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def wave(periods=120, start="2000-01-01"):
    """A sine with period 12.6 steps, daily: no exact seasonal repeat to copy."""
    values = np.sin(np.arange(periods) / 2.0) + 0.002 * np.arange(periods)
    return pd.Series(values, pd.date_range(start, periods=periods, freq="D"), name="wave")


def stateful(**params):
    settings = {"lookback": 10, "horizon": 3, "units": 16, "epochs": 40, "learning_rate": 0.01}
    return lstmkit.LSTMForecaster(**{"context": "state", "random_state": 0, **settings, **params})


@pytest.fixture(scope="module")
def fitted():
    return stateful().fit(wave()[:100])


def test_step_targets_are_the_next_steps_flattened_and_nan_across_a_gap():
    past = np.array([[0.0], [1.0], [2.0], [np.nan], [4.0], [5.0], [6.0]])
    encoded = EncodedSeries(past, np.zeros((7, 0)), past.copy(), np.ones(7, bool), 0)
    wanted = step_targets(encoded, ahead=2)
    expected = np.full((7, 2), np.nan)
    expected[0] = [1.0, 2.0]  # step 0 -> steps 1, 2; step 1 would reach the gap
    expected[4] = [5.0, 6.0]
    np.testing.assert_array_equal(wanted, expected)
    inputs, targets = training_streams(encoded, ahead=2)
    assert [len(stream) for stream in inputs] == [3, 3]  # the gap splits the stream
    assert present_runs(np.isfinite(past[:, 0])) == [(0, 3), (4, 7)]


def test_a_stateful_forecaster_learns_the_continuation(fitted):
    forecast = fitted.predict()
    actual = wave()[100:103]
    assert list(forecast.index) == list(actual.index)
    persistence = np.abs(wave().iloc[99] - actual.to_numpy()).mean()
    error = np.abs(forecast["wave"].to_numpy() - actual.to_numpy()).mean()
    assert error < 0.3 * persistence  # seed 0: about 0.05 of persistence's error


def test_the_carried_forecast_equals_a_pass_from_zero_over_the_history(fitted):
    carried = fitted.predict().to_numpy()[:, 0]
    from_zero = fitted._forecast(fitted.frame_, 3, None)[:, 0]  # what a backtest origin runs
    np.testing.assert_allclose(carried, from_zero, rtol=0, atol=1e-6)


def test_carrying_in_chunks_equals_one_pass_and_reads_only_the_new_rows(fitted, monkeypatch):
    import copy  # the module's fixture stays untouched: work on a copy

    model = copy.deepcopy(fitted)
    lengths = []
    original = model.model_.predict

    def recording(X, stateful=False):
        lengths.append(sum(len(stream) for stream in X))
        return original(X, stateful=stateful)

    monkeypatch.setattr(model.model_, "predict", recording)
    series = wave()
    model.update(series[100:106])
    model.update(series[106:110])
    assert lengths == [6, 4]  # the carried state moves over the new rows only
    monkeypatch.undo()
    chunked = model.predict().to_numpy()[:, 0]
    one_pass = model._forecast(model.frame_, 3, None)[:, 0]
    np.testing.assert_allclose(chunked, one_pass, rtol=0, atol=1e-6)
    assert model.predict().index[0] == pd.Timestamp("2000-04-20")


def test_the_recursive_strategy_runs_its_own_forecasts_from_the_carried_state():
    model = stateful(horizon=1, strategy="recursive").fit(wave()[:100])
    forecast = model.predict(6)
    assert len(forecast) == 6
    from_zero = model._forecast(model.frame_, 6, None)[:, 0]
    np.testing.assert_allclose(forecast["wave"], from_zero, rtol=0, atol=1e-6)


def test_save_load_predicts_and_carries_on_identically(fitted, tmp_path):
    import copy

    path = tmp_path / "stateful.lstmkit"
    fitted.save(path)
    loaded = lstmkit.load_model(path)
    pd.testing.assert_frame_equal(loaded.predict(), fitted.predict())
    before = copy.deepcopy(fitted).update(wave()[100:105]).predict()
    after = loaded.update(wave()[100:105]).predict()
    pd.testing.assert_frame_equal(after, before, check_exact=False, rtol=0, atol=1e-6)


def test_fine_tuning_trains_from_the_carried_state_and_carries_it_again(fitted):
    import copy

    model = copy.deepcopy(fitted)
    weights = [p.detach().clone() for p in model.model_.module_.parameters()]
    model.update(wave()[100:110], mode="fine_tune", epochs=2)
    changed = [p for p, w in zip(model.model_.module_.parameters(), weights) if not p.equal(w)]
    assert changed
    carried = model.predict().to_numpy()[:, 0]
    np.testing.assert_allclose(
        carried, model._forecast(model.frame_, 3, None)[:, 0], rtol=0, atol=1e-6
    )


def test_a_backtest_runs_each_origin_from_a_zero_state():
    frame = stateful(epochs=5).backtest(wave()[:60], start=50, step=2)
    assert frame["origin"].nunique() == 4 and frame["value"].notna().all()


@pytest.mark.parametrize(
    ("params", "fit_options", "message"),
    [
        (
            {"strategy": "seq2seq"},
            {},
            "context='state' works with strategy='direct' or 'recursive', got 'seq2seq'",
        ),
        (
            {},
            {"future_covariates": "calendar"},
            "context='state' cannot read known-future covariates ['calendar']",
        ),
        (
            {"context": "stream"},
            {},
            "unknown context 'stream': expected one of 'state', 'window'.",
        ),
        (
            {"loss": "quantile"},
            {},
            "context='state' does not train loss='quantile' yet: use context='window'",
        ),
    ],
)
def test_what_a_stateful_context_refuses(params, fit_options, message):
    frame = wave(40).to_frame()
    frame["calendar"] = np.arange(40) % 7
    y = frame if fit_options else frame[["wave"]]
    options = {"future_covariates": ["calendar"]} if fit_options else {}
    with pytest.raises(ConfigError, match=re.escape(message)):
        stateful(epochs=1, **params).fit(y, **options)


def test_a_missing_last_step_is_refused_before_forecasting():
    series = wave(60)
    series.iloc[-1] = np.nan
    model = stateful(epochs=1, missing="drop").fit(series)  # learns from the steps before
    with pytest.raises(DataError, match=re.escape("a carried state must reach the origin")):
        model.predict()
