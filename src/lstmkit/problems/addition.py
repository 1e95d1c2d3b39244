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

Example:
    >>> X, y = make(2, random_state=0)
    >>> X.shape, y.shape, y.dtype
    ((2, 5, 12), (2, 2), dtype('<U1'))
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, DataError, ShapeError

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
    _check_counts(n_terms=n_terms, largest=largest)
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
    _check_counts(n_samples=n_samples, n_terms=n_terms, largest=largest)
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


def _check_counts(**counts: Any) -> None:
    problems = [
        f"{name} must be a positive integer (1 or more), got {value!r}"
        for name, value in counts.items()
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1
    ]
    if problems:
        raise ConfigError("; ".join(problems))


__all__ = [
    "ALPHABET",
    "BOOK_SETTINGS",
    "decode",
    "encode",
    "exact_match",
    "lengths",
    "make",
    "make_strings",
]
