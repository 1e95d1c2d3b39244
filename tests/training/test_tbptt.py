"""TBPTT(k1, k2): the schedule against CONTRACTS §4's table, the engine against a reference.

The reference below runs one time step at a time through an explicit LSTM cell built from
the module's own weights, and implements §4 literally: detached states saved at every new
step, windows re-run from them, no-gradient prefixes when k1' > k2, loss on the new steps.
The engine (fused kernel over segments) must land on the same parameters.
"""

import copy
import doctest

import pytest
import torch

import lstmkit.training._lanes as lanes_module
import lstmkit.training._tbptt as tbptt_module
from lstmkit.errors import ConfigError, DataError
from lstmkit.models import VanillaConfig, VanillaLSTM
from lstmkit.training import (
    TBPTT,
    Loss,
    evaluate_stream,
    lay_out_streams,
    predict_stream,
    run_tbptt_epoch,
)

TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5}

# CONTRACTS §4, n = 7: (update end, gradient window, loss steps, starts from state at).
TABLE = {
    (2, 3): [
        (2, (0, 2), {0, 1}, 0),
        (4, (1, 4), {2, 3}, 1),
        (6, (3, 6), {4, 5}, 3),
        (7, (4, 7), {6}, 4),
    ],
    (3, 3): [(3, (0, 3), {0, 1, 2}, 0), (6, (3, 6), {3, 4, 5}, 3), (7, (4, 7), {6}, 4)],
    (3, 2): [(3, (1, 3), {1, 2}, 1), (6, (4, 6), {4, 5}, 4), (7, (5, 7), {6}, 5)],
}
# The starred entries: reached by running the chunk's preceding steps without gradient.
PREFIXED = {(2, 3): [None] * 4, (3, 3): [None] * 3, (3, 2): [0, 3, None]}


# ---------------------------------------------------------------- the reference


def reference_updates(n, k1, k2):
    """§4 read literally: one dict per update (chunk start s, end e, window start g, ...)."""
    ends = list(range(k1, n + 1, k1)) + ([n] if n % k1 else [])
    updates, s = [], 0
    for e in ends:
        k1_short = e - s  # k1', the chunk's length
        if k1_short <= k2:  # window [max(0, e - k2), e) from a saved state, loss on the chunk
            updates.append({"s": s, "e": e, "g": max(0, e - k2), "loss": s, "prefix": False})
        else:  # [s, e - k2) without gradient, [e - k2, e) with; loss on [e - k2, e)
            updates.append({"s": s, "e": e, "g": e - k2, "loss": e - k2, "prefix": True})
        s = e
    return updates


def cell_step(module, x_t, state):
    """One time step of every layer from the module's weights (PyTorch's gates i, f, g, o)."""
    lstm, layer_input, new_state = module.lstm, x_t, []
    for layer, (h, c) in enumerate(state):
        gates = (
            layer_input @ getattr(lstm, f"weight_ih_l{layer}").T
            + getattr(lstm, f"bias_ih_l{layer}")
            + h @ getattr(lstm, f"weight_hh_l{layer}").T
            + getattr(lstm, f"bias_hh_l{layer}")
        )
        i, f, g, o = gates.chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        new_state.append((h, c))
        layer_input = h
    return module.head(layer_input), tuple(new_state)


def detach(state):
    return tuple((h.detach(), c.detach()) for h, c in state)


def has_target(target):
    return (
        bool((~torch.isnan(target)).any())
        if target.is_floating_point()
        else bool((target != -1).any())
    )


