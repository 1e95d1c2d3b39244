"""Frame a series as supervised learning: lag columns, or windows of samples.

```
series    x0 x1 x2 x3 x4 x5 x6                 lookback=3, horizon=2, stride=1
sample 0  [x0 x1 x2] -> [x3 x4]
sample 1     [x1 x2 x3] -> [x4 x5]
sample 2        [x2 x3 x4] -> [x5 x6]          samples = (7 - 3 - 2) // 1 + 1 = 3
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._validation import as_numeric_array
from lstmkit.errors import ConfigError, DataError, ShapeError, unknown_option

Columns = int | str | Sequence[int | str] | None


def _table(data: Any) -> tuple[np.ndarray, list[Any] | None]:
    """Return ``data`` as a numeric (rows, columns) array and its column names."""
    names = None
    if isinstance(data, pd.DataFrame):
        names = list(data.columns)
    elif isinstance(data, pd.Series):
        names = [data.name]
    array = as_numeric_array(data, "data")
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ShapeError(
            f"expected a 1-D series or a 2-D (time, variables) table, got shape {array.shape}: "
            "frame each series separately."
        )
    return array, names


def _check_missing(table: np.ndarray, names: list[Any] | None, hint: str) -> None:
    if table.dtype.kind != "f":
        return
    bad = ~np.isfinite(table)
    if bad.any():
        row, col = np.unravel_index(int(np.argmax(bad.ravel())), table.shape)
        value = table[row, col]
        kind = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
        column = repr(names[col]) if names is not None and names[col] is not None else col
        raise DataError(
            f"data contains {kind} at row {row}, column {column}: fill or drop it before "
            f"framing{hint}."
        )


def _count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def series_to_supervised(
    data: Any, n_in: int = 1, n_out: int = 1, dropnan: bool = True
) -> pd.DataFrame:
    """Frame a series as a supervised table of lag and lead columns (Brownlee's function).

    Columns run from the oldest lag to the furthest lead, each block holding every
    variable: ``var1(t-2), var2(t-2), var1(t-1), var2(t-1), var1(t), var2(t), var1(t+1), ...``.
    The index of a pandas input is kept.

    Args:
        data: a list, a 1-D or 2-D array (time, variables), a Series or a DataFrame.
        n_in: number of lag steps ``t-n_in .. t-1`` (0 for none).
        n_out: number of steps ``t .. t+n_out-1`` (0 for none).
        dropnan: drop the rows that shifting left incomplete.

    Returns:
        A DataFrame with ``(n_in + n_out) * variables`` columns.

    Raises:
        ConfigError: ``n_in`` or ``n_out`` is negative, or both are 0.
        DataError: ``data`` holds NaN, inf or non-numbers, or is too short to give
            one complete row when ``dropnan`` is True.

    Example:
        >>> series_to_supervised([1, 2, 3, 4], n_in=2)
           var1(t-2)  var1(t-1)  var1(t)
        2        1.0        2.0        3
        3        2.0        3.0        4
    """
    n_in, n_out = _count("n_in", n_in, 0), _count("n_out", n_out, 0)
    if n_in + n_out == 0:
        raise ConfigError("n_in and n_out are both 0: ask for at least one lag or lead column.")
    table, names = _table(data)
    _check_missing(table, names, "")
    if dropnan and len(table) < n_in + n_out:
        raise DataError(
            f"need at least n_in + n_out = {n_in + n_out} rows for one complete row, got "
            f"{len(table)}: lower n_in or n_out, or pass dropnan=False."
        )
    index = data.index if isinstance(data, (pd.Series, pd.DataFrame)) else None
    frame = pd.DataFrame(table, index=index)
    n_vars = table.shape[1]
    blocks, columns = [], []
    for lag in range(n_in, 0, -1):  # t-n_in, ..., t-1
        blocks.append(frame.shift(lag))
        columns += [f"var{j + 1}(t-{lag})" for j in range(n_vars)]
    for lead in range(n_out):  # t, t+1, ...
        blocks.append(frame.shift(-lead))
        suffix = "t" if lead == 0 else f"t+{lead}"
        columns += [f"var{j + 1}({suffix})" for j in range(n_vars)]
    framed = pd.concat(blocks, axis=1)
    framed.columns = columns
    return framed.dropna() if dropnan else framed


def _select(spec: Columns, names: list[Any] | None, width: int, what: str) -> list[int]:
    """Resolve column positions or names to positions."""
    items = [spec] if isinstance(spec, (int, str, np.integer)) else list(spec or [])
    positions = []
    for item in items:
        if isinstance(item, str):
            known = [n for n in (names or []) if n is not None]
            if item not in known:
                raise unknown_option(f"{what} column", item, [str(n) for n in known])
            positions.append(known.index(item))
        elif isinstance(item, (int, np.integer)) and -width <= item < width:
            positions.append(int(item) % width)
        else:
            raise ConfigError(
                f"{what}={item!r} is not a column of data with {width} columns: use a position "
                f"0 to {width - 1}" + (" or a column name." if names else ".")
            )
    if not positions:
        raise ConfigError(f"{what}={spec!r} selects no columns.")
    return positions


def to_samples(
    data: Any,
    lookback: int,
    horizon: int = 1,
    stride: int = 1,
    targets: Columns = None,
    *,
    features: Columns = None,
    allow_empty: bool = False,
    allow_nan: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into input windows ``X`` and the ``horizon`` steps that follow them.

    Sample ``i`` reads rows ``[i*stride, i*stride + lookback)`` as input and rows
    ``[i*stride + lookback, i*stride + lookback + horizon)`` of the target columns as
    output. The number of samples is ``max(0, (n - lookback - horizon) // stride + 1)``.
    A series shorter than ``lookback + horizon`` raises, unless ``allow_empty=True``,
    which returns 0 samples. The dtype of ``data`` is kept.

    Args:
        data: a 1-D or 2-D (time, variables) array or list, a Series or a DataFrame.
        lookback: input steps per sample.
        horizon: output steps per sample.
        stride: steps between the starts of consecutive samples.
        targets: the target column(s), by position or name. A single column gives
            ``y`` of shape ``(samples, horizon)``, a list ``(samples, horizon, targets)``;
            None means every column (a 1-D series gives ``(samples, horizon)``).
        features: the input column(s); None means every column.
        allow_empty: return 0 samples instead of raising when the series is too short.
        allow_nan: keep NaN and inf instead of raising.

    Shape:
        X: ``(samples, lookback, features)``; y: ``(samples, horizon)`` or
        ``(samples, horizon, targets)``.

    Returns:
        ``(X, y)``.

    Raises:
        ConfigError: a count is not a positive integer, or a column does not exist.
        DataError: the series is too short, or holds NaN/inf (first one named).
        ShapeError: ``data`` has more than 2 dimensions.

    Example:
        >>> X, y = to_samples([10, 20, 30, 40, 50], lookback=3)
        >>> X.shape, y.tolist()
        ((2, 3, 1), [[40], [50]])
    """
    lookback, horizon = _count("lookback", lookback, 1), _count("horizon", horizon, 1)
    stride = _count("stride", stride, 1)
    table, names = _table(data)
    width = table.shape[1]
    feature_cols = (
        list(range(width)) if features is None else _select(features, names, width, "features")
    )
    target_cols = (
        list(range(width)) if targets is None else _select(targets, names, width, "targets")
    )
    flat_y = isinstance(targets, (int, str, np.integer)) or (targets is None and width == 1)
    if not allow_nan:
        _check_missing(table, names, ", or pass allow_nan=True to keep it")
    n, need = len(table), lookback + horizon
    if n < need and not allow_empty:
        raise DataError(
            f"need at least lookback + horizon = {need} rows to make one sample, got {n}: "
            "shorten lookback or horizon, or pass allow_empty=True to get 0 samples."
        )
    count = max(0, (n - need) // stride + 1)
    starts = np.arange(count) * stride  # (samples,)
    X = table[:, feature_cols][starts[:, None] + np.arange(lookback)]  # (samples, lookback, F)
    y = table[:, target_cols][starts[:, None] + lookback + np.arange(horizon)]  # (samples, H, T)
    return X, (y[:, :, 0] if flat_y else y)


def from_channels_first(X: Any) -> np.ndarray:
    """Convert ``(samples, channels, time)`` arrays (aeon, sktime) to ``(samples, time, channels)``.

    lstmkit never guesses the layout: one-hot data can have more features than
    steps, so this conversion is always explicit.

    Args:
        X: a 3-D array laid out as (samples, channels, time).

    Returns:
        A C-contiguous array of shape ``(samples, time, channels)``.

    Raises:
        ShapeError: ``X`` is not 3-D.

    Example:
        >>> from_channels_first(np.zeros((4, 2, 50))).shape
        (4, 50, 2)
    """
    array = np.asarray(X)
    if array.ndim != 3:
        raise ShapeError(
            f"expected X of shape (samples, channels, time), got a {array.ndim}-D array of "
            f"shape {array.shape}."
        )
    return np.ascontiguousarray(array.transpose(0, 2, 1))
