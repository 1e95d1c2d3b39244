"""The Bidirectional LSTM against references: plain one-direction nn.LSTMs run on the
sequence and on its torch.flip, merged by hand; Keras's parameter counts; each sequence
run alone."""

import json
import re

import pytest
import torch
from torch import nn

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.estimators._summary import keras_equivalent_parameters
from lstmkit.models._registry import get_architecture
from lstmkit.models._state import require_unidirectional
from lstmkit.models.bidirectional import (
    BidirectionalConfig,
    BidirectionalLSTM,
    reverse_padded,
)
from lstmkit.models.stacked import StackedConfig, StackedLSTM

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Keras's merge modes, written out from its documentation.
MERGE_BY_HAND = {
    "concat": lambda forward, backward: torch.cat([forward, backward], dim=-1),
    "sum": lambda forward, backward: forward + backward,
    "mul": lambda forward, backward: forward * backward,
    "ave": lambda forward, backward: 0.5 * (forward + backward),
}
# (direction, merge_mode) pairs that give different models.
VARIANTS = [("both", mode) for mode in MERGE_BY_HAND] + [
    ("backward", "concat"),
    ("forward", "concat"),
]


def make_model(**overrides):
    settings = {"input_size": 3, "output_size": 2, "units": [5, 4]}
    settings.update(overrides)
    return BidirectionalLSTM(BidirectionalConfig(**settings))


def one_direction(bidirectional: nn.LSTM, reverse: bool) -> nn.LSTM:
    """A plain nn.LSTM holding one direction's weights of a one-layer bidirectional LSTM."""
    plain = nn.LSTM(bidirectional.input_size, bidirectional.hidden_size, batch_first=True)
    plain = plain.to(bidirectional.weight_ih_l0.dtype)
    suffix = "_reverse" if reverse else ""
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(plain, name).copy_(getattr(bidirectional, name + suffix))
    return plain


def both_directions(lstm: nn.LSTM, x: torch.Tensor, state=None):
    """Forward outputs, and backward outputs aligned with x's steps, both (batch, time, units)."""
    units = lstm.hidden_size
    forward_state = backward_state = None
    if state is not None:
        h, c = state
        forward_state = (h[:, :units].unsqueeze(0), c[:, :units].unsqueeze(0))
        backward_state = (h[:, units:].unsqueeze(0), c[:, units:].unsqueeze(0))
    forward, _ = one_direction(lstm, reverse=False)(x, forward_state)
    backward, _ = one_direction(lstm, reverse=True)(torch.flip(x, [1]), backward_state)
    return forward, torch.flip(backward, [1])


def dense_by_hand(model: BidirectionalLSTM, features: torch.Tensor) -> torch.Tensor:
    weight, bias = model.head.output.weight, model.head.output.bias
    return features @ weight.T + bias


def test_reverse_padded_flips_only_the_valid_steps():
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 0.0, 0.0], [7.0, 0.0, 0.0, 0.0]])
    reversed_x = reverse_padded(x.unsqueeze(-1).repeat(1, 1, 2), torch.tensor([4, 2, 1]))
    expected = torch.tensor([[4.0, 3.0, 2.0, 1.0], [6.0, 5.0, 0.0, 0.0], [7.0, 0.0, 0.0, 0.0]])
    assert torch.equal(reversed_x, expected.unsqueeze(-1).repeat(1, 1, 2))
    assert torch.equal(reverse_padded(x.unsqueeze(-1), None).squeeze(-1), torch.flip(x, [1]))


@pytest.mark.parametrize("direction, merge_mode", VARIANTS)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_output_and_state_shapes(direction, merge_mode, return_sequences):
    model = make_model(
        direction=direction, merge_mode=merge_mode, return_sequences=return_sequences
    )
    y, state = model(torch.randn(6, 7, 3))
    assert tuple(y.shape) == ((6, 7, 2) if return_sequences else (6, 2))
    directions = 2 if direction == "both" else 1
    assert [tuple(h.shape) for h, _ in state] == [(6, directions * 5), (6, directions * 4)]
    assert [tuple(c.shape) for _, c in state] == [(6, directions * 5), (6, directions * 4)]
    assert model.state_sizes() == (directions * 5, directions * 4)