def reference_epoch(module, loss, lr, k1, k2, x, y, resets):
    """Step-by-step TBPTT(k1, k2) over lanes; returns (mean loss, final state, steps taken)."""
    lanes, n = x.shape[:2]
    zeros = x.new_zeros(lanes, module.config.hidden_size)
    saved = {0: tuple((zeros, zeros) for _ in range(module.config.num_layers))}
    keep = (~resets).to(x.dtype)
    target = y if loss.is_classification or y.dim() == 3 else y.unsqueeze(-1)
    optimizer = torch.optim.SGD(module.parameters(), lr=lr)

    def step(t, state):
        if t % k1 == 0:  # a lane starting a stream at this chunk edge is zeroed first
            mask = keep[:, t // k1, None]
            state = tuple((h * mask, c * mask) for h, c in state)
        return cell_step(module, x[:, t], state)

    def advance(state, first, last):  # no gradient; saves the state entering every step
        with torch.no_grad():
            for t in range(first, last):
                _, state = step(t, state)
                saved[t + 1] = detach(state)
        return state

    total, count, taken = 0.0, 0, 0
    for u in reference_updates(n, k1, k2):
        loss_target = target[:, u["loss"] : u["e"]]
        if not has_target(loss_target):  # no valid target: no update, the chunk just runs on
            advance(saved[u["s"]], u["s"], u["e"])
            continue
        state = advance(saved[u["s"]], u["s"], u["g"]) if u["prefix"] else saved[u["g"]]
        state, outputs = detach(state), []
        for t in range(u["g"], u["e"]):
            output, state = step(t, state)
            if t + 1 > u["s"]:  # new steps: their states come from this update's forward
                saved[t + 1] = detach(state)
            outputs.append(output)
        prediction = torch.stack(outputs, dim=1)[:, u["loss"] - u["g"] :]
        value = loss(prediction, loss_target)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        valid = loss.elementwise(prediction.detach(), loss_target)[1].sum().item()
        total, count, taken = total + value.item() * valid, count + valid, taken + 1
    return total / count, saved[n], taken


# ---------------------------------------------------------------- the schedule


@pytest.mark.parametrize("k1, k2", sorted(TABLE))
def test_schedule_of_seven_steps_is_the_contract_table(k1, k2):
    updates = TBPTT(k1, k2).schedule(7)
    got = [(u.end, (u.start, u.end), set(range(u.loss_start, u.end)), u.start) for u in updates]
    assert got == TABLE[(k1, k2)]
    assert [u.prefix_start for u in updates] == PREFIXED[(k1, k2)]
    assert [u.chunk_start for u in updates] == [0] + [u.end for u in updates[:-1]]


@pytest.mark.parametrize("k1, k2", sorted(TABLE))
def test_the_reference_reads_the_table_the_same_way(k1, k2):
    got = [
        (u["e"], (u["g"], u["e"]), set(range(u["loss"], u["e"])), u["g"])
        for u in reference_updates(7, k1, k2)
    ]
    assert got == TABLE[(k1, k2)]


@pytest.mark.parametrize("n", [1, 5, 12, 13, 30])
@pytest.mark.parametrize("k1, k2", [(1, 1), (1, 4), (2, 3), (3, 7), (4, 4), (5, 2), (6, 1)])
def test_schedule_matches_the_reference_reading(n, k1, k2):
    for update, expected in zip(
        TBPTT(k1, k2).schedule(n), reference_updates(n, k1, k2), strict=True
    ):
        assert (update.chunk_start, update.end, update.start, update.loss_start) == (
            expected["s"],
            expected["e"],
            expected["g"],
            expected["loss"],
        )
        assert (update.prefix_start is not None) == (
            expected["prefix"] and expected["g"] > expected["s"]
        )


def test_bad_k1_and_k2_are_refused_with_the_rule():
    with pytest.raises(ConfigError) as error:
        TBPTT(0, 3)
    assert str(error.value) == (
        "TBPTT k1 must be a positive integer (steps between weight updates), got 0"
    )
    with pytest.raises(ConfigError) as error:
        TBPTT(2, -1)
    assert str(error.value) == (
        "TBPTT k2 must be a positive integer (steps the gradient flows back), got -1"
    )
    with pytest.raises(ConfigError) as error:
        TBPTT(True, 2.5)
    assert str(error.value) == (
        "TBPTT k1 must be a positive integer (steps between weight updates), got True; "
        "TBPTT k2 must be a positive integer (steps the gradient flows back), got 2.5"
    )


# ---------------------------------------------------------------- the engine against the reference


def make_module(dtype, layers=1, inputs=2, outputs=1):
    config = VanillaConfig(inputs, 5, outputs, num_layers=layers, return_sequences=True)
    return VanillaLSTM(config).to(dtype)


def regression_streams(lengths, dtype, outputs=1, missing=0.0):
    xs = [torch.randn(length, 2, dtype=dtype) for length in lengths]
    shape = (lambda n: (n,)) if outputs == 1 else (lambda n: (n, outputs))
    ys = [torch.randn(shape(length), dtype=dtype) for length in lengths]
    for y in ys:
        y[torch.rand(y.shape) < missing] = float("nan")
    return xs, ys


def sparse_streams(lengths, dtype, every):
    """Targets only at steps t % every == every - 1 (and at each stream's last step)."""
    xs, ys = regression_streams(lengths, dtype)
    for y in ys:
        keep = torch.zeros(len(y), dtype=torch.bool)
        keep[every - 1 :: every] = True
        keep[-1] = True
        y[~keep] = float("nan")
    return xs, ys


def class_streams(lengths, dtype, classes=3):
    xs = [torch.randn(length, 2, dtype=dtype) for length in lengths]
    ys = [torch.randint(0, classes, (length,)) for length in lengths]
    for y in ys:
        y[torch.rand(len(y)) < 0.3] = -1
    return xs, ys


# name: (k1, k2, stream lengths, lanes, layers, data)
CASES = {
    "k1<k2": (2, 3, [9], 1, 1, "regression"),
    "k1<<k2": (3, 7, [14], 1, 1, "regression"),
    "k1=k2": (3, 3, [13], 1, 1, "regression"),
    "k1>k2": (3, 2, [13], 1, 1, "regression"),
    "k1>>k2": (5, 2, [23], 1, 1, "regression"),
    "two layers": (2, 3, [11], 1, 2, "regression"),
    "lanes and resets": (2, 3, [7, 4, 9, 5, 3], 3, 2, "regression"),
    "lanes, k1>k2": (3, 2, [7, 5, 8, 4, 6], 2, 1, "regression"),
    "missing targets": (2, 5, [12, 9, 7], 2, 1, "missing"),
    "sparse targets": (2, 4, [17, 11], 2, 1, "sparse"),
    "sparse, mae": (3, 5, [22, 10], 2, 1, "sparse mae"),
    "many-to-one": (3, 6, [20, 14], 2, 1, "many-to-one"),
    "two targets": (3, 4, [10, 8, 5], 2, 1, "two targets"),
    "classes": (2, 4, [10, 7, 6], 2, 1, "classes"),
}


def case_data(kind, lengths, dtype):
    if kind == "missing":
        return regression_streams(lengths, dtype, missing=0.4), Loss("mse"), 1
    if kind == "sparse":
        return sparse_streams(lengths, dtype, every=5), Loss("mse"), 1
    if kind == "sparse mae":
        return sparse_streams(lengths, dtype, every=4), Loss("mae"), 1
    if kind == "many-to-one":
        return sparse_streams(lengths, dtype, every=10**6), Loss("mse"), 1
    if kind == "two targets":
        return regression_streams(lengths, dtype, outputs=2), Loss("mse"), 2
    if kind == "classes":
        return class_streams(lengths, dtype), Loss("categorical_crossentropy"), 3
    return regression_streams(lengths, dtype), Loss("mse"), 1


def assert_close(a, b, tolerance):
    assert (a - b).abs().max().item() <= tolerance


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CASES))
def test_engine_matches_the_step_by_step_reference(name, dtype):
    k1, k2, lengths, num_lanes, layers, kind = CASES[name]
    (xs, ys), loss, outputs = case_data(kind, lengths, dtype)
    layout = lay_out_streams(xs, ys, num_lanes=num_lanes, chunk_size=k1)
    engine = make_module(dtype, layers, outputs=outputs)
    reference = copy.deepcopy(engine)
    before = copy.deepcopy(engine.state_dict())
    optimizer = torch.optim.SGD(engine.parameters(), lr=0.5)

    result = run_tbptt_epoch(engine, loss, optimizer, TBPTT(k1, k2), layout)
    expected_loss, expected_state, taken = reference_epoch(
        reference, loss, 0.5, k1, k2, layout.x, layout.y, layout.resets
    )

    tolerance = TOLERANCE[dtype]
    assert result.updates == taken and (taken >= 5 or kind == "many-to-one")
    moved = max((got - before[key]).abs().max().item() for key, got in engine.named_parameters())
    assert moved > 1e-3  # the updates really changed the weights
    for got, want in zip(engine.parameters(), reference.parameters()):
        assert_close(got, want, tolerance)
    for (h, c), (h_ref, c_ref) in zip(result.state, expected_state):
        assert_close(h, h_ref, tolerance)
        assert_close(c, c_ref, tolerance)
    assert abs(result.loss - expected_loss) <= tolerance * max(1.0, expected_loss)


