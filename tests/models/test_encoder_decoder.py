"""The Encoder-Decoder LSTM against references: Keras's counts, one-step LSTM arithmetic, one-pass runs."""

import json
import re

import pytest
import torch

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.models._common import ArchitectureSettings
from lstmkit.models._registry import get_architecture
from lstmkit.models.encoder_decoder import EncoderDecoderConfig, EncoderDecoderLSTM

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def make_model(dtype=torch.float64, **overrides):
    settings = {"input_size": 3, "output_size": 4, "output_steps": 3, "units": [6, 5]}
    settings.update(overrides)
    return EncoderDecoderLSTM(EncoderDecoderConfig(**settings)).to(dtype)


def lstm_step(lstm, x, h, c):
    """One step of ``nn.LSTM`` layer 0 written out: gates (input, forget, cell, output)."""
    gates = x @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
    i, f, g, o = gates.chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def encoder_reference(model, x):
    """The encoder one step at a time: the last layer's last output and each layer's (h, c)."""
    batch = x.shape[0]
    state = [(x.new_zeros(batch, w), x.new_zeros(batch, w)) for w in model.config.units]
    for t in range(x.shape[1]):
        inputs = x[:, t]
        for layer, lstm in enumerate(model.encoder):
            state[layer] = lstm_step(lstm, inputs, *state[layer])
            inputs = state[layer][0]
    return inputs, state


def teacher_reference(model, x, feed):
    """The teacher decoder one step at a time from the encoder's state; ``feed(t, scores)``
    gives the input of step t + 1 from step t's scores."""
    _, state = encoder_reference(model, x)
    inputs = x.new_zeros(x.shape[0], model.config.output_size)
    answers = []
    for t in range(model.config.output_steps):
        for layer, lstm in enumerate(model.decoder):
            state[layer] = lstm_step(lstm, inputs, *state[layer])
            inputs = state[layer][0]
        scores = model.head(inputs)
        answers.append(scores)
        inputs = feed(t, scores)
    return torch.stack(answers, dim=1)


def test_book_addition_model_counts_parameters_like_keras_summary():
    from lstmkit.estimators._summary import keras_equivalent_parameters

    chars, in_len, out_len = 12, 5, 2
    config = EncoderDecoderConfig(
        chars, chars, output_steps=out_len, units=[75], decoder_units=[50]
    )
    model = EncoderDecoderLSTM(config)
    encoder = 4 * 75 * (chars + 75) + 8 * 75  # PyTorch keeps two bias vectors: 26,700
    decoder = 4 * 50 * (75 + 50) + 8 * 50  # 25,400
    dense = 50 * chars + chars  # 612
    assert model.layer_summary() == [
        ("lstm (LSTM)", "(None, 75)", encoder),
        ("repeat_vector (RepeatVector)", "(None, 2, 75)", 0),
        ("lstm_1 (LSTM)", "(None, 2, 50)", decoder),
        ("dense (Dense)", "(None, 2, 12)", dense),
    ]
    assert sum(p.numel() for p in model.parameters()) == encoder + decoder + dense
    keras = (4 * 75 * (chars + 75) + 4 * 75) + (4 * 50 * (75 + 50) + 4 * 50) + dense
    assert keras_equivalent_parameters(model) == keras == 52212
    y, state = model(torch.zeros(7, in_len, chars))
    assert tuple(y.shape) == (7, out_len, chars)
    assert [tuple(h.shape) for h, _ in state] == [(7, 75)]


def test_teacher_summary_names_the_decoder_layers_and_their_input_width():
    model = make_model(decoder="teacher", dense_units=[7])
    rows = model.layer_summary()
    decoder_first = 4 * 6 * (4 + 6) + 8 * 6  # reads the previous answer: output_size = 4
    decoder_second = 4 * 5 * (6 + 5) + 8 * 5
    assert rows[2:] == [
        ("decoder_lstm (LSTM)", "(None, 3, 6)", decoder_first),
        ("decoder_lstm_1 (LSTM)", "(None, 3, 5)", decoder_second),
        ("dense (Dense)", "(None, 3, 7)", 5 * 7 + 7),
        ("dense_1 (Dense)", "(None, 3, 4)", 7 * 4 + 4),
    ]
    assert rows[:2] == [
        ("lstm (LSTM)", "(None, None, 6)", 4 * 6 * (3 + 6) + 8 * 6),
        ("lstm_1 (LSTM)", "(None, 5)", 4 * 5 * (6 + 5) + 8 * 5),
    ]


