"""The alphabet lessons against the blog's printed output ("Understanding Stateful LSTM
Recurrent Neural Networks in Python with Keras"), and what the state does."""

import re

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from lstmkit.cli import app
from lstmkit.data import pad_sequences
from lstmkit.errors import ConfigError
from lstmkit.problems import DEMOS, alphabet

# The blog's printed output, verbatim.
BLOG_ONE_CHAR = (
    "A -> B B -> C C -> D D -> E E -> F F -> G G -> H H -> I I -> J J -> K K -> L L -> M "
    "M -> N N -> O O -> P P -> Q Q -> R R -> S S -> T T -> U U -> V V -> W W -> X X -> Y Y -> Z"
)
BLOG_THREE_CHAR_TIMESTEPS = (  # the time-step model's predictions, all correct
    "['A', 'B', 'C'] -> D ['B', 'C', 'D'] -> E ['C', 'D', 'E'] -> F ['D', 'E', 'F'] -> G "
    "['E', 'F', 'G'] -> H ['F', 'G', 'H'] -> I ['G', 'H', 'I'] -> J ['H', 'I', 'J'] -> K "
    "['I', 'J', 'K'] -> L ['J', 'K', 'L'] -> M ['K', 'L', 'M'] -> N ['L', 'M', 'N'] -> O "
    "['M', 'N', 'O'] -> P ['N', 'O', 'P'] -> Q ['O', 'P', 'Q'] -> R ['P', 'Q', 'R'] -> S "
    "['Q', 'R', 'S'] -> T ['R', 'S', 'T'] -> U ['S', 'T', 'U'] -> V ['T', 'U', 'V'] -> W "
    "['U', 'V', 'W'] -> X ['V', 'W', 'X'] -> Y ['W', 'X', 'Y'] -> Z"
)
BLOG_VARIABLE = "PQRST -> U W -> X O -> P OPQ -> R IJKLM -> N QRSTU -> V ABCD -> E X -> Y GHIJ -> K"


def blog_pairs(text: str) -> list[str]:
    """``"['A', 'B'] -> C"`` and ``"AB -> C"`` both become ``"AB -> C"``."""
    found = re.findall(r"(\[(?:'[A-Z]'(?:, )?)+\]|[A-Z]+) -> ([A-Z])", text)
    return [f"{re.sub(r'[^A-Z]', '', given)} -> {said}" for given, said in found]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ----------------------------------------------------------------- data sets
def test_one_char_pairs_are_the_blogs():
    X, y = alphabet.make(1)
    assert X.shape == (25, 1, 1) and X.dtype == np.float32
    assert alphabet.pairs(X, y) == blog_pairs(BLOG_ONE_CHAR)
    assert np.allclose(X.ravel(), np.arange(25) / 26, atol=1e-7)  # the blog's normalising


@pytest.mark.parametrize(("layout", "shape"), [("timesteps", (23, 3, 1)), ("features", (23, 1, 3))])
def test_three_char_windows_are_the_blogs(layout, shape):
    X, y = alphabet.make(3, layout=layout)
    assert X.shape == shape
    assert alphabet.pairs(X, y) == blog_pairs(BLOG_THREE_CHAR_TIMESTEPS)
    assert blog_pairs(BLOG_THREE_CHAR_TIMESTEPS)[-1] == "WXY -> Z"


def test_layouts_hold_the_same_letters_on_different_axes():
    steps, _ = alphabet.make(3)
    features, _ = alphabet.make(3, layout="features")
    assert np.array_equal(steps.transpose(0, 2, 1), features)


def test_variable_length_patterns_are_the_blogs():
    X, y = alphabet.make_variable()
    assert len(X) == 1000 and y.shape == (1000,)
    assert alphabet.pairs(X[:9], y[:9]) == blog_pairs(BLOG_VARIABLE)
    assert {len(x) for x in X} == {1, 2, 3, 4, 5}
    assert all(x.shape[1] == 1 and x.dtype == np.float32 for x in X)


def test_variable_length_padded_like_keras_decodes_to_the_same_runs():
    X, y = alphabet.make_variable(20)
    padded = pad_sequences(X, maxlen=5, dtype="float32", value=-1.0)  # pre-padding
    assert padded.shape == (20, 5, 1)
    assert alphabet.pairs(padded, y) == alphabet.pairs(X, y)