def test_book_cumulative_sum_model_counts_keras_parameters():
    model = BidirectionalLSTM(
        BidirectionalConfig(input_size=1, output_size=1, units=[50], return_sequences=True)
    )
    # Bidirectional(LSTM(50)) on 1 feature: 2 directions × (4·50·(1+50) weights + 8·50 biases)
    #   = 2 × (10,200 + 400) = 21,200; TimeDistributed(Dense(1)) on the concat: 100·1 + 1 = 101.
    assert sum(p.numel() for p in model.parameters()) == 21_200 + 101
    # Keras keeps one bias per direction: 21,301 − 2·(4·50) = 20,901, the book's total.
    assert keras_equivalent_parameters(model) == 20_901
    assert model.layer_summary() == [
        ("bidirectional (Bidirectional)", "(None, None, 100)", 21_200),
        ("dense (Dense)", "(None, None, 1)", 101),
    ]


def test_stacked_sum_layers_feed_the_merged_width_to_the_next_layer():
    model = make_model(units=[8, 6], merge_mode="sum", dense_units=[4])
    # layer 1 on 3 features: 2 × (4·8·(3+8) + 8·8) = 2 × (352 + 64) = 832
    # layer 2 on the summed width 8: 2 × (4·6·(8+6) + 8·6) = 2 × (336 + 48) = 768
    # dense 6→4: 6·4 + 4 = 28; output 4→2: 4·2 + 2 = 10
    assert sum(p.numel() for p in model.parameters()) == 832 + 768 + 28 + 10
    assert model.layer_summary() == [
        ("bidirectional (Bidirectional)", "(None, None, 8)", 832),
        ("bidirectional_1 (Bidirectional)", "(None, 6)", 768),
        ("dense (Dense)", "(None, 4)", 28),
        ("dense_1 (Dense)", "(None, 2)", 10),
    ]


def test_one_direction_counts_and_rows_are_a_plain_lstm():
    model = make_model(input_size=1, output_size=1, units=[50], direction="backward")
    # LSTM(50) on 1 feature: 4·50·(1+50) + 8·50 = 10,600; Dense(1) on 50: 51
    assert sum(p.numel() for p in model.parameters()) == 10_600 + 51
    assert model.layer_summary() == [
        ("lstm (LSTM)", "(None, 50)", 10_600),
        ("dense (Dense)", "(None, 1)", 51),
    ]


def test_keras_init_covers_the_reverse_direction():
    model = make_model(units=[6, 6])
    for lstm in model.layers:
        for suffix in ("", "_reverse"):
            bias = getattr(lstm, f"bias_ih_l0{suffix}") + getattr(lstm, f"bias_hh_l0{suffix}")
            expected = torch.zeros(24)
            expected[6:12] = 1.0  # forget gate, PyTorch's gate order (i, f, g, o)
            assert torch.equal(bias.detach(), expected)
            recurrent = getattr(lstm, f"weight_hh_l0{suffix}").detach()  # (4·units, units)
            assert torch.allclose(recurrent.T @ recurrent, torch.eye(6), atol=1e-5)
            kernel = getattr(lstm, f"weight_ih_l0{suffix}").detach()
            bound = (6 / (lstm.input_size + 4 * 6)) ** 0.5  # Glorot over Keras's (in, 4·units)
            assert float(kernel.abs().max()) <= bound
        # Each direction draws its own weights, as Keras's Bidirectional copies the layer.
        assert not torch.equal(lstm.weight_ih_l0, lstm.weight_ih_l0_reverse)


