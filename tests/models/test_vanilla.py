"""The Vanilla LSTM module against references: torch's own LSTM run piecewise, Keras's counts."""

import pytest
import torch
from torch import nn

from lstmkit.errors import ConfigError
from lstmkit.models import VanillaConfig, VanillaLSTM, get_architecture
from lstmkit.models._init import keras_init_lstm


def make_model(**overrides):
    settings = {"input_size": 3, "hidden_size": 8, "output_size": 2, "num_layers": 2}
    settings.update(overrides)
    return VanillaLSTM(VanillaConfig(**settings)).double()


def test_book_echo_model_counts_3960_parameters_and_3860_in_keras_terms():
    from lstmkit.estimators._summary import keras_equivalent_parameters

    model = VanillaLSTM(VanillaConfig(input_size=10, hidden_size=25, output_size=10))
    assert sum(p.numel() for p in model.parameters()) == 3960
    assert keras_equivalent_parameters(model) == 3860  # the book's Listing 1.14 total


def test_keras_init_sets_forget_bias_sum_to_one_and_orthogonal_recurrent_weights():
    lstm = nn.LSTM(4, 6, num_layers=2)
    keras_init_lstm(lstm)
    for layer in range(2):
        bias = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
        expected = torch.zeros(24)
        expected[6:12] = 1.0
        assert torch.equal(bias.detach(), expected)
        recurrent = getattr(lstm, f"weight_hh_l{layer}").detach()  # (4*hidden, hidden)
        assert torch.allclose(recurrent.T @ recurrent, torch.eye(6), atol=1e-5)


def test_many_to_one_output_is_the_head_of_the_last_step():
    model = make_model().eval()
    x = torch.randn(5, 7, 3, dtype=torch.float64)
    y, _ = model(x)
    reference = model.head(model.lstm(x)[0][:, -1])
    assert torch.allclose(y, reference, atol=0, rtol=0)


def test_chunked_run_carrying_state_equals_one_pass():
    model = make_model(return_sequences=True).eval()
    x = torch.randn(4, 12, 3, dtype=torch.float64)
    whole, whole_state = model(x)
    first, state = model(x[:, :5])
    second, state = model(x[:, 5:], state)
    assert torch.allclose(torch.cat([first, second], dim=1), whole, atol=1e-12)
    for (h1, c1), (h2, c2) in zip(state, whole_state):
        assert torch.allclose(h1, h2, atol=1e-12) and torch.allclose(c1, c2, atol=1e-12)


def test_padded_batch_with_lengths_equals_each_sequence_run_alone():
    model = make_model().eval()
    lengths = torch.tensor([7, 3, 5])
    x = torch.randn(3, 7, 3, dtype=torch.float64)
    y, state = model(x, lengths=lengths)
    for row, length in enumerate(lengths.tolist()):
        alone, alone_state = model(x[row : row + 1, :length])
        assert torch.allclose(y[row], alone[0], atol=1e-12)
        for layer in range(2):
            assert torch.allclose(state[layer][0][row], alone_state[layer][0][0], atol=1e-12)
            assert torch.allclose(state[layer][1][row], alone_state[layer][1][0], atol=1e-12)


def test_config_round_trip_rebuilds_the_same_architecture():
    model = make_model(dropout=0.25, return_sequences=True)
    rebuilt = get_architecture("vanilla").from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in model.parameters()]


def test_invalid_configuration_reports_every_problem_at_once():
    with pytest.raises(
        ConfigError,
        match=r"hidden_size must be a positive integer, got 0; dropout must be in \[0, 1\), got 1.5",
    ):
        VanillaConfig(input_size=2, hidden_size=0, output_size=1, dropout=1.5)


def test_unknown_architecture_suggests_the_closest_name():
    with pytest.raises(ConfigError, match="unknown architecture 'vanila'.*Did you mean 'vanilla'"):
        get_architecture("vanila")
