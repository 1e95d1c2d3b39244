"""Estimators trained with truncated BPTT over streams: wiring checked against the engine."""

import numpy as np
import pytest
import torch

import lstmkit
from lstmkit import TBPTT
from lstmkit.errors import ConfigError
from lstmkit.models import VanillaConfig, VanillaLSTM
from lstmkit.training import Loss, lay_out_streams, run_tbptt_epoch


def sample_and_hold(count, length, rng, marker_rate=0.1):
    """A marker channel sets a value; the target at every step is the last value set."""
    streams, targets = [], []
    for _ in range(count):
        x = np.zeros((length, 2), "float32")
        y = np.zeros(length, "float32")
        value = 0.0
        for step in range(length):
            if rng.random() < marker_rate:
                value = rng.uniform(-1, 1)
                x[step] = (1.0, value)
            y[step] = value
        streams.append(x)
        targets.append(y)
    return streams, targets


def test_fit_runs_the_engine_schedule_exactly():
    rng = np.random.default_rng(0)
    X, y = sample_and_hold(3, 23, rng)
    X[1], y[1] = X[1][:17], y[1][:17]  # unequal streams share lanes
    model = lstmkit.LSTMRegressor(
        units=4,
        return_sequences=True,
        tbptt=TBPTT(3, 7),
        batch_size=2,
        epochs=2,
        shuffle=False,
        optimizer="sgd",
        learning_rate=0.1,
        metrics=[],
        random_state=0,
    )
    model.fit(X, y)
    torch.manual_seed(0)  # the estimator seeds the same way before building its module
    reference = VanillaLSTM(VanillaConfig(2, 4, 1, return_sequences=True))
    sgd = torch.optim.SGD(reference.parameters(), lr=0.1)
    layout = lay_out_streams(
        [torch.from_numpy(x) for x in X],
        [torch.from_numpy(t)[:, None] for t in y],
        num_lanes=2,
        chunk_size=3,
    )
    losses = [
        run_tbptt_epoch(reference, Loss("mse"), sgd, TBPTT(3, 7), layout).loss for _ in range(2)
    ]
    for ours, theirs in zip(model.module_.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)
    assert model.history_.history["loss"] == pytest.approx(losses, rel=1e-6)


def test_end_states_are_those_of_each_stream_run_alone():
    rng = np.random.default_rng(1)
    X, y = sample_and_hold(3, 12, rng)
    X[2], y[2] = X[2][:7], y[2][:7]
    model = lstmkit.LSTMRegressor(
        units=4, return_sequences=True, tbptt=(4, 4), batch_size=2, epochs=1, random_state=0
    )
    model.fit(X, y)
    ((hidden, cell),) = model.state_
    assert hidden.shape == (3, 4)
    model.module_.eval()
    for row, stream in enumerate(X):
        _, ((h, c),) = model.module_(torch.from_numpy(stream)[None])
        torch.testing.assert_close(hidden[row], h[0], atol=1e-6, rtol=0)
        torch.testing.assert_close(cell[row], c[0], atol=1e-6, rtol=0)


def test_validation_loss_means_what_evaluate_means():
    rng = np.random.default_rng(2)
    X, y = sample_and_hold(4, 30, rng)
    X_val, y_val = sample_and_hold(2, 30, rng)
    model = lstmkit.LSTMRegressor(
        units=4, return_sequences=True, tbptt=TBPTT(5, 10), batch_size=2, epochs=1, random_state=0
    )
    model.fit(X, y, validation_data=(X_val, y_val))
    assert model.history_.history["val_loss"][0] == pytest.approx(
        model.evaluate(X_val, y_val)["loss"], rel=1e-5
    )


@pytest.mark.slow
def test_carried_state_remembers_beyond_the_truncation():
    rng = np.random.default_rng(3)
    X, y = sample_and_hold(16, 300, rng, marker_rate=0.08)
    X_test, y_test = sample_and_hold(4, 300, rng, marker_rate=0.08)
    settings = dict(units=16, return_sequences=True, learning_rate=0.01, epochs=12, random_state=0)
    carried = lstmkit.LSTMRegressor(tbptt=TBPTT(5, 5), batch_size=8, **settings).fit(X, y)
    # The same data cut into independent 5-step windows: no state crosses a window.
    windows_X = np.concatenate([x.reshape(-1, 5, 2) for x in X])
    windows_y = np.concatenate([t.reshape(-1, 5) for t in y])
    windowed = lstmkit.LSTMRegressor(batch_size=64, **settings).fit(windows_X, windows_y)
    carried_error = np.abs(carried.predict(X_test) - np.array(y_test)).mean()
    windowed_on_windows = windowed.predict(np.concatenate([x.reshape(-1, 5, 2) for x in X_test]))
    windowed_error = np.abs(windowed_on_windows.reshape(4, 300) - np.array(y_test)).mean()
    # Seeded: the carried state holds values set up to ~40 steps back; windows cannot.
    assert carried_error < 0.1 < windowed_error


def test_tbptt_needs_per_step_targets():
    with pytest.raises(
        ConfigError, match="tbptt trains on per-step targets: set return_sequences=True"
    ):
        lstmkit.LSTMRegressor(tbptt=TBPTT(5, 5)).fit(np.zeros((2, 10, 1)), np.zeros(2))


def test_bad_tbptt_lengths_are_named():
    with pytest.raises(ConfigError, match="TBPTT k1 must be a positive integer"):
        lstmkit.LSTMRegressor(tbptt=(0, 5), return_sequences=True).fit(
            np.zeros((2, 10, 1)), np.zeros((2, 10))
        )


def test_sample_weights_are_refused_with_tbptt():
    model = lstmkit.LSTMRegressor(tbptt=TBPTT(5, 5), return_sequences=True, epochs=1)
    with pytest.raises(
        ConfigError, match="sample_weight and class_weight are not supported with tbptt yet"
    ):
        model.fit(np.zeros((2, 10, 1)), np.zeros((2, 10)), sample_weight=np.ones(2))


def test_validation_loss_without_metrics_streams_the_same_value():
    rng = np.random.default_rng(4)
    X, y = sample_and_hold(4, 30, rng)
    X_val, y_val = sample_and_hold(2, 30, rng)
    settings = dict(
        units=4, return_sequences=True, tbptt=TBPTT(5, 10), batch_size=2, epochs=1, random_state=0
    )
    plain = lstmkit.LSTMRegressor(metrics=[], **settings).fit(X, y, validation_data=(X_val, y_val))
    with_metrics = lstmkit.LSTMRegressor(**settings).fit(X, y, validation_data=(X_val, y_val))
    assert plain.history_.history["val_loss"] == pytest.approx(
        with_metrics.history_.history["val_loss"], rel=1e-6
    )