@pytest.mark.parametrize("merge_mode", list(MERGE_BY_HAND))
def test_each_merge_mode_matches_the_two_directions_merged_by_hand(merge_mode):
    model = make_model(units=[5], merge_mode=merge_mode, return_sequences=True).double().eval()
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    forward, backward = both_directions(model.layers[0], x)
    merge = MERGE_BY_HAND[merge_mode]
    y, (state,) = model(x)
    # tolerance: same float64 kernels on both sides, 1e-12.
    assert torch.allclose(y, dense_by_hand(model, merge(forward, backward)), atol=1e-12)
    assert torch.allclose(state[0], torch.cat([forward[:, -1], backward[:, 0]], -1), atol=1e-12)

    many_to_one = make_model(units=[5], merge_mode=merge_mode).double().eval()
    many_to_one.load_state_dict(model.state_dict())
    y_last, _ = many_to_one(x)
    # CONTRACTS §5: merge(forward at the last step, backward at step 0).
    expected = dense_by_hand(model, merge(forward[:, -1], backward[:, 0]))
    assert torch.allclose(y_last, expected, atol=1e-12)


def test_stacked_layers_read_the_previous_layers_merged_output():
    model = make_model(units=[5, 4], merge_mode="concat", return_sequences=True).double().eval()
    x = torch.randn(3, 6, 3, dtype=torch.float64)
    first = torch.cat(both_directions(model.layers[0], x), -1)  # (3, 6, 10)
    second = torch.cat(both_directions(model.layers[1], first), -1)  # (3, 6, 8)
    y, _ = model(x)
    assert torch.allclose(y, dense_by_hand(model, second), atol=1e-12)  # float64, same kernels


def test_a_passed_state_is_split_into_the_two_directions_initial_states():
    model = make_model(units=[5], merge_mode="ave", return_sequences=True).double().eval()
    x = torch.randn(3, 6, 3, dtype=torch.float64)
    state = (torch.randn(3, 10, dtype=torch.float64), torch.randn(3, 10, dtype=torch.float64))
    forward, backward = both_directions(model.layers[0], x, state)
    y, _ = model(x, (state,))
    assert torch.allclose(y, dense_by_hand(model, 0.5 * (forward + backward)), atol=1e-12)


def test_a_state_in_the_wrong_layout_is_refused():
    model = make_model(units=[5])
    state = ((torch.zeros(3, 5), torch.zeros(3, 5)),)
    message = (
        "the state of layer 0 must be (h, c), each (batch, 10) = cat(forward, backward) for "
        "direction='both', got (3, 5): pass a state this model returned"
    )
    with pytest.raises(ShapeError, match=re.escape(message)):
        model(torch.zeros(3, 4, 3), state)


def test_backward_direction_reads_each_layer_from_the_end_and_keeps_steps_aligned():
    model = make_model(direction="backward", return_sequences=True).double().eval()
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    outputs = x
    for lstm in model.layers:  # every layer reads backwards; its outputs stay aligned
        outputs = torch.flip(lstm(torch.flip(outputs, [1]))[0], [1])
    y, _ = model(x)
    assert torch.allclose(y, dense_by_hand(model, outputs), atol=1e-12)  # float64
    # Unlike Keras's go_backwards, the output at the last step has read that step only.
    one_step = x[:, -1:]
    for lstm in model.layers:
        one_step = lstm(one_step)[0]
    assert torch.allclose(y[:, -1], dense_by_hand(model, one_step[:, 0]), atol=1e-12)

    many_to_one = make_model(direction="backward").double().eval()
    many_to_one.load_state_dict(model.state_dict())
    y_last, _ = many_to_one(x)
    # Many-to-one answers after reading the whole sequence: the aligned output at step 0.
    assert torch.allclose(y_last, dense_by_hand(model, outputs[:, 0]), atol=1e-12)


def test_forward_direction_is_the_stacked_lstm():
    model = make_model(direction="forward", dense_units=[3]).double().eval()
    stacked = StackedLSTM(StackedConfig(3, 2, units=[5, 4], dense_units=[3])).double().eval()
    stacked.load_state_dict(model.state_dict())
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    (y, state), (y_ref, state_ref) = model(x), stacked(x)
    assert torch.allclose(y, y_ref, atol=1e-12)  # float64, same kernels
    for (h, c), (h_ref, c_ref) in zip(state, state_ref):
        assert torch.allclose(h, h_ref, atol=1e-12) and torch.allclose(c, c_ref, atol=1e-12)


