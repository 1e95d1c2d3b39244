"""Many series for one forecaster: a dict, a list or a long frame, split into checked series.

Three ways to give a panel, all ending as ``{series id: one series}`` in a fixed order:

```
dict   {"north": frame, "south": frame}          ids: the keys, in the dict's order
list   [frame, frame, frame]                     ids: 0, 1, 2
long   id_column="store"                         ids: the column's values, first seen first
       store  sales            (DatetimeIndex, a DatetimeIndex level of a (store, time)
       a      1.0               MultiIndex, or the column named time_column=...)
       b      7.0
```

Every series then goes through the single-series reader on its own; errors it raises
name the series they are about. Static covariates are one row of numbers per series.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, DataError, LstmkitError, ShapeError
from lstmkit.estimators._forecast_data import SeriesData


def is_panel_input(y: Any, id_column: Any) -> bool:
    """Whether ``y`` holds many series: a dict, a list, or anything with ``id_column`` set.

    Example:
        >>> is_panel_input({"a": None}, None), is_panel_input(pd.Series(dtype=float), None)
        (True, False)
    """
    return isinstance(y, (dict, list, tuple)) or id_column is not None


def panel_series(y: Any, id_column: Any = None, time_column: Any = None) -> dict[Any, Any]:
    """``{series id: series}`` from a dict, a list, or a long frame (or CSV) with ``id_column``.

    Raises:
        DataError: no series at all.
        ConfigError: an id that is not a string or an integer; a long frame without
            the id column (or the time column named).

    Example:
        >>> index = pd.date_range("2000-01", periods=2, freq="MS")
        >>> long = pd.DataFrame({"store": ["a", "b"], "sales": [1.0, 2.0]}, index)
        >>> {key: frame["sales"].tolist() for key, frame in panel_series(long, "store").items()}
        {'a': [1.0], 'b': [2.0]}
    """
    if isinstance(y, dict):
        series = {series_id(key, "y"): value for key, value in y.items()}
    elif isinstance(y, (list, tuple)):
        series = dict(enumerate(y))
    else:
        series = split_long_frame(_long_frame(y, id_column, time_column), id_column, time_column)
    if not series:
        raise DataError(
            "y holds no series: give a dict {series id: series}, a list of series, or a "
            "long frame with id_column, holding at least one series"
        )
    return series


def series_id(value: Any, owner: str) -> Any:
    """A series id as a plain ``str`` or ``int`` (they name rows of forecasts and files).

    Example:
        >>> series_id(np.int64(3), "y"), series_id("north", "y")
        (3, 'north')
    """
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ConfigError(
        f"series ids must be strings or integers, got {value!r} ({type(value).__name__}) in "
        f"{owner}: they name the series in the forecast's index and in the model file"
    )


def _long_frame(y: Any, id_column: Any, time_column: Any) -> pd.DataFrame:
    if isinstance(y, (str, Path)):
        if not Path(y).is_file():
            raise DataError(f"data file '{y}' does not exist: check the path")
        frame = pd.read_csv(y)
        # A CSV's timestamps are a column: time_column's, else the first (as for one series).
        return _time_from_column(frame, frame.columns[0] if time_column is None else time_column)
    if not isinstance(y, pd.DataFrame):
        raise ShapeError(
            f"with id_column={id_column!r}, y must be a long DataFrame (or a CSV path) with "
            f"a column of series ids, got {type(y).__name__}: or pass a dict {{id: series}}"
        )
    return y


def split_long_frame(frame: pd.DataFrame, id_column: Any, time_column: Any) -> dict[Any, Any]:
    """One frame per id, indexed by time, in the order ids first appear.

    The ids are the column (or index level) ``id_column``; the timestamps are the column
    ``time_column`` if there is one, else the DatetimeIndex (or the level left once the
    id level is taken out of a ``(id, time)`` MultiIndex).

    Example:
        >>> long = pd.DataFrame({"when": ["2000-01-01", "2000-02-01"], "id": [2, 1], "v": [5.0, 6.0]})
        >>> {key: str(part.index[0].date()) for key, part in split_long_frame(long, "id", "when").items()}
        {2: '2000-01-01', 1: '2000-02-01'}
    """
    if isinstance(frame.index, pd.MultiIndex) and id_column in frame.index.names:
        frame = frame.reset_index(level=id_column)  # (id, time) -> a time index and an id column
    if time_column is not None and time_column in frame.columns:
        frame = _time_from_column(frame, time_column)
    if id_column not in frame.columns:
        raise ConfigError(
            f"id_column={id_column!r} is not a column or index level of the long frame; its "
            f"columns are {list(frame.columns)}: name the column that holds the series ids, "
            "or pass a dict {series id: series} instead"
        )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ShapeError(
            "a long frame needs its timestamps as a DatetimeIndex, as a DatetimeIndex level "
            f"beside the {id_column!r} level, or in a column named by time_column=..., got a "
            f"{type(frame.index).__name__}"
        )
    ids = frame[id_column]
    if ids.isna().any():
        raise DataError(
            f"id column {id_column!r} has {int(ids.isna().sum())} missing ids: give every "
            "row the id of its series"
        )
    parts = frame.drop(columns=id_column).groupby(ids.to_numpy(), sort=False)
    return {series_id(key, f"column {id_column!r}"): part for key, part in parts}


def _time_from_column(frame: pd.DataFrame, time_column: Any) -> pd.DataFrame:
    if time_column not in frame.columns:
        raise ConfigError(
            f"time_column={time_column!r} is not a column of the long frame; its columns are "
            f"{list(frame.columns)}: name the column that holds the timestamps"
        )
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(frame[time_column]), name=time_column)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"column {time_column!r} of the long frame does not hold timestamps ({exc}): "
            "name the time column with time_column='...'"
        ) from exc
    return frame.drop(columns=time_column).set_index(stamps)


@contextmanager
def naming_series(key: Any) -> Iterator[None]:
    """Re-raise an lstmkit error from inside with the series' id in front of its message.

    Example:
        >>> with naming_series("north"):
        ...     raise DataError("y has 3 steps")
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: series 'north': y has 3 steps
    """
    try:
        yield
    except LstmkitError as exc:
        raise type(exc)(f"series {key!r}: {exc}") from exc


def per_series(given: Any, key: Any, role: str) -> Any:
    """The covariates of series ``key``: a dict gives each its own, anything else is shared.

    Names of ``y``'s columns and a dated frame (a calendar) apply to every series.

    Example:
        >>> per_series({"a": ["x"], "b": None}, "a", "past_covariates")
        ['x']
    """
    if not isinstance(given, dict):
        return given
    by_id = {series_id(name, role): value for name, value in given.items()}
    if key not in by_id:
        raise ConfigError(
            f"{role} as a dict has no entry for this series; it has ids {list(by_id)}: give "
            "one entry per series (None for a series without them)"
        )
    return by_id[key]


def check_same_layout(datas: dict[Any, SeriesData]) -> None:
    """Raise unless every series has the same frequency and the same columns in each role.

    Example:
        >>> from lstmkit.estimators._forecast_data import read_series
        >>> a = read_series(pd.Series([1.0, 2, 3], pd.date_range("2000", periods=3, freq="MS")))
        >>> b = read_series(pd.Series([1.0, 2, 3], pd.date_range("2000", periods=3, freq="D")))
        >>> check_same_layout({"a": a, "b": b})
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: the series have different frequencies: 'a' is 'MS', 'b' is 'D': give every series the same frequency (resample them first), or fit one forecaster per frequency
    """
    freqs = {key: data.freq.freqstr for key, data in datas.items()}
    if len(set(freqs.values())) > 1:
        listed = ", ".join(f"{key!r} is {freq!r}" for key, freq in freqs.items())
        raise DataError(
            f"the series have different frequencies: {listed}: give every series the same "
            "frequency (resample them first), or fit one forecaster per frequency"
        )
    layouts = {key: _layout(data) for key, data in datas.items()}
    first_key, first = next(iter(layouts.items()))
    differing = [key for key, layout in layouts.items() if layout != first]
    if differing:
        listed = "; ".join(f"{key!r} has {layouts[key]}" for key in [first_key, *differing])
        raise DataError(
            f"the series have different columns: {listed}: give every series the same "
            "column names in every role (one model reads them all alike)"
        )


def _layout(data: SeriesData) -> dict[str, list[str]]:
    roles = data.roles
    return {
        "targets": sorted(roles.targets),
        "past": sorted(roles.past),
        "future": sorted(roles.future),
    }


def read_static(static: Any, ids: list[Any]) -> pd.DataFrame | None:
    """Static covariates as a float frame with one row per series, in the order of ``ids``.

    Raises:
        ShapeError: not a DataFrame (or Series) indexed by series id.
        DataError: duplicate, missing or extra ids; a non-numeric or missing value.

    Example:
        >>> static = pd.DataFrame({"size": [3.0, 1.0]}, index=["b", "a"])
        >>> read_static(static, ["a", "b"])["size"].tolist()
        [1.0, 3.0]
    """
    if static is None:
        return None
    if isinstance(static, pd.Series):
        static = static.to_frame(name=static.name if static.name is not None else "static")
    if not isinstance(static, pd.DataFrame):
        raise ShapeError(
            "static_covariates must be a DataFrame indexed by series id (one row per series, "
            f"numeric columns), got {type(static).__name__}"
        )
    keys = [series_id(key, "static_covariates") for key in static.index]
    _check_static_ids(keys, ids)
    for name in static.columns:
        column = static[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise DataError(
                f"static covariate {str(name)!r} is not numeric (dtype {column.dtype}): encode "
                "it as numbers first (e.g. pd.get_dummies for categories)"
            )
    frame = pd.DataFrame(
        static.to_numpy(np.float64),
        index=pd.Index(keys, dtype=object),
        columns=[str(c) for c in static.columns],
    ).loc[ids]
    if frame.isna().to_numpy().any():
        raise DataError(
            "static_covariates has missing values: give every series a value in every column"
        )
    return frame


def _check_static_ids(keys: list[Any], ids: list[Any]) -> None:
    duplicates = sorted({key for key in keys if keys.count(key) > 1}, key=str)
    if duplicates:
        raise DataError(
            f"static_covariates has duplicate ids {duplicates}: give one row per series"
        )
    missing = [key for key in ids if key not in keys]
    extra = [key for key in keys if key not in ids]
    if missing or extra:
        raise DataError(
            f"static_covariates must have one row per series of y: missing ids {missing}, "
            f"extra ids {extra}: index it by the series ids {ids}"
        )
