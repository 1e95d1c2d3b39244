"""Integer and one-hot encodings of categorical labels and token sequences.

```
labels     ['cold', 'warm', 'hot']         -> LabelEncoder  -> [0, 2, 1]
labels     (n,)                            -> OneHotEncoder -> (n, k)
sequences  (n, T) tokens                   -> OneHotEncoder -> (n, T, k)
ragged     [[t, t, t], [t]]                -> OneHotEncoder -> [(3, k), (1, k)]
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from lstmkit.data._json import JsonTransformerMixin, require_fitted
from lstmkit.data._vocabulary import Vocabulary, label_array, plain, sorted_tokens
from lstmkit.errors import DataError, ShapeError

_SEQUENCE_TYPES = (list, tuple, np.ndarray, pd.Series)


def _labels(y: Any, owner: str) -> list[Any]:
    """Read 1-D labels (a column vector is accepted) as a list of Python values."""
    if isinstance(y, str):
        raise ShapeError(f"{owner} expects a sequence of labels, got the single string {y!r}.")
    if isinstance(y, (pd.Series, pd.DataFrame)):
        array = y.to_numpy(dtype=object)
    elif isinstance(y, (list, tuple)):
        if any(isinstance(value, _SEQUENCE_TYPES) for value in y):
            raise ShapeError(
                f"{owner} expects 1-D labels, got a sequence of sequences: flatten them, or "
                "use OneHotEncoder, which encodes token sequences."
            )
        array = np.empty(len(y), dtype=object)
        array[:] = list(y)
    else:
        array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ShapeError(f"{owner} expects 1-D labels of shape (n,), got shape {array.shape}.")
    return [plain(value) for value in array.tolist()]


def _parse_tokens(X: Any) -> tuple[str, list[Any]]:
    """Classify ``X`` as ``("labels", items)``, ``("grid", rows)`` or ``("ragged", rows)``."""
    if isinstance(X, str):
        raise ShapeError(f"OneHotEncoder expects labels or token sequences, got the string {X!r}.")
    if isinstance(X, (pd.Series, pd.DataFrame)):
        X = X.to_numpy(dtype=object)
    if isinstance(X, np.ndarray):
        if X.ndim == 1:
            return "labels", [plain(v) for v in X.tolist()]
        if X.ndim == 2:
            return "grid", [[plain(v) for v in row] for row in X.tolist()]
        raise ShapeError(
            f"OneHotEncoder expects 1-D labels (n,) or 2-D token sequences (n, T), got shape "
            f"{X.shape}."
        )
    items = list(X)
    nested = [isinstance(item, _SEQUENCE_TYPES) for item in items]
    if not any(nested):
        return "labels", [plain(v) for v in items]
    if not all(nested):
        raise ShapeError(
            "OneHotEncoder got a mix of labels and sequences: pass either labels "
            "['a', 'b'] or sequences of tokens [['a', 'b'], ['b']]."
        )
    rows = [[plain(v) for v in np.asarray(item, dtype=object).ravel().tolist()] for item in items]
    same = len({len(row) for row in rows}) <= 1
    return ("grid" if same else "ragged"), rows


class LabelEncoder(JsonTransformerMixin, TransformerMixin, BaseEstimator):
    """Encode labels as integers ``0 .. k-1`` in sorted order, and back.

    Args:
        unknown: a label that unseen labels map to at transform time (added as the
            last class if it was not seen at fit); None raises on unseen labels.

    Attributes:
        classes_: the labels, index ``i`` holding the label encoded as ``i``.

    Example:
        >>> encoder = LabelEncoder().fit(["cold", "warm", "hot"])
        >>> encoder.transform(["hot", "cold"]).tolist()
        [1, 0]
        >>> encoder.inverse_transform([2]).tolist()
        ['warm']
    """

    _fitted_attribute = "classes_"

    def __init__(self, unknown: Any = None) -> None:
        self.unknown = unknown

    def fit(self, y: Any) -> LabelEncoder:
        """Learn the classes from 1-D labels (strings, numbers, any hashable).

        Returns:
            The fitted encoder.

        Raises:
            DataError: a label is missing (None/NaN) or the labels cannot be ordered.
            ShapeError: ``y`` is not 1-D.
        """
        labels = _labels(y, "LabelEncoder")
        if not labels:
            raise DataError("LabelEncoder got 0 labels: fit it on at least one label.")
        tokens = sorted_tokens(labels)
        self._set_state({"classes": tokens})
        return self

    def transform(self, y: Any) -> np.ndarray:
        """Return the int64 code of each label.

        Raises:
            DataError: a label was not seen at fit and ``unknown`` is None.
            NotFittedError: called before ``fit``.
        """
        require_fitted(self, "classes_", "transform")
        return self._vocab.encode(_labels(y, "LabelEncoder"))

    def inverse_transform(self, y: Any) -> np.ndarray:
        """Return the label of each integer code.

        Raises:
            DataError: a code is outside ``0 .. k-1``.
        """
        require_fitted(self, "classes_", "inverse_transform")
        return label_array(self._vocab.decode(np.asarray(y).ravel()))

    def _get_state(self) -> dict[str, Any]:
        return {"classes": self._vocab.tokens[: self._num_seen]}

    def _set_state(self, state: Mapping[str, Any]) -> None:
        seen = list(state["classes"])
        self._vocab = Vocabulary(seen, unknown=self.unknown)
        self._num_seen = len(seen)
        self.classes_ = label_array(self._vocab.tokens)


class OneHotEncoder(JsonTransformerMixin, TransformerMixin, BaseEstimator):
    """One-hot encode labels ``(n,) -> (n, k)`` or token sequences ``(n, T) -> (n, T, k)``.

    Sequences of different lengths (a list of lists) give a list of ``(T_i, k)``
    arrays. Output is float32. Note that a 2-D ``(n, 1)`` array is read as ``n``
    sequences of one token, giving ``(n, 1, k)``; pass 1-D labels for ``(n, k)``.

    Args:
        unknown: a token that unseen tokens map to (added as the last column if it
            was not seen at fit); None raises on unseen tokens.

    Attributes:
        classes_: the tokens, column ``i`` standing for ``classes_[i]``.

    Example:
        >>> encoder = OneHotEncoder().fit(["red", "green", "blue"])
        >>> encoder.transform(["red", "blue"]).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
        >>> encoder.inverse_transform([[0.1, 0.7, 0.2]]).tolist()
        ['green']
    """

    _fitted_attribute = "classes_"

    def __init__(self, unknown: Any = None) -> None:
        self.unknown = unknown

    def fit(self, X: Any) -> OneHotEncoder:
        """Learn the tokens from labels or token sequences.

        Returns:
            The fitted encoder.

        Raises:
            DataError: a token is missing (None/NaN) or the tokens cannot be ordered.
            ShapeError: ``X`` is neither labels nor sequences of tokens.
        """
        kind, items = _parse_tokens(X)
        flat = items if kind == "labels" else [token for row in items for token in row]
        if not flat:
            raise DataError("OneHotEncoder got 0 tokens: fit it on at least one label or token.")
        self._set_state({"classes": sorted_tokens(flat, noun="token")})
        return self

    def transform(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """One-hot encode; see the class docstring for the shapes.

        Raises:
            DataError: a token was not seen at fit and ``unknown`` is None.
            NotFittedError: called before ``fit``.
        """
        require_fitted(self, "classes_", "transform")
        kind, items = _parse_tokens(X)
        eye = np.eye(len(self.classes_), dtype=np.float32)
        if kind == "labels":
            return eye[self._vocab.encode(items)]  # (n, k)
        if kind == "grid":
            steps = len(items[0]) if items else 0
            codes = self._vocab.encode(token for row in items for token in row)
            return eye[codes].reshape(len(items), steps, len(self.classes_))  # (n, T, k)
        return [eye[self._vocab.encode(row)] for row in items]  # [(T_i, k), ...]

    def inverse_transform(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Decode one-hot rows (or scores, probabilities) by argmax.

        Args:
            X: ``(n, k)``, ``(n, T, k)`` or a list of ``(T_i, k)`` arrays.

        Returns:
            Labels ``(n,)``, token sequences ``(n, T)``, or a list of 1-D arrays.

        Raises:
            ShapeError: the last axis is not ``k`` long or the rank is wrong.
        """
        require_fitted(self, "classes_", "inverse_transform")
        if isinstance(X, list) and X and np.ndim(X[0]) == 2:
            shapes = {np.shape(item) for item in X}
            if len(shapes) > 1:  # ragged: one (T_i, k) array per sequence
                return [self._decode(np.asarray(item), ranks=(2,)) for item in X]
        return self._decode(np.asarray(X), ranks=(2, 3))

    def _decode(self, array: np.ndarray, ranks: tuple[int, ...]) -> np.ndarray:
        k = len(self.classes_)
        if array.ndim not in ranks or array.shape[-1] != k:
            expected = " or ".join({2: "(n, k)", 3: "(n, T, k)"}[r] for r in ranks)
            raise ShapeError(
                f"expected one-hot data of shape {expected} with k={k} classes, got shape "
                f"{array.shape}."
            )
        labels = label_array(self._vocab.decode(array.argmax(axis=-1).ravel()))
        return labels.reshape(array.shape[:-1])

    def _get_state(self) -> dict[str, Any]:
        return {"classes": self._vocab.tokens[: self._num_seen]}

    def _set_state(self, state: Mapping[str, Any]) -> None:
        seen = list(state["classes"])
        self._vocab = Vocabulary(seen, unknown=self.unknown, noun="token")
        self._num_seen = len(seen)
        self.classes_ = label_array(self._vocab.tokens)