@pytest.mark.parametrize("decoder", ["repeat", "teacher"])
def test_config_round_trip_and_weights_give_bitwise_identical_outputs(decoder):
    model = make_model(decoder=decoder, dense_units=[4], dropout=0.1, decoder_units=None).eval()
    config = json.loads(json.dumps(model.get_config()))  # JSON-serialisable
    rebuilt = get_architecture("encoder_decoder").from_config(config).double().eval()
    rebuilt.load_state_dict(model.state_dict())
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    assert torch.equal(rebuilt(x)[0], model(x)[0])  # bitwise: same process, same layout
    assert rebuilt.get_config() == model.get_config()


@pytest.mark.parametrize("decoder", ["repeat", "teacher"])
def test_padded_batch_with_lengths_equals_each_sequence_run_alone(decoder):
    model = make_model(torch.float32, decoder=decoder).eval()
    lengths = torch.tensor([7, 3, 5])
    x = torch.randn(3, 7, 3)
    y, state = model(x, lengths=lengths)
    for row, length in enumerate(lengths.tolist()):
        alone, alone_state = model(x[row : row + 1, :length])
        assert torch.allclose(y[row], alone[0], atol=1e-6)  # float32, packed vs padded
        for layer in range(2):
            for part in range(2):
                assert torch.allclose(
                    state[layer][part][row], alone_state[layer][part][0], atol=1e-6
                )


@pytest.mark.parametrize("decoder", ["repeat", "teacher"])
def test_encoder_run_in_two_chunks_gives_the_same_answer_as_one_pass(decoder):
    model = make_model(torch.float32, decoder=decoder).eval()
    x = torch.randn(4, 9, 3)
    whole, whole_state = model(x)
    _, state = model(x[:, :4])
    second, state = model(x[:, 4:], state)
    assert torch.allclose(second, whole, atol=1e-6)  # float32, chunked vs one pass
    for (h1, c1), (h2, c2) in zip(state, whole_state):
        assert torch.allclose(h1, h2, atol=1e-6) and torch.allclose(c1, c2, atol=1e-6)


def test_repeat_decoder_reads_the_encoded_vector_at_every_step_from_a_zero_state():
    model = make_model(decoder_units=[4]).eval()
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    encoded, _ = encoder_reference(model, x)
    lstm = model.decoder[0]
    h = c = x.new_zeros(2, 4)
    answers = []
    for _ in range(3):
        h, c = lstm_step(lstm, encoded, h, c)
        answers.append(model.head(h))
    assert torch.allclose(model(x)[0], torch.stack(answers, dim=1), atol=1e-12)


def test_teacher_forcing_feeds_the_one_hot_of_the_previous_target():
    model = make_model(decoder="teacher").train()  # dropout 0: training changes only the feed
    x = torch.randn(3, 5, 3, dtype=torch.float64)
    targets = torch.tensor([[2, 0, 3], [1, -1, 2], [3, 3, 0]])  # -1: no target → zero vector

    def feed_target(t, scores):
        return torch.nn.functional.one_hot(targets[:, t].clamp(min=0), 4).double() * (
            targets[:, t : t + 1] >= 0
        )

    expected = teacher_reference(model, x, feed_target)
    y, _ = model(x, targets=targets)
    assert torch.allclose(y, expected, atol=1e-12)


