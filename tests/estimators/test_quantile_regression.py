"""loss="quantile": LSTMRegressor's quantile outputs and LSTMForecaster's quantile forecasts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import r2_score

import lstmkit
from lstmkit.errors import ConfigError
from lstmkit.io import read_model_file

pytestmark = pytest.mark.usefixtures("one_torch_thread")

LEVELS = (0.1, 0.5, 0.9)


def noisy_sine(count, seed):
    """u ~ U(-2, 2) per step; y = sin(last u) + N(0, 1) · (0.05 + 0.25 |last u|)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(count, 4, 1)).astype("float32")
    last = X[:, -1, 0]
    y = np.sin(last) + (0.05 + 0.25 * np.abs(last)) * rng.normal(size=count)
    return X, y.astype("float32"), last


def quantile_regressor(**params):
    settings = {"units": 4, "epochs": 1, "loss": "quantile", "random_state": 0}
    return lstmkit.LSTMRegressor(**{**settings, **params})


def numpy_pinball(prediction, target, levels):
    error = target[..., None] - prediction
    levels = np.asarray(levels)
    return np.maximum(levels * error, (levels - 1.0) * error).mean()


# ------------------------------------------------------------------ the regressor
@pytest.mark.parametrize(
    ("target_shape", "per_step", "expected"),
    [
        ((12,), False, (12, 3)),
        ((12, 2), False, (12, 2, 3)),
        ((12, 2, 2), False, (12, 2, 2, 3)),
        ((12, 5), True, (12, 5, 3)),
        ((12, 5, 2), True, (12, 5, 2, 3)),
    ],
)
def test_predict_adds_a_trailing_axis_of_levels(target_shape, per_step, expected):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 5, 2)).astype("float32")
    y = rng.normal(size=target_shape).astype("float32")
    model = quantile_regressor(return_sequences=per_step, scale_y=True).fit(X, y)
    point = lstmkit.LSTMRegressor(units=4, epochs=1, return_sequences=per_step).fit(X, y)
    assert model.predict(X).shape == expected
    # The output layer is Q times wider than the point model's.
    assert model.module_.head.out_features == 3 * point.module_.head.out_features


def test_ragged_per_step_input_answers_one_array_per_sequence():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(length, 1)).astype("float32") for length in (5, 3, 7)]
    model = quantile_regressor(return_sequences=True).fit(X, [x[:, 0] for x in X])
    assert [p.shape for p in model.predict(X)] == [(5, 3), (3, 3), (7, 3)]


def test_predict_is_the_unscaled_module_output_sorted_per_prediction():
    X, y, _ = noisy_sine(40, seed=0)
    y = 100.0 + 10.0 * y  # far from the scaled space
    model = quantile_regressor(quantiles=[0.9, 0.1, 0.5], scale_y="standard").fit(X, y)
    assert model.quantiles_ == LEVELS  # sorted on use
    # Force crossing: the head's bias pushes level 0.1 above level 0.9.
    with torch.no_grad():
        model.module_.head.bias.copy_(torch.tensor([3.0, 0.0, -3.0]))
        raw = model.module_.eval()(torch.from_numpy(X))[0].double().numpy()  # (40, 3)
    assert (raw[:, 0] > raw[:, 2]).all()
    # Reference: the standard scaler by hand (population std), then sorted per row.
    expected = np.sort(raw * y.astype(np.float64).std() + y.astype(np.float64).mean(), axis=1)
    assert model.predict(X) == pytest.approx(expected, rel=1e-6)  # float32 statistics


def test_score_is_r2_of_the_median_and_evaluate_is_the_pinball_loss():
    X, y, _ = noisy_sine(60, seed=1)
    model = quantile_regressor(epochs=3).fit(X, y)
    median = model.predict(X)[:, 1]
    reference = r2_score(y.astype(np.float64), median.astype(np.float64))
    assert model.score(X, y) == pytest.approx(reference, abs=1e-12)
    results = model.evaluate(X, y)
    with torch.no_grad():
        raw = model.module_.eval()(torch.from_numpy(X))[0].double().numpy()
    assert list(results) == ["loss"]
    assert results["loss"] == pytest.approx(numpy_pinball(raw, y, LEVELS), abs=1e-6)
    assert list(model.history_.history) == ["loss"]  # no training metrics


def test_save_load_predicts_identically_with_the_levels_in_the_manifest(tmp_path):
    X, y, _ = noisy_sine(30, seed=2)
    model = quantile_regressor(quantiles=(0.25, 0.5, 0.75), scale_y=True).fit(X, y)
    path = tmp_path / "quantile.safetensors"
    model.save(path)
    _, manifest = read_model_file(path)
    assert manifest["fitted"]["quantiles_"] == [0.25, 0.5, 0.75]
    loaded = lstmkit.load_model(path)
    assert loaded.quantiles_ == (0.25, 0.5, 0.75)
    assert np.array_equal(loaded.predict(X), model.predict(X))  # bitwise (CONTRACTS §9)


