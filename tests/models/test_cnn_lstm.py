"""The CNN-LSTM against references: a NumPy convolution and pooling over channels-last
frames, Keras's parameter counts and summary of the book's model, one pass vs chunks,
each sequence run alone."""

import json
import re

import numpy as np
import pytest
import torch
from torch import nn

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.estimators._summary import keras_equivalent_parameters
from lstmkit.models._common import ArchitectureSettings
from lstmkit.models._registry import get_architecture
from lstmkit.models._state import require_unidirectional
from lstmkit.models.cnn_lstm import CNNLSTM, CNNLSTMConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# 11x10 frames, 2 channels: conv 10x9 -> pool 5x4 -> conv 4x3 -> pool 2x1, 4 filters: 8 features.
FRAME = [11, 10, 2]


def make_model(**overrides):
    settings = {
        "input_size": 220,
        "output_size": 2,
        "frame_shape": FRAME,
        "filters": [3, 4],
        "units": [5, 4],
    }
    settings.update(overrides)
    return CNNLSTM(CNNLSTMConfig(**settings))


def numpy_features(frames: np.ndarray, model: CNNLSTM) -> np.ndarray:
    """Keras's TimeDistributed Conv2D → relu → MaxPooling2D → Flatten, written out in NumPy.

    frames: (batch, time, rows, cols, channels), channels last; returns (batch, time, features).
    """
    batch, time = frames.shape[:2]
    images = frames.reshape(batch * time, *frames.shape[2:])  # (n, rows, cols, channels)
    k, p = model.config.kernel_size, model.config.pool_size
    for conv in model.convs:
        weight = conv.weight.detach().numpy()  # (filters, channels, k, k)
        bias = conv.bias.detach().numpy()
        rows, cols = images.shape[1] - k + 1, images.shape[2] - k + 1
        convolved = np.empty((images.shape[0], rows, cols, weight.shape[0]))
        for r in range(rows):
            for c in range(cols):
                window = images[:, r : r + k, c : c + k, :]  # (n, k, k, channels)
                convolved[:, r, c, :] = np.einsum("nijc,fcij->nf", window, weight) + bias
        activated = np.maximum(convolved, 0.0)
        pooled_rows, pooled_cols = rows // p, cols // p
        images = np.empty((images.shape[0], pooled_rows, pooled_cols, weight.shape[0]))
        for r in range(pooled_rows):
            for c in range(pooled_cols):
                window = activated[:, r * p : r * p + p, c * p : c * p + p, :]
                images[:, r, c, :] = window.max(axis=(1, 2))
    return images.reshape(batch, time, -1)  # Flatten of (rows, cols, filters)


def test_output_and_state_shapes():
    x = torch.randn(3, 4, 220)
    y, state = make_model()(x)
    assert tuple(y.shape) == (3, 2)
    assert [tuple(h.shape) for h, _ in state] == [(3, 5), (3, 4)]
    assert [tuple(c.shape) for _, c in state] == [(3, 5), (3, 4)]
    y_steps, _ = make_model(return_sequences=True)(x)
    assert tuple(y_steps.shape) == (3, 4, 2)
    assert make_model().state_sizes() == (5, 4)


def test_frames_go_through_convolutions_pools_and_flatten_as_in_keras():
    model = make_model(units=[6]).double().eval()
    frames = np.random.default_rng(0).normal(size=(3, 4, *FRAME))  # Keras's 5-D layout
    x = torch.from_numpy(frames.reshape(3, 4, -1))  # the contract's 3-D layout
    features = torch.from_numpy(numpy_features(frames, model))  # (3, 4, 8)
    assert features.shape[-1] == 8  # 2 rows x 1 col x 4 filters
    lstm = model.recurrent.layers[0]
    head = model.recurrent.head.output
    expected = lstm(features)[0][:, -1] @ head.weight.T + head.bias
    y, _ = model(x)
    assert torch.allclose(y, expected, atol=1e-12)  # float64, NumPy vs torch kernels


