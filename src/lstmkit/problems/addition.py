"""Addition as string translation: read "10+6", write "16".

From the book's Encoder-Decoder LSTM lesson (chapter 9). ``n_terms`` integers are
drawn uniformly from 1 to ``largest`` and written as a string joined by ``+``;
the target is their sum as a string. Both are right-justified with spaces to the
book's fixed lengths,

    input   n_terms * ceil(log10(largest + 1)) + n_terms - 1     characters
    output  ceil(log10(n_terms * (largest + 1)))                  characters

and one-hot encoded over the 12-character alphabet ``"0123456789+ "``.

    n_terms=2, largest=10:   " 10+6" -> "16"     (5 characters in, 2 out)
    n_terms=3, largest=10:   "10+10+3" is " 10+10+3" -> "23"   (8 in, 2 out)

Where we differ from the book: the book one-hot encodes the output too and
decodes it with argmax; here ``y`` holds the output characters themselves,
``(n, out_len)`` single-character strings, which a sequence classifier learns as
labels (its ``predict`` returns characters again; :func:`decode` joins them). The
lengths are computed with integers (``len(str(...))``), equal to the book's
``ceil(log10(...))`` for every valid argument without its floating-point risk.

The recipe (:func:`recipe`) trains the book's Encoder-Decoder LSTM with either
decoder, ``"repeat"`` (the book's RepeatVector model) or ``"teacher"`` (teacher
forcing in training, greedy decoding in prediction), and :func:`demo` prints the
book's lines, ``Input=10+6, Expected=16, Predicted=16``. How far the recipe
scales to more terms and larger numbers: ``lstmkit.problems._addition_runs.scaling``.

Example:
    >>> X, y = make(2, random_state=0)
    >>> X.shape, y.shape, y.dtype
    ((2, 5, 12), (2, 2), dtype('<U1'))
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.errors import DataError, ShapeError, unknown_option
from lstmkit.problems._checks import check_counts
from lstmkit.problems._recipe import RecipeResult

#: The book's alphabet, in its order: the digits, the plus sign, the space.
ALPHABET = "0123456789+ "
#: The book's settings of the chapter's final model.
BOOK_SETTINGS = {"n_terms": 2, "largest": 10}
_INDEX = {char: code for code, char in enumerate(ALPHABET)}


def lengths(n_terms: int, largest: int) -> tuple[int, int]:
    """Return the book's ``(input length, output length)`` in characters.

    ``ceil(log10(m + 1))`` is the number of digits of the integer ``m >= 1``, so the
    input length is ``n_terms * digits(largest) + n_terms - 1`` (the terms and the
    plus signs) and the output length ``digits(n_terms * (largest + 1) - 1)``, enough
    for the largest sum ``n_terms * largest``.

    Raises:
        ConfigError: ``n_terms`` or ``largest`` is not a positive integer.

    Example:
        >>> lengths(2, 10), lengths(3, 10)
        ((5, 2), (8, 2))
    """
    check_counts(n_terms=n_terms, largest=largest)
    in_len = n_terms * len(str(largest)) + n_terms - 1
    out_len = len(str(n_terms * (largest + 1) - 1))
    return in_len, out_len


def make_strings(
    n_samples: int,
    n_terms: int = 2,
    largest: int = 10,
    random_state: int | np.random.Generator | None = None,
) -> tuple[list[str], list[str]]:
    """Generate padded sum strings and their padded answers (the book's ``to_string``).

    Args:
        n_samples: number of sums.
        n_terms: integers per sum.
        largest: the terms are drawn uniformly from 1 to ``largest``.
        random_state: seed or NumPy Generator.

    Returns:
        Inputs like ``" 10+6"`` and outputs like ``"16"``, all of the lengths
        :func:`lengths` gives.

    Raises:
        ConfigError: a count that is not a positive integer (all reported together).

    Example:
        >>> make_strings(3, n_terms=2, largest=10, random_state=3)
        (['  9+1', '  2+3', '  2+9'], ['10', ' 5', '11'])
    """
    check_counts(n_samples=n_samples, n_terms=n_terms, largest=largest)
    in_len, out_len = lengths(n_terms, largest)
    rng = np.random.default_rng(random_state)
    terms = rng.integers(1, largest + 1, size=(n_samples, n_terms))  # like randint(1, largest)
    inputs = ["+".join(str(term) for term in row).rjust(in_len) for row in terms.tolist()]
    outputs = [str(total).rjust(out_len) for total in terms.sum(axis=1).tolist()]
    return inputs, outputs


def make(
    n_samples: int,
    n_terms: int = 2,
    largest: int = 10,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate one-hot sum strings and the characters of their answers.

    Args:
        n_samples: number of sums.
        n_terms: integers per sum.
        largest: the terms are drawn uniformly from 1 to ``largest``.
        random_state: seed or NumPy Generator.

    Shape:
        X: ``(n_samples, in_len, 12)`` float32; y: ``(n_samples, out_len)`` ``<U1``.

    Returns:
        ``(X, y)``; ``decode(X)`` and ``decode(y)`` give the strings back.

    Example:
        >>> X, y = make(2, n_terms=3, random_state=0)
        >>> X.shape, y.shape
        ((2, 8, 12), (2, 2))
    """
    inputs, outputs = make_strings(n_samples, n_terms, largest, random_state)
    _, out_len = lengths(n_terms, largest)
    y = np.array([list(text) for text in outputs], dtype="<U1").reshape(n_samples, out_len)
    return encode(inputs), y


def encode(strings: Sequence[str]) -> np.ndarray:
    """One-hot encode equal-length strings over :data:`ALPHABET`.

    Raises:
        DataError: a character outside the alphabet, or strings of different lengths.

    Example:
        >>> X = encode([" 1+2"])
        >>> X.shape, int(X[0, 1].argmax())
        ((1, 4, 12), 1)
    """
    strings = list(strings)
    sizes = sorted({len(text) for text in strings})
    if len(sizes) > 1:
        raise DataError(
            f"strings to encode must all have one length, got lengths {sizes}: "
            "right-justify them with str.rjust to the input length lengths() gives"
        )
    unknown = sorted({char for text in strings for char in text if char not in _INDEX})
    if unknown:
        raise DataError(f"characters outside the alphabet {ALPHABET!r}: {unknown}")
    codes = np.array([[_INDEX[char] for char in text] for text in strings], dtype=np.int64)
    codes = codes.reshape(len(strings), sizes[0] if sizes else 0)
    return np.eye(len(ALPHABET), dtype=np.float32)[codes]  # (samples, characters, 12)


def decode(char_rows: Any) -> list[str]:
    """Join rows of characters into strings.

    Accepts the labels a classifier predicts (``(n, out_len)`` single-character
    strings, or a list of lists of them) and one-hot or probability arrays
    ``(n, length, 12)``, decoded with argmax over :data:`ALPHABET`.

    Example:
        >>> X, y = make(1, random_state=3)
        >>> decode(X), decode(y)
        (['  9+1'], ['10'])
    """
    array = np.asarray(char_rows)
    if array.ndim == 3 and np.issubdtype(array.dtype, np.number):
        if array.shape[2] != len(ALPHABET):
            raise ShapeError(
                f"expected one-hot rows of shape (samples, length, {len(ALPHABET)}), "
                f"got {array.shape}"
            )
        return ["".join(ALPHABET[code] for code in row) for row in array.argmax(axis=2).tolist()]
    return ["".join(str(char) for char in row) for row in char_rows]


def exact_match(predicted_strings: Sequence[str], expected_strings: Sequence[str]) -> float:
    """Return the share of predicted strings equal to the expected ones, character for character.

    Raises:
        ShapeError: the two lists have different lengths.
        DataError: there is nothing to compare.

    Example:
        >>> exact_match([" 8", "11", "15"], [" 8", "11", "14"])
        0.6666666666666666
    """
    predicted, expected = list(predicted_strings), list(expected_strings)
    if len(predicted) != len(expected):
        raise ShapeError(
            f"predicted_strings has {len(predicted)} strings but expected_strings has "
            f"{len(expected)}: pass one prediction per expected string"
        )
    if not expected:
        raise DataError("exact_match needs at least one string to compare, got none")
    return sum(guess == truth for guess, truth in zip(predicted, expected)) / len(expected)


#: lstmkit's recipe: the data and the training (``recipe(**overrides)`` changes any of them).
RECIPE_SETTINGS: dict[str, Any] = {
    "n_terms": 2,
    "largest": 10,
    "train_size": 1000,
    "test_size": 1000,
    "epochs": 20,
    "batch_size": 32,
    "learning_rate": 0.01,
    "device": "cpu",  # a tiny model: on a GPU each step's kernel launches cost more than they save
}
#: A cut-down recipe (a few seconds) for smoke runs and the learning test.
QUICK_SETTINGS: dict[str, Any] = {
    "train_size": 240,
    "test_size": 300,
    "epochs": 20,
    "batch_size": 16,
}
#: The two decoders, as estimator keywords. "repeat" is the book's model: LSTM(75),
#: RepeatVector, LSTM(50, return_sequences=True), TimeDistributed(Dense(softmax)); the
#: head has one output per character seen in the answers, 11 ("+" never is), not 12.
#: "teacher" starts its decoder from the encoder's state, so its width equals the encoder's.
DECODERS: dict[str, dict[str, Any]] = {
    "repeat": {"units": [75], "architecture_options": {"decoder": "repeat", "decoder_units": [50]}},
    "teacher": {"units": [75], "architecture_options": {"decoder": "teacher"}},
}
#: The issue's bar: the share of fresh sums answered exactly, with either decoder.
THRESHOLD = 0.95
_DATA_KEYS = ("n_terms", "largest", "train_size", "test_size")


def recipe(random_state: int = 1, decoder: str = "repeat", **overrides: Any) -> RecipeResult:
    """Train the Encoder-Decoder LSTM on random sums and score it on fresh ones.

    The book's model and data (2 terms up to 10, one-hot characters in, the sum's
    characters out); Adam with learning rate 0.01 in batches of 32 for 20 epochs over
    1,000 sums, 3-4 s on one CPU core, replaces the book's far longer training at
    Keras's default learning rate. The test sums are drawn afresh (seed
    ``random_state + 1000``); with 2 terms up to 10 there are only 100 different sums,
    so ``details["unseen share"]`` (test sums absent from training) is near 0: this
    setting measures learning the table, and ``_addition_runs.scaling`` the rest. The
    baseline always answers the most frequent sum of the training data.

    Args:
        random_state: seeds the training data, the model, and (plus 1000) the test data.
        decoder: ``"repeat"`` or ``"teacher"`` (a key of :data:`DECODERS`).
        overrides: replace entries of :data:`RECIPE_SETTINGS` (``n_terms``, ``largest``,
            ``train_size``, ``test_size``) or pass any ``LSTMClassifier`` keyword.

    Returns:
        The exact-match share of the fresh sums beside the baseline's; ``details`` has
        ``decoder``, ``n_terms``, ``largest``, ``train_size``, ``character accuracy``,
        ``unseen share`` and ``examples`` (``(sum, expected, predicted)`` strings).

    Raises:
        ConfigError: an unknown decoder, or an unknown keyword (from the estimator).

    Example:
        >>> result = recipe(train_size=40, test_size=20, epochs=1)
        >>> result.metric, result.details["decoder"], len(result.details["examples"])
        ('exact match', 'repeat', 5)
    """
    from lstmkit.estimators import LSTMClassifier

    if decoder not in DECODERS:
        raise unknown_option("decoder", decoder, DECODERS)
    settings = {**RECIPE_SETTINGS, **DECODERS[decoder], **overrides}
    data = {key: settings.pop(key) for key in _DATA_KEYS}
    X, y = make(data["train_size"], data["n_terms"], data["largest"], random_state)
    X_test, y_test = make(data["test_size"], data["n_terms"], data["largest"], random_state + 1000)
    model = LSTMClassifier(architecture="encoder_decoder", random_state=random_state, **settings)
    _import_optimizers()
    started = time.perf_counter()
    model.fit(X, y)
    predicted = model.predict(X_test)  # (test_size, out_len) characters
    seconds = time.perf_counter() - started
    sums, expected, guesses = decode(X_test), decode(y_test), decode(predicted)
    seen = set(decode(X))
    details = {
        "decoder": decoder,
        **data,
        "character accuracy": float(np.mean(predicted == y_test)),
        "unseen share": float(np.mean([text not in seen for text in sums])),
        "examples": list(zip(sums[:5], expected[:5], guesses[:5])),
    }
    return RecipeResult(
        "addition",
        f"encoder_decoder, {decoder} decoder",
        "exact match",
        exact_match(guesses, expected),
        exact_match([_most_frequent(decode(y))] * len(expected), expected),
        "most frequent sum",
        True,
        int(settings["epochs"]),
        seconds,
        model,
        details,
    )


def book_line(sum_text: str, expected: str, predicted: str) -> str:
    """The book's line for one sum, with the sum in front, padding spaces dropped.

    Example:
        >>> book_line("10+6", "16", "16")
        'Input=10+6, Expected=16, Predicted=16'
        >>> book_line("  9+1", "10", " 9")
        'Input=9+1, Expected=10, Predicted=9'
    """
    return f"Input={sum_text.strip()}, Expected={expected.strip()}, Predicted={predicted.strip()}"


def demo(output: str | Path | None = None, random_state: int = 1, **overrides: Any) -> int:
    """Train both decoders, print their exact match and the book's lines; 0 when both pass.

    Prints the book's model summary, then for each decoder the exact match on 1,000
    fresh sums beside the most-frequent-sum baseline, the time taken, and five
    ``Input=10+6, Expected=16, Predicted=16`` lines.

    Args:
        output: where to save the book's (``"repeat"``) model; None saves nothing.
        random_state: passed to :func:`recipe`.
        overrides: passed to :func:`recipe` (e.g. ``epochs=1`` for a quick look).

    Returns:
        0 when both decoders reach :data:`THRESHOLD`, else 1 (after printing FAILED).

    Example:
        >>> # lstmkit demo addition   (or: python -c "from lstmkit.problems import addition; addition.demo()")
    """
    failures = []
    for decoder in DECODERS:
        result = recipe(random_state, decoder, **overrides)
        if decoder == "repeat":
            result.model.summary()
            if output is not None:
                result.model.save(output)
                print(f"Saved the book's model to {output}")
        print(result.summary_line())
        for sum_text, expected, predicted in result.details["examples"]:
            print(book_line(sum_text, expected, predicted))
        if result.skill < THRESHOLD:
            failures.append(f"the {decoder} decoder's exact match {result.skill:.4f}")
    if failures:
        print(f"FAILED: {' and '.join(failures)} below {THRESHOLD}")
        return 1
    return 0


def _import_optimizers() -> None:
    """Build a throwaway Adam: the first optimizer of a process imports torch's compiler.

    That one-off import takes seconds; doing it before the clock starts keeps the
    recipe's time about training, comparable from the first recipe of a process on.
    """
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def _most_frequent(answers: Sequence[str]) -> str:
    """The most frequent answer (the first one seen among ties)."""
    return Counter(answers).most_common(1)[0][0]


__all__ = [
    "ALPHABET",
    "BOOK_SETTINGS",
    "DECODERS",
    "RECIPE_SETTINGS",
    "THRESHOLD",
    "book_line",
    "decode",
    "demo",
    "encode",
    "exact_match",
    "lengths",
    "make",
    "make_strings",
    "recipe",
]
