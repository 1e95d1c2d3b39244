"""model.stream(): one step at a time equals the batch path (CONTRACTS §3, §9, §11).

The references are the estimators' own batch paths (``predict``, ``predict_proba``,
``predict(X, stateful=True)``), never the stream's output. Tolerance across paths:
1e-6 in float32 (CONTRACTS §9) on outputs of order one; bitwise for reruns and for
save → load.
"""

import re

import numpy as np
import pytest

import lstmkit
from lstmkit import TBPTT
from lstmkit.errors import ConfigError, DataError, NotFittedError, ShapeError

TOLERANCE = {"atol": 1e-6, "rtol": 1e-6}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _streams(lengths, features, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (length, features)).astype("float32") for length in lengths]


@pytest.fixture(scope="module")
def stream_regressor():
    """Two layers, stream-trained (TBPTT), unscaled, 2 features, one target per step."""
    X = _streams([16, 20, 12], features=2)
    y = [0.5 * np.cumsum(x[:, 0]) / np.arange(1, len(x) + 1) + 0.2 * x[:, 1] for x in X]
    model = lstmkit.LSTMRegressor(
        units=6, num_layers=2, return_sequences=True, tbptt=TBPTT(4, 4), batch_size=2,
        epochs=1, learning_rate=0.01, random_state=0,
    )  # fmt: skip
    return model.fit(X, y), X


@pytest.fixture(scope="module")
def scaled_regressor():
    """Stream-trained with scale_X/scale_y "standard" and two targets per step (tbptt as a pair)."""
    X = [x * np.float32(2.0) + np.float32(1.5) for x in _streams([12, 16], features=2, seed=1)]
    y = [np.stack([np.cumsum(x[:, 0]) * 0.05, x[:, 1] * 3.0 - 2.0], axis=1) for x in X]
    model = lstmkit.LSTMRegressor(
        units=5, num_layers=2, return_sequences=True, tbptt=(4, 4), batch_size=2, epochs=1,
        random_state=0, scale_X="standard", scale_y="standard",
    )  # fmt: skip
    return model.fit(X, y), X


@pytest.fixture(scope="module")
def window_regressor():
    """Trained on windows of L = 5 steps, one value per window, scaled (minmax in, standard out)."""
    rng = np.random.default_rng(2)
    X = rng.uniform(0, 4, (16, 5, 1)).astype("float32")
    X[0, :2, 0] = 0.0, 4.0  # the scaler's range; padding (zeros) in the references stays inside
    model = lstmkit.LSTMRegressor(
        units=4, epochs=1, random_state=0, scale_X="minmax", scale_y="standard"
    )
    return model.fit(X, X[:, -1, 0] - X[:, 0, 0]), rng.uniform(0.5, 3.5, (13, 1)).astype("float32")


def _stepped(stream, sequence):
    return np.array([stream.step(x) for x in sequence])


# --------------------------------------------------------------------- state mode
def test_stream_trained_regressor_steps_equal_predict(stream_regressor):
    model, X = stream_regressor
    stream = model.stream()
    assert stream.mode == "state" and stream.window_length is None
    for sequence in X[:2]:
        stream.reset()
        np.testing.assert_allclose(
            _stepped(stream, sequence), model.predict([sequence])[0], **TOLERANCE
        )


def test_reset_then_stepping_again_repeats_the_outputs(stream_regressor):
    model, X = stream_regressor
    stream = model.stream()
    first = _stepped(stream, X[0])
    stream.reset()
    np.testing.assert_array_equal(_stepped(stream, X[0]), first)  # same process: bitwise
    assert stream.steps == len(X[0])


def test_stream_state_equals_stateful_predict(stream_regressor):
    model, X = stream_regressor
    fitted = model.get_state()
    stream = model.stream()
    _stepped(stream, X[1][:11])
    model.reset_state()
    model.predict(X[1][None, :11], stateful=True)
    expected = model.get_state()
    model.set_state(fitted)
    assert len(stream.state) == 2
    for (h, c), (h_ref, c_ref) in zip(stream.state, expected):
        assert h.shape == c.shape == (1, 6)
        np.testing.assert_allclose(h, h_ref.numpy(), **TOLERANCE)
        np.testing.assert_allclose(c, c_ref.numpy(), **TOLERANCE)


def test_stream_continues_a_training_stream_from_its_fitted_state(stream_regressor):
    model, X = stream_regressor
    state = model.get_state()  # one row per training stream, from the fit
    continuation = _streams([7, 7, 7], features=2, seed=5)
    expected = model.predict(continuation, stateful=True)  # (3, 7)
    stream = model.stream()
    for row in range(3):
        stream.reset([(h[row : row + 1], c[row : row + 1]) for h, c in state])
        np.testing.assert_allclose(_stepped(stream, continuation[row]), expected[row], **TOLERANCE)
    model.set_state(state)