def test_book_moving_square_model_counts_and_summary_match_keras():
    model = CNNLSTM(CNNLSTMConfig(input_size=2500, output_size=1, frame_shape=[50, 50, 1]))
    # Conv2D(2, (2,2)) on 1 channel: 2·(2·2·1) + 2 = 10
    # 50x50 -> conv 49x49 -> pool 24x24 -> flatten 24·24·2 = 1,152 features
    # LSTM(50) on 1,152 features: 4·50·(1,152+50) + 8·50 = 240,400 + 400 = 240,800
    # Dense(1) on 50: 51
    assert sum(p.numel() for p in model.parameters()) == 10 + 240_800 + 51
    # Keras keeps one LSTM bias: 240,861 − 4·50 = 240,661, the book's total.
    assert keras_equivalent_parameters(model) == 240_661
    assert model.layer_summary() == [
        ("time_distributed (TimeDistributed(Conv2D))", "(None, None, 49, 49, 2)", 10),
        ("time_distributed_1 (TimeDistributed(MaxPooling2D))", "(None, None, 24, 24, 2)", 0),
        ("time_distributed_2 (TimeDistributed(Flatten))", "(None, None, 1152)", 0),
        ("lstm (LSTM)", "(None, 50)", 240_800),
        ("dense (Dense)", "(None, 1)", 51),
    ]


def test_two_conv_stages_count_by_hand():
    model = make_model()
    # conv 1: 3·(2·2·2) + 3 = 27; conv 2: 4·(2·2·3) + 4 = 52; features 2·1·4 = 8
    # LSTM(5) on 8: 4·5·(8+5) + 8·5 = 300; LSTM(4) on 5: 4·4·(5+4) + 8·4 = 176; Dense 4→2: 10
    assert sum(p.numel() for p in model.parameters()) == 27 + 52 + 300 + 176 + 10
    assert [row[1] for row in model.layer_summary()[:5]] == [
        "(None, None, 10, 9, 3)",
        "(None, None, 5, 4, 3)",
        "(None, None, 4, 3, 4)",
        "(None, None, 2, 1, 4)",
        "(None, None, 8)",
    ]


def test_keras_init_gives_glorot_conv_weights_and_zero_bias():
    model = make_model(filters=[16, 8])
    for conv in model.convs:
        filters, channels, k, _ = conv.weight.shape
        # Keras's kernel (k, k, in, out): fan_in = k·k·in, fan_out = k·k·out.
        bound = (6 / (k * k * channels + k * k * filters)) ** 0.5
        assert float(conv.weight.detach().abs().max()) <= bound
        assert float(conv.weight.detach().abs().max()) > 0.5 * bound
        assert torch.equal(conv.bias.detach(), torch.zeros(filters))
    torch_init = make_model(init="torch")
    assert float(torch_init.convs[0].bias.detach().abs().sum()) > 0


def test_chunked_run_carrying_state_equals_one_pass():
    model = make_model(return_sequences=True).eval()
    x = torch.randn(3, 9, 220)
    whole, whole_state = model(x)
    first, state = model(x[:, :4])
    second, state = model(x[:, 4:], state)
    # float32 across paths: 1e-6.
    assert torch.allclose(torch.cat([first, second], dim=1), whole, atol=1e-6)
    for (h, c), (h_whole, c_whole) in zip(state, whole_state):
        assert torch.allclose(h, h_whole, atol=1e-6) and torch.allclose(c, c_whole, atol=1e-6)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_padding_never_changes_a_result(return_sequences):
    model = make_model(return_sequences=return_sequences).eval()
    lengths = torch.tensor([6, 2, 4])
    x = torch.randn(3, 6, 220)
    for row, length in enumerate(lengths.tolist()):
        x[row, length:] = 100.0  # padding frames that would show if they leaked
    y, state = model(x, lengths=lengths)
    for row, length in enumerate(lengths.tolist()):
        alone, alone_state = model(x[row : row + 1, :length])
        got = y[row, :length] if return_sequences else y[row]
        assert torch.allclose(got, alone[0], atol=1e-6)  # float32, packed vs unpacked
        for (h, c), (h_alone, c_alone) in zip(state, alone_state):
            assert torch.allclose(h[row], h_alone[0], atol=1e-6)
            assert torch.allclose(c[row], c_alone[0], atol=1e-6)


