"""Time-ordered train / validation / test splits (never shuffled).

```
rows   0 ................................................ n-1
       [ train                    ][ validation ][ test      ]
                                                 ^ split_date, or the last test_size rows
```

Fit scalers and other transforms on the training part only, then apply them to
the validation and test parts: fitting on all rows leaks the future into training.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, DataError

D = TypeVar("D")


def _rows(size: float | int | None, n: int, name: str) -> int:
    """Turn a fraction in (0, 1) or a row count into a number of rows."""
    if size is None:
        return 0
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{name} must be a fraction in (0, 1) or a number of rows, got {size!r}.")
    if isinstance(size, (int, np.integer)):
        if not 1 <= size < n:
            raise ConfigError(
                f"{name}={size} rows is out of range for {n} rows: expected 1 to {n - 1}, "
                "or a fraction in (0, 1)."
            )
        return int(size)
    if not 0.0 < size < 1.0:
        raise ConfigError(
            f"{name}={size!r} is out of range: expected a fraction strictly between 0 and 1 "
            "(e.g. 0.2), or a number of rows."
        )
    return math.ceil(size * n)


def _date_position(data: Any, split_date: Any) -> int:
    """Position of the first row at or after ``split_date``."""
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        raise ConfigError(
            "split_date needs a Series or DataFrame indexed by time; for arrays, pass test_size."
        )
    index = data.index
    if not index.is_monotonic_increasing:
        raise DataError(
            "the index is not sorted in increasing time order: call data.sort_index() first."
        )
    try:
        date = pd.Timestamp(split_date) if isinstance(index, pd.DatetimeIndex) else split_date
        position = int(index.searchsorted(date, side="left"))
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"split_date {split_date!r} cannot be compared with the index: {exc}."
        ) from exc
    if len(index) == 0 or position == 0 or position == len(index):
        first, last = (index[0], index[-1]) if len(index) else ("-", "-")
        side = "training" if position == 0 else "test"
        raise DataError(
            f"split_date {split_date} leaves the {side} part empty: the data runs from {first} to "
            f"{last}; choose a date after the first timestamp and no later than the last."
        )
    return position


def _take(data: Any, start: int, stop: int) -> Any:
    if isinstance(data, (pd.Series, pd.DataFrame)):
        return data.iloc[start:stop]
    return data[start:stop]


def time_split(
    data: D,
    test_size: float | int | None = None,
    *,
    split_date: Any = None,
    val_size: float | int | None = None,
) -> tuple[D, D] | tuple[D, D, D]:
    """Split time-ordered data into train and test (and validation) parts, in order.

    The test part is the last ``test_size`` of the rows, or every row at or after
    ``split_date``; the validation part (if ``val_size`` is given) is the
    ``val_size`` rows just before the test part. Fractions are of all rows and are
    rounded up. Nothing is shuffled.

    Args:
        data: an array or list (split along the first axis), a Series or a DataFrame.
        test_size: a fraction in (0, 1) or a number of rows.
        split_date: the first timestamp of the test part (pandas data only).
        val_size: a fraction in (0, 1) or a number of rows for validation.

    Returns:
        ``(train, test)``, or ``(train, val, test)`` when ``val_size`` is given, each
        of the input's type (array parts are views).

    Raises:
        ConfigError: neither or both of ``test_size`` and ``split_date`` given, or a
            size out of range.
        DataError: the date is outside the index, the index is unsorted, or a part
            would be empty.

    Example:
        >>> train, test = time_split(np.arange(10), test_size=0.3)
        >>> train.tolist(), test.tolist()
        ([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])
    """
    if (test_size is None) == (split_date is None):
        raise ConfigError(
            "pass exactly one of test_size (a fraction such as 0.2, or a number of rows) "
            "and split_date (the first timestamp of the test part)."
        )
    if isinstance(data, list):
        data = np.asarray(data)  # type: ignore[assignment]
    n = len(data)  # type: ignore[arg-type]
    if n < 2:
        raise DataError(f"need at least 2 rows to split, got {n}.")
    test_start = (
        n - _rows(test_size, n, "test_size")
        if split_date is None
        else _date_position(data, split_date)
    )
    val_start = test_start - _rows(val_size, n, "val_size")
    if val_start < 1:
        raise DataError(
            f"the training part would be empty: {n} rows, {n - test_start} for test and "
            f"{test_start - val_start} for validation; use smaller test_size or val_size."
        )
    train, test = _take(data, 0, val_start), _take(data, test_start, n)
    if val_size is None:
        return train, test
    return train, _take(data, val_start, test_start), test
