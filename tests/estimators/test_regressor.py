"""LSTMRegressor: target layouts, scaling in original units, missing targets."""

import numpy as np
import pytest

import lstmkit


def sine_windows(count=200, lookback=8, horizon=1, seed=0):
    rng = np.random.default_rng(seed)
    starts = rng.uniform(0, 2 * np.pi, size=count)
    steps = np.arange(lookback + horizon) * 0.3
    series = 50.0 + 10.0 * np.sin(starts[:, None] + steps[None, :])  # far from [0, 1]
    X = series[:, :lookback, None].astype("float32")
    y = series[:, lookback:].astype("float32")
    return X, (y[:, 0] if horizon == 1 else y)


def test_scaled_regressor_learns_and_answers_in_original_units():
    X, y = sine_windows()
    model = lstmkit.LSTMRegressor(
        units=16, epochs=40, learning_rate=0.01, scale_X=True, scale_y="minmax", random_state=0
    ).fit(X, y)
    predicted = model.predict(X)
    assert predicted.shape == (200,)
    # Seeded threshold: far better than predicting the mean (std of y is about 7).
    assert np.abs(predicted - y).mean() < 1.5
    results = model.evaluate(X, y)
    assert results["mae"] == pytest.approx(np.abs(predicted - y).mean(), rel=1e-4)
    assert model.score(X, y) > 0.9


def test_multi_step_and_multi_target_layouts_round_trip():
    X, y = sine_windows(count=40, horizon=3)
    model = lstmkit.LSTMRegressor(units=4, epochs=1, random_state=0).fit(X, y)
    assert model.predict(X).shape == (40, 3)
    y3 = np.stack([y, -y], axis=2)  # (samples, horizon, targets)
    model = lstmkit.LSTMRegressor(units=4, epochs=1, scale_y=True, random_state=0).fit(X, y3)
    assert model.predict(X).shape == (40, 3, 2)


def test_missing_targets_do_not_count():
    X, y = sine_windows(count=50)
    with_nan = y.copy()
    with_nan[::2] = np.nan
    nan_model = lstmkit.LSTMRegressor(units=4, epochs=2, shuffle=False, random_state=0).fit(
        X, with_nan
    )
    dropped = lstmkit.LSTMRegressor(units=4, epochs=2, shuffle=False, batch_size=16, random_state=0)
    dropped.fit(X[1::2], y[1::2])
    # Same valid targets; batches differ, so compare only that training was finite and used them.
    assert np.isfinite(nan_model.history_.history["loss"]).all()
    assert np.isfinite(dropped.predict(X)).all()


def test_per_step_regression_with_masked_pre_padding_matches_unpadded():
    rng = np.random.default_rng(0)
    X = rng.random((30, 6, 2)).astype("float32") + 0.1
    y = X.sum(axis=2)
    model = lstmkit.LSTMRegressor(units=4, epochs=1, return_sequences=True, random_state=0).fit(
        X, y
    )
    padded = np.concatenate([np.zeros((30, 3, 2), "float32"), X], axis=1)
    masked = lstmkit.LSTMRegressor(units=4, epochs=1, return_sequences=True, mask_value=0.0)
    masked.set_params(random_state=0)
    masked.module_ = model.module_  # same weights: compare the input handling only
    for name in (
        "n_features_in_",
        "n_timesteps_in_",
        "loss_",
        "output_size_",
        "y_shape_",
        "scaler_X_",
        "scaler_y_",
        "optimizer_",
        "history_",
    ):
        setattr(masked, name, getattr(model, name))
    expected = model.predict(X)
    got = masked.predict(padded)
    assert np.isnan(got[:, :3]).all()
    np.testing.assert_allclose(got[:, 3:], expected, atol=1e-6)


def test_wrong_loss_for_a_regressor_is_explained():
    X, y = sine_windows(count=10)
    with pytest.raises(
        lstmkit.errors.ConfigError,
        match="LSTMRegressor cannot train with loss='categorical_crossentropy'",
    ):
        lstmkit.LSTMRegressor(loss="categorical_crossentropy", epochs=1).fit(X, y)


def test_scaled_targets_with_missing_values_keep_them_missing():
    X, y = sine_windows(count=60)
    y = y.copy()
    y[::3] = np.nan
    model = lstmkit.LSTMRegressor(units=4, epochs=2, scale_y=True, random_state=0).fit(X, y)
    assert np.isfinite(model.history_.history["loss"]).all()
    assert np.isfinite(model.predict(X)).all()