def test_greedy_inference_feeds_the_one_hot_of_the_previous_argmax():
    model = make_model(decoder="teacher", output_steps=4)
    x = torch.randn(5, 6, 3, dtype=torch.float64)

    def feed_argmax(t, scores):
        return torch.nn.functional.one_hot(scores.argmax(dim=-1), 4).double()

    expected = teacher_reference(model, x, feed_argmax)
    targets = torch.zeros(5, 4, dtype=torch.int64)
    assert torch.allclose(
        model.eval()(x, targets=targets)[0], expected, atol=1e-12
    )  # eval ignores targets
    assert torch.allclose(model.train()(x)[0], expected, atol=1e-12)  # no targets: greedy


def test_values_feedback_feeds_previous_targets_in_training_and_predictions_otherwise():
    model = make_model(decoder="teacher", feedback="values", output_size=2)
    x = torch.randn(3, 4, 3, dtype=torch.float64)
    targets = torch.randn(3, 3, 2, dtype=torch.float64)
    targets[1, 0, 1] = float("nan")  # no target → 0
    clean = torch.nan_to_num(targets, nan=0.0)
    teacher = teacher_reference(model, x, lambda t, scores: clean[:, t])
    assert torch.allclose(model.train()(x, targets=targets)[0], teacher, atol=1e-12)
    greedy = teacher_reference(model, x, lambda t, scores: scores)
    assert torch.allclose(model.eval()(x)[0], greedy, atol=1e-12)


def test_teacher_forced_training_step_reaches_every_parameter():
    model = make_model(torch.float32, decoder="teacher").train()
    y, _ = model(torch.randn(2, 4, 3), targets=torch.tensor([[0, 1, 2], [3, 2, 1]]))
    y.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


def test_from_settings_takes_output_steps_and_the_decoder_options():
    settings = ArchitectureSettings(3, 4, units=(6,), output_steps=5)
    model = EncoderDecoderLSTM.from_settings(settings, {"decoder": "teacher", "feedback": "values"})
    assert (model.config.output_steps, model.config.decoder, model.config.feedback) == (
        5,
        "teacher",
        "values",
    )
    assert model.state_sizes() == (6,)
    assert EncoderDecoderLSTM.uses_targets and EncoderDecoderLSTM.sequence_output
    assert model.architecture_name == "encoder_decoder"


def test_return_sequences_is_refused_in_favour_of_output_steps():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid encoder_decoder configuration: return_sequences=True does not apply: an "
            "encoder-decoder reads the whole input, then answers output_steps steps; set "
            "output_steps instead"
        ),
    ):
        make_model(return_sequences=True)


def test_teacher_decoder_with_other_widths_than_the_encoder_is_refused():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid encoder_decoder configuration: the 'teacher' decoder starts from the "
            "encoder's state, so decoder_units must equal units: got decoder_units=[4], "
            "units=[6, 5]; leave decoder_units as None"
        ),
    ):
        make_model(decoder="teacher", decoder_units=[4])


def test_bad_decoder_feedback_and_output_steps_are_reported_together():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid encoder_decoder configuration: dropout must be in [0, 1), got 2.0; "
            "output_steps must be a positive integer, got 0; decoder must be 'repeat' or "
            "'teacher', got 'attention'; feedback must be 'classes' or 'values', got 'logits'"
        ),
    ):
        make_model(output_steps=0, decoder="attention", feedback="logits", dropout=2.0)


def test_missing_output_steps_from_settings_is_refused():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid encoder_decoder configuration: output_steps must be a positive integer, "
            "got None"
        ),
    ):
        EncoderDecoderLSTM.from_settings(ArchitectureSettings(3, 4), {})


def test_unknown_option_names_the_closest_one():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "the 'encoder_decoder' architecture has no option 'decoder_unit'. "
            "Did you mean 'decoder_units'?"
        ),
    ):
        EncoderDecoderLSTM.from_config(
            {"input_size": 3, "output_size": 4, "output_steps": 2, "decoder_unit": [4]}
        )


def test_targets_of_the_wrong_shape_are_refused_in_training():
    model = make_model(decoder="teacher").train()
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "the 'teacher' decoder with feedback='classes' expects targets of shape (2, 3) "
            "(int64 class codes (-1: no target)), got (2, 3, 4)"
        ),
    ):
        model(torch.zeros(2, 4, 3, dtype=torch.float64), targets=torch.zeros(2, 3, 4))