def test_the_comparison_tells_windows_apart():
    """TBPTT(3, 3) (windows from the carried state, no re-run) lands far from TBPTT(3, 7)."""
    xs, ys = regression_streams([14], torch.float64)
    layout = lay_out_streams(xs, ys, num_lanes=1, chunk_size=3)
    engine = make_module(torch.float64)
    reference = copy.deepcopy(engine)
    run_tbptt_epoch(
        engine, Loss("mse"), torch.optim.SGD(engine.parameters(), 0.5), TBPTT(3, 3), layout
    )
    reference_epoch(reference, Loss("mse"), 0.5, 3, 7, layout.x, layout.y, layout.resets)
    distance = max(
        (a - b).abs().max().item() for a, b in zip(engine.parameters(), reference.parameters())
    )
    assert distance > 1e-3


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_tbptt_n_n_is_full_bptt(dtype):
    xs, ys = regression_streams([12], dtype)
    layout = lay_out_streams(xs, ys, num_lanes=1, chunk_size=12)
    engine = make_module(dtype, layers=2)
    plain = copy.deepcopy(engine)
    run_tbptt_epoch(
        engine, Loss("mse"), torch.optim.SGD(engine.parameters(), 0.3), TBPTT(12, 12), layout
    )

    optimizer = torch.optim.SGD(plain.parameters(), 0.3)
    prediction, _ = plain(xs[0].unsqueeze(0))  # one ordinary backward over the whole sequence
    torch.nn.functional.mse_loss(prediction.squeeze(-1), ys[0].unsqueeze(0)).backward()
    optimizer.step()
    for got, want in zip(engine.parameters(), plain.parameters()):
        assert_close(got, want, 1e-12 if dtype == torch.float64 else 1e-6)


