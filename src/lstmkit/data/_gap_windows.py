"""Gaps and the windows around them: find missing steps, frame only where all are present.

:func:`find_gaps` says how many steps are missing, where, and the longest gap.
:func:`windows` never builds a window across a step left missing:

```
step    0  1  2  3  4  5  6  7  8  9  10          lookback = 2, horizon = 1
valid   1  1  1  1  0  1  1  1  1  0  1           (0 = a missing step left by the policy)
starts  0  1  .  .  .  5  6  .  .  .  .           window [s, s + 3) must be all valid:
        [0 1 -> 2]  [5 6 -> 7]                    start 2 would read step 4, start 7 step 9
        [1 2 -> 3]  [6 7 -> 8]
```

Plain :func:`lstmkit.data.to_samples` on a series whose missing rows were dropped
would build ``[2 3 -> 5]``, a window that never happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from lstmkit.data._framing import _count, _select, _table
from lstmkit.data._time_index import listing, regular_frame, stamp
from lstmkit.errors import DataError, ShapeError


class Gap(NamedTuple):
    """One run of consecutive missing steps: first and last timestamp, length, position.

    Example:
        >>> Gap(pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-04"), 2, 2).length
        2
    """

    start: pd.Timestamp
    end: pd.Timestamp
    length: int
    position: int  # of ``start`` in the full grid


@dataclass(frozen=True)
class GapReport:
    """Where a series misses steps; ``str(report)`` is the summary for people.

    Attributes:
        freq: the frequency alias of the grid.
        n_steps: steps in the full grid from the first to the last timestamp.
        n_missing: steps with an absent timestamp or a NaN in any column.
        n_absent: of those, steps whose timestamp was absent from the index.
        by_column: missing values per column (absent steps count in every column).
        gaps: every run of missing steps, in time order.
        index: the full grid.
        missing: a boolean per grid step, True where the step is missing.

    Example:
        >>> report = find_gaps(pd.Series([1.0, np.nan, 3.0],
        ...                    index=pd.date_range("2020-01-01", periods=3, freq="D")))
        >>> report.n_missing, report.longest.start
        (1, Timestamp('2020-01-02 00:00:00'))
    """

    freq: str
    n_steps: int
    n_missing: int
    n_absent: int
    by_column: dict[Any, int]
    gaps: tuple[Gap, ...]
    index: pd.DatetimeIndex = field(repr=False)
    missing: np.ndarray = field(repr=False)

    @property
    def longest(self) -> Gap | None:
        """The longest gap (the first of equals), or None without gaps."""
        return max(self.gaps, key=lambda gap: gap.length, default=None)

    def __str__(self) -> str:
        if not self.gaps:
            return f"no missing steps in {self.n_steps} steps (freq '{self.freq}')."
        spans = [_span(gap) for gap in self.gaps]
        return (
            f"{self.n_missing} missing steps of {self.n_steps} (freq '{self.freq}', "
            f"{self.n_absent} absent timestamps) in {len(self.gaps)} gaps; longest "
            f"{_span(self.longest)}. Gaps: {listing(spans)}."  # type: ignore[arg-type]
        )


def _span(gap: Gap) -> str:
    steps = f"{gap.length} step{'s' if gap.length > 1 else ''}"
    where = stamp(gap.start) if gap.length == 1 else f"{stamp(gap.start)} to {stamp(gap.end)}"
    return f"{where} ({steps})"


def runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and lengths of the runs of True in a boolean array.

    Example:
        >>> [r.tolist() for r in runs(np.array([1, 1, 0, 1, 0, 0, 1], dtype=bool))]
        [[0, 3, 6], [2, 1, 1]]
    """
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return starts, stops - starts


def find_gaps(data: Any, freq: Any = None) -> GapReport:
    """Find the missing steps of a series: absent timestamps and NaN values.

    Args:
        data: a Series or DataFrame indexed by time, with numeric columns.
        freq: the frequency; None infers it (see :func:`check_time_index`).

    Returns:
        A :class:`GapReport`: how many steps are missing, where, and the longest gap.

    Raises:
        DataError: the index is unsorted, duplicated or irregular, or a column is not
            numeric or holds an infinity.

    Example:
        >>> index = pd.date_range("2020-01-01", periods=6, freq="D").delete([2, 3])
        >>> print(find_gaps(pd.Series([1.0, 2.0, 5.0, np.nan], index=index)))
        3 missing steps of 6 (freq 'D', 2 absent timestamps) in 2 gaps; longest 2020-01-03 to 2020-01-04 (2 steps). Gaps: 2020-01-03 to 2020-01-04 (2 steps), 2020-01-06 (1 step).
    """
    full, inserted, offset = regular_frame(data, freq)
    isnan = full.isna()
    missing = isnan.any(axis=1).to_numpy()
    starts, lengths = runs(missing)
    gaps = tuple(
        Gap(full.index[s], full.index[s + n - 1], int(n), int(s))
        for s, n in zip(starts, lengths, strict=True)
    )
    by_column = {name: int(count) for name, count in isnan.sum().items()}
    return GapReport(
        offset.freqstr,
        len(full),
        int(missing.sum()),
        inserted,
        by_column,
        gaps,
        full.index,
        missing,
    )


def _mask(valid_mask: Any, n: int | None = None) -> np.ndarray:
    mask = np.asarray(valid_mask)
    if mask.ndim != 1:
        raise ShapeError(
            f"valid_mask must be 1-D (one flag per time step), got shape {mask.shape}."
        )
    if mask.dtype != bool:
        if mask.dtype.kind not in "iuf" or not np.isin(mask, (0, 1)).all():
            raise DataError(
                f"valid_mask must hold booleans (True = the step is present), got dtype "
                f"{mask.dtype}: pass e.g. frame.notna().all(axis=1).to_numpy()."
            )
        mask = mask.astype(bool)
    if n is not None and len(mask) != n:
        raise ShapeError(
            f"valid_mask has {len(mask)} flags but values has {n} time steps: expected one "
            "flag per step (row) of values."
        )
    return mask


def window_starts(valid_mask: Any, lookback: int, horizon: int = 1) -> np.ndarray:
    """Start positions of the windows whose ``lookback + horizon`` steps are all present.

    Args:
        valid_mask: one boolean per time step, True where the step is present (after the
            missing-steps policy), e.g. ``frame.notna().all(axis=1).to_numpy()``.
        lookback: input steps per window.
        horizon: output steps per window.

    Returns:
        The increasing start positions (int64); empty when no window fits.

    Raises:
        ConfigError: ``lookback`` or ``horizon`` is not an integer >= 1.
        ShapeError, DataError: ``valid_mask`` is not a 1-D boolean (or 0/1) array.

    Example:
        >>> window_starts([1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1], lookback=2, horizon=1).tolist()
        [0, 1, 5, 6]
    """
    lookback, horizon = _count("lookback", lookback, 1), _count("horizon", horizon, 1)
    mask = _mask(valid_mask)
    size = lookback + horizon
    if len(mask) < size:
        return np.zeros(0, dtype=np.int64)
    # missing_before[i] = missing steps among 0..i-1, so a window [s, s+size) is clean
    # when missing_before[s + size] == missing_before[s].
    missing_before = np.concatenate([[0], np.cumsum(~mask)])
    clean = missing_before[size:] == missing_before[:-size]  # (n - size + 1,)
    return np.flatnonzero(clean).astype(np.int64)


def _too_few(mask: np.ndarray, size: int, lookback: int, horizon: int) -> DataError:
    starts, lengths = runs(mask)
    if len(lengths) == 0:
        longest = "no step is present"
    else:
        at = int(np.argmax(lengths))
        longest = f"the longest run of present steps is {lengths[at]} (from step {starts[at]})"
    return DataError(
        f"no window of lookback + horizon = {size} consecutive present steps "
        f"(lookback={lookback}, horizon={horizon}) in {len(mask)} steps: {longest}. Fill "
        "more gaps (a larger limit, or MaskGaps), shorten lookback or horizon, or pass "
        "allow_empty=True to get 0 windows."
    )


def windows(
    values: Any,
    valid_mask: Any = None,
    lookback: int = 1,
    horizon: int = 1,
    *,
    targets: Any = None,
    features: Any = None,
    allow_empty: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut windows ``X`` and the ``horizon`` steps after them, skipping every gap.

    Window ``i`` starts at ``s = window_starts(valid_mask, lookback, horizon)[i]``:
    ``X[i]`` is rows ``[s, s + lookback)``, ``y[i]`` the target columns of rows
    ``[s + lookback, s + lookback + horizon)``. With no gaps this gives what
    :func:`lstmkit.data.to_samples` gives (with ``y`` always 3-D).

    Args:
        values: a 1-D or 2-D (time, variables) array, Series or DataFrame on a regular
            grid, with NaN (or any value) at missing steps.
        valid_mask: one boolean per row, True where present; None: rows with every
            value finite.
        lookback: input steps per window.
        horizon: output steps per window.
        targets: the target column(s) by position or name; None: every column.
        features: the input column(s); None: every column.
        allow_empty: return 0 windows instead of raising when none fits.

    Shape:
        X: ``(windows, lookback, features)``; y: ``(windows, horizon, targets)``.

    Returns:
        ``(X, y)`` as float arrays of the dtype of ``values``.

    Raises:
        ConfigError: a count is not an integer >= 1, or a column does not exist.
        DataError: no window fits (the longest run of present steps is named), or a
            step marked present holds NaN or an infinity.
        ShapeError: ``valid_mask`` does not match ``values``.

    Example:
        >>> series = [1.0, 2.0, 3.0, np.nan, 5.0, 6.0, 7.0]
        >>> X, y = windows(series, lookback=2, horizon=1)
        >>> X[:, :, 0].tolist(), y[:, :, 0].tolist()
        ([[1.0, 2.0], [5.0, 6.0]], [[3.0], [7.0]])
    """
    lookback, horizon = _count("lookback", lookback, 1), _count("horizon", horizon, 1)
    table, names = _table(values)
    width = table.shape[1]
    finite = np.isfinite(table).all(axis=1) if table.dtype.kind == "f" else None
    if valid_mask is None:
        mask = np.ones(len(table), dtype=bool) if finite is None else finite
    else:
        mask = _mask(valid_mask, len(table))
        if finite is not None and (mask & ~finite).any():
            row = int(np.argmax(mask & ~finite))
            raise DataError(
                f"valid_mask marks step {row} as present, but it holds NaN or an infinity: "
                "mark it missing, or fill it first."
            )
    starts = window_starts(mask, lookback, horizon)
    if len(starts) == 0 and not allow_empty:
        raise _too_few(mask, lookback + horizon, lookback, horizon)
    feature_cols = (
        list(range(width)) if features is None else _select(features, names, width, "features")
    )
    target_cols = (
        list(range(width)) if targets is None else _select(targets, names, width, "targets")
    )
    X = table[:, feature_cols][starts[:, None] + np.arange(lookback)]  # (windows, L, F)
    y = table[:, target_cols][starts[:, None] + lookback + np.arange(horizon)]  # (windows, H, T)
    return X, y
