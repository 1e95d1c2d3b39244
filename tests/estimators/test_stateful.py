"""``stateful=True``: consecutive windows of one stream, checked against Keras's loop.

The reference is what a Keras user writes by hand with ``stateful=True`` and batch
size 1: for each epoch, reset the state; for each window in order, forward from the
carried state, loss on the window's targets, backward, step, detach the state.
"""

import numpy as np
import pytest
import torch

import lstmkit
from lstmkit.errors import ConfigError, ShapeError
from lstmkit.models import VanillaConfig, VanillaLSTM
from lstmkit.training import Loss

WINDOWS, STEPS = 12, 3


def noisy_windows(seed=0, features=2):
    rng = np.random.default_rng(seed)
    series = np.cumsum(rng.normal(size=(WINDOWS * STEPS, features)), axis=0) / 5
    X = series.astype("float32").reshape(WINDOWS, STEPS, features)
    y = np.roll(series[:, 0], -1).reshape(WINDOWS, STEPS)[:, -1].astype("float32")
    return X, y


def keras_stateful_reference(X, y, epochs, learning_rate=0.1, units=4):
    torch.manual_seed(0)  # the estimator seeds the same way before building its module
    module = VanillaLSTM(VanillaConfig(X.shape[2], units, 1, return_sequences=True))
    sgd = torch.optim.SGD(module.parameters(), lr=learning_rate)
    loss, losses = Loss("mse"), []
    for _ in range(epochs):
        state, total = None, 0.0  # reset_states() at the epoch's start
        for window, target in zip(X, y):
            sgd.zero_grad()
            output, state = module(torch.from_numpy(window)[None], state)
            value = loss(output[:, -1], torch.tensor([[target]]))
            value.backward()
            sgd.step()
            state = tuple((h.detach(), c.detach()) for h, c in state)
            total += float(value.detach())
        losses.append(total / len(X))
    return module, losses


def stateful_model(**extra):
    settings = dict(
        units=4,
        stateful=True,
        batch_size=1,
        epochs=2,
        optimizer="sgd",
        learning_rate=0.1,
        metrics=[],
        random_state=0,
    )
    return lstmkit.LSTMRegressor(**{**settings, **extra})


def test_stateful_fit_is_the_keras_stateful_loop():
    X, y = noisy_windows()
    model = stateful_model().fit(X, y)
    reference, losses = keras_stateful_reference(X, y, epochs=2)
    for ours, theirs in zip(model.module_.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)
    assert model.history_.history["loss"] == pytest.approx(losses, rel=1e-5)


def test_predict_runs_the_windows_as_one_stream_from_zero():
    X, y = noisy_windows(1)
    model = stateful_model().fit(X, y)
    kept = model.get_state()
    model.module_.eval()
    with torch.no_grad():
        outputs, _ = model.module_(torch.from_numpy(X.reshape(1, -1, 2)))
    expected = outputs[0, STEPS - 1 :: STEPS, 0].numpy()
    np.testing.assert_allclose(model.predict(X), expected, atol=1e-6, rtol=0)
    for (h, c), (h2, c2) in zip(kept, model.get_state()):  # predict(X) leaves the state alone
        assert torch.equal(h, h2) and torch.equal(c, c2)


def test_state_after_fit_is_the_end_of_the_stream_and_predict_continues_it():
    X, y = noisy_windows(2)
    model = stateful_model().fit(X[:8], y[:8])
    ((hidden, _),) = model.get_state()
    assert hidden.shape == (1, 4)
    # Continuing from the training stream's end equals predicting the whole stream at once.
    whole = model.predict(X)
    continued = model.predict(X[8:], stateful=True)
    np.testing.assert_allclose(continued, whole[8:], atol=1e-6, rtol=0)
    # Chunked stateful prediction equals one pass.
    model.reset_state()
    chunks = [model.predict(X[a : a + 5], stateful=True) for a in range(0, WINDOWS, 5)]
    np.testing.assert_allclose(np.concatenate(chunks), whole, atol=1e-6, rtol=0)


def test_validation_split_continues_the_training_stream():
    X, y = noisy_windows(3)
    model = stateful_model(validation_split=0.25, epochs=1).fit(X, y)
    # The last 3 windows are validation: evaluated from the state the first 9 leave.
    predictions = model.predict(X)[-3:]
    expected = float(np.mean((predictions - y[-3:]) ** 2))
    assert model.history_.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_per_step_targets_and_a_custom_schedule():
    X, _ = noisy_windows(4)
    y = X[:, :, 0] * 0.5
    model = stateful_model(return_sequences=True, tbptt=(2, 4), epochs=1).fit(X, y)
    assert model.predict(X).shape == (WINDOWS, STEPS)
    assert model.score(X, y) < 1.0  # scored over the stream, every step