def test_config_round_trip_rebuilds_the_model_and_its_weights():
    model = make_model(dropout=0.2, input_dropout=0.1, dense_units=[3], conv_activation="tanh")
    model.eval()
    config = model.get_config()
    assert json.loads(json.dumps(config)) == config
    rebuilt = get_architecture("cnn_lstm").from_config(config).eval()
    assert rebuilt.get_config() == config
    assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in model.parameters()]
    rebuilt.load_state_dict(model.state_dict())
    x = torch.randn(2, 3, 220)
    assert torch.equal(rebuilt(x)[0], model(x)[0])  # same weights, same process: bitwise


def test_from_settings_takes_frame_options_and_stores_lists():
    settings = ArchitectureSettings(input_size=220, output_size=1, units=(8,))
    model = CNNLSTM.from_settings(settings, {"frame_shape": (11, 10, 2), "filters": (3,)})
    assert (model.config.frame_shape, model.config.filters) == ([11, 10, 2], [3])
    assert json.loads(json.dumps(model.get_config())) == model.get_config()


def test_the_model_is_causal_so_state_may_be_carried():
    require_unidirectional(make_model(), "TBPTT")  # no error
    assert not hasattr(make_model(), "bidirectional")


def test_input_size_that_does_not_match_the_frame_is_refused():
    message = (
        "invalid cnn_lstm configuration: input_size=2000 does not match frame_shape "
        "[50, 50, 1], which holds 50*50*1=2500 values per step: each step of x must be one "
        "frame flattened channels-last (frames.reshape(samples, timesteps, -1)); set "
        "input_size=2500 or fix frame_shape"
    )
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        CNNLSTMConfig(input_size=2000, output_size=1, frame_shape=[50, 50, 1])


def test_frame_too_small_for_the_stages_is_refused():
    message = (
        "invalid cnn_lstm configuration: frame_shape [3, 3, 1] is too small for 2 "
        "Conv2D(kernel_size=2) + MaxPooling2D(pool_size=2) stages: frame 3x3 -> Conv2D 2x2 "
        "-> MaxPooling2D 1x1, then Conv2D needs at least 2x2; use larger frames, fewer "
        "filters, or a smaller kernel_size or pool_size"
    )
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        CNNLSTMConfig(input_size=9, output_size=1, frame_shape=[3, 3, 1], filters=[2, 2])


def test_missing_frame_shape_is_named():
    message = (
        "invalid cnn_lstm configuration: frame_shape is required: the [rows, cols, channels] "
        "of one frame, e.g. frame_shape=[50, 50, 1] for the book's 50x50 one-channel frames"
    )
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        CNNLSTM.from_config({"input_size": 2500, "output_size": 1})


def test_every_problem_is_reported_at_once():
    message = (
        "invalid cnn_lstm configuration: dropout must be in [0, 1), got 1.0; "
        "kernel_size must be a positive integer, got 0; "
        "conv_activation must be one of relu, tanh, sigmoid, elu, gelu, selu, linear, got 'relu6'"
    )
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        CNNLSTMConfig(
            9, 1, frame_shape=[3, 3, 1], dropout=1.0, kernel_size=0, conv_activation="relu6"
        )


def test_unknown_option_through_from_config_suggests_the_closest_name():
    message = "the 'cnn_lstm' architecture has no option 'filter'. Did you mean 'filters'?"
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        CNNLSTM.from_config(
            {"input_size": 2500, "output_size": 1, "frame_shape": [50, 50, 1], "filter": [4]}
        )


def test_keras_shaped_frames_are_refused_with_the_reshape_to_use():
    message = (
        "expected x of shape (batch, time, 220), each step one 11x10x2 frame flattened "
        "channels-last, got (3, 4, 11, 10, 2): reshape Keras-style frames (samples, "
        "timesteps, rows, cols, channels) with frames.reshape(samples, timesteps, -1)"
    )
    with pytest.raises(ShapeError, match=re.escape(message) + "$"):
        make_model()(torch.zeros(3, 4, *FRAME))


def test_is_registered_under_its_name():
    assert get_architecture("cnn_lstm") is CNNLSTM
    assert isinstance(make_model().recurrent.layers[0], nn.LSTM)
