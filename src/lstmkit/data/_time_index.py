"""Checking, completing and resampling the time index of a series.

A series to forecast needs one row per time step, in order, on a regular grid:

```
timestamps  01-01  01-02  01-02  01-05  01-04       freq = "D"
problems           ^dup   ^dup   ^unsorted           -> DataError listing them
fixed       01-01  01-02  01-03  01-04  01-05       01-03 absent: a missing step,
                          (NaN)                      reported by find_gaps
```

Duplicated or unsorted timestamps and timestamps off the frequency's grid are errors
that list the offending timestamps; :func:`resample_series` is the explicit way out
(one row per bin, with a stated aggregation). Absent grid timestamps are *missing
steps*, not errors: :func:`regular_frame` inserts them as NaN rows for the policies.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstmkit.errors import ConfigError, DataError, did_you_mean, unknown_option

AGGREGATIONS = ("first", "last", "max", "mean", "min", "sum")
_SHOWN = 5  # offending timestamps listed in a message before "and N more"


@dataclass(frozen=True)
class TimeIndex:
    """A checked time index: sorted, unique, on the grid of ``freq``.

    Attributes:
        index: the index as given (absent steps are not inserted).
        freq: the frequency as a pandas offset.
        inferred: True when ``freq`` was inferred rather than given.

    Example:
        >>> checked = check_time_index(pd.date_range("2020-01-01", periods=3, freq="h"))
        >>> checked.freq.freqstr, checked.inferred
        ('h', True)
    """

    index: pd.DatetimeIndex
    freq: pd.DateOffset
    inferred: bool

    def full_index(self) -> pd.DatetimeIndex:
        """Every grid timestamp from the first to the last one (absent steps included)."""
        return pd.date_range(self.index[0], self.index[-1], freq=self.freq, name=self.index.name)


def stamp(timestamp: Any) -> str:
    """Write a timestamp for a message: the date alone when the time is midnight.

    Example:
        >>> stamp(pd.Timestamp("2020-01-03")), stamp(pd.Timestamp("2020-01-03 10:20"))
        ('2020-01-03', '2020-01-03 10:20:00')
    """
    timestamp = pd.Timestamp(timestamp)
    return str(timestamp.date()) if timestamp == timestamp.normalize() else str(timestamp)


def listing(items: Sequence[str]) -> str:
    """Join the first few items of a list, saying how many more there are.

    Example:
        >>> listing(["a", "b", "c", "d", "e", "f", "g"])
        'a, b, c, d, e and 2 more'
    """
    more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


def as_offset(freq: Any) -> pd.DateOffset:
    """Read a pandas frequency alias (``'D'``, ``'20min'``, ``'MS'``) or offset.

    Raises:
        ConfigError: ``freq`` is not a frequency pandas knows.

    Example:
        >>> as_offset("20min").freqstr
        '20min'
    """
    try:
        return to_offset(freq)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"freq={freq!r} is not a pandas frequency ({exc}): use an alias such as 'D' (day), "
            "'h' (hour), '20min', 'W' (week), 'MS' (month start) or 'ME' (month end)."
        ) from exc


def _datetime_index(data: Any) -> pd.DatetimeIndex:
    index = data.index if isinstance(data, (pd.Series, pd.DataFrame)) else data
    if not isinstance(index, pd.DatetimeIndex):
        kind = type(index).__name__
        raise DataError(
            f"expected a DatetimeIndex (one timestamp per row), got a {kind}: set the time "
            "column as the index, e.g. frame.set_index(pd.to_datetime(frame['date'])), or "
            "read the file with read_time_series_csv(path, time_column='date')."
        )
    if len(index) == 0:
        raise DataError("the time index is empty: expected at least one timestamp.")
    return index


def _order_problems(index: pd.DatetimeIndex) -> list[str]:
    """Describe missing (NaT), duplicated and out-of-order timestamps."""
    problems = []
    nat = np.flatnonzero(index.isna())
    if len(nat):
        positions = listing([str(p) for p in nat])
        problems.append(
            f"the time index has {len(nat)} missing timestamp(s) (NaT) at position(s) "
            f"{positions}: drop those rows or give them a timestamp."
        )
    index = index[~index.isna()]
    counts = index.value_counts(sort=False)
    twice = counts[counts > 1].sort_index()
    if len(twice):
        shown = [f"{stamp(t)} ({n} rows)" for t, n in twice.items()]
        problems.append(
            f"the time index has {len(twice)} duplicated timestamp(s): {listing(shown)}: keep "
            "one row per timestamp with frame[~frame.index.duplicated()], or aggregate them "
            "with resample_series(frame, rule, how='mean')."
        )
    values = index.asi8
    back = np.flatnonzero(values[1:] < values[:-1]) + 1
    if len(back):
        shown = [f"{stamp(index[p])} at position {p} (after {stamp(index[p - 1])})" for p in back]
        problems.append(
            f"the time index is not in increasing order: {len(back)} timestamp(s) come before "
            f"the one above them: {listing(shown)}: sort it with frame.sort_index()."
        )
    return problems


def off_grid(index: pd.DatetimeIndex, offset: pd.DateOffset) -> np.ndarray:
    """Positions of a sorted index's timestamps off ``offset``'s grid from the first one.

    Example:
        >>> index = pd.DatetimeIndex(["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 01:07"])
        >>> off_grid(index, as_offset("h")).tolist()
        [2]
    """
    if isinstance(offset, pd.offsets.Tick):
        # A fixed step: the grid is first + k * step, checked by arithmetic, not a huge range.
        elapsed = (index - index[0]).to_numpy().astype("timedelta64[ns]").astype(np.int64)
        step = int(pd.Timedelta(offset).value)
        return np.flatnonzero(elapsed % step != 0)
    grid = pd.date_range(index[0], index[-1], freq=offset)
    return np.flatnonzero(~index.isin(grid))


def _candidates(index: pd.DatetimeIndex) -> list[pd.DateOffset]:
    """Frequencies seen in short stretches of the index and its smallest step."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 warns that infer_freq will return an offset
        whole = pd.infer_freq(index)
        if whole is not None:
            return [to_offset(whole)]
        for size in (3, 7):  # 7 consecutive business days span a weekend: 'B', not 'D'
            starts = range(0, max(len(index) - size + 1, 0))
            for start in list(starts)[:: max(1, len(starts) // 200)]:
                guess = pd.infer_freq(index[start : start + size])
                if guess is not None:
                    found.append(to_offset(guess))
        steps = pd.Series(index[1:] - index[:-1])
        if len(steps) and steps.min() > pd.Timedelta(0):  # the smallest and the commonest step
            for step in (steps.min(), steps.mode().iloc[0]):
                found.append(_named_step(index[0], step))
    return list(dict.fromkeys(found))


def _named_step(start: pd.Timestamp, step: pd.Timedelta) -> pd.DateOffset:
    """A fixed step as pandas names it ('D' rather than '24h')."""
    return to_offset(pd.infer_freq(pd.DatetimeIndex([start, start + step, start + 2 * step])))


def _infer(index: pd.DatetimeIndex) -> pd.DateOffset:
    if len(index) < 3:
        raise DataError(
            f"cannot infer the frequency from {len(index)} timestamp(s): pandas needs at least "
            "3; pass freq, e.g. freq='D' or freq='MS'."
        )
    candidates = _candidates(index)
    fits = [offset for offset in candidates if len(off_grid(index, offset)) == 0]
    if fits:  # the coarsest grid that holds every timestamp (fewest missing steps)
        return min(fits, key=lambda offset: len(TimeIndex(index, offset, True).full_index()))
    if not candidates:
        raise DataError(
            "cannot infer the frequency of the time index: no stretch of it is regular. Pass "
            "freq, or resample it with resample_series(frame, rule, how='mean')."
        )
    best = min(candidates, key=lambda offset: len(off_grid(index, offset)))
    bad = off_grid(index, best)
    if len(bad) > len(index) // 2:  # no grid comes close: describe the steps instead
        steps = pd.Series(index[1:] - index[:-1])
        raise DataError(
            f"cannot infer the frequency of the time index: its steps are irregular, from "
            f"{steps.min()} to {steps.max()}. Pass freq, or resample to a regular grid with "
            "resample_series(frame, rule, how='mean')."
        )
    raise _irregular(index, best, bad, inferred=True)


def _irregular(
    index: pd.DatetimeIndex, offset: pd.DateOffset, bad: np.ndarray, inferred: bool
) -> DataError:
    shown = [f"{stamp(index[p])} (position {p})" for p in bad]
    head = (
        f"cannot infer the frequency of the time index: it is irregular; the closest "
        f"frequency is '{offset.freqstr}', but"
        if inferred
        else f"the time index does not fit freq='{offset.freqstr}':"
    )
    return DataError(
        f"{head} {len(bad)} timestamp(s) are off its grid starting at {stamp(index[0])}: "
        f"{listing(shown)}. Pass the right freq, or resample to a regular grid with "
        f"resample_series(frame, '{offset.freqstr}', how='mean')."
    )


def check_time_index(data: Any, freq: Any = None) -> TimeIndex:
    """Check that a time index is sorted, unique and regular; infer or check its frequency.

    Absent steps (a regular grid with holes) are allowed: they are missing steps for
    :func:`find_gaps`. With gaps, ``pd.infer_freq`` fails on the whole index, so the
    frequency is inferred from gap-free stretches (the coarsest one on whose grid
    every timestamp lies); pass ``freq`` when you know it.

    Args:
        data: a DatetimeIndex, or a Series or DataFrame indexed by one.
        freq: the expected frequency (``'D'``, ``'h'``, ``'20min'``, ``'MS'``); None infers it.

    Returns:
        The checked :class:`TimeIndex` (index, frequency, whether it was inferred).

    Raises:
        DataError: not a DatetimeIndex, empty, NaT, duplicated or unsorted timestamps
            (all listed at once), or timestamps off the frequency's grid (listed).
        ConfigError: ``freq`` is not a pandas frequency.

    Example:
        >>> index = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-02", "2020-01-05"])
        >>> check_time_index(index)
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: the time index has 1 duplicated timestamp(s): 2020-01-02 (2 rows): keep one row per timestamp with frame[~frame.index.duplicated()], or aggregate them with resample_series(frame, rule, how='mean').
        >>> check_time_index(index.unique()).freq.freqstr
        'D'
    """
    offset = None if freq is None else as_offset(freq)
    index = _datetime_index(data)
    problems = _order_problems(index)
    if problems:
        raise DataError("\n".join(problems))
    if offset is None:
        return TimeIndex(index, _infer(index), inferred=True)
    bad = off_grid(index, offset)
    if len(bad):
        raise _irregular(index, offset, bad, inferred=False)
    return TimeIndex(index, offset, inferred=False)


def regular_frame(data: Any, freq: Any = None) -> tuple[pd.DataFrame, int, pd.DateOffset]:
    """A float copy on the full grid (absent timestamps become NaN rows), checked.

    Returns:
        The frame (a Series becomes one column), the number of inserted rows, the freq.

    Example:
        >>> series = pd.Series([1.0, 3.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-03"]))
        >>> frame, inserted, freq = regular_frame(series, freq="D")
        >>> frame["value"].tolist(), inserted, freq.freqstr
        ([1.0, nan, 3.0], 1, 'D')
    """
    checked = check_time_index(data, freq)
    frame = as_frame(data)
    check_numeric(frame)
    full = frame.reindex(checked.full_index()).astype(np.float64)
    full.index.freq = checked.freq
    return full, len(full) - len(frame), checked.freq


def as_frame(data: Any) -> pd.DataFrame:
    """A copy of a Series (named ``'value'`` when unnamed) or DataFrame as a DataFrame.

    Example:
        >>> list(as_frame(pd.Series([1.0])).columns)
        ['value']
    """
    if isinstance(data, pd.Series):
        return data.to_frame("value" if data.name is None else data.name)
    if isinstance(data, pd.DataFrame):
        return data.copy()
    raise DataError(
        f"expected a pandas Series or DataFrame indexed by time, got {type(data).__name__}."
    )


def check_numeric(frame: pd.DataFrame) -> None:
    """Raise unless every column holds numbers and none holds an infinity.

    Example:
        >>> check_numeric(pd.DataFrame({"v": ["1", "x"]}))
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: column 'v' is not numeric (dtype str): convert it with pd.to_numeric, or drop it.
    """
    for name in frame.columns:
        column = frame[name]
        if not (pd.api.types.is_numeric_dtype(column) and column.dtype != bool):
            raise DataError(
                f"column {name!r} is not numeric (dtype {column.dtype}): convert it with "
                "pd.to_numeric, or drop it."
            )
        infinite = np.flatnonzero(np.isinf(column.to_numpy(dtype=np.float64)))
        if len(infinite):
            when = stamp(frame.index[infinite[0]])
            raise DataError(
                f"column {name!r} holds an infinite value at {when}: infinities are not "
                "missing steps; remove or clip them (or set them to NaN to treat them as gaps)."
            )


def _aggregate(resampler: Any, how: str) -> Any:
    if how == "sum":
        return resampler.sum(min_count=1)  # an empty bin is a missing step, not 0
    return getattr(resampler, how)()


def _check_how(how: Any, columns: list[Any]) -> dict[Any, str]:
    spec = dict(how) if isinstance(how, Mapping) else {name: how for name in columns}
    unknown = [name for name in spec if name not in columns]
    if unknown:
        known = ", ".join(repr(name) for name in columns)
        raise ConfigError(
            f"how names column(s) {', '.join(repr(n) for n in unknown)} that the data does not "
            f"have; the columns are {known}.{did_you_mean(str(unknown[0]), map(str, columns))}"
        )
    missing = [name for name in columns if name not in spec]
    if missing:
        raise ConfigError(
            f"how gives no aggregation for column(s) {', '.join(repr(n) for n in missing)}: "
            "name one for every column, or select the columns first."
        )
    for name, choice in spec.items():
        if choice not in AGGREGATIONS:
            raise unknown_option(f"aggregation for column {name!r}", choice, AGGREGATIONS)
    return spec


def resample_series(data: Any, rule: Any, how: str | Mapping[Any, str] = "mean") -> Any:
    """Resample to a regular ``rule`` with a stated aggregation (one row per bin).

    The explicit answer to duplicated, unsorted or irregular timestamps. An empty bin
    becomes NaN (also for ``'sum'``, which pandas would make 0): it is a missing step
    for :func:`find_gaps` and the missing-steps policies. Bins are labelled as pandas
    labels them (the bin's start, or its end for ``'ME'``, ``'W'``...).

    Args:
        data: a Series or DataFrame indexed by time, with numeric columns.
        rule: the target frequency, e.g. ``'h'``, ``'20min'``, ``'MS'``.
        how: ``'mean'``, ``'sum'``, ``'first'``, ``'last'``, ``'max'`` or ``'min'``, or a
            dict giving one of them for every column.

    Returns:
        A new Series or DataFrame (as given) on the regular grid of ``rule``.

    Raises:
        ConfigError: ``rule`` or an aggregation is unknown, or ``how`` does not match
            the columns.
        DataError: no DatetimeIndex, a NaT timestamp, or a non-numeric or infinite column.

    Example:
        >>> index = pd.DatetimeIndex(["2020-01-01 00:10", "2020-01-01 00:50", "2020-01-01 02:30"])
        >>> resample_series(pd.Series([1.0, 3.0, 5.0], index=index), "h", how="sum").tolist()
        [4.0, nan, 5.0]
    """
    offset = as_offset(rule)
    index = _datetime_index(data)
    if index.isna().any():
        raise DataError(_order_problems(index)[0])
    frame = as_frame(data)
    spec = _check_how(how, list(frame.columns))
    check_numeric(frame)
    resampler = frame.resample(offset)
    result = pd.concat({name: _aggregate(resampler[name], spec[name]) for name in spec}, axis=1)
    if isinstance(data, pd.Series):
        return result.iloc[:, 0].rename(data.name)
    return result
