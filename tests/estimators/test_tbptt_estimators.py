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


def marker_streams(count, length, rng, k2, classes=4):
    """CONTRACTS §4's sample-and-hold: markers set a class, gaps of 1 to 3·k2 steps.

    Returns one-hot-with-flag inputs, per-step labels (the last marker's class; -1 before
    the first marker) and each step's gap since the last marker (-1 before it).
    """
    streams, labels, gaps = [], [], []
    for _ in range(count):
        x = np.zeros((length, 1 + classes), "float32")
        y = np.full(length, -1, "int64")
        gap = np.full(length, -1)
        label, since, next_marker = -1, -1, int(rng.integers(0, 3 * k2))
        for step in range(length):
            if step == next_marker:
                label = int(rng.integers(classes))
                x[step, 0], x[step, 1 + label] = 1.0, 1.0
                since, next_marker = 0, step + int(rng.integers(1, 3 * k2 + 1))
            elif since >= 0:
                since += 1
            y[step], gap[step] = label, since
        streams.append(x)
        labels.append(y)
        gaps.append(gap)
    return streams, labels, gaps


@pytest.mark.slow
def test_carried_state_holds_a_class_beyond_the_truncation():
    k = 5
    rng = np.random.default_rng(1)
    X, y, _ = marker_streams(16, 400, rng, k)
    X_test, y_test, gaps = marker_streams(8, 400, rng, k)
    y_test, gaps = np.array(y_test), np.array(gaps)
    settings = dict(units=16, return_sequences=True, learning_rate=0.01, epochs=8, random_state=1)
    carried = lstmkit.LSTMClassifier(tbptt=TBPTT(k, k), batch_size=8, **settings).fit(X, y)
    # The same streams cut into independent k-step windows: the state resets every k1.
    windows = np.concatenate([x.reshape(-1, k, 5) for x in X])
    window_labels = np.concatenate([labels.reshape(-1, k) for labels in y])
    windowed = lstmkit.LSTMClassifier(batch_size=64, **settings).fit(windows, window_labels)
    beyond = (gaps > k) & (y_test != -1)  # the marker lies more than k2 steps back
    carried_accuracy = (np.array(carried.predict(X_test))[beyond] == y_test[beyond]).mean()
    test_windows = np.concatenate([x.reshape(-1, k, 5) for x in X_test])
    windowed_labels = np.array(windowed.predict(test_windows)).reshape(y_test.shape)
    windowed_accuracy = (windowed_labels[beyond] == y_test[beyond]).mean()
    # Seeded (seeds 0-3 gave 100% carried, 20-28% windowed; chance is 25%).
    assert carried_accuracy >= 0.9
    assert windowed_accuracy < 0.4


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


def _sgd_fit(weight=None, learning_rate=0.1, targets=None, **extra):
    rng = np.random.default_rng(5)
    X, y = sample_and_hold(3, 20, rng)
    y = targets if targets is not None else y
    model = lstmkit.LSTMRegressor(
        units=4,
        return_sequences=True,
        tbptt=TBPTT(4, 6),
        batch_size=2,
        epochs=2,
        shuffle=False,
        optimizer="sgd",
        learning_rate=learning_rate,
        random_state=0,
        **extra,
    )
    return model.fit(X, y, sample_weight=weight), X, y


def test_sample_weights_scale_the_tbptt_loss():
    # Weight 2 everywhere doubles each update's gradient: plain SGD at half the rate.
    weighted, _, _ = _sgd_fit(np.full(3, 2.0), learning_rate=0.05)
    plain, _, _ = _sgd_fit(None, learning_rate=0.1)
    for ours, theirs in zip(weighted.module_.parameters(), plain.module_.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)


def test_a_zero_weight_stream_does_not_train_the_model():
    _, _, y = _sgd_fit()
    changed = [t.copy() for t in y]
    changed[1] = np.random.default_rng(9).normal(size=changed[1].shape).astype("float32")
    first, _, _ = _sgd_fit(np.array([1.0, 0.0, 1.0]), targets=y)
    second, _, _ = _sgd_fit(np.array([1.0, 0.0, 1.0]), targets=changed)
    for ours, theirs in zip(first.module_.parameters(), second.module_.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-7, rtol=0)


def test_class_weights_weigh_per_step_labels_under_tbptt():
    rng = np.random.default_rng(6)
    X, labels, _ = marker_streams(3, 20, rng, 4, classes=2)
    settings = dict(
        units=4,
        return_sequences=True,
        tbptt=TBPTT(4, 4),
        batch_size=2,
        epochs=2,
        shuffle=False,
        optimizer="sgd",
        random_state=0,
    )
    weighted = lstmkit.LSTMClassifier(
        class_weight={0: 2.0, 1: 2.0}, learning_rate=0.05, **settings
    ).fit(X, labels)
    plain = lstmkit.LSTMClassifier(learning_rate=0.1, **settings).fit(X, labels)
    for ours, theirs in zip(weighted.module_.parameters(), plain.module_.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)


def test_training_metrics_under_tbptt_match_evaluate_when_weights_stand_still():
    # With a learning rate of 1e-12 the weights do not move, so the training loss and metric
    # (accumulated update by update, state carried) equal one evaluation pass.
    model, X, y = _sgd_fit(learning_rate=1e-12, metrics=["mae", "rmse"])
    history = model.history_.history
    evaluated = model.evaluate(X, y)
    for name in ("loss", "mae", "rmse"):
        assert history[name][-1] == pytest.approx(evaluated[name], rel=1e-5)


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


BIDIRECTIONAL = (
    r"needs a unidirectional model: a bidirectional LSTM reads each sequence backwards from "
    r"its end, so no state carries from one window to the next; train and predict a "
    r"bidirectional model on whole sequences \(tbptt=None, stateful=False, predict without "
    r"stateful=True\)"
)


class _BidirectionalRegressor(lstmkit.LSTMRegressor):
    """Stands in for the bidirectional architecture until the model suite brings it."""

    def _build_module(self, data):
        module = super()._build_module(data)
        module.bidirectional = True
        return module


def test_tbptt_with_a_bidirectional_model_is_refused():
    model = _BidirectionalRegressor(tbptt=TBPTT(5, 5), return_sequences=True, epochs=1)
    with pytest.raises(
        ConfigError, match=r"TBPTT \(tbptt=\.\.\. or stateful=True\) " + BIDIRECTIONAL
    ):
        model.fit(np.zeros((2, 10, 1)), np.zeros((2, 10)))


def test_stateful_prediction_with_a_bidirectional_model_is_refused():
    model = _BidirectionalRegressor(epochs=1).fit(np.zeros((2, 10, 1)), np.zeros(2))
    with pytest.raises(ConfigError, match=r"predict\(stateful=True\) " + BIDIRECTIONAL):
        model.predict(np.zeros((2, 10, 1)), stateful=True)
