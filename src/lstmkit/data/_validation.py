"""Checks on the arrays users pass in, with messages that show the fix.

The estimators call these before they touch an array, so every entry point says
the same thing about the same mistake.

```
X of shape (samples, timesteps, features)

          step 0   step 1   step 2          one sample is one sequence;
sample 0 [f0 f1]  [f0 f1]  [f0 f1]          each step holds every feature
sample 1 [f0 f1]  [f0 f1]  [f0 f1]
```
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import DataError, ShapeError

_LAYOUT = "(samples, timesteps, features)"


def as_numeric_array(X: Any, name: str = "X") -> np.ndarray:
    """Return ``X`` as a NumPy array of numbers, or raise a clear error.

    Booleans and integers are kept as they are; anything else must convert to float.

    Args:
        X: array-like (list, NumPy array, pandas object).
        name: what to call the array in messages.

    Returns:
        A NumPy array with a boolean, integer or floating dtype.

    Raises:
        ShapeError: ``X`` is ragged (sequences of different lengths).
        DataError: ``X`` holds values that are not numbers.

    Example:
        >>> as_numeric_array([[1, 2], [3, 4]]).dtype.kind
        'i'
    """
    if isinstance(X, (pd.Series, pd.DataFrame)):
        # Nullable pandas columns hold pd.NA, which NumPy cannot cast: read it as NaN.
        array = X.to_numpy()
        if array.dtype == object:
            try:
                array = X.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                pass
        X = array
    try:
        array = np.asarray(X)
    except ValueError as exc:
        raise ShapeError(
            f"{name} is ragged: its sequences have different lengths ({exc}). "
            "Pad them to one length with lstmkit.data.pad_sequences, "
            "or pass a list of 2-D (timesteps, features) arrays."
        ) from exc
    if array.dtype.kind in "biuf":
        return array
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must hold numbers, got dtype {array.dtype} ({exc}). "
            "Encode categories with LabelEncoder or OneHotEncoder first."
        ) from exc


def describe_position(index: tuple[int, ...]) -> str:
    """Name a position by the axes of the (samples, timesteps, features) layout.

    Example:
        >>> describe_position((3, 1, 0))
        'sample 3, step 1, feature 0'
        >>> describe_position((4, 2))
        'sample 4, feature 2'
    """
    if len(index) == 1:
        return f"sample {index[0]}"
    if len(index) == 2:
        return f"sample {index[0]}, feature {index[1]}"
    if len(index) == 3:
        return f"sample {index[0]}, step {index[1]}, feature {index[2]}"
    return f"index {tuple(int(i) for i in index)}"


def first_nonfinite(array: np.ndarray, allow_nan: bool = False) -> tuple[str, str] | None:
    """Return ``(kind, position)`` of the first NaN or infinite value, or ``None``.

    Args:
        array: a numeric array.
        allow_nan: when True, NaN is accepted and only infinities are reported.

    Example:
        >>> first_nonfinite(np.array([[1.0, np.inf]]))
        ('inf', 'sample 0, feature 1')
    """
    if array.dtype.kind not in "fc" or array.size == 0:
        return None
    bad = np.isinf(array) if allow_nan else ~np.isfinite(array)
    if not bad.any():
        return None
    flat = int(np.argmax(bad.ravel()))
    index = np.unravel_index(flat, array.shape)
    value = array[index]
    kind = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return kind, describe_position(tuple(int(i) for i in index))


def check_finite(X: Any, name: str = "X", *, context: str = "fitting") -> np.ndarray:
    """Raise if ``X`` holds NaN or an infinity, naming the first one.

    Args:
        X: array-like of any rank; 3-D arrays are read as (samples, timesteps, features).
        name: what to call the array in the message.
        context: what the caller is about to do, for the message ("fitting",
            "predicting", ...).

    Returns:
        ``X`` as a numeric NumPy array.

    Raises:
        DataError: ``X`` contains NaN or ±inf, or is not numeric.
        ShapeError: ``X`` is ragged.

    Example:
        >>> check_finite([[[0.0], [np.nan]]])
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: X contains NaN at sample 0, step 1, feature 0: remove or impute missing values before fitting
    """
    array = as_numeric_array(X, name)
    found = first_nonfinite(array)
    if found is not None:
        kind, position = found
        fix = (
            "remove or impute missing values" if kind == "NaN" else "remove or clip infinite values"
        )
        raise DataError(f"{name} contains {kind} at {position}: {fix} before {context}")
    return array


def _reshape_hint(name: str, shape: tuple[int, ...]) -> str:
    """Say how to reach the 3-D layout from a 1-D, 2-D or higher-rank shape."""
    if len(shape) == 1:
        (n,) = shape
        return (
            f"If it is one sequence of {n} time steps of one feature, use "
            f"{name}.reshape(1, {n}, 1); if it is {n} samples of one step, use "
            f"{name}.reshape({n}, 1, 1)."
        )
    if len(shape) == 2:
        n, m = shape
        return (
            f"If the {m} columns are time steps of one feature, use {name}.reshape({n}, {m}, 1); "
            f"if they are {m} features of one time step, use {name}.reshape({n}, 1, {m})."
        )
    merged = int(np.prod(shape[2:]))
    return (
        "An LSTM reads one row per sample, one step per time step and one column per "
        f"feature: merge the trailing axes into features, e.g. "
        f"{name}.reshape({shape[0]}, {shape[1]}, {merged})."
    )


def check_3d(X: Any, name: str = "X") -> np.ndarray:
    """Require a 3-D array laid out as (samples, timesteps, features).

    A 2-D array is never guessed into 3-D: the message shows both readings
    (columns as time steps, or columns as features) and the reshape for each.

    Args:
        X: array-like.
        name: what to call the array in messages.

    Returns:
        ``X`` as a NumPy array of rank 3.

    Raises:
        ShapeError: ``X`` is not 3-D, is ragged, or has an empty axis.

    Example:
        >>> check_3d(np.zeros((100, 5)))
        Traceback (most recent call last):
        ...
        lstmkit.errors.ShapeError: expected X of shape (samples, timesteps, features), got a 2-D array of shape (100, 5). If the 5 columns are time steps of one feature, use X.reshape(100, 5, 1); if they are 5 features of one time step, use X.reshape(100, 1, 5).
    """
    try:
        array = np.asarray(X)
    except ValueError as exc:
        raise ShapeError(
            f"{name} is ragged: its sequences have different lengths. Pad them to one "
            "length with lstmkit.data.pad_sequences, or pass a list of 2-D "
            "(timesteps, features) arrays."
        ) from exc
    if array.ndim == 0:
        raise ShapeError(f"expected {name} of shape {_LAYOUT}, got a scalar.")
    if array.ndim != 3:
        raise ShapeError(
            f"expected {name} of shape {_LAYOUT}, got a {array.ndim}-D array of shape "
            f"{array.shape}. {_reshape_hint(name, array.shape)}"
        )
    empty = [
        axis
        for axis, size in zip(("samples", "timesteps", "features"), array.shape, strict=True)
        if size == 0
    ]
    if empty:
        raise ShapeError(
            f"{name} has shape {array.shape}, with no {' and no '.join(empty)}: "
            f"expected at least one of each in {_LAYOUT}."
        )
    return array
