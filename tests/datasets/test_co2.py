"""The bundled weekly Mauna Loa CO2 series matches its CSV, gaps included, and SOURCES.md."""

import csv
import datetime
import hashlib
import re
from importlib import resources

import pandas as pd

from lstmkit.datasets import co2_weekly

_FILE = "co2_weekly.csv"
_SHA256 = "16695fa2786e53414e5a6b54767a3fdf5de99cfbc68617f69d1362d92776a92f"  # SOURCES.md


def _csv_rows() -> list[dict[str, str]]:
    """The bundled file's rows as text, read with the csv module (not pandas)."""
    with resources.files("lstmkit.datasets").joinpath(_FILE).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _date(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.datetime.strptime(text, "%Y%m%d"))


def _recorded_sha256(file_name: str) -> str:
    """The digest SOURCES.md records in the section of ``file_name``."""
    sources = resources.files("lstmkit.datasets").joinpath("SOURCES.md").read_text("utf-8")
    section = sources.split(f"\n## {file_name}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"SHA-256 of the bundled file:\*\* `([0-9a-f]{64})`", section).group(1)


def test_shape_name_dtype_and_index():
    series = co2_weekly()
    assert isinstance(series, pd.Series) and series.name == "co2"
    assert series.shape == (2284,) and series.dtype == "float64"
    assert isinstance(series.index, pd.DatetimeIndex) and series.index.name == "date"
    assert series.index.freqstr == "W-SAT"
    assert series.index[0] == pd.Timestamp("1958-03-29")
    assert series.index[-1] == pd.Timestamp("2001-12-29")
    assert series.index.is_monotonic_increasing and series.index.is_unique
    assert set(series.index.day_name()) == {"Saturday"}


def test_index_and_values_match_the_csv_text():
    rows = _csv_rows()
    series = co2_weekly()
    assert len(rows) == len(series) == 2284
    assert list(series.index) == [_date(row["date"]) for row in rows]
    # Consecutive weeks: 2284 Saturdays span exactly 2283 weeks.
    assert (_date(rows[-1]["date"]) - _date(rows[0]["date"])).days == 7 * 2283
    observed = [(i, float(row["co2"])) for i, row in enumerate(rows) if row["co2"] != ""]
    # Exact (tolerance 0): both sides parse the same decimal text to the nearest float64.
    assert [(i, float(series.iloc[i])) for i, _ in observed] == observed
    assert float(series.iloc[0]) == 316.1 and float(series.iloc[-1]) == 371.5


def test_missing_weeks_are_kept_as_nan_where_the_csv_is_empty():
    rows = _csv_rows()
    empty_dates = [_date(row["date"]) for row in rows if row["co2"] == ""]
    series = co2_weekly()
    assert len(empty_dates) == int(series.isna().sum()) == 59
    assert list(series.index[series.isna()]) == empty_dates
    # The gaps SOURCES.md describes: 22 runs of empty weeks, the longest 18 from 1964-01-25.
    runs, start, length = [], None, 0
    for row in rows + [{"date": "", "co2": "end"}]:
        if row["co2"] == "":
            start, length = (start or row["date"]), length + 1
        elif length:
            runs.append((start, length))
            start, length = None, 0
    assert len(runs) == 22 and max(runs, key=lambda run: run[1]) == ("19640125", 18)


def test_each_call_returns_a_fresh_series():
    first = co2_weekly()
    first.iloc[0] = -1.0
    assert first.index[6] == pd.Timestamp("1958-05-10") and pd.isna(first.iloc[6])
    first.iloc[6] = 0.0  # a missing week, filled in this copy only
    second = co2_weekly()
    assert float(second.iloc[0]) == 316.1 and pd.isna(second.iloc[6])
    assert int(second.isna().sum()) == 59


def test_sha256_matches_the_one_recorded_in_sources():
    data = resources.files("lstmkit.datasets").joinpath(_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == _recorded_sha256(_FILE) == _SHA256