def test_learnt_10_and_90_percent_quantiles_cover_about_80_percent_of_fresh_data():
    X, y, _ = noisy_sine(500, seed=3)
    model = quantile_regressor(units=16, epochs=20, learning_rate=0.01).fit(X, y)
    X_new, y_new, last = noisy_sine(2000, seed=4)
    levels = model.predict(X_new)
    inside = (y_new >= levels[:, 0]) & (y_new <= levels[:, 2])
    # Seeded: 0.80 here; nominal 0.8.
    assert 0.65 <= inside.mean() <= 0.92
    # The noise grows with |u|: the learnt band is wider where it is (seeded 2.35, true 2.4).
    width = levels[:, 2] - levels[:, 0]
    noisy = np.abs(last) > 1
    assert width[noisy].mean() > 1.4 * width[~noisy].mean()


def test_regressor_quantile_errors():
    X, y, _ = noisy_sine(8, seed=0)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "quantiles=(0.1, 0.9) are the levels of loss='quantile', but loss='mse': set "
            "loss='quantile' or leave quantiles out"
        ),
    ):
        lstmkit.LSTMRegressor(loss="mse", quantiles=(0.1, 0.9), epochs=1).fit(X, y)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid quantiles [0.5, 1.0]: each must lie strictly between 0 and 1, got 1.0: "
            "pass distinct levels in (0, 1), e.g. (0.1, 0.5, 0.9)"
        ),
    ):
        quantile_regressor(quantiles=[0.5, 1.0]).fit(X, y)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid quantiles [0.2, 0.2]: they must be distinct, got 0.2 more than once: "
            "pass distinct levels in (0, 1), e.g. (0.1, 0.5, 0.9)"
        ),
    ):
        quantile_regressor(quantiles=[0.2, 0.2]).fit(X, y)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "loss='quantile' records the pinball loss only, but metrics=['mae'] compare one "
            "value per target: leave metrics out (score() gives R² of the 0.5 quantile)"
        ),
    ):
        quantile_regressor(metrics=["mae"]).fit(X, y)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "loss='quantile' cannot train the 'teacher' decoder: it reads back one value per "
            "target at each output step, and a quantile model answers one per quantile; use "
            "the default decoder='repeat'"
        ),
    ):
        quantile_regressor(
            architecture="encoder_decoder", architecture_options={"decoder": "teacher"}
        ).fit(X, np.stack([y, y], axis=1))
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "LSTMClassifier cannot train with loss='quantile': use 'auto', "
            "'binary_crossentropy' or 'categorical_crossentropy'"
        ),
    ):
        lstmkit.LSTMClassifier(loss="quantile", epochs=1).fit(X, (y > 0).astype(int))


def test_score_without_the_median_and_stream_are_refused():
    X, y, _ = noisy_sine(8, seed=0)
    model = quantile_regressor(quantiles=(0.2, 0.8)).fit(X, y)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "score() judges a quantile model's 0.5 quantile (the median), but its quantiles "
            "are [0.2, 0.8]: refit with 0.5 among the quantiles, or score one level of "
            "predict(X) yourself"
        ),
    ):
        model.score(X, y)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "stream() answers one value per target, but this model was trained with "
            "loss='quantile' and answers one per quantile: predict whole sequences with "
            "predict(X) instead"
        ),
    ):
        model.stream()


# ------------------------------------------------------------------ the forecaster
def airline():
    return lstmkit.datasets.airline_passengers()  # monthly, 144 steps, "passengers"


def quantile_forecaster(**params):
    settings = {"lookback": 12, "units": 4, "epochs": 2, "loss": "quantile", "random_state": 0}
    return lstmkit.LSTMForecaster(**{**settings, **params})


def last_window(differenced, lookback):
    """The model's input: the last ``lookback`` differences, standardised by hand."""
    scaled = (differenced - differenced.mean()) / differenced.std()
    return scaled[-lookback:].reshape(1, lookback, 1).astype(np.float32)


def test_seasonal_lag_covering_the_horizon_inverts_each_level_exactly():
    series = airline()
    model = quantile_forecaster(
        horizon=12, difference=[12], quantiles=(0.025, 0.5, 0.9), random_state=0
    ).fit(series)
    forecast = model.predict()
    assert list(forecast.columns) == ["passengers", "passengers_q2.5", "passengers_q90"]
    assert forecast.attrs["interval"] == (
        "quantile regression (pinball loss), quantiles [0.025, 0.5, 0.9]"
    )
    # Reference by hand: d = y[t] - y[t - 12], standardised on the training span; each
    # level's difference forecast, unscaled, adds to the value a season before (observed).
    values = series.to_numpy(np.float64)
    differenced = values[12:] - values[:-12]
    scaled = model.model_.predict(last_window(differenced, 12))[0, :, 0, :]  # (12, Q)
    expected = values[-12:, None] + scaled * differenced.std() + differenced.mean()
    columns = ["passengers_q2.5", "passengers", "passengers_q90"]
    assert forecast[columns].to_numpy() == pytest.approx(expected, rel=1e-9)
    assert (np.diff(forecast[columns].to_numpy(), axis=1) >= 0).all()  # no crossing


