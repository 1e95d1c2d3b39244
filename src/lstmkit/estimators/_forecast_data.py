"""The forecaster's input: a dated series (or CSV) with targets and covariates, checked.

Everything becomes one float frame on the series' regular grid (absent timestamps are
NaN rows, for the missing-steps policy), with the columns sorted into three roles:

- targets: what is forecast;
- past covariates: observed up to the forecast origin only (weather readings);
- future covariates: known ahead (calendar features, planned prices); rows past the
  end of ``y`` are kept, so ``predict`` can read them without being given them again.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data import read_time_series_csv
from lstmkit.data._time_index import check_time_index, stamp
from lstmkit.errors import ConfigError, DataError, ShapeError, did_you_mean


@dataclass(frozen=True)
class SeriesRoles:
    """The column names of each role, in the frame's order.

    Example:
        >>> SeriesRoles(["load"], [], ["month"]).inputs
        ['load', 'month']
    """

    targets: list[str]
    past: list[str]
    future: list[str]

    @property
    def inputs(self) -> list[str]:
        """Every column the model reads."""
        return [*self.targets, *self.past, *self.future]


@dataclass(frozen=True)
class SeriesData:
    """The checked data: ``frame`` on the grid up to the end of ``y``, and what is known ahead.

    Example:
        >>> index = pd.date_range("2000-01", periods=3, freq="MS")
        >>> data = read_series(pd.Series([1.0, 2.0, 3.0], index=index, name="v"))
        >>> data.frame["v"].tolist(), data.freq.freqstr
        ([1.0, 2.0, 3.0], 'MS')
    """

    frame: pd.DataFrame
    roles: SeriesRoles
    freq: pd.DateOffset
    future_ahead: pd.DataFrame  # future covariates after the end of y (may be empty)


def read_series(
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    *,
    time_column: str | None = None,
    target: Any = None,
    freq: Any = None,
) -> SeriesData:
    """Check ``y`` and the covariates and put them on one regular grid.

    Args:
        y: a Series or DataFrame with a DatetimeIndex, or the path of a CSV file with a
            time column.
        past_covariates, future_covariates: a DataFrame (or Series) with a DatetimeIndex,
            or the names of columns of ``y``.
        time_column: the CSV's time column (default: its first column).
        target: the target column(s); default: every column of ``y`` not named a covariate.
        freq: the frequency; None infers it.

    Example:
        >>> index = pd.date_range("2000-01", periods=4, freq="MS")
        >>> frame = pd.DataFrame({"load": [1.0, 2, 3, 4], "month": [1.0, 2, 3, 4]}, index)
        >>> read_series(frame, future_covariates=["month"]).roles
        SeriesRoles(targets=['load'], past=[], future=['month'])
    """
    frame = _as_frame(y, time_column)
    check_numeric_columns(frame)
    past_frame, past = _covariates(past_covariates, frame, "past_covariates")
    future_frame, future = _covariates(future_covariates, frame, "future_covariates")
    _check_roles_apart(past, future)
    targets = _targets(target, frame, [*past, *future])
    checked = check_time_index(frame, freq)
    grid = checked.full_index()
    frame = frame.reindex(grid)
    future_ahead = pd.DataFrame(index=pd.DatetimeIndex([], freq=checked.freq), columns=future)
    if past_frame is not None:
        frame = frame.join(_on_grid(past_frame, grid, "past_covariates", ahead=False))
    if future_frame is not None:
        on_grid = _on_grid(future_frame, grid, "future_covariates", ahead=True)
        frame = frame.join(on_grid.loc[: grid[-1]])
        future_ahead = on_grid.loc[grid[-1] :].iloc[1:]
    frame = frame[[*targets, *past, *future]].astype(np.float64)
    frame.index.freq = checked.freq
    _check_columns(frame)
    return SeriesData(frame, SeriesRoles(targets, past, future), checked.freq, future_ahead)


def _as_frame(y: Any, time_column: str | None) -> pd.DataFrame:
    if isinstance(y, (str, Path)):
        path = Path(y)
        column = time_column if time_column is not None else _first_column(path)
        return read_time_series_csv(path, column)
    if isinstance(y, pd.Series):
        frame = y.to_frame(name=y.name if y.name is not None else "y")
    elif isinstance(y, pd.DataFrame):
        frame = y.copy()
    else:
        raise ShapeError(
            f"y must be a pandas Series or DataFrame with a DatetimeIndex, got "
            f"{type(y).__name__}: e.g. pd.Series(values, index=pd.date_range(...)), or the "
            "path of a CSV file with a time column"
        )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ShapeError(
            f"y must have a DatetimeIndex, got {type(frame.index).__name__}: set one with "
            "y.index = pd.to_datetime(...) or y.set_index('time column')"
        )
    frame.columns = [str(name) for name in frame.columns]
    return frame


def _first_column(path: Path) -> str:
    """The header's first name: the time column when none is named."""
    if not path.is_file():
        raise DataError(f"data file '{path}' does not exist: check the path")
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise DataError(f"{path}: the file is empty: expected a header row naming the columns")
    return header[0]