@pytest.mark.parametrize("direction, merge_mode", VARIANTS)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_padding_never_changes_a_result(direction, merge_mode, return_sequences):
    model = make_model(
        direction=direction, merge_mode=merge_mode, return_sequences=return_sequences
    )
    model.eval()
    lengths = torch.tensor([7, 3, 5, 1])
    x = torch.randn(4, 7, 3)
    for row, length in enumerate(lengths.tolist()):
        x[row, length:] = 100.0  # padding that would show if it leaked
    y, state = model(x, lengths=lengths)
    for row, length in enumerate(lengths.tolist()):
        alone, alone_state = model(x[row : row + 1, :length])
        got = y[row, :length] if return_sequences else y[row]
        # float32 across paths (packed vs unpacked): 1e-6.
        assert torch.allclose(got, alone[0], atol=1e-6)
        for (h, c), (h_alone, c_alone) in zip(state, alone_state):
            assert torch.allclose(h[row], h_alone[0], atol=1e-6)
            assert torch.allclose(c[row], c_alone[0], atol=1e-6)


@pytest.mark.parametrize("direction", ["both", "backward", "forward"])
def test_config_round_trip_rebuilds_the_model_and_its_weights(direction):
    model = make_model(
        direction=direction, merge_mode="mul", dropout=0.2, input_dropout=0.1, dense_units=[3]
    ).eval()
    config = model.get_config()
    assert json.loads(json.dumps(config)) == config
    rebuilt = get_architecture("bidirectional").from_config(config).eval()
    assert rebuilt.get_config() == config
    assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in model.parameters()]
    rebuilt.load_state_dict(model.state_dict())
    x = torch.randn(3, 5, 3)
    assert torch.equal(rebuilt(x)[0], model(x)[0])  # same weights, same process: bitwise


def test_require_unidirectional_refuses_both_and_backward_but_not_forward():
    prefix = "stateful prediction needs a unidirectional model: a bidirectional LSTM reads"
    for direction in ("both", "backward"):
        with pytest.raises(ConfigError, match=re.escape(prefix)):
            require_unidirectional(make_model(direction=direction), "stateful prediction")
    require_unidirectional(make_model(direction="forward"), "stateful prediction")


def test_from_settings_takes_the_architecture_options():
    from lstmkit.models._common import ArchitectureSettings

    settings = ArchitectureSettings(input_size=1, output_size=1, units=(50,), return_sequences=True)
    model = BidirectionalLSTM.from_settings(settings, {"merge_mode": "ave"})
    assert (model.config.units, model.config.merge_mode, model.config.direction) == (
        [50],
        "ave",
        "both",
    )


def test_bad_merge_mode_is_refused():
    message = "invalid bidirectional configuration: merge_mode must be one of concat, sum, mul, ave, got 'max'"
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        BidirectionalConfig(input_size=1, output_size=1, merge_mode="max")


def test_bad_direction_is_refused():
    message = "invalid bidirectional configuration: direction must be one of both, backward, forward, got 'backwards'"
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        BidirectionalConfig(input_size=1, output_size=1, direction="backwards")


def test_every_problem_is_reported_at_once():
    message = (
        "invalid bidirectional configuration: units must be positive integers, got [0]; "
        "merge_mode must be one of concat, sum, mul, ave, got None; "
        "direction must be one of both, backward, forward, got 'up'"
    )
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        BidirectionalConfig(1, 1, units=[0], merge_mode=None, direction="up")


def test_unknown_option_through_from_config_suggests_the_closest_name():
    message = "the 'bidirectional' architecture has no option 'merge'. Did you mean 'merge_mode'?"
    with pytest.raises(ConfigError, match=re.escape(message) + "$"):
        BidirectionalLSTM.from_config({"input_size": 1, "output_size": 1, "merge": "sum"})