def test_every_run_counts_and_ends():
    X, y = alphabet.every_run(5)
    assert len(X) == 25 + 24 + 23 + 22 + 21 == 115
    assert alphabet.pairs(X, y)[-1] == "UVWXY -> Z"


def test_encoding_round_trip_and_inputs():
    assert alphabet.decode(alphabet.encode(alphabet.ALPHABET)) == alphabet.ALPHABET
    assert alphabet.char_to_int["K"] == 10 and alphabet.int_to_char[25] == "Z"
    assert alphabet.as_input("K").shape == (1, 1, 1)
    assert alphabet.decode(alphabet.as_input("KLM", layout="features")) == "KLM"


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ConfigError, match=r"knows the letters A-Z only, got \['k'\] in 'k'"):
        alphabet.encode("k")
    with pytest.raises(ConfigError, match=r"seq_length must be an integer from 1 to 25, got 26"):
        alphabet.make(26)
    with pytest.raises(ConfigError, match=r"unknown layout 'feature'.*Did you mean 'features'\?"):
        alphabet.make(3, layout="feature")
    with pytest.raises(ConfigError, match=r"unknown alphabet experiment 'statefull'"):
        alphabet.recipe("statefull")


def test_recipes_and_blog_settings():
    assert alphabet.recipe("stateful").get_params()["stateful"] is True
    blog = alphabet.recipe("stateful", blog=True)
    assert (blog.units, blog.epochs, blog.batch_size, blog.learning_rate) == (50, 300, 1, None)
    assert alphabet.recipe("naive", epochs=3).epochs == 3
    assert set(alphabet.RECIPES) == set(alphabet.BLOG_SETTINGS) == set(alphabet.BLOG_ACCURACY)


def test_demo_is_registered():
    assert "alphabet" in DEMOS


# ----------------------------------------------------------------- the stateful model
@pytest.fixture(scope="module", params=[0, 1, 2], ids=lambda seed: f"seed{seed}")
def stateful_result(request):
    """The stateful recipe fitted with seeds 0, 1 and 2 (about 4 s each on a quiet core)."""
    return alphabet.stateful(request.param)


@pytest.mark.slow
def test_stateful_model_learns_the_whole_alphabet(stateful_result):
    result = stateful_result
    assert result.accuracy == 1.0, result.mistakes
    assert result.generated == alphabet.ALPHABET[1:]  # from 'A', each prediction fed back
    assert result.predictions[0] == "A -> B" and result.predictions[-1] == "Y -> Z"


@pytest.mark.slow
def test_the_state_not_the_letter_decides(stateful_result):
    """The blog's K -> B: the same 'K' gives 'L' after A-J and 'B' from a reset state."""
    model = stateful_result.model
    assert stateful_result.warm_start == "LMNOP"
    assert stateful_result.cold_start == "BCDEF"  # the blog's "New start: K"
    # From a zero state every letter gets the answer the stream's first step had (measured:
    # seeds 0, 1, 2 and 7): the input alone does not say where in the alphabet the model is.
    cold = [model.predict(alphabet.as_input(letter))[0] for letter in alphabet.ALPHABET]
    assert cold == ["B"] * 26


@pytest.mark.slow
def test_plain_predict_neither_reads_nor_moves_the_carried_state(stateful_result):
    model = stateful_result.model
    alphabet.generate(model, "A", steps=10)  # the state now sits after 'J'
    before = model.get_state()
    assert model.predict(alphabet.as_input("K"))[0] == "B"  # cold, though a state is carried
    after = model.get_state()
    assert all(torch.equal(a, b) for pair in zip(before, after) for a, b in zip(*pair))
    assert model.predict(alphabet.as_input("K"), stateful=True)[0] == "L"  # warm


# ----------------------------------------------------------------- the demo
@pytest.mark.slow
@pytest.mark.timeout(180)
def test_demo_alphabet_prints_every_accuracy():
    result = CliRunner().invoke(app, ["demo", "alphabet"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("Model Accuracy: ") == 6
    for number in range(1, 7):
        assert f"\n{number}. " in out
    assert "From A, each prediction fed back: A -> BCDEFGHIJKLMNOPQRSTUVWXYZ" in out
    assert "New start: K, after reset_state(): K -> B, B -> C" in out
    assert "Warm start: K, after A-J:          K -> L, L -> M" in out
    assert alphabet.COLD_START_LESSON.format(cold="B", warm="L") in out
    assert "samples in a batch do not share state" in out
