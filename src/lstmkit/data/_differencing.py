"""Differencing to remove trend or seasonality, with its exact inverse.

```
x        x0  x1  x2  x3  x4            lag = 2
d                x2-x0  x3-x1  x4-x2   d[t] = x[t + lag] - x[t]
invert:  x[t + lag] = x[t] + d[t], starting from the first `lag` values x0, x1
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from lstmkit.data._json import JsonTransformerMixin, require_fitted
from lstmkit.data._validation import as_numeric_array, first_nonfinite
from lstmkit.errors import ConfigError, DataError, ShapeError


def _check_lag(lag: Any) -> int:
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
        raise ConfigError(
            f"lag must be an integer >= 1, got {lag!r}: e.g. 1, or 12 for monthly seasonality."
        )
    return int(lag)


def _series(data: Any, name: str) -> np.ndarray:
    array = as_numeric_array(data, name)
    if array.ndim == 0:
        raise ShapeError(f"expected {name} as a series (time first), got a scalar.")
    found = first_nonfinite(array)
    if found is not None:
        raise DataError(
            f"{name} contains {found[0]} at {found[1]}: fill or drop it before differencing."
        )
    return array


def difference(data: Any, lag: int = 1) -> np.ndarray:
    """Return ``data[t + lag] - data[t]`` along the first (time) axis.

    Args:
        data: a series or a (time, ...) array; pandas objects are read as arrays.
        lag: the distance between the subtracted values (12 removes a yearly
            season from monthly data).

    Returns:
        An array with ``lag`` fewer rows than ``data``.

    Raises:
        ConfigError: ``lag`` is not a positive integer.
        DataError: ``data`` has NaN/inf, or no more than ``lag`` rows.

    Example:
        >>> difference([1, 4, 9, 16]).tolist()
        [3, 5, 7]
    """
    lag = _check_lag(lag)
    array = _series(data, "data")
    if len(array) <= lag:
        raise DataError(
            f"need more than lag = {lag} rows to difference, got {len(array)}: use a smaller lag."
        )
    return array[lag:] - array[:-lag]


def inverse_difference(diffs: Any, initial: Any) -> np.ndarray:
    """Undo :func:`difference`: rebuild a series from its first values and its differences.

    ``lag`` is ``len(initial)``. To turn forecast differences into levels, pass the
    last ``lag`` observed values as ``initial`` and drop them from the result:
    ``inverse_difference(forecast, history[-lag:])[lag:]``.

    Args:
        diffs: the differences, shape ``(m, ...)``.
        initial: the ``lag`` values before the first difference, shape ``(lag, ...)``.

    Returns:
        The series, ``initial`` followed by ``m`` rebuilt rows: ``(lag + m, ...)``.

    Raises:
        ShapeError: ``initial`` is empty, or its rows differ in shape from ``diffs``'.

    Example:
        >>> inverse_difference([3, 5, 7], initial=[1]).tolist()
        [1, 4, 9, 16]
    """
    start = as_numeric_array(initial, "initial")
    steps = as_numeric_array(diffs, "diffs")
    if start.ndim == 0 or len(start) == 0:
        raise ShapeError("initial must hold the first lag >= 1 values of the series, got none.")
    if start.shape[1:] != steps.shape[1:]:
        raise ShapeError(
            f"initial has rows of shape {start.shape[1:]}, but diffs has rows of shape "
            f"{steps.shape[1:]}: pass values of the same series."
        )
    lag = len(start)
    dtype = np.result_type(start, steps)
    out = np.empty((lag + len(steps),) + steps.shape[1:], dtype=dtype)
    for phase in range(lag):  # each phase of the lag is a running sum of its own differences
        chain = np.concatenate([start[phase : phase + 1], steps[phase::lag]]).astype(dtype)
        out[phase::lag] = np.cumsum(chain, axis=0, dtype=dtype)
    return out


class Differencer(JsonTransformerMixin, TransformerMixin, BaseEstimator):
    """Difference a series at ``lag`` and invert it exactly.

    ``fit`` remembers the first and last ``lag`` rows of the training series:
    ``inverse_transform(transform(x))`` gives back ``x`` for the fitted series, and
    ``inverse_transform(forecast, initial=differencer.last_)`` continues from its end.

    Args:
        lag: the differencing lag.

    Attributes:
        initial_: the first ``lag`` rows of the fitted series.
        last_: the last ``lag`` rows of the fitted series.

    Example:
        >>> differencer = Differencer().fit([1, 4, 9, 16])
        >>> d = differencer.transform([1, 4, 9, 16])
        >>> d.tolist(), differencer.inverse_transform(d).tolist()
        ([3, 5, 7], [1, 4, 9, 16])
        >>> differencer.inverse_transform([9, 11], initial=differencer.last_)[1:].tolist()
        [25, 36]
    """

    _fitted_attribute = "initial_"

    def __init__(self, lag: int = 1) -> None:
        self.lag = lag

    def fit(self, X: Any, y: Any = None) -> Differencer:
        """Remember the first and last ``lag`` rows of the series ``X``.

        Raises:
            ConfigError: ``lag`` is not a positive integer.
            DataError: ``X`` has NaN/inf or no more than ``lag`` rows.
        """
        lag = _check_lag(self.lag)
        array = _series(X, "X")
        if len(array) <= lag:
            raise DataError(f"need more than lag = {lag} rows to difference, got {len(array)}.")
        self.initial_ = array[:lag].copy()
        self.last_ = array[-lag:].copy()
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return ``X[t + lag] - X[t]`` (``lag`` fewer rows than ``X``)."""
        require_fitted(self, "initial_", "transform")
        return difference(X, self.lag)

    def inverse_transform(self, X: Any, initial: Any = None) -> np.ndarray:
        """Rebuild levels from differences, starting from ``initial`` (default ``initial_``).

        Returns:
            ``initial`` followed by the rebuilt rows (``lag`` more rows than ``X``).
        """
        require_fitted(self, "initial_", "inverse_transform")
        start = self.initial_ if initial is None else initial
        if len(np.asarray(start)) != self.lag:
            raise ShapeError(
                f"initial must hold lag = {self.lag} rows, got {len(np.asarray(start))}."
            )
        return inverse_difference(X, start)

    def _get_state(self) -> dict[str, Any]:
        return {"initial": self.initial_, "last": self.last_, "dtype": self.initial_.dtype.name}

    def _set_state(self, state: Mapping[str, Any]) -> None:
        self.initial_ = np.asarray(state["initial"], dtype=state["dtype"])
        self.last_ = np.asarray(state["last"], dtype=state["dtype"])
