"""The harness every architecture passes, through the estimators (issue 5's shared tests).

For each architecture: output shapes, the parameter count against a count worked out by
hand, save → load → predict bitwise, one training step lowers the loss, a sequence padded
pre or post (or alone) predicts the same, and a chunked stateful run equals one pass for
the causal ones; the bidirectional ones are refused for streaming with a clear error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import lstmkit
from lstmkit.errors import ConfigError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SAMPLES, STEPS, FEATURES = 12, 6, 2


def lstm_parameters(inputs: int, units: int) -> int:
    """PyTorch's LSTM layer: four gates of (input + recurrent) weights and two biases."""
    return 4 * units * (inputs + units) + 8 * units


def dense_parameters(inputs: int, outputs: int) -> int:
    return inputs * outputs + outputs


@dataclass
class Case:
    name: str
    estimator: type
    params: dict[str, Any]
    targets: str  # "value", "values_per_step", "label", "labels_per_step", "label_steps"
    predict_shape: tuple[int, ...]
    parameters: int
    causal: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "vanilla",
        lstmkit.LSTMRegressor,
        {"units": 4},
        "value",
        (SAMPLES,),
        lstm_parameters(2, 4) + dense_parameters(4, 1),  # 128 + 5
    ),
    Case(
        "stacked",
        lstmkit.LSTMRegressor,
        {"architecture": "stacked", "units": [4, 3], "dense_units": [5], "input_dropout": 0.0},
        "value",
        (SAMPLES,),
        # LSTM(4) on 2, LSTM(3) on 4, Dense(5) on 3, Dense(1) on 5: 128 + 108 + 20 + 6
        lstm_parameters(2, 4) + lstm_parameters(4, 3) + dense_parameters(3, 5) + 6,
    ),
    Case(
        "cnn_lstm",
        lstmkit.LSTMClassifier,
        {
            "architecture": "cnn_lstm",
            "units": [4],
            "architecture_options": {
                "frame_shape": [1, 2, 1],
                "filters": [3],
                "kernel_size": 1,
                "pool_size": 1,
            },
        },
        "label",
        (SAMPLES,),
        # Conv2D(3, 1x1) on 1 channel: 3 + 3; its 1x2x3 output is 6 features per frame;
        # LSTM(4) on 6: 4·4·10 + 32; Dense(1) (two classes: one sigmoid output) on 4: 5.
        (3 + 3) + lstm_parameters(6, 4) + dense_parameters(4, 1),
    ),
    Case(
        "encoder_decoder",
        lstmkit.LSTMClassifier,
        {
            "architecture": "encoder_decoder",
            "units": [4],
            "architecture_options": {"decoder_units": [3]},
        },
        "label_steps",
        (SAMPLES, 2),
        # Encoder LSTM(4) on 2; RepeatVector 0; decoder LSTM(3) on 4; Dense(3 classes) on 3.
        lstm_parameters(2, 4) + lstm_parameters(4, 3) + dense_parameters(3, 3),
    ),
    Case(
        "encoder_decoder_teacher",
        lstmkit.LSTMClassifier,
        {
            "architecture": "encoder_decoder",
            "units": [4],
            "architecture_options": {"decoder": "teacher"},
        },
        "label_steps",
        (SAMPLES, 2),
        # Encoder LSTM(4) on 2; decoder LSTM(4) fed the previous answer (3 classes, one-hot).
        lstm_parameters(2, 4) + lstm_parameters(3, 4) + dense_parameters(4, 3),
    ),
    Case(
        "bidirectional",
        lstmkit.LSTMClassifier,
        {"architecture": "bidirectional", "units": [4], "return_sequences": True},
        "labels_per_step",
        (SAMPLES, STEPS),
        # Two LSTM(4) directions on 2; concat gives 8 features; Dense(1) (binary) on 8.
        2 * lstm_parameters(2, 4) + dense_parameters(8, 1),
        causal=False,
    ),
    Case(
        "bidirectional_sum_many_to_one",
        lstmkit.LSTMRegressor,
        {
            "architecture": "bidirectional",
            "units": [4],
            "architecture_options": {"merge_mode": "sum"},
        },
        "value",
        (SAMPLES,),
        2 * lstm_parameters(2, 4) + dense_parameters(4, 1),  # sum keeps 4 features
        causal=False,
    ),
    Case(
        "generative",
        lstmkit.LSTMRegressor,
        {"architecture": "generative", "units": [4], "return_sequences": True},
        "values_per_step",
        (SAMPLES, STEPS, 2),
        lstm_parameters(2, 4) + dense_parameters(4, 2),
    ),
]


def make_data(case: Case, seed: int = 0) -> tuple[np.ndarray, Any]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(SAMPLES, STEPS, FEATURES)).astype(np.float32)
    if case.targets == "value":
        return X, X[:, :, 0].sum(axis=1)
    if case.targets == "values_per_step":
        return X, np.roll(X, -1, axis=1)
    if case.targets == "label":
        return X, np.where(X[:, :, 1].mean(axis=1) > 0, "up", "down")
    if case.targets == "labels_per_step":
        return X, (np.cumsum(X[:, :, 0], axis=1) > 0).astype(np.int64)
    # Two output steps of three classes: the sign pattern of the first and last inputs.
    first = np.digitize(X[:, 0, 0], [-0.5, 0.5])
    last = np.digitize(X[:, -1, 1], [-0.5, 0.5])
    return X, np.stack([first, last], axis=1)


def build(case: Case, **overrides: Any):
    params = {"epochs": 2, "batch_size": 4, "random_state": 0, **case.params, **overrides}
    return case.estimator(**params)


