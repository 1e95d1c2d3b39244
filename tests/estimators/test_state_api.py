"""The carried-state API: chunked stateful prediction equals one pass; errors name the fix."""

import numpy as np
import pytest
import torch

import lstmkit
from lstmkit import TBPTT
from lstmkit.errors import NotFittedError, ShapeError


@pytest.fixture(scope="module")
def per_step_model():
    rng = np.random.default_rng(0)
    X = rng.random((3, 12, 2)).astype("float32")
    model = lstmkit.LSTMRegressor(
        units=5, num_layers=2, return_sequences=True, epochs=1, random_state=0
    )
    return model.fit(X, X.sum(axis=2)), X


def test_chunked_stateful_prediction_equals_one_pass(per_step_model):
    model, X = per_step_model
    model.reset_state()
    whole = model.predict(X)
    pieces = [model.predict(X[:, start : start + 4], stateful=True) for start in (0, 4, 8)]
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), whole, atol=1e-6)
    model.reset_state()


def test_plain_predict_neither_reads_nor_changes_the_state(per_step_model):
    model, X = per_step_model
    model.reset_state()
    model.predict(X[:, :6], stateful=True)
    before = model.get_state()
    fresh = model.predict(X[:, 6:])
    assert all(
        torch.equal(a, b)
        for pair_a, pair_b in zip(before, model.get_state())
        for a, b in zip(pair_a, pair_b)
    )
    np.testing.assert_allclose(fresh, model.predict(X[:, 6:]), atol=0)
    model.reset_state()


def test_set_state_round_trips_get_state(per_step_model):
    model, X = per_step_model
    model.reset_state()
    model.predict(X[:, :5], stateful=True)
    saved = model.get_state()
    expected = model.predict(X[:, 5:], stateful=True)
    model.set_state(saved)
    np.testing.assert_allclose(model.predict(X[:, 5:], stateful=True), expected, atol=0)
    model.set_state([(h.numpy(), c.numpy()) for h, c in saved])  # NumPy arrays work too
    model.reset_state()


def test_stream_fit_state_continues_each_training_stream():
    rng = np.random.default_rng(1)
    streams = rng.random((2, 30, 1)).astype("float32")
    model = lstmkit.LSTMRegressor(
        units=4, return_sequences=True, tbptt=TBPTT(5, 5), batch_size=2, epochs=1, random_state=0
    )
    model.fit(streams[:, :20], streams[:, :20, 0])
    continued = model.predict(streams[:, 20:], stateful=True)
    np.testing.assert_allclose(continued, model.predict(streams)[:, 20:], atol=1e-6)


def test_state_errors_name_the_fix(per_step_model):
    model, X = per_step_model
    with pytest.raises(
        ShapeError, match=r"set_state expects one \(h, c\) pair per LSTM layer \(2 here\), got 1"
    ):
        model.set_state([(np.zeros((3, 5)), np.zeros((3, 5)))])
    with pytest.raises(
        ShapeError,
        match=r"set_state: layer 1's c has shape \(3, 4\), expected \(batch, 5\): that layer has 5 units",
    ):
        model.set_state(
            [(np.zeros((3, 5)), np.zeros((3, 5))), (np.zeros((3, 5)), np.zeros((3, 4)))]
        )
    model.set_state([(np.zeros((3, 5)), np.zeros((3, 5)))] * 2)
    with pytest.raises(
        ShapeError,
        match=r"predict\(stateful=True\) got 2 sequences, but the carried state holds 3 \(one per stream it continues\)",
    ):
        model.predict(X[:2], stateful=True)
    model.reset_state()
    with pytest.raises(NotFittedError, match=r"call fit\(X, y\) before get_state"):
        lstmkit.LSTMRegressor().get_state()
