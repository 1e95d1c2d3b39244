"""LSTMForecaster over time: update modes, and save -> load -> forecast identical."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit.data import MaskGaps
from lstmkit.errors import ConfigError, DataError, NotFittedError

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def wave(periods=150, level_shift_at=None, shift=0.0):
    steps = np.arange(periods)
    values = 10.0 + 2.0 * np.sin(2 * np.pi * steps / 12)
    if level_shift_at is not None:
        values[level_shift_at:] += shift
    index = pd.date_range("2001-01-01", periods=periods, freq="D")
    return pd.Series(values, index=index, name="level")


def quick(**params):
    settings = {"lookback": 12, "horizon": 3, "epochs": 40, "learning_rate": 0.01}
    return lstmkit.LSTMForecaster(**{**settings, "random_state": 0, **params})


def test_carry_moves_the_origin_without_retraining():
    series = wave()
    model = quick(epochs=2).fit(series[:120])
    weights = [p.detach().clone() for p in model.model_.module_.parameters()]
    model.update(series[120:130])
    assert model.predict().index[0] == series.index[130]
    for before, after in zip(weights, model.model_.module_.parameters()):
        assert torch_equal(before, after)
    # The same forecast as a model fitted on the first span and asked from the new end:
    reference = quick(epochs=2).fit(series[:120])
    history = series[:130].to_frame()
    expected = reference._forecast(history, 3, None)
    np.testing.assert_allclose(model.predict()["level"].to_numpy(), expected[:, 0], atol=1e-6)


def torch_equal(a, b):
    return bool((a == b.detach()).all())


def test_fine_tuning_lowers_the_error_after_a_change_of_level():
    series = wave(periods=200, level_shift_at=130, shift=4.0)
    model = quick().fit(series[:130])
    model.update(series[130:185])  # carry: the model has not seen the new level
    truth = series[185:188].to_numpy()
    carried_error = np.abs(model.predict()["level"].to_numpy() - truth).mean()
    tuned = quick().fit(series[:130])
    tuned.update(series[130:185], mode="fine_tune", epochs=40)
    tuned_error = np.abs(tuned.predict()["level"].to_numpy() - truth).mean()
    assert tuned_error < 0.5 * carried_error
    assert len(tuned.history_.epoch) == 40 + 40  # the fit's epochs, then the fine-tuning


def test_refit_fits_new_transforms_on_all_the_data():
    series = wave(periods=200, level_shift_at=130, shift=4.0)
    model = quick(epochs=2).fit(series[:130])
    model.update(series[130:], mode="refit")
    assert model.frame_.index[-1] == series.index[-1]
    np.testing.assert_allclose(model.transform_.scaler_.mean_, [series.mean()], rtol=1e-12)


def test_bad_updates_are_refused_with_what_to_do():
    series = wave()
    model = quick(epochs=1).fit(series[:120])
    message = (
        "the new observations start at 2001-04-30, but the data seen so far ends at "
        "2001-04-30: give only the observations after it"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        model.update(series[119:125])
    with pytest.raises(ConfigError, match=re.escape("Did you mean 'fine_tune'?")):
        model.update(series[120:125], mode="finetune")
    renamed = series[120:125].rename("other")
    with pytest.raises(ConfigError, match=re.escape("target 'level' is not a column of y")):
        model.update(renamed)
    with pytest.raises(NotFittedError, match=re.escape("call fit(y) before update")):
        quick().update(series)


def future_frame(periods=80):
    index = pd.date_range("2001-01-01", periods=periods, freq="D")
    promo = (np.arange(periods) % 5 == 0).astype(float)
    level = 10.0 + np.sin(np.arange(periods) / 3.0) + 2.0 * promo
    level[[20, 21, 40]] = np.nan
    return pd.DataFrame({"level": level, "promo": promo}, index)


@pytest.mark.parametrize("missing", [None, "interpolate", MaskGaps(fill_value="mean")])
def test_save_load_forecasts_identically(tmp_path, missing):
    frame = future_frame()
    y = frame[["level"]].iloc[:70]
    if missing is None:
        y = y.interpolate()
    model = quick(epochs=2, missing=missing, difference=[1], power="log")
    model.fit(y, future_covariates=frame[["promo"]])  # promo known 10 days past the end
    path = tmp_path / "forecaster.lstmkit"
    model.save(path)
    loaded = lstmkit.load_model(path)
    assert isinstance(loaded, lstmkit.LSTMForecaster)
    pd.testing.assert_frame_equal(loaded.predict(), model.predict(), check_exact=True)
    assert (
        loaded.get_params() == model.get_params()
        if missing is None or isinstance(missing, str)
        else True
    )
    later = frame[["level", "promo"]].iloc[70:73].interpolate()
    loaded.update(later)
    model.update(later)
    pd.testing.assert_frame_equal(loaded.predict(), model.predict(), check_exact=True)
