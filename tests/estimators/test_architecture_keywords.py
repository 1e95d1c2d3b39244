"""The architecture keywords of the estimators: what they build and what they refuse."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import lstmkit
from lstmkit.errors import ConfigError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

rng = np.random.default_rng(0)
X = rng.uniform(size=(16, 4, 1)).astype(np.float32)


def test_the_slides_traffic_flow_builder_is_keywords():
    # h_layers=2, h_neurons=64, deep_dense=True: LSTM(32) → Dropout → LSTM(128) → Dropout →
    # Dense(64, relu) → Dropout → Dense(32, relu) → Dropout → Dense(multisteps).
    model = lstmkit.LSTMRegressor(
        architecture="stacked", units=[32, 128], dropout=0.5, dense_units=[64, 32],
        dense_activation="relu", epochs=1, random_state=0,
    ).fit(X, rng.uniform(size=(16, 3)))  # fmt: skip
    rows = [name for name, _, _ in model.module_.layer_summary()]
    assert rows == [
        "lstm (LSTM)",
        "lstm_1 (LSTM)",
        "dense (Dense)",
        "dense_1 (Dense)",
        "dense_2 (Dense)",
    ]
    assert [layer.hidden_size for layer in model.module_.layers] == [32, 128]
    assert model.module_.head.output.out_features == 3  # the multi-step output
    dropouts = [type(m).__name__ for m in model.module_.head.hidden]
    assert dropouts == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout"]


def test_architecture_options_cannot_repeat_an_estimator_keyword():
    message = (
        "architecture_options ['units', 'dropout'] repeat estimator keywords: pass units=..., "
        "dropout=... to the estimator itself (architecture_options holds only the "
        "architecture's own options)"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        lstmkit.LSTMRegressor(
            architecture="stacked", architecture_options={"units": [5], "dropout": 0.1}
        ).fit(X, X[:, -1, 0])


def test_an_unknown_architecture_option_gets_a_did_you_mean():
    with pytest.raises(
        ConfigError, match=re.escape("has no option 'merge_mod'. Did you mean 'merge_mode'?")
    ):
        lstmkit.LSTMClassifier(
            architecture="bidirectional", architecture_options={"merge_mod": "sum"}
        ).fit(X, (X[:, 0, 0] > 0.5).astype(int))


def test_a_regressors_teacher_decoder_feeds_back_values():
    y = rng.uniform(size=(16, 2))
    model = lstmkit.LSTMRegressor(
        architecture="encoder_decoder", architecture_options={"decoder": "teacher"},
        epochs=1, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert model.module_.config.feedback == "values"
    assert model.predict(X).shape == (16, 2)


def test_read_only_input_is_copied_without_a_warning():
    series = np.arange(40, dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(series, 5)[:-1, :, None]
    assert not windows.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = lstmkit.LSTMRegressor(units=4, epochs=1, random_state=0).fit(windows, series[5:])
        assert model.predict(windows).shape == (35,)