@pytest.mark.parametrize("k1, k2", [(2, 5), (5, 2), (4, 4)])
def test_carried_state_without_learning_equals_one_pass(k1, k2):
    xs, ys = regression_streams([23, 17], torch.float32)
    layout = lay_out_streams(xs, ys, num_lanes=2, chunk_size=k1)
    module = make_module(torch.float32, layers=2)
    result = run_tbptt_epoch(
        module, Loss("mse"), torch.optim.SGD(module.parameters(), 0.0), TBPTT(k1, k2), layout
    )
    _, whole = module(xs[0].unsqueeze(0))  # stream 0 fills lane 0 to the layout's end
    for (h, c), (h_ref, c_ref) in zip(result.state, whole):
        assert_close(h[:1], h_ref, 1e-6)
        assert_close(c[:1], c_ref, 1e-6)


def test_chunked_stateful_forward_equals_one_pass():
    module = make_module(torch.float32, layers=2)
    stream = torch.randn(50, 2)
    layout = lay_out_streams(stream, num_lanes=1, chunk_size=4)
    result = predict_stream(module, layout, segment_steps=3)
    with torch.no_grad():
        outputs, state = module(stream.unsqueeze(0))
    assert_close(result.outputs, outputs, 1e-6)
    for (h, c), (h_ref, c_ref) in zip(result.state, state):
        assert_close(h, h_ref, 1e-6)
        assert_close(c, c_ref, 1e-6)


