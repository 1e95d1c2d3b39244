"""The Generative LSTM: per-step answers, Keras's counts, its own registry name, its errors."""

import json
import re

import pytest
import torch

from lstmkit.errors import ConfigError
from lstmkit.models._common import ArchitectureSettings
from lstmkit.models._registry import get_architecture
from lstmkit.models.generative import GenerativeConfig, GenerativeLSTM
from lstmkit.models.stacked import StackedLSTM

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def make_model(dtype=torch.float32, **overrides):
    settings = {"input_size": 2, "output_size": 3, "units": [6, 5]}
    settings.update(overrides)
    return GenerativeLSTM(GenerativeConfig(**settings)).to(dtype)


def test_answers_at_every_step_and_counts_parameters_like_keras():
    model = make_model(dense_units=[4])
    first = 4 * 6 * (2 + 6) + 8 * 6  # PyTorch's two bias vectors per LSTM layer
    second = 4 * 5 * (6 + 5) + 8 * 5
    assert model.layer_summary() == [
        ("lstm (LSTM)", "(None, None, 6)", first),
        ("lstm_1 (LSTM)", "(None, None, 5)", second),
        ("dense (Dense)", "(None, None, 4)", 5 * 4 + 4),
        ("dense_1 (Dense)", "(None, None, 3)", 4 * 3 + 3),
    ]
    assert sum(p.numel() for p in model.parameters()) == first + second + 24 + 15
    y, state = model(torch.zeros(4, 7, 2))
    assert tuple(y.shape) == (4, 7, 3)
    assert [tuple(h.shape) for h, _ in state] == [(4, 6), (4, 5)]


def test_registered_under_its_own_name_beside_stacked():
    assert get_architecture("generative") is GenerativeLSTM
    assert get_architecture("stacked") is StackedLSTM
    assert (GenerativeLSTM.architecture_name, StackedLSTM.architecture_name) == (
        "generative",
        "stacked",
    )


def test_config_round_trip_and_weights_give_bitwise_identical_outputs():
    model = make_model(dropout=0.2).eval()
    config = json.loads(json.dumps(model.get_config()))
    rebuilt = get_architecture("generative").from_config(config).eval()
    rebuilt.load_state_dict(model.state_dict())
    x = torch.randn(3, 5, 2)
    assert torch.equal(rebuilt(x)[0], model(x)[0])  # bitwise: same process, same layout
    assert isinstance(rebuilt.config, GenerativeConfig)


def test_one_step_at_a_time_carrying_state_equals_one_pass():
    model = make_model().eval()
    x = torch.randn(2, 6, 2)
    whole, _ = model(x)
    state, steps = None, []
    for t in range(6):
        y, state = model(x[:, t : t + 1], state)
        steps.append(y)
    assert torch.allclose(torch.cat(steps, dim=1), whole, atol=1e-6)  # float32, stepwise vs fused


def test_padded_batch_with_lengths_equals_each_sequence_run_alone():
    model = make_model().eval()
    lengths = torch.tensor([6, 2, 4])
    x = torch.randn(3, 6, 2)
    y, state = model(x, lengths=lengths)
    for row, length in enumerate(lengths.tolist()):
        alone, alone_state = model(x[row : row + 1, :length])
        assert torch.allclose(y[row, :length], alone[0], atol=1e-6)
        assert torch.allclose(state[1][0][row], alone_state[1][0][0], atol=1e-6)


def test_from_settings_builds_with_return_sequences():
    settings = ArchitectureSettings(2, 3, units=(8,), return_sequences=True)
    model = GenerativeLSTM.from_settings(settings, {})
    assert model.config.units == [8] and model.state_sizes() == (8,)


def test_return_sequences_false_is_refused():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid generative configuration: return_sequences must be True, got False: a "
            "generative model answers at every step (the next step's prediction); set "
            "return_sequences=True"
        ),
    ):
        make_model(return_sequences=False)


def test_unknown_option_names_the_closest_one():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "the 'generative' architecture has no option 'unit'. Did you mean 'units'?"
        ),
    ):
        GenerativeLSTM.from_config({"input_size": 2, "output_size": 3, "unit": [4]})
