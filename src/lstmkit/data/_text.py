"""Texts to integer sequences over a character or word vocabulary, and back.

```
"hello"  --level="char"-->  ['h','e','l','l','o']  -->  [1, 0, 2, 2, 3]
"a b a"  --level="word"-->  ['a', 'b', 'a']         -->  [0, 1, 0]
```

Indices start at 0, in sorted token order (the book's
``dict((c, i) for i, c in enumerate(sorted(set(text))))``), so index 0 is a real
token: when padding encoded texts, pad with a value outside the vocabulary,
e.g. ``pad_sequences(codes, value=len(encoder.vocabulary_))``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from lstmkit.data._json import JsonTransformerMixin, require_fitted
from lstmkit.data._vocabulary import Vocabulary, sorted_tokens
from lstmkit.errors import DataError, unknown_option

_LEVELS = ("char", "word")


def _texts(texts: Any) -> tuple[list[str], bool]:
    """Return the texts as a list and whether a single string was given."""
    if isinstance(texts, str):
        return [texts], True
    if isinstance(texts, pd.Series):
        texts = texts.tolist()
    if not isinstance(texts, Iterable):
        raise DataError(f"expected a string or a list of strings, got {type(texts).__name__}.")
    items = list(texts)
    for position, text in enumerate(items):
        if not isinstance(text, str):
            raise DataError(
                f"text {position} is {text!r} ({type(text).__name__}), expected a string: "
                "drop or fill missing texts before encoding."
            )
    return items, False


class TextEncoder(JsonTransformerMixin, TransformerMixin, BaseEstimator):
    """Turn texts into integer sequences with a character or word vocabulary.

    Args:
        level: ``"char"`` splits texts into characters, ``"word"`` splits on
            whitespace (punctuation stays attached to its word).
        unknown_token: a token unseen tokens map to (added last to the vocabulary
            if it was not seen at fit); None raises on unseen tokens.
        lower: lower-case texts before splitting them.

    Attributes:
        vocabulary_: token → index.
        tokens_: index → token (a list).

    Example:
        >>> encoder = TextEncoder().fit("hello")
        >>> encoder.vocabulary_
        {'e': 0, 'h': 1, 'l': 2, 'o': 3}
        >>> encoder.transform("hole").tolist()
        [1, 3, 2, 0]
        >>> encoder.inverse_transform([1, 0, 2, 2, 3])
        'hello'
    """

    _fitted_attribute = "vocabulary_"

    def __init__(
        self,
        level: Literal["char", "word"] = "char",
        unknown_token: str | None = None,
        lower: bool = False,
    ) -> None:
        self.level = level
        self.unknown_token = unknown_token
        self.lower = lower

    def _split(self, text: str) -> list[str]:
        text = text.lower() if self.lower else text
        return list(text) if self.level == "char" else text.split()

    def fit(self, texts: str | Iterable[str], y: Any = None) -> TextEncoder:
        """Learn the vocabulary of one text or a list of texts.

        Args:
            texts: a string, or an iterable of strings.
            y: ignored.

        Returns:
            The fitted encoder.

        Raises:
            ConfigError: ``level`` is not "char" or "word".
            DataError: an item is not a string, or there are no tokens.
        """
        if self.level not in _LEVELS:
            raise unknown_option("level", self.level, _LEVELS)
        items, _ = _texts(texts)
        tokens = sorted_tokens((t for text in items for t in self._split(text)), noun="token")
        if not tokens:
            raise DataError("TextEncoder found no tokens to fit: the texts are empty.")
        self._set_state({"tokens": tokens})
        return self

    def transform(self, texts: str | Iterable[str]) -> np.ndarray | list[np.ndarray]:
        """Encode texts as int64 index sequences.

        Returns:
            A 1-D array for a single string; a list of 1-D arrays for a list of texts.

        Raises:
            DataError: a token was not seen at fit and ``unknown_token`` is None.
            NotFittedError: called before ``fit``.
        """
        require_fitted(self, "vocabulary_", "transform")
        items, single = _texts(texts)
        encoded = [self._vocab.encode(self._split(text)) for text in items]
        return encoded[0] if single else encoded

    def inverse_transform(self, sequences: Any) -> str | list[str]:
        """Decode index sequences back to text (words joined by single spaces).

        Args:
            sequences: a 1-D sequence of indices, or a 2-D array / list of them.

        Returns:
            A string for 1-D input; a list of strings otherwise.

        Raises:
            DataError: an index is outside the vocabulary.
        """
        require_fitted(self, "vocabulary_", "inverse_transform")
        joiner = "" if self.level == "char" else " "
        if isinstance(sequences, np.ndarray) and sequences.ndim == 1:
            return joiner.join(map(str, self._vocab.decode(sequences)))
        if not isinstance(sequences, np.ndarray) and all(np.ndim(s) == 0 for s in sequences):
            return joiner.join(map(str, self._vocab.decode(list(sequences))))
        return [joiner.join(map(str, self._vocab.decode(seq))) for seq in sequences]

    def _get_state(self) -> dict[str, Any]:
        return {"tokens": self.tokens_[: self._num_seen]}

    def _set_state(self, state: Mapping[str, Any]) -> None:
        seen = [str(token) for token in state["tokens"]]
        noun = "character" if self.level == "char" else "word"
        self._vocab = Vocabulary(seen, self.unknown_token, noun=noun, option="unknown_token")
        self._num_seen = len(seen)
        self.tokens_ = list(self._vocab.tokens)
        self.vocabulary_ = dict(self._vocab.index)