def test_a_lane_reset_starts_the_next_stream_fresh():
    module = make_module(torch.float32, layers=2)
    first, second, other = torch.randn(7, 2), torch.randn(6, 2), torch.randn(13, 2)
    layout = lay_out_streams([first, other, second], num_lanes=2, chunk_size=4)
    assert [(p.lane, p.start) for p in layout.placements] == [(0, 0), (1, 0), (0, 8)]
    result = predict_stream(module, layout, segment_steps=5)
    with torch.no_grad():
        for index, stream in enumerate([first, other, second]):
            outputs, state = module(stream.unsqueeze(0))  # each stream alone, from zeros
            assert_close(layout.streams_of(result.outputs)[index], outputs[0], 1e-6)
            for (h, c), (h_ref, c_ref) in zip(result.stream_states[index], state):
                assert_close(h, h_ref, 1e-6)
                assert_close(c, c_ref, 1e-6)


def test_evaluation_ignores_padding_and_matches_streams_alone():
    module = make_module(torch.float64)
    (xs, ys), loss, _ = case_data("missing", [9, 4, 6], torch.float64)
    layout = lay_out_streams(xs, ys, num_lanes=2, chunk_size=4)
    assert layout.padding_share > 0
    with torch.no_grad():
        pieces = [
            loss.elementwise(module(x.unsqueeze(0))[0][0], y.unsqueeze(-1)) for x, y in zip(xs, ys)
        ]
    expected = sum(v.sum() for v, _ in pieces) / sum(m.sum() for _, m in pieces)
    assert abs(evaluate_stream(module, loss, layout, segment_steps=3) - expected.item()) <= 1e-12


def test_clipnorm_bounds_the_step():
    xs, ys = regression_streams([8], torch.float64)
    layout = lay_out_streams(xs, ys, num_lanes=1, chunk_size=8)
    module = make_module(torch.float64)
    before = torch.cat([p.detach().flatten() for p in module.parameters()])
    optimizer = torch.optim.SGD(module.parameters(), lr=1.0)
    run_tbptt_epoch(module, Loss("mse"), optimizer, TBPTT(8, 8), layout, clipnorm=1e-3)
    after = torch.cat([p.detach().flatten() for p in module.parameters()])
    # torch scales by clipnorm / (norm + 1e-6): the step norm is clipnorm to ~1e-6 relative.
    assert abs((after - before).norm().item() - 1e-3) <= 1e-8


def test_layout_and_data_problems_are_reported():
    module = make_module(torch.float32)
    optimizer = torch.optim.SGD(module.parameters(), 0.1)
    xs, ys = regression_streams([6], torch.float32)
    layout = lay_out_streams(xs, ys, num_lanes=1, chunk_size=3)
    with pytest.raises(ConfigError, match=r"chunk_size=3 but TBPTT k1=2: lay the streams out"):
        run_tbptt_epoch(module, Loss("mse"), optimizer, TBPTT(2, 2), layout)
    with pytest.raises(DataError, match="has no targets"):
        run_tbptt_epoch(
            module,
            Loss("mse"),
            optimizer,
            TBPTT(3, 3),
            lay_out_streams(xs, num_lanes=1, chunk_size=3),
        )
    empty = lay_out_streams(xs, [torch.full((6,), float("nan"))], num_lanes=1, chunk_size=3)
    with pytest.raises(DataError, match=r"no valid target \(all NaN or -1\): nothing to train on"):
        run_tbptt_epoch(module, Loss("mse"), optimizer, TBPTT(3, 3), empty)


@pytest.mark.parametrize("module", [tbptt_module, lanes_module], ids=["_tbptt", "_lanes"])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
