"""LSTMGenerator: character streams, greedy and sampled generation, learning, saving, errors.

References are worked out independently: hand-built codes and lanes, a step-by-step
generation loop written here from the module, hand-computed cross-entropies.
"""

import math
import re

import numpy as np
import pytest
import torch
from sklearn.base import clone

import lstmkit
from lstmkit import TBPTT
from lstmkit.errors import ConfigError, DataError, NotFittedError
from lstmkit.estimators._generator import LSTMGenerator
from lstmkit.estimators._generator_text import (
    character_vocabulary,
    encode_characters,
    lane_parts,
    one_hot,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PERIODIC = "hello world " * 20


@pytest.fixture(scope="module")
def periodic_model():
    """A small model that has learnt to continue "hello world " (see the learning test)."""
    torch.manual_seed(0)
    return LSTMGenerator(
        units=16, seq_length=12, batch_size=4, epochs=30, learning_rate=0.01, random_state=0
    ).fit(PERIODIC)


@pytest.fixture(scope="module")
def untrained_model():
    """Weights as initialised (epochs=0): scores near uniform, so draws vary a lot."""
    return LSTMGenerator(units=8, epochs=0, random_state=0).fit("the cat sat on the mat")


def _one_hot(code, size):
    row = torch.zeros(1, 1, size)
    row[0, 0, code] = 1.0
    return row


def reference_generation(model, seed, length, pick):
    """Run the module one character at a time, choosing each next code with ``pick``."""
    module, size = model.module_, model.n_chars_
    module.eval()
    index = {character: code for code, character in enumerate(model.vocabulary_)}
    state, scores = None, None
    with torch.no_grad():
        for character in seed:
            outputs, state = module(_one_hot(index[character], size), state)
            scores = outputs[0, -1]
        text = ""
        for _ in range(length):
            code = pick(scores)
            text += model.vocabulary_[code]
            outputs, state = module(_one_hot(code, size), state)
            scores = outputs[0, -1]
    return text


# ----------------------------------------------------------------- streams
def test_vocabulary_and_codes_match_a_hand_count():
    assert character_vocabulary(["hello"]) == ["e", "h", "l", "o"]
    assert character_vocabulary(["ba", "c\n"]) == ["\n", "a", "b", "c"]
    # h=1 e=0 l=2 l=2 o=3, by sorted order of the characters
    assert encode_characters("hello", ["e", "h", "l", "o"], "seed").tolist() == [1, 0, 2, 2, 3]
    assert one_hot(np.array([1, 0]), 3).tolist() == [[0, 1, 0], [1, 0, 0]]


def test_targets_are_the_next_characters():
    codes = np.array([1, 0, 2, 2, 3])  # "hello"
    [(inputs, targets)] = lane_parts([codes], lanes=1)
    assert inputs.tolist() == [1, 0, 2, 2]  # h e l l
    assert targets.tolist() == [0, 2, 2, 3]  # e l l o


def test_lanes_are_contiguous_parts_and_never_cross_documents():
    codes = np.arange(10)  # 9 pairs into 3 lanes: 3 + 3 + 3
    parts = [(i.tolist(), t.tolist()) for i, t in lane_parts([codes], lanes=3)]
    assert parts == [([0, 1, 2], [1, 2, 3]), ([3, 4, 5], [4, 5, 6]), ([6, 7, 8], [7, 8, 9])]
    # 2 + 1 pairs shared over 3 lanes; no pair runs from "abc"'s end into "ca"
    parts = [
        (i.tolist(), t.tolist()) for i, t in lane_parts([np.array([0, 1, 2]), np.array([2, 0])], 3)
    ]
    assert parts == [([0], [1]), ([1], [2]), ([2], [0])]
    # more lanes than pairs: one pair per part
    assert len(lane_parts([np.array([0, 1, 2])], lanes=5)) == 2


def test_fit_trains_the_classifier_on_exactly_these_lanes():
    text = "abcab" * 4 + "ca"  # every character is also some step's target
    generator = LSTMGenerator(
        units=5,
        seq_length=3,
        batch_size=2,
        epochs=2,
        optimizer="sgd",
        learning_rate=0.1,
        random_state=0,
    ).fit(text)
    codes = np.array(["abc".index(c) for c in text])
    half = (len(codes) - 1) // 2  # 21 pairs: 10 + 11
    X = [np.eye(3, dtype="float32")[codes[:half]], np.eye(3, dtype="float32")[codes[half:-1]]]
    y = [codes[1 : half + 1], codes[half + 1 :]]
    classifier = lstmkit.LSTMClassifier(
        units=5,
        return_sequences=True,
        architecture="generative",
        optimizer="sgd",
        learning_rate=0.1,
        loss="categorical_crossentropy",
        epochs=2,
        batch_size=2,
        random_state=0,
        tbptt=TBPTT(3, 3),
    ).fit(X, y)
    assert generator.vocabulary_ == ["a", "b", "c"] and generator.n_chars_ == 3
    assert generator.character_counts_.tolist() == [9, 8, 5]  # a: 4*2+1, b: 4*2, c: 4+1
    for ours, theirs in zip(generator.module_.parameters(), classifier.module_.parameters()):
        assert torch.equal(ours, theirs)  # same process, same layout: bitwise
    assert generator.history_.history == classifier.history_.history


def test_every_character_is_a_class_even_one_never_predicted():
    model = LSTMGenerator(units=4, epochs=1, batch_size=2, random_state=0).fit("Xab" + "ab" * 5)
    assert model.vocabulary_ == ["X", "a", "b"]  # 'X' is only ever an input
    assert model.module_.config.output_size == 3
    two = LSTMGenerator(units=4, epochs=1, random_state=0).fit("abab")
    assert two.module_.config.output_size == 2  # one score per character, not one sigmoid


def test_documents_and_validation_text():
    model = LSTMGenerator(units=4, seq_length=4, batch_size=2, epochs=2, random_state=0)
    model.fit(["abcabc", "cbacba"], validation_text="abccba")
    assert sorted(model.history_.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(model.history_.history["val_loss"]) == 2


def test_lowercase_applies_to_text_and_seed():
    model = LSTMGenerator(units=4, epochs=1, lowercase=True, random_state=0).fit("AbAb ab")
    assert model.vocabulary_ == [" ", "a", "b"]
    assert set(model.generate("AB", 5, temperature=0)) <= {" ", "a", "b"}


# ----------------------------------------------------------------- generation
def test_greedy_generation_equals_a_step_by_step_reference(periodic_model, untrained_model):
    for model, seed in ((periodic_model, "hel"), (untrained_model, "the")):
        expected = reference_generation(model, seed, 25, lambda scores: int(scores.argmax()))
        assert model.generate(seed, 25, temperature=0) == expected


def test_sampling_equals_a_reference_draw_and_repeats_with_its_seed(untrained_model):
    temperature = 0.7
    generator = torch.Generator().manual_seed(3)

    def draw(scores):  # softmax(scores / T), the row maximum subtracted first for stability
        probabilities = torch.softmax((scores - scores.max()) / temperature, dim=-1)
        return int(torch.multinomial(probabilities, 1, generator=generator))

    expected = reference_generation(untrained_model, "the", 40, draw)
    first = untrained_model.generate("the", 40, temperature=temperature, random_state=3)
    assert first == expected
    assert untrained_model.generate("the", 40, temperature=temperature, random_state=3) == first
    others = {untrained_model.generate("the", 40, temperature, random_state=s) for s in range(4, 8)}
    assert others - {first}  # other seeds draw other texts


def test_a_tiny_temperature_is_greedy(periodic_model):
    greedy = periodic_model.generate("hello", 30, temperature=0)
    assert periodic_model.generate("hello", 30, temperature=1e-6, random_state=0) == greedy


def test_length_zero_and_the_seed_is_not_returned(periodic_model):
    assert periodic_model.generate("hello", 0) == ""
    assert periodic_model.generate("hello", 7, temperature=0) == " world "


def test_learns_to_continue_a_periodic_text():
    # random_state 0 to 4 all continue the text exactly (final training loss 0.011 to
    # 0.018 nats); one seed keeps the test fast.
    model = LSTMGenerator(
        units=16, seq_length=12, batch_size=4, epochs=30, learning_rate=0.01, random_state=0
    ).fit(PERIODIC)
    assert model.generate("hello", 36, temperature=0) == " world hello world hello world hello"
    scores = model.evaluate(PERIODIC)
    assert scores["accuracy"] > 0.95 and scores["loss"] < 0.5 * scores["unigram_loss"]


def test_two_fits_with_the_same_random_state_are_identical():
    first = LSTMGenerator(units=4, epochs=2, random_state=5).fit("abcabd" * 3)
    second = LSTMGenerator(units=4, epochs=2, random_state=5).fit("abcabd" * 3)
    for ours, theirs in zip(first.module_.parameters(), second.module_.parameters()):
        assert torch.equal(ours, theirs)


# ----------------------------------------------------------------- scoring
def test_evaluate_matches_a_hand_computation(untrained_model):
    text = "the mat sat"
    codes = torch.tensor([untrained_model.vocabulary_.index(c) for c in text])
    x = torch.eye(untrained_model.n_chars_)[codes[:-1]][None]
    with torch.no_grad():
        logits = untrained_model.module_(x)[0][0]  # one pass over the whole text
    log_probabilities = torch.log_softmax(logits.double(), dim=-1)
    loss = -float(log_probabilities[torch.arange(len(text) - 1), codes[1:]].mean())
    accuracy = float((logits.argmax(-1) == codes[1:]).double().mean())
    counts = {c: "the cat sat on the mat".count(c) for c in set(text)}
    unigram = -np.mean([math.log(counts[c] / 22) for c in text[1:]])
    result = untrained_model.evaluate(text)
    assert result["loss"] == pytest.approx(loss, abs=1e-6)  # float32 scores: 1e-6
    assert result["perplexity"] == pytest.approx(math.exp(loss), rel=1e-6)
    assert result["bits_per_character"] == pytest.approx(loss / math.log(2), abs=1e-6)
    assert result["accuracy"] == accuracy
    assert result["unigram_loss"] == pytest.approx(unigram, abs=1e-12)
    assert untrained_model.score(text) == -result["loss"]


def test_evaluate_in_segments_equals_one_pass(untrained_model, monkeypatch):
    import lstmkit.estimators._generator as generator_module

    whole = untrained_model.evaluate("the cat sat on the mat")
    monkeypatch.setattr(generator_module, "_SEGMENT_STEPS", 3)
    assert untrained_model.evaluate("the cat sat on the mat")["loss"] == pytest.approx(
        whole["loss"], abs=1e-6
    )


# ----------------------------------------------------------------- saving
def test_save_load_generates_identically(tmp_path):
    text = "café au lait,\ncafé noir. " * 6
    model = LSTMGenerator(units=8, seq_length=6, batch_size=3, epochs=3, random_state=0).fit(text)
    path = tmp_path / "generator.safetensors"
    model.save(path)
    loaded = lstmkit.load_model(path)
    assert isinstance(loaded, LSTMGenerator)
    assert loaded.vocabulary_ == model.vocabulary_ and loaded.n_chars_ == model.n_chars_
    assert loaded.character_counts_.tolist() == model.character_counts_.tolist()
    assert loaded.get_params() == model.get_params()
    assert loaded.history_.history == model.history_.history
    assert loaded.generate("café", 40, temperature=0) == model.generate("café", 40, temperature=0)
    assert loaded.generate("caf", 40, 1.0, random_state=7) == model.generate(
        "caf", 40, 1.0, random_state=7
    )
    assert loaded.evaluate(text) == model.evaluate(text)  # bitwise after save -> load


def test_clone_keeps_the_keywords():
    model = LSTMGenerator(units=[8, 4], seq_length=10, lowercase=True)
    assert clone(model).get_params() == model.get_params()
    assert model.set_params(epochs=3).epochs == 3


# ----------------------------------------------------------------- errors
def test_unknown_seed_characters_are_named(periodic_model):
    message = (
        "seed has characters the model never saw in its training text: 'H', 'X'. It knows 8 "
        "characters: ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'. Use only those, or refit on a "
        "text that includes them."
    )
    with pytest.raises(DataError, match=re.escape(message)):
        periodic_model.generate("Hello X", 5)


def test_bad_seeds(periodic_model):
    with pytest.raises(DataError, match=re.escape("seed is empty: pass at least one character")):
        periodic_model.generate("", 5)
    with pytest.raises(
        DataError,
        match=re.escape("seed must be a string of characters from the training text, got list"),
    ):
        periodic_model.generate(["h"], 5)


@pytest.mark.parametrize("length", [-1, 2.5, True, "3"])
def test_bad_lengths(periodic_model, length):
    message = (
        f"length must be an integer >= 0 (the number of characters to generate), got {length!r}"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        periodic_model.generate("hello", length)


@pytest.mark.parametrize("temperature", [-0.5, float("nan"), float("inf"), "hot", None])
def test_bad_temperatures(periodic_model, temperature):
    message = f"temperature must be a finite number >= 0, got {temperature!r}"
    with pytest.raises(ConfigError, match=re.escape(message)):
        periodic_model.generate("hello", 0, temperature=temperature)


@pytest.mark.parametrize("action", ["generate", "evaluate", "save"])
def test_not_fitted(action):
    message = f"This LSTMGenerator is not fitted yet: call fit(text) before {action}."
    arguments = {"generate": ("ab", 3), "evaluate": ("ab",), "save": ("x.safetensors",)}[action]
    with pytest.raises(NotFittedError, match=re.escape(message)):
        getattr(LSTMGenerator(), action)(*arguments)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the text is empty: fit needs at least 2 (a character and the next one to predict)"),
        ("a", "the text has only 1 character: fit needs at least 2 (a character and the next one"),
        (
            42,
            "fit expects a string, or a list of strings (one per document), got int: read a "
            "file with open(path, encoding='utf-8').read()",
        ),
        ([], "fit got an empty list of documents: pass at least one text"),
        (
            ["ab", b"cd"],
            "document 1 is bytes, not a string: fit expects a string, or a list of strings",
        ),
        (
            ["ab", "c"],
            "document 1 has only 1 character: every document needs at least 2 characters (a "
            "character and the next one to predict); drop shorter documents",
        ),
    ],
)
def test_bad_texts(text, message):
    with pytest.raises(DataError, match=re.escape(message)):
        LSTMGenerator(epochs=0).fit(text)


def test_bad_text_to_score(periodic_model):
    with pytest.raises(DataError, match=re.escape("the text has characters the model never saw")):
        periodic_model.evaluate("hello, world")
    with pytest.raises(DataError, match=re.escape("the text is empty: evaluate needs at least 2")):
        periodic_model.score("")


def test_validation_text_with_unknown_characters():
    message = "validation_text has characters the model never saw in its training text: 'z'."
    with pytest.raises(DataError, match=re.escape(message)):
        LSTMGenerator(epochs=0).fit("abab", validation_text="abz")


def test_invalid_settings_are_reported_together():
    message = (
        "invalid LSTMGenerator settings: dropout must be a number in [0, 1), got 1.0; "
        "seq_length must be a positive integer, got 0; batch_size must be a positive integer, "
        "got 2.0; lowercase must be True or False, got 'yes'"
    )
    model = LSTMGenerator(dropout=1.0, seq_length=0, batch_size=2.0, lowercase="yes")
    with pytest.raises(ConfigError, match=re.escape(message)):
        model.fit("abab")


def test_fit_takes_no_targets():
    with pytest.raises(ConfigError, match=re.escape("LSTMGenerator.fit takes no y: the targets")):
        LSTMGenerator().fit("abab", "baba")


def test_misspelt_keyword_suggests_the_right_one():
    message = "LSTMGenerator got an unknown option 'seq_len'. Did you mean 'seq_length'?"
    with pytest.raises(ConfigError, match=re.escape(message)):
        LSTMGenerator(seq_len=10)


def test_text_generation_guide_runs_as_written():
    import doctest
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs" / "guide" / "text-generation.md"
    result = doctest.testfile(
        str(guide), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted >= 8 and result.failed == 0


def test_the_command_line_inspects_a_generator_and_refuses_to_predict_with_it(tmp_path):
    from typer.testing import CliRunner

    from lstmkit.cli import app

    model = LSTMGenerator(units=4, seq_length=4, epochs=1, random_state=0).fit("abcabcabc")
    model.save(tmp_path / "gen.safetensors")
    np.save(tmp_path / "x.npy", np.zeros((2, 3, 3), dtype=np.float32))
    runner = CliRunner()
    inspected = runner.invoke(app, ["inspect", str(tmp_path / "gen.safetensors")])
    assert inspected.exit_code == 0, inspected.output
    assert "Input: (None, None, 3) one-hot characters of 'abc'" in inspected.output
    refused = runner.invoke(
        app,
        ["predict", str(tmp_path / "gen.safetensors"), str(tmp_path / "x.npy")]
        + ["-o", str(tmp_path / "p.npy")],
    )
    assert refused.exit_code == 1
    assert "holds an LSTMGenerator (character-level text generation); 'lstmkit predict' runs" in (
        refused.output
    )
