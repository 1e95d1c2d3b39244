"""Reading a time series from a CSV file: a time column and numeric value columns.

Every cell is read as text first, so that the first bad timestamp or number can be
named by its row (counting from 1 after the header) with a suggested fix, rather
than silently becoming NaN:

```
date,co2             the header names the time column and the value columns
1958-03-29,316.1     row 1
1958-04-05,          row 2: an empty cell is NaN, a missing value
1958-04-12,NA        row 3: an error naming row 3, unless na_values lists 'NA'
```
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lstmkit.data._files import read_table
from lstmkit.errors import DataError, did_you_mean


def _parse_times(path: Path, text: pd.Series, name: str, date_format: str | None) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format": the bad row is reported below
        times = pd.to_datetime(text.str.strip(), format=date_format, errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy())
    if len(bad):
        row, cell = int(bad[0]), text.iloc[int(bad[0])]
        what = "no timestamp" if pd.isna(cell) else f"a value that is not a date: {cell!r}"
        fix = (
            f"check it against date_format={date_format!r}"
            if date_format
            else "give the format with date_format (e.g. '%d/%m/%Y'), or 'mixed' for mixed formats"
        )
        raise DataError(
            f"{path}: time column '{name}' has {what} at row {row + 1} ({len(bad)} bad row(s) "
            f"in all): {fix}."
        )
    return times


def _parse_numbers(path: Path, text: pd.Series, name: str, na_values: Sequence[str]) -> pd.Series:
    text = text.str.strip()
    text = text.where(~text.isin(list(na_values)))
    numbers = pd.to_numeric(text, errors="coerce").astype(np.float64)
    not_number = numbers.isna() & text.notna()
    if not_number.any():
        row = int(np.argmax(not_number.to_numpy()))
        cell = text.iloc[row]
        hint = (
            " (use '.' as the decimal mark)"
            if "," in cell
            else f" (if it marks a missing value, pass na_values=['', {cell!r}])"
        )
        raise DataError(f"{path}: column '{name}' not numeric at row {row + 1}: {cell!r}{hint}")
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        row = int(np.argmax(infinite))
        raise DataError(
            f"{path}: column '{name}' has a non-finite value at row {row + 1}: "
            f"{text.iloc[row]!r}: expected a finite number, or an empty cell for a missing value."
        )
    if numbers.isna().all():
        raise DataError(
            f"{path}: column '{name}' has no values (every cell is missing): drop it with "
            "columns=[...], or fill it."
        )
    return numbers


def read_time_series_csv(
    path: str | Path,
    time_column: str,
    columns: Sequence[str] | None = None,
    *,
    date_format: str | None = None,
    na_values: Sequence[str] = ("",),
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> pd.DataFrame:
    """Read a CSV with a time column into a float frame indexed by a DatetimeIndex.

    Cells are read as text, so a literal ``NA`` is an error unless listed in
    ``na_values``; empty cells are missing values (NaN). Rows stay in file order:
    check the index with :func:`check_time_index`. Rows count from 1 after the header.

    Args:
        path: the CSV file; its first row names the columns.
        time_column: the column holding the timestamps.
        columns: the value columns to keep (default: every other column).
        date_format: a ``strftime`` format for the timestamps (None: inferred; ``'mixed'``
            for mixed formats).
        na_values: the cell texts that mean "missing" (``''`` always does).
        encoding: the text encoding.
        delimiter: the field separator.

    Returns:
        A DataFrame of float64 columns, indexed by the time column.

    Raises:
        DataError: the file is unreadable or empty; a column is absent (the available
            ones are named); a timestamp does not parse (first bad row named); a value
            column is not numeric, holds an infinity, or is entirely missing.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "co2.csv"
        >>> _ = path.write_text("date,co2\\n1958-03-29,316.1\\n1958-04-05,\\n")
        >>> read_time_series_csv(path, "date")["co2"].tolist()
        [316.1, nan]
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file '{path}' does not exist: check the path")
    table = read_table(path, encoding, delimiter)
    available = list(table.columns)
    wanted = [name for name in available if name != time_column] if columns is None else columns
    for name in [time_column, *wanted]:
        if name not in available:
            role = "the time column" if name == time_column else "a value column"
            listed = ", ".join(f"'{n}'" for n in available)
            raise DataError(
                f"{path}: no column named '{name}' ({role}); the columns are {listed}."
                f"{did_you_mean(name, available)}"
            )
    if not wanted:
        raise DataError(f"{path}: no value columns besides the time column '{time_column}'.")
    times = _parse_times(path, table[time_column], time_column, date_format)
    frame = pd.DataFrame(
        {name: _parse_numbers(path, table[name], name, na_values) for name in wanted}
    )
    frame.index = pd.DatetimeIndex(times, name=time_column)
    return frame
