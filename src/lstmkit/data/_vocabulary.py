"""The token ↔ index table behind the label, one-hot and text encoders.

Indices follow the sorted order of the tokens seen at fit (scikit-learn's rule,
and the book's ``sorted(set(text))``). A configured unknown token that was not
seen at fit is appended last, so the indices of seen tokens never depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import DataError


def plain(value: Any) -> Any:
    """Return a NumPy scalar as the matching Python scalar; other values unchanged.

    Example:
        >>> plain(np.str_("a")), plain(np.int64(3))
        ('a', 3)
    """
    return value.item() if isinstance(value, np.generic) else value


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_items(items: Sequence[Any], limit: int = 10) -> str:
    """Quote items for a message, shortening long lists.

    Example:
        >>> format_items(["a", "b"])
        "'a', 'b'"
        >>> format_items(list(range(12)), limit=3)
        '0, 1, 2, ... (12 in all)'
    """
    shown = ", ".join(repr(plain(item)) for item in items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def label_array(values: Sequence[Any]) -> np.ndarray:
    """Build a 1-D array of labels without NumPy turning mixed types into strings.

    Example:
        >>> label_array(["a", "b"]).dtype.kind, label_array([1, "a"]).dtype.kind
        ('U', 'O')
    """
    kinds = {type(value) for value in values}
    if len(kinds) == 1 and next(iter(kinds)) in (str, int, float, bool):
        return np.array(values)
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def sorted_tokens(values: Iterable[Any], noun: str = "label") -> list[Any]:
    """Return the distinct values in sorted order.

    Raises:
        DataError: a value is missing or unhashable, or the values cannot be ordered.

    Example:
        >>> sorted_tokens(["warm", "cold", "hot", "cold"])
        ['cold', 'hot', 'warm']
    """
    unique: dict[Hashable, None] = {}
    for position, value in enumerate(values):
        value = plain(value)
        if is_missing(value):
            raise DataError(
                f"{noun}s contain a missing value ({value!r}) at position {position}: drop or "
                f"fill missing {noun}s before encoding."
            )
        try:
            unique[value] = None
        except TypeError as exc:
            raise DataError(f"{noun} {value!r} at position {position} is not hashable.") from exc
    try:
        return sorted(unique)
    except TypeError as exc:
        types = sorted({type(value).__name__ for value in unique})
        raise DataError(
            f"{noun}s mix types that cannot be ordered ({', '.join(types)}): convert them to "
            "one type, e.g. all strings."
        ) from exc


class Vocabulary:
    """A fitted token table: ``tokens[i]`` has index ``i``.

    Args:
        tokens: the distinct tokens seen at fit, in index order.
        unknown: the token unseen values map to, or None to raise on them.
        noun: what a token is called in messages ("label", "character", "word").
        option: the constructor argument that sets the unknown token.

    Example:
        >>> vocab = Vocabulary(["a", "b"], unknown="?")
        >>> vocab.tokens, vocab.encode(["b", "z"]).tolist()
        (['a', 'b', '?'], [1, 2])
    """

    def __init__(
        self,
        tokens: Sequence[Any],
        unknown: Any = None,
        noun: str = "label",
        option: str = "unknown",
    ) -> None:
        self.tokens = [plain(token) for token in tokens]
        if unknown is not None and unknown not in self.tokens:
            self.tokens.append(unknown)
        self.index = {token: i for i, token in enumerate(self.tokens)}
        self.unknown = unknown
        self.noun = noun
        self.option = option

    def encode(self, items: Iterable[Any]) -> np.ndarray:
        """Map tokens to indices (int64).

        Raises:
            DataError: a token was not seen at fit and no unknown token is set.
        """
        fallback = None if self.unknown is None else self.index[self.unknown]
        codes: list[int] = []
        unseen: dict[Any, None] = {}
        for item in items:
            item = plain(item)
            try:
                code = self.index.get(item, fallback)
            except TypeError as exc:
                raise DataError(f"{self.noun} {item!r} is not hashable.") from exc
            if code is None:
                unseen[item] = None
                code = -1
            codes.append(code)
        if unseen:
            raise self._unseen_error(list(unseen))
        return np.asarray(codes, dtype=np.int64)

    def _unseen_error(self, unseen: list[Any]) -> DataError:
        many = len(unseen) > 1
        return DataError(
            f"unseen {self.noun}{'s' if many else ''} {format_items(unseen, 5)}: the encoder "
            f"was fitted on {format_items(self.tokens)}. Refit on data that includes "
            f"{'them' if many else 'it'}, or set {self.option}=... to map unseen values to an "
            "unknown token."
        )

    def decode(self, codes: Any) -> list[Any]:
        """Map indices back to tokens.

        Raises:
            DataError: an index is outside ``0 .. len(tokens) - 1`` or not an integer.
        """
        array = np.asarray(codes)
        if array.size and array.dtype.kind not in "iu":
            if array.dtype.kind != "f" or not np.all(array == np.round(array)):
                raise DataError(f"expected integer indices, got dtype {array.dtype}.")
            array = array.astype(np.int64)
        bad = array[(array < 0) | (array >= len(self.tokens))] if array.size else array
        if bad.size:
            raise DataError(
                f"index {int(bad[0])} is outside the vocabulary of {len(self.tokens)} "
                f"{self.noun}s (valid indices 0 to {len(self.tokens) - 1})."
            )
        return [self.tokens[code] for code in array.ravel().tolist()]