def _covariates(given: Any, frame: pd.DataFrame, role: str) -> tuple[Any, list[str]]:
    """``(separate frame or None, names)``; names of ``y``'s columns are taken from it."""
    if given is None:
        return None, []
    if isinstance(given, str):
        given = [given]
    if isinstance(given, (list, tuple)):
        names = [str(name) for name in given]
        for name in names:
            if name not in frame.columns:
                raise ConfigError(
                    f"{role} names column '{name}', which y does not have; y's columns are "
                    f"{list(frame.columns)}.{did_you_mean(name, list(frame.columns))}"
                )
        return None, names
    if isinstance(given, pd.Series):
        given = given.to_frame(name=given.name if given.name is not None else role)
    if not isinstance(given, pd.DataFrame) or not isinstance(given.index, pd.DatetimeIndex):
        raise ShapeError(
            f"{role} must be a DataFrame with a DatetimeIndex or a list of y's column names, "
            f"got {type(given).__name__}"
        )
    covariates = given.copy()
    covariates.columns = [str(name) for name in covariates.columns]
    check_numeric_columns(covariates, role)
    clash = [name for name in covariates.columns if name in frame.columns]
    if clash:
        raise ConfigError(
            f"{role} has column(s) {clash} that y has too: rename them, or name y's columns "
            f"in {role}=[...] instead of passing a frame"
        )
    return covariates, list(covariates.columns)


def check_strategy_roles(strategy: str, roles: SeriesRoles) -> None:
    """Refuse past covariates with the recursive strategy (CONTRACTS §10).

    Example:
        >>> check_strategy_roles("recursive", SeriesRoles(["load"], [], ["month"]))
    """
    if roles.past and strategy == "recursive":
        raise ConfigError(
            f"the recursive strategy cannot use past covariates {roles.past}: it feeds its "
            "own forecasts back, and their future values are unknown. Make them targets so "
            "they are forecast too (leave them in y), pass them as future_covariates if "
            "they are known ahead, or use strategy='direct'"
        )


def _check_roles_apart(past: list[str], future: list[str]) -> None:
    both = [name for name in past if name in future]
    if both:
        raise ConfigError(
            f"column(s) {both} are named both past and future covariates: a column is known "
            "ahead (future_covariates) or observed only up to now (past_covariates), not both"
        )


def _targets(target: Any, frame: pd.DataFrame, covariates: list[str]) -> list[str]:
    if target is None:
        names = [name for name in frame.columns if name not in covariates]
    else:
        names = [str(target)] if isinstance(target, str) else [str(name) for name in target]
    for name in names:
        if name not in frame.columns:
            raise ConfigError(
                f"target '{name}' is not a column of y; y's columns are {list(frame.columns)}."
                f"{did_you_mean(name, list(frame.columns))}"
            )
        if name in covariates:
            raise ConfigError(f"column '{name}' is named both a target and a covariate")
    if not names:
        raise ConfigError(
            "y has no target column left once the covariates are taken out: name the "
            "target with target='column'"
        )
    return names


def _on_grid(covariates: pd.DataFrame, grid: pd.DatetimeIndex, role: str, ahead: bool):
    """The covariates on ``y``'s grid; future ones may run past its end, on the same grid."""
    checked = check_time_index(covariates, grid.freq)
    end = max(grid[-1], checked.index[-1]) if ahead else grid[-1]
    full = pd.date_range(grid[0], end, freq=grid.freq)
    absent = grid[~grid.isin(checked.index)]
    if len(absent):
        raise DataError(
            f"{role} has no row for {len(absent)} of y's timestamps, the first "
            f"{stamp(absent[0])}: give a row for every timestamp of y (NaN where unknown)"
        )
    return covariates.reindex(full)


def _check_columns(frame: pd.DataFrame) -> None:
    for name in frame.columns:
        if frame[name].isna().all():
            raise DataError(f"column {name!r} of y holds no values (all NaN): drop it")


def check_numeric_columns(frame: pd.DataFrame, owner: str = "y") -> None:
    """Raise for a column that is not numbers (before any cast hides it).

    Example:
        >>> check_numeric_columns(pd.DataFrame({"v": [True, False]}))
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: column 'v' of y is not numeric (dtype bool): forecast numeric columns only
    """
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise DataError(
                f"column {name!r} of {owner} is not numeric (dtype {column.dtype}): "
                "forecast numeric columns only"
            )


def future_rows(
    data_ahead: pd.DataFrame, given: Any, names: list[str], start: pd.Timestamp, steps: int, freq
) -> np.ndarray:
    """The known-future covariates for ``steps`` timestamps from ``start``, as ``(steps, k)``.

    Rows come from ``given`` (a DataFrame passed to ``predict``) where it has them, else
    from the rows seen at fit; a missing row or value is an error naming the timestamps.

    Example:
        >>> ahead = pd.DataFrame({"m": [1.0, 2.0]}, pd.date_range("2001-01", periods=2, freq="MS"))
        >>> future_rows(ahead, None, ["m"], pd.Timestamp("2001-01-01"), 2, ahead.index.freq)
        array([[1.],
               [2.]])
    """
    wanted = pd.date_range(start, periods=steps, freq=freq)
    rows = data_ahead.reindex(wanted)
    if given is not None:
        frame = given.to_frame() if isinstance(given, pd.Series) else given
        if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
            raise ShapeError(
                "future_covariates must be a DataFrame with a DatetimeIndex, got "
                f"{type(given).__name__}"
            )
        absent = [name for name in names if name not in frame.columns]
        if absent:
            raise DataError(
                f"future covariate(s) {absent} missing at prediction time: future_covariates "
                f"has columns {list(frame.columns)}; give {names}"
            )
        rows = frame[names].reindex(wanted).combine_first(rows)
    values = rows[names].to_numpy(dtype=np.float64)
    if np.isnan(values).any():
        missing = wanted[np.isnan(values).any(axis=1)]
        raise DataError(
            f"future covariate(s) {names} missing at prediction time for {len(missing)} of the "
            f"{steps} steps forecast, the first {stamp(missing[0])}: pass "
            f"predict(future_covariates=frame) with rows from {stamp(wanted[0])} to "
            f"{stamp(wanted[-1])}"
        )
    return values
