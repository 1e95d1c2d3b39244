"""StackedLSTM and the pieces every architecture shares (models/_common.py, _build.py)."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from lstmkit.errors import ConfigError
from lstmkit.models import (
    ArchitectureSettings,
    StackedConfig,
    StackedLSTM,
    architecture_class,
    architecture_name,
    build_architecture,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_books_stacked_model_has_the_hand_counted_parameters():
    # LSTM(20) on 1 feature: 4·20·(1 + 20) + 8·20 = 1,840; LSTM(20) on 20: 4·20·40 + 160
    # = 3,360; Dense(5) on 20: 105. Keras keeps one bias per layer: 80 fewer for each LSTM.
    model = StackedLSTM(StackedConfig(input_size=1, output_size=5, units=[20, 20]))
    assert sum(p.numel() for p in model.parameters()) == 1840 + 3360 + 105
    assert model.layer_summary() == [
        ("lstm (LSTM)", "(None, None, 20)", 1840),
        ("lstm_1 (LSTM)", "(None, 20)", 3360),
        ("dense (Dense)", "(None, 5)", 105),
    ]


def test_layers_of_different_widths_equal_plain_lstms_run_in_turn():
    torch.manual_seed(0)
    model = StackedLSTM(StackedConfig(3, 2, units=[6, 4], dense_units=[5], dense_activation="tanh"))
    model.eval()
    x = torch.randn(4, 7, 3, dtype=torch.float64)
    model.double()
    first, _ = model.layers[0](x)
    second, (h, c) = model.layers[1](first)
    hidden = torch.tanh(model.head.hidden[0](second[:, -1]))
    expected = model.head.output(hidden)
    y, state = model(x)
    torch.testing.assert_close(y, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(state[1][0], h[0], rtol=0, atol=1e-12)
    assert model.state_sizes() == (6, 4)


def test_a_chunked_run_and_a_padded_batch_equal_one_pass():
    torch.manual_seed(1)
    model = StackedLSTM(StackedConfig(2, 1, units=[5, 3], return_sequences=True)).eval()
    x = torch.randn(3, 9, 2)
    whole, whole_state = model(x)
    head, state = model(x[:, :4])
    tail, end_state = model(x[:, 4:], state)
    torch.testing.assert_close(torch.cat([head, tail], dim=1), whole, rtol=0, atol=1e-6)
    torch.testing.assert_close(end_state[1][1], whole_state[1][1], rtol=0, atol=1e-6)
    padded = torch.cat([x[:1, :5], torch.zeros(1, 4, 2)], dim=1)
    short, short_state = model(padded, lengths=torch.tensor([5]))
    alone, alone_state = model(x[:1, :5])
    torch.testing.assert_close(short[:, :5], alone, rtol=0, atol=1e-6)
    torch.testing.assert_close(short_state[0][0], alone_state[0][0], rtol=0, atol=1e-6)


def test_input_dropout_acts_in_training_only():
    torch.manual_seed(2)
    model = StackedLSTM(StackedConfig(4, 1, units=[3], input_dropout=0.5))
    x = torch.randn(8, 5, 4)
    model.eval()
    torch.testing.assert_close(model(x)[0], model(x)[0])
    model.train()
    assert not torch.equal(model(x)[0], model(x)[0])


def test_config_errors_name_every_problem():
    message = (
        "invalid stacked configuration: units must be positive integers, got [8, 0]; "
        "dropout must be in [0, 1), got 1.0; dense_activation must be one of relu, tanh, "
        "sigmoid, elu, gelu, selu, linear, got 'relu6'"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        StackedConfig(2, 1, units=[8, 0], dropout=1.0, dense_activation="relu6")
    with pytest.raises(
        ConfigError, match=re.escape("has no option 'dense_unit'. Did you mean 'dense_units'?")
    ):
        StackedLSTM.from_config({"input_size": 1, "output_size": 1, "dense_unit": [3]})


def test_building_from_settings_and_naming_the_architecture():
    settings = ArchitectureSettings(input_size=2, output_size=3, units=(4, 4), dense_units=(6,))
    module = build_architecture(architecture_class("stacked"), settings, {})
    assert architecture_name(module) == "stacked"
    assert module.config.units == [4, 4] and module.config.dense_units == [6]

    class Subclass(StackedLSTM):  # a user's subclass never passes for its parent
        pass

    assert architecture_name(Subclass(module.config)) == "Subclass"
    with pytest.raises(ConfigError, match=re.escape("Did you mean 'stacked'?")):
        architecture_class("stacks")
    with pytest.raises(ConfigError, match=re.escape("architecture must be a registered name")):
        architecture_class(nn.LSTM(1, 1))
