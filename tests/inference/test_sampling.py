"""Sampling with temperature and generation by feeding back, against softmax and one-pass runs."""

import math
import re

import pytest
import torch
from torch import nn

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.inference import generate, sample_next
from lstmkit.models.generative import GenerativeConfig, GenerativeLSTM
from lstmkit.models.stacked import StackedConfig, StackedLSTM

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def make_model(**overrides):
    settings = {"input_size": 3, "output_size": 3, "units": [8, 6]}
    settings.update(overrides)
    return GenerativeLSTM(GenerativeConfig(**settings))


def test_temperature_zero_picks_the_largest_score():
    scores = torch.tensor([[0.5, 2.0, -1.0, 1.9], [-3.0, -2.0, -2.5, -4.0], [9.0, 0.0, 0.0, 8.0]])
    assert sample_next(scores, 0).tolist() == [1, 1, 0]


def test_sampled_frequencies_approach_softmax_of_scores_over_temperature():
    scores = torch.tensor([1.0, 0.0, -0.5, 2.0])
    temperature = 0.7
    weights = [math.exp(float(s) / temperature) for s in scores]
    expected = torch.tensor([w / sum(weights) for w in weights])  # softmax written out
    draws = 20000
    codes = sample_next(scores.expand(draws, 4), temperature, torch.Generator().manual_seed(1))
    frequencies = torch.bincount(codes, minlength=4).double() / draws
    assert torch.allclose(frequencies, expected.double(), atol=0.02)


def test_sampling_is_deterministic_given_the_generator_and_varies_with_its_seed():
    scores = torch.zeros(50, 5)
    first = sample_next(scores, 1.0, torch.Generator().manual_seed(3))
    again = sample_next(scores, 1.0, torch.Generator().manual_seed(3))
    other = sample_next(scores, 1.0, torch.Generator().manual_seed(4))
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_a_tiny_temperature_samples_the_largest_score_without_overflow():
    scores = torch.tensor([[1.0, 3.0, 2.0]]).expand(100, 3)
    codes = sample_next(scores, 1e-30, torch.Generator().manual_seed(0))
    assert codes.tolist() == [1] * 100


@pytest.mark.parametrize("temperature", [-0.5, float("nan"), float("inf"), "hot", True])
def test_bad_temperature_is_refused(temperature):
    with pytest.raises(
        ConfigError,
        match=re.escape(
            f"temperature must be a finite number >= 0, got {temperature!r}: use 0 for the "
            "most likely class, 1 to sample from the model's probabilities"
        ),
    ):
        sample_next(torch.zeros(1, 3), temperature)


def test_scores_without_a_batch_axis_are_refused():
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "scores must be (batch, classes), got shape (3,): take one step's scores, "
            "e.g. outputs[:, -1]"
        ),
    ):
        sample_next(torch.zeros(3), 1.0)


def test_generate_equals_one_pass_over_the_seed_and_the_fed_back_inputs():
    model = make_model().train()
    seed = torch.randn(2, 4, 3)
    generator = torch.Generator().manual_seed(5)
    fed = []

    def next_input(scores):
        step = nn.functional.one_hot(sample_next(scores, 1.0, generator), 3).float()
        fed.append(step)
        return step

    outputs, state = generate(model, seed, 6, next_input)
    assert model.training  # restored
    assert not outputs.requires_grad
    whole_input = torch.cat([seed, torch.stack(fed, dim=1)], dim=1)  # (2, 4 + 6, 3)
    with torch.no_grad():
        whole, whole_state = model.eval()(whole_input)
    # Output k answers input seed_steps + k, the k-th fed-back step.
    assert torch.allclose(outputs, whole[:, 4:], atol=1e-6)  # float32, stepwise vs one pass
    for (h1, c1), (h2, c2) in zip(state, whole_state):
        assert torch.allclose(h1, h2, atol=1e-6) and torch.allclose(c1, c2, atol=1e-6)


def test_generate_continues_from_a_given_state_and_with_zero_steps_returns_no_outputs():
    model = make_model().eval()
    seed = torch.randn(1, 5, 3)
    with torch.no_grad():
        _, first_state = model(seed[:, :2])
        _, expected_state = model(seed)
    outputs, state = generate(model, seed[:, 2:], 0, lambda scores: scores, state=first_state)
    assert tuple(outputs.shape) == (1, 0, 3)
    assert torch.allclose(state[0][0], expected_state[0][0], atol=1e-6)


def test_generate_refuses_a_module_that_answers_once_per_sequence():
    model = StackedLSTM(StackedConfig(3, 3, units=[4]))
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "generate needs a module that answers at every step, (batch, time, outputs); it "
            "answered shape (2, 3) for a seed of shape (2, 4, 3): build it with "
            "return_sequences=True (e.g. the 'generative' architecture)"
        ),
    ):
        generate(model, torch.zeros(2, 4, 3), 2, lambda scores: scores)
    assert model.training  # restored after the error too


def test_generate_refuses_a_bidirectional_module():
    class Bidirectional(nn.Module):
        bidirectional = True

    with pytest.raises(ConfigError, match=re.escape("generate needs a unidirectional model: ")):
        generate(Bidirectional(), torch.zeros(1, 2, 3), 1, lambda scores: scores)


def test_generate_refuses_a_next_input_of_the_wrong_shape():
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "next_input must return (batch, features) = (2, 3), got shape (2, 1, 3): one "
            "input step per sequence, like one step of the seed"
        ),
    ):
        generate(make_model(), torch.zeros(2, 4, 3), 2, lambda scores: scores[:, None])


def test_generate_refuses_a_seed_without_steps_and_negative_steps():
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "seed must be (batch, seed_steps, features) with at least one step, got shape "
            "(4, 3): add a batch axis with seed[None] for a single sequence"
        ),
    ):
        generate(make_model(), torch.zeros(4, 3), 2, lambda scores: scores)
    with pytest.raises(ConfigError, match=re.escape("steps must be an integer >= 0, got -1")):
        generate(make_model(), torch.zeros(1, 4, 3), -1, lambda scores: scores)