def test_stateful_classifier_learns_the_labels_of_a_stream():
    X = np.eye(4, dtype="float32")[np.arange(24) % 4][:, None, :]  # one symbol per window
    y = np.array(list("BCDA") * 6)  # the next symbol
    model = lstmkit.LSTMClassifier(
        units=8, stateful=True, batch_size=1, epochs=30, learning_rate=0.02, random_state=0
    )
    model.fit(X, y)
    assert model.score(X, y) == 1.0


def test_stateful_needs_batch_size_one():
    X, y = noisy_windows()
    with pytest.raises(
        ConfigError,
        match=r"stateful=True carries the state from each sample to the next, so it trains one "
        r"sample at a time: set batch_size=1 \(got 32\)",
    ):
        lstmkit.LSTMRegressor(stateful=True).fit(X, y)


def test_stateful_must_be_a_bool():
    X, y = noisy_windows()
    with pytest.raises(ConfigError, match="stateful must be True or False, got 'yes'"):
        lstmkit.LSTMRegressor(stateful="yes", batch_size=1).fit(X, y)


def test_continuing_a_stream_needs_a_state_of_one_stream():
    X, y = noisy_windows()
    model = stateful_model(epochs=1).fit(X, y)
    model.set_state(((torch.zeros(2, 4), torch.zeros(2, 4)),))
    with pytest.raises(
        ShapeError, match=r"predict\(stateful=True\) continues one stream, but the carried state"
    ):
        model.predict(X, stateful=True)


def keras_loop_from(module, X, y, state, learning_rate=0.1):
    """One pass of the stateful loop over ``X`` from ``state``; returns the module."""
    sgd = torch.optim.SGD(module.parameters(), lr=learning_rate)
    for window, target in zip(X, y):
        sgd.zero_grad()
        output, state = module(torch.from_numpy(window)[None], state)
        Loss("mse")(output[:, -1], torch.tensor([[target]])).backward()
        sgd.step()
        state = tuple((h.detach(), c.detach()) for h, c in state)
    return module


def test_partial_fit_continues_the_stream_from_the_carried_state():
    X, y = noisy_windows(5)
    model = stateful_model(epochs=1)
    model.partial_fit(X[:6], y[:6])
    model.partial_fit(X[6:], y[6:])  # the next part of the same stream
    # Reference: the loop over the first part; the end state from one ordered pass with
    # the updated weights (CONTRACTS §3's state_); the loop over the second part from it.
    torch.manual_seed(0)
    reference = VanillaLSTM(VanillaConfig(2, 4, 1, return_sequences=True))
    keras_loop_from(reference, X[:6], y[:6], None)
    with torch.no_grad():
        _, state = reference(torch.from_numpy(X[:6].reshape(1, -1, 2)))
    keras_loop_from(reference, X[6:], y[6:], state)
    for ours, theirs in zip(model.module_.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)


def test_partial_fit_after_reset_state_starts_from_zero():
    X, y = noisy_windows(6)
    model = stateful_model(epochs=1)
    model.partial_fit(X[:6], y[:6])
    model.reset_state()
    model.partial_fit(X[6:], y[6:])
    torch.manual_seed(0)
    reference = VanillaLSTM(VanillaConfig(2, 4, 1, return_sequences=True))
    keras_loop_from(reference, X[:6], y[:6], None)
    keras_loop_from(reference, X[6:], y[6:], None)
    for ours, theirs in zip(model.module_.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)


def test_partial_fit_on_streams_continues_each_stream():
    rng = np.random.default_rng(7)
    streams = [rng.normal(size=(12, 1)).astype("float32") for _ in range(3)]
    targets = [s[:, 0] * 0.5 for s in streams]
    model = lstmkit.LSTMRegressor(
        units=4,
        return_sequences=True,
        tbptt=(3, 3),
        batch_size=3,
        shuffle=False,
        optimizer="sgd",
        learning_rate=1e-12,
        random_state=0,
    )
    model.partial_fit([s[:6] for s in streams], [t[:6] for t in targets])
    model.partial_fit([s[6:] for s in streams], [t[6:] for t in targets])
    # The weights barely move, so the end state equals one pass over the whole streams.
    model.module_.eval()
    with torch.no_grad():
        _, ((h, c),) = model.module_(torch.from_numpy(np.stack(streams)))
    torch.testing.assert_close(model.get_state()[0][0], h, atol=1e-6, rtol=0)
    with pytest.raises(ConfigError, match="needs one lane per stream, but batch_size=2"):
        model.set_params(batch_size=2).partial_fit(streams, targets)
    with pytest.raises(ShapeError, match="partial_fit continues the carried state of 3 streams"):
        model.partial_fit(streams[:2], targets[:2])
