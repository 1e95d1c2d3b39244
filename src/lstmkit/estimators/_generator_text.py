"""Texts for :class:`LSTMGenerator`: checks, the character vocabulary, and lanes of streams.

A text is one long stream: the input at step t is character t (one-hot), the target is
character t + 1. For training, each document's (input, next character) pairs are cut
into contiguous parts, one per batch lane (pytorch/examples' ``batchify``), so the lanes
run side by side and the state is carried along each part by TBPTT::

    text:     T  h  e     c  a  t     s  a  t  .          (12 characters, 11 pairs)
    lane 0:   T→h h→e e→␣ ␣→c c→a a→t                      inputs → targets
    lane 1:                           t→␣ ␣→s s→a a→t t→.

Codes follow the sorted order of the distinct characters (the book's
``sorted(list(set(raw_text)))``, and ``lstmkit.data.TextEncoder(level="char")``'s).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit.data._vocabulary import format_items
from lstmkit.errors import DataError


def check_documents(text: Any, action: str, lowercase: bool = False) -> list[str]:
    """Return ``text`` as a list of documents, each at least 2 characters long.

    Args:
        text: a string, or a list (or tuple) of strings, one per document.
        action: what is being done, for messages (``"fit"``, ``"score"``, ...).
        lowercase: lower-case every document (the book's ``raw_text.lower()``).

    Raises:
        DataError: not a string or list of strings, no documents, or a document with
            fewer than 2 characters (there would be nothing to predict).

    Example:
        >>> check_documents("Hi!", "fit", lowercase=True)
        ['hi!']
        >>> check_documents("a", "fit")
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: the text has only 1 character: fit needs at least 2 (a character and the next one to predict)
    """
    if isinstance(text, str):
        documents, single = [text], True
    elif isinstance(text, (list, tuple)):
        documents, single = list(text), False
    else:
        raise DataError(
            f"{action} expects a string, or a list of strings (one per document), got "
            f"{type(text).__name__}: read a file with open(path, encoding='utf-8').read()"
        )
    if not documents:
        raise DataError(f"{action} got an empty list of documents: pass at least one text")
    for number, document in enumerate(documents):
        if not isinstance(document, str):
            raise DataError(
                f"document {number} is {type(document).__name__}, not a string: {action} "
                "expects a string, or a list of strings (one per document)"
            )
        if len(document) < 2:
            raise DataError(_too_short(document, number, single, action))
    return [document.lower() for document in documents] if lowercase else documents


def _too_short(document: str, number: int, single: bool, action: str) -> str:
    what = "the text" if single else f"document {number}"
    size = "is empty" if not document else "has only 1 character"
    if single:
        return f"{what} {size}: {action} needs at least 2 (a character and the next one to predict)"
    return (
        f"{what} {size}: every document needs at least 2 characters (a character and the next "
        "one to predict); drop shorter documents"
    )


def _code_points(text: str) -> np.ndarray:
    """The Unicode code point of each character (``ord``), as an array."""
    # UTF-32 holds one code point per 4 bytes; "surrogatepass" keeps lone surrogates,
    # which a Python string may hold, as characters of their own.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)


def character_vocabulary(documents: list[str]) -> list[str]:
    """The distinct characters of ``documents`` in sorted order; index = code.

    Example:
        >>> character_vocabulary(["hello", "he"])
        ['e', 'h', 'l', 'o']
    """
    points = np.unique(np.concatenate([_code_points(document) for document in documents]))
    return [chr(point) for point in points.tolist()]


def encode_characters(text: str, vocabulary: list[str], what: str) -> np.ndarray:
    """Codes (int64) of the characters of ``text`` in the fitted ``vocabulary``.

    Args:
        what: what ``text`` is, for the message (``"seed"``, ``"the text"``).

    Raises:
        DataError: ``text`` holds characters not in the vocabulary (the first few are
            named, with the characters the model knows).

    Example:
        >>> encode_characters("hole", ["e", "h", "l", "o"], "seed").tolist()
        [1, 3, 2, 0]
        >>> encode_characters("Hey", ["e", "h", "l", "o"], "seed")
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: seed has characters the model never saw in its training text: 'H', 'y'. It knows 4 characters: 'e', 'h', 'l', 'o'. Use only those, or refit on a text that includes them.
    """
    known = _code_points("".join(vocabulary))  # sorted, as the vocabulary is
    points = _code_points(text)
    codes = np.searchsorted(known, points)
    unseen = (codes >= len(known)) | (known[np.minimum(codes, len(known) - 1)] != points)
    if unseen.any():
        characters = list(dict.fromkeys(chr(point) for point in points[unseen].tolist()))
        raise DataError(
            f"{what} has characters the model never saw in its training text: "
            f"{format_items(characters, 5)}. It knows {len(vocabulary)} characters: "
            f"{format_items(vocabulary, 10)}. Use only those, or refit on a text that "
            "includes them."
        )
    return codes


def one_hot(codes: np.ndarray, size: int) -> np.ndarray:
    """``(len(codes), size)`` float32 rows with a 1 at each code.

    Example:
        >>> one_hot(np.array([2, 0]), 3).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    rows = np.zeros((len(codes), size), dtype=np.float32)
    rows[np.arange(len(codes)), codes] = 1.0
    return rows


def lane_parts(documents: list[np.ndarray], lanes: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cut each document's (input, next character) pairs into contiguous parts for the lanes.

    A document of n characters has n - 1 pairs. The lanes are shared out in proportion
    to the documents' pairs (at least one part each, at most one pair per part), and a
    document's parts differ in length by at most one, so the lanes finish together.

    Args:
        documents: each document's character codes.
        lanes: the number of batch lanes (the generator's ``batch_size``).

    Returns:
        ``(input_codes, target_codes)`` per part, in text order; the targets are the inputs
        shifted by one character.

    Example:
        >>> parts = lane_parts([np.array([0, 1, 2, 0, 1])], lanes=2)
        >>> [(inputs.tolist(), targets.tolist()) for inputs, targets in parts]
        [([0, 1], [1, 2]), ([2, 0], [0, 1])]
    """
    pairs = [len(codes) - 1 for codes in documents]
    total = sum(pairs)
    parts = []
    for codes, count in zip(documents, pairs):
        pieces = max(1, min(count, round(count * lanes / total)))
        edges = [count * piece // pieces for piece in range(pieces + 1)]
        for start, stop in zip(edges[:-1], edges[1:]):
            parts.append((codes[start:stop], codes[start + 1 : stop + 1]))
    return parts


def unigram_cross_entropy(counts: np.ndarray, targets: np.ndarray) -> float:
    """Mean cross-entropy (nats) of predicting ``targets`` from character frequencies alone.

    The baseline a model that ignores context reaches: each character's probability is
    its share of ``counts`` (the training text's character counts).

    Example:
        >>> round(unigram_cross_entropy(np.array([1, 1]), np.array([0, 1, 0])), 4)  # ln 2
        0.6931
    """
    probabilities = counts / counts.sum()
    return float(-np.log(probabilities[targets]).mean())
