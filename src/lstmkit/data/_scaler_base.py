"""What the scalers share: shape handling, input checks and persisted counts.

```
3-D input (samples, timesteps, features)  ->  table (samples * timesteps, features)
    each feature is scaled with statistics over every sample and every step,
    then the table is folded back to the input's shape.
```
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from lstmkit.data._json import JsonTransformerMixin, require_fitted
from lstmkit.data._validation import as_numeric_array, first_nonfinite
from lstmkit.data._warnings import DataWarning
from lstmkit.errors import DataError, ShapeError


def _feature_names(X: Any) -> list[str] | None:
    if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
        return list(X.columns)
    return None


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class FeatureScaler(JsonTransformerMixin, TransformerMixin, BaseEstimator):
    """Shape handling, checks and persistence shared by the scalers."""

    _fitted_attribute = "scaler_"
    _fill_value: float = 0.0  # what a constant feature maps to, for the warning

    def _table(self, X: Any, allow_nan: bool, context: str) -> tuple[np.ndarray, tuple]:
        """Return ``X`` as a (rows, features) table and the shape to fold back to."""
        array = as_numeric_array(X)
        if array.ndim == 0 or array.ndim > 3:
            raise ShapeError(
                f"expected X as a 1-D series, a 2-D (samples, features) table or a 3-D "
                f"(samples, timesteps, features) array, got shape {array.shape}."
            )
        found = first_nonfinite(array, allow_nan=allow_nan)
        if found is not None:
            kind, position = found
            fix = (
                "remove or impute missing values"
                if kind == "NaN"
                else "remove or clip infinite values"
            )
            raise DataError(f"X contains {kind} at {position}: {fix} before {context}")
        table = array.reshape(-1, 1) if array.ndim == 1 else array.reshape(-1, array.shape[-1])
        return table, array.shape

    def _check_features(self, table: np.ndarray, X: Any) -> None:
        expected = self.n_features_in_
        if table.shape[1] != expected:
            hint = " (a 1-D array is read as one feature)" if np.ndim(X) == 1 else ""
            raise ShapeError(
                f"X has {plural(table.shape[1], 'feature')}{hint}, but this "
                f"{type(self).__name__} was fitted on {expected}: pass the same "
                f"{plural(expected, 'feature')}, in the same order, as at fit."
            )
        names = _feature_names(X)
        if names is not None and self.feature_names_in_ is not None:
            if names != self.feature_names_in_:
                raise ShapeError(
                    f"X has columns {names}, but this {type(self).__name__} was fitted on "
                    f"columns {self.feature_names_in_}: select them in that order, "
                    f"e.g. X[{self.feature_names_in_}]."
                )

    def fit(self, X: Any, y: Any = None, *, allow_nan: bool = False) -> FeatureScaler:
        """Learn the per-feature statistics of ``X``.

        Args:
            X: a 1-D series, a 2-D ``(samples, features)`` table or a 3-D
                ``(samples, timesteps, features)`` array (NumPy or pandas).
            y: ignored; present for scikit-learn pipelines.
            allow_nan: ignore NaN (e.g. "no target at this step") instead of raising.

        Returns:
            The fitted scaler.

        Raises:
            DataError: NaN or inf in ``X`` (the first one is named), no samples, or
                values too large for float64 arithmetic.
            ShapeError: ``X`` has more than 3 dimensions.
            ConfigError: a constructor argument is invalid.
        """
        self._validate_params()
        table, _ = self._table(X, allow_nan, "fitting")
        if table.shape[0] == 0:
            raise DataError("X has 0 samples: a scaler needs at least one sample to fit.")
        if allow_nan:
            empty = np.flatnonzero(np.isnan(table).all(axis=0)) if table.dtype.kind == "f" else []
            if len(empty):
                raise DataError(
                    f"feature {empty[0]} holds only NaN: there is nothing to fit it on."
                )
        self._fit_table(table)
        self.n_features_in_ = table.shape[1]
        self.feature_names_in_ = _feature_names(X)
        if table.shape[0] == 1:
            warnings.warn(
                f"{type(self).__name__} was fitted on a single sample, so every feature is "
                f"constant and maps to {self._fill_value:g}; no scale was learned. Fit on "
                "more than one sample.",
                DataWarning,
                stacklevel=2,
            )
        return self

    def transform(self, X: Any, *, allow_nan: bool = False) -> np.ndarray:
        """Scale ``X`` with the fitted statistics; the output has ``X``'s shape.

        Args:
            X: data laid out as at fit (1-D, 2-D or 3-D, same number of features).
            allow_nan: pass NaN through instead of raising.

        Returns:
            The scaled array, shaped like ``X``.

        Raises:
            NotFittedError: called before ``fit``.
            ShapeError: the feature count (or column names) differ from fit.
            DataError: NaN or inf in ``X``, or the result overflows float64.
        """
        require_fitted(self, "scaler_", "transform")
        table, shape = self._table(X, allow_nan, "transforming")
        self._check_features(table, X)
        self._before_transform(table)
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.scaler_.transform(table)
        found = first_nonfinite(out, allow_nan=allow_nan)
        if found is not None:
            raise DataError(
                f"scaling overflowed float64 at {found[1]}: the values are too large to "
                "scale; divide the data by a constant first."
            )
        return out.reshape(shape)

    def fit_transform(self, X: Any, y: Any = None, *, allow_nan: bool = False) -> np.ndarray:
        """Fit on ``X`` and return it scaled (see :meth:`fit` and :meth:`transform`)."""
        return self.fit(X, y, allow_nan=allow_nan).transform(X, allow_nan=allow_nan)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Map scaled values back to the original units; NaN passes through.

        Args:
            X: scaled data, shaped like the output of :meth:`transform`.

        Returns:
            The data in original units, shaped like ``X``.

        Raises:
            NotFittedError: called before ``fit``.
            ShapeError: the feature count differs from fit.
        """
        require_fitted(self, "scaler_", "inverse_transform")
        table, shape = self._table(X, True, "inverting")
        self._check_features(table, X)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.scaler_.inverse_transform(table).reshape(shape)

    def _before_transform(self, table: np.ndarray) -> None:
        """Hook run on the input table before scaling (the range check)."""

    def _validate_params(self) -> None:
        """Hook that checks constructor arguments at fit time."""

    def _fit_table(self, table: np.ndarray) -> None:
        raise NotImplementedError

    def _common_state(self) -> dict[str, Any]:
        return {
            "n_features_in": self.n_features_in_,
            "feature_names_in": self.feature_names_in_,
            "n_samples_seen": self.n_samples_seen_,
        }

    def _set_common_state(self, state: Mapping[str, Any]) -> None:
        self.n_features_in_ = int(state["n_features_in"])
        names = state["feature_names_in"]
        self.feature_names_in_ = None if names is None else [str(n) for n in names]
        self.n_samples_seen_ = sample_count(state["n_samples_seen"])
        self.scaler_.n_features_in_ = self.n_features_in_
        self.scaler_.n_samples_seen_ = self.n_samples_seen_


def sample_count(seen: Any) -> int | np.ndarray:
    """sklearn counts samples as a scalar, or per feature when NaN were skipped."""
    return int(seen) if np.ndim(seen) == 0 else np.asarray(seen, dtype=np.int64)


def floats(values: Any, count: int, name: str) -> np.ndarray:
    """Read a stored per-feature list back as float64, checking its length."""
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (count,):
        raise DataError(
            f"'{name}' must hold {plural(count, 'number')} (one per feature), got shape "
            f"{array.shape}."
        )
    return array