def raw_outputs(model, X, **options):
    """What the model answers before labels: probabilities for classifiers."""
    if isinstance(model, lstmkit.LSTMClassifier):
        return model.predict_proba(X, **options)
    return model.predict(X, **options)


_FITTED: dict[str, tuple] = {}
CAUSAL = [case for case in CASES if case.causal]
BIDIRECTIONAL = [case for case in CASES if not case.causal]


def fit_once(case: Case) -> tuple:
    """Each case is trained once per session and shared by the tests below."""
    if case.name not in _FITTED:
        X, y = make_data(case)
        _FITTED[case.name] = (case, build(case).fit(X, y), X, y)
    return _FITTED[case.name]


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def fitted(request):
    return fit_once(request.param)


@pytest.fixture(params=CAUSAL, ids=[case.name for case in CAUSAL])
def fitted_causal(request):
    return fit_once(request.param)


@pytest.fixture(params=BIDIRECTIONAL, ids=[case.name for case in BIDIRECTIONAL])
def fitted_bidirectional(request):
    return fit_once(request.param)


def test_output_shapes(fitted):
    case, model, X, _ = fitted
    assert np.shape(model.predict(X)) == case.predict_shape


def test_parameter_count_equals_the_hand_count(fitted):
    case, model, _, _ = fitted
    assert sum(p.numel() for p in model.module_.parameters()) == case.parameters
    assert model.summary(print_fn=None).count(f"Total params: {case.parameters:,}") == 1


def test_save_load_predict_is_bitwise_identical(fitted, tmp_path):
    case, model, X, _ = fitted
    model.save(tmp_path / "model.safetensors")
    loaded = lstmkit.load_model(tmp_path / "model.safetensors")
    assert type(loaded.module_) is type(model.module_)
    np.testing.assert_array_equal(raw_outputs(loaded, X), raw_outputs(model, X))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_one_training_step_lowers_the_loss(case):
    X, y = make_data(case, seed=1)
    model = build(case, epochs=0, batch_size=SAMPLES, learning_rate=0.01).fit(X, y)
    before = model.evaluate(X, y)["loss"]
    model.partial_fit(X, y)  # one epoch of one batch: exactly one update
    assert len(model.history_.epoch) == 1
    assert model.evaluate(X, y)["loss"] < before


def test_padding_pre_or_post_never_changes_a_prediction(fitted):
    case, model, X, _ = fitted
    lengths = [6, 4, 3]
    sequences = [X[row, :length] for row, length in enumerate(lengths)]
    alone = [raw_outputs(model, sequence[None])[0] for sequence in sequences]
    padded = {}
    for side in ("pre", "post"):
        batch = lstmkit.data.pad_sequences(sequences, padding=side, value=-9.0, dtype="float32")
        model.set_params(mask_value=-9.0)
        try:
            padded[side] = raw_outputs(model, batch)
        finally:
            model.set_params(mask_value=None)
    per_step = bool(model.return_sequences)
    for row, length in enumerate(lengths):
        pre = padded["pre"][row, STEPS - length :] if per_step else padded["pre"][row]
        post = padded["post"][row, :length] if per_step else padded["post"][row]
        expected = alone[row][:length] if per_step else alone[row]
        np.testing.assert_allclose(pre, expected, atol=1e-6)  # float32 across paths (§9)
        np.testing.assert_allclose(post, expected, atol=1e-6)
    ragged = raw_outputs(model, sequences)
    for row in range(len(lengths)):
        np.testing.assert_allclose(ragged[row], alone[row], atol=1e-6)


def test_a_chunked_stateful_run_equals_one_pass_for_causal_architectures(fitted_causal):
    case, model, X, _ = fitted_causal
    whole = raw_outputs(model, X)
    model.reset_state()
    first = raw_outputs(model, X[:, :4], stateful=True)
    last = raw_outputs(model, X[:, 4:], stateful=True)
    model.reset_state()
    if model.return_sequences:
        np.testing.assert_allclose(np.concatenate([first, last], axis=1), whole, atol=1e-6)
    else:  # one answer per sequence: the last chunk's answer is the whole sequence's
        np.testing.assert_allclose(last, whole, atol=1e-6)


BIDIRECTIONAL_STREAM = (
    "stream() needs a unidirectional model: a bidirectional LSTM reads each sequence "
    "backwards from its end, which a stream has not reached yet; predict whole sequences "
    "with predict(X) instead"
)
BIDIRECTIONAL_STATEFUL = (
    "predict(stateful=True) needs a unidirectional model: a bidirectional LSTM reads each "
    "sequence backwards from its end, so no state carries from one window to the next"
)


def test_bidirectional_models_are_refused_for_streaming_and_carried_state(fitted_bidirectional):
    case, model, X, _ = fitted_bidirectional
    with pytest.raises(ConfigError, match=re.escape(BIDIRECTIONAL_STREAM)):
        model.stream()
    with pytest.raises(ConfigError, match=re.escape(BIDIRECTIONAL_STATEFUL)):
        model.predict(X, stateful=True)
    per_step = (np.cumsum(X[:, :, 0], axis=1) > 0).astype(np.int64)
    if isinstance(model, lstmkit.LSTMRegressor):
        per_step = X[:, :, 0]
    with pytest.raises(
        ConfigError, match=re.escape("TBPTT (tbptt=... or stateful=True) needs a unidirectional")
    ):
        build(case, tbptt=(3, 3), return_sequences=True).fit(list(X), list(per_step))