def test_a_lag_shorter_than_the_horizon_integrates_each_level_along_its_own_path():
    series = airline()
    model = quantile_forecaster(horizon=3, difference=[1], scale=None).fit(series)
    forecast = model.predict()
    values = series.to_numpy(np.float64)
    differenced = values[1:] - values[:-1]
    window = differenced[-12:].reshape(1, 12, 1).astype(np.float32)
    steps = model.model_.predict(window)[0, :, 0, :]  # (3, Q), unscaled (scale=None)
    expected = values[-1] + np.cumsum(steps.astype(np.float64), axis=0)  # approximate quantiles
    columns = ["passengers_q10", "passengers", "passengers_q90"]
    assert forecast[columns].to_numpy() == pytest.approx(expected, rel=1e-12)


def test_quantile_forecaster_round_trips_and_keeps_conformal_intervals_apart(tmp_path):
    series = airline()
    model = quantile_forecaster(horizon=2, difference=[12]).fit(series[:-12])
    path = tmp_path / "quantile-forecaster.safetensors"
    model.save(path)
    loaded = lstmkit.load_model(path)
    assert loaded.predict().equals(model.predict())  # bitwise (CONTRACTS §9)
    assert loaded.predict().attrs == model.predict().attrs

    model.calibrate(series, start=len(series) - 14)  # 11 origins, each refit-free
    plain, banded = model.predict(), model.predict(coverage=0.5)
    assert list(banded.columns) == [
        "passengers",
        "passengers_lower",
        "passengers_upper",
        "passengers_q10",
        "passengers_q90",
    ]
    assert banded[plain.columns].equals(plain)  # the quantiles do not move
    # Split-conformal bounds sit symmetrically around the point column (the median).
    half = banded["passengers_upper"] - banded["passengers"]
    assert (banded["passengers"] - banded["passengers_lower"]).to_numpy() == pytest.approx(
        half.to_numpy(), abs=1e-9
    )
    assert banded.attrs["interval"].endswith(
        "; quantile regression (pinball loss), quantiles [0.1, 0.5, 0.9]"
    )
    # The calibration backtest forecasts the median: its first origin is a fit on the
    # data up to it, whose point column the backtest must repeat.
    origin = model.residuals_["origin"].iloc[0]
    alone = quantile_forecaster(horizon=2, difference=[12]).fit(series[:origin])
    first = model.residuals_[model.residuals_["origin"] == origin]["value"].to_numpy()
    assert first == pytest.approx(alone.predict()["passengers"].to_numpy(), rel=1e-12)


def test_seq2seq_forecasts_quantiles():
    model = quantile_forecaster(horizon=3, strategy="seq2seq").fit(airline())
    forecast = model.predict()
    assert list(forecast.columns) == ["passengers", "passengers_q10", "passengers_q90"]
    ordered = forecast[["passengers_q10", "passengers", "passengers_q90"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= 0).all()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"strategy": "recursive"},
            "loss='quantile' cannot run the recursive strategy: each step would feed one "
            "quantile back as if observed, and a recursion of quantiles needs sampled paths; "
            "use strategy='direct' or 'seq2seq'",
        ),
        (
            {"quantiles": [0.1, 0.9]},
            "quantiles [0.1, 0.9] lack 0.5: the forecast column of each target is the "
            "median, so add 0.5 (e.g. quantiles=(0.1, 0.5, 0.9))",
        ),
        (
            {"loss": "mse", "quantiles": [0.5]},
            "quantiles=[0.5] are the levels of loss='quantile', but loss='mse': set "
            "loss='quantile' or leave quantiles out",
        ),
        (
            {"quantiles": [0.5, 1.5]},
            "invalid quantiles [0.5, 1.5]: each must lie strictly between 0 and 1, got 1.5: "
            "pass distinct levels in (0, 1), e.g. (0.1, 0.5, 0.9)",
        ),
    ],
)
def test_forecaster_quantile_errors(params, message):
    with pytest.raises(ConfigError, match=re.escape(f"invalid LSTMForecaster settings: {message}")):
        quantile_forecaster(**params).fit(airline())


def test_point_forecasters_are_unchanged():
    series = airline()[:60]
    model = lstmkit.LSTMForecaster(lookback=6, horizon=2, units=4, epochs=1, random_state=0)
    forecast = model.fit(series).predict()
    assert list(forecast.columns) == ["passengers"] and "interval" not in forecast.attrs
    assert isinstance(forecast, pd.DataFrame)