def test_scaled_regressor_steps_equal_predict_in_original_units(scaled_regressor):
    model, X = scaled_regressor
    stream = model.stream()
    stepped = _stepped(stream, X[1])
    assert stepped.shape == (len(X[1]), 2)  # two targets per step
    np.testing.assert_allclose(stepped, model.predict([X[1]])[0], **TOLERANCE)


# --------------------------------------------------------------------- classifiers
@pytest.mark.parametrize("labels", [("cat", "dog", "emu"), ("no", "yes")])
def test_stream_trained_classifier_steps_equal_predict(labels):
    X = _streams([30, 30], features=1, seed=3)
    names = np.array(labels)  # the label is the bin of the current input: learnable at once
    y = [names[np.minimum(((x[:, 0] + 1) / 2 * len(names)).astype(int), len(names) - 1)] for x in X]
    model = lstmkit.LSTMClassifier(
        units=4, num_layers=2, return_sequences=True, tbptt=TBPTT(5, 5), epochs=8,
        learning_rate=0.05, random_state=0,
    ).fit(X, y)  # fmt: skip
    binary = len(labels) == 2
    assert model.loss_ == ("binary_crossentropy" if binary else "categorical_crossentropy")
    stream = model.stream()
    labels_stepped = [stream.step(x) for x in X[1]]
    stream.reset()
    probabilities = np.array([stream.step_proba(x) for x in X[1]])
    assert labels_stepped == model.predict([X[1]])[0].tolist()
    assert set(labels_stepped) == set(labels)  # every class is predicted somewhere
    np.testing.assert_allclose(probabilities, model.predict_proba([X[1]])[0], **TOLERANCE)


# --------------------------------------------------------------------- window mode
def test_window_trained_regressor_reruns_the_last_inputs(window_regressor):
    model, sequence = window_regressor
    stream = model.stream()
    assert stream.mode == "window" and stream.window_length == 5
    # The reference for step t: predict on inputs max(0, t - 4) .. t (a shorter prefix first).
    windows = [sequence[max(0, t - 4) : t + 1] for t in range(len(sequence))]
    np.testing.assert_allclose(_stepped(stream, sequence), model.predict(windows), **TOLERANCE)


def test_state_mode_on_a_window_model_carries_the_whole_past(window_regressor):
    model, sequence = window_regressor
    stream = model.stream(mode="state")
    prefixes = [sequence[: t + 1] for t in range(len(sequence))]
    np.testing.assert_allclose(_stepped(stream, sequence), model.predict(prefixes), **TOLERANCE)


def test_one_feature_steps_accept_a_number_or_one_row(window_regressor):
    model, sequence = window_regressor
    forms = [lambda v: float(v[0]), lambda v: v, lambda v: v.reshape(1, 1)]
    outputs = []
    for form in forms:
        stream = model.stream()
        outputs.append([stream.step(form(x)) for x in sequence[:6]])
    assert all(isinstance(value, float) for value in outputs[0])
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize("target_shape", [(3, 2), (2,)])
def test_window_model_with_several_outputs_answers_in_predicts_layout(target_shape):
    X = np.random.default_rng(4).random((12, 4, 2)).astype("float32")
    y = X[:, :3, :] if len(target_shape) == 2 else X[:, -1, :]  # (horizon, targets) or (k,)
    model = lstmkit.LSTMRegressor(units=3, epochs=1, random_state=0, scale_y="minmax").fit(X, y)
    sequence = X[0].repeat(2, axis=0)  # 8 steps, inside the scaler's range
    stepped = _stepped(model.stream(), sequence)
    assert stepped.shape == (8, *target_shape)
    windows = [sequence[max(0, t - 3) : t + 1] for t in range(8)]
    np.testing.assert_allclose(stepped, model.predict(windows), **TOLERANCE)


# --------------------------------------------------------------------- errors
def test_bad_steps_raise_with_what_was_expected(stream_regressor):
    model, _ = stream_regressor
    stream = model.stream()
    with pytest.raises(
        ShapeError,
        match=r"^stream.step expects one time step of shape \(2,\) or \(1, 2\), got shape "
        r"\(3,\): the model was fitted on 2 features$",
    ):
        stream.step(np.zeros(3))
    with pytest.raises(ShapeError, match=r"got shape \(4, 2\): this looks like several steps"):
        stream.step(np.zeros((4, 2)))
    with pytest.raises(ShapeError, match=r"got shape \(\)$"):
        stream.step(0.5)
    with pytest.raises(
        DataError,
        match=r"^stream.step got NaN at feature 1 \(input 0 since the last reset\): "
        r"remove or impute missing values before streaming$",
    ):
        stream.step([0.1, np.nan])
    with pytest.raises(DataError, match=r"^stream.step got -inf at feature 0 .*clip infinite"):
        stream.step([-np.inf, 0.0])
    assert stream.steps == 0  # a rejected input changes nothing
    np.testing.assert_array_equal(stream.state[1][0], np.zeros((1, 6)))


def test_unknown_mode_and_bad_states(stream_regressor, window_regressor):
    model, _ = stream_regressor
    with pytest.raises(
        ConfigError,
        match=r"^unknown stream mode 'windw': expected one of 'auto', 'state', 'window'\. "
        r"Did you mean 'window'\?$",
    ):
        model.stream(mode="windw")
    with pytest.raises(ShapeError, match=r"layer 0's h has shape \(3, 6\), expected \(1, 6\)"):
        model.stream().reset(model.get_state())  # three training streams: pick one row
    with pytest.raises(ConfigError, match="reruns each window from a zero state"):
        window_regressor[0].stream().reset(model.stream().state)


def test_bidirectional_models_cannot_stream(stream_regressor, monkeypatch):
    model, _ = stream_regressor
    monkeypatch.setattr(model.module_, "bidirectional", True, raising=False)
    message = (
        "stream() needs a unidirectional model: a bidirectional LSTM reads each sequence "
        "backwards from its end, which a stream has not reached yet; predict whole sequences "
        "with predict(X) instead"
    )
    with pytest.raises(ConfigError) as caught:
        model.stream()
    assert str(caught.value) == message


def test_unfitted_estimator_cannot_stream():
    with pytest.raises(
        NotFittedError,
        match=r"^This LSTMClassifier is not fitted yet: call fit\(X, y\) before stream\.$",
    ):
        lstmkit.LSTMClassifier().stream()


# --------------------------------------------------------------------- persistence
def test_saved_and_loaded_model_streams_identically(scaled_regressor, tmp_path):
    model, X = scaled_regressor
    model.save(tmp_path / "model.safetensors")
    loaded = lstmkit.load_model(tmp_path / "model.safetensors")
    assert loaded.stream().mode == "state"
    np.testing.assert_array_equal(_stepped(loaded.stream(), X[0]), _stepped(model.stream(), X[0]))


@pytest.mark.parametrize(
    ("architecture", "activation"),
    [("stacked", "relu"), ("stacked", "tanh"), ("generative", "sigmoid"), ("stacked", "linear")],
)
def test_stacked_and_generative_models_stream_like_predict(architecture, activation):
    # Layers of different widths and a dense head: the stream equals stateful predict.
    X = _streams([14, 18], features=3, seed=3)
    y = [np.stack([np.cumsum(x[:, 0]) * 0.1, x[:, 1]], axis=1) for x in X]
    model = lstmkit.LSTMRegressor(
        architecture=architecture, units=[6, 4], dense_units=[5, 3], dense_activation=activation,
        return_sequences=True, tbptt=TBPTT(4, 4), batch_size=2, epochs=1, random_state=0,
        scale_X="standard", scale_y="minmax",
    )  # fmt: skip
    model.fit(X, y)
    stream = model.stream(mode="state")
    stream.reset()
    model.reset_state()
    expected = model.predict(X[0][None], stateful=True)[0]
    np.testing.assert_allclose(_stepped(stream, X[0]), expected, **TOLERANCE)
    for (h, c), (h_ref, c_ref) in zip(stream.state, model.get_state()):
        np.testing.assert_allclose(h, h_ref.numpy(), **TOLERANCE)
        np.testing.assert_allclose(c, c_ref.numpy(), **TOLERANCE)
    assert repr(stream).endswith("layers=2, units=[6, 4], steps=14)")


def test_other_architectures_say_how_to_predict_step_by_step():
    X = _streams([6, 6], features=4, seed=4)
    model = lstmkit.LSTMRegressor(
        architecture="cnn_lstm", units=[3], epochs=1, random_state=0,
        architecture_options={"frame_shape": [2, 2, 1], "kernel_size": 1, "pool_size": 1},
    ).fit(np.stack(X), np.zeros(2))  # fmt: skip
    message = (
        "stream() runs LSTM stacks with a dense head (the vanilla, stacked and generative "
        "architectures); CNNLSTM is another architecture: predict step by step with "
        "predict(X, stateful=True), or whole sequences with predict(X)"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        model.stream()
