"""The bundled quarterly US macro data matches its CSV and SOURCES.md, quarter by quarter."""

import csv
import hashlib
import math
import re
from importlib import resources

import pandas as pd

from lstmkit.datasets import us_macro

_FILE = "us_macro.csv"
_SHA256 = "3b5f61f2f53f6d01541345e62a7281666778897056fc430beb749ba172d252df"  # SOURCES.md
_VARIABLES = [
    "realgdp", "realcons", "realinv", "realgovt", "realdpi", "cpi",
    "m1", "tbilrate", "unemp", "pop", "infl", "realint",
]  # fmt: skip


def _csv_rows() -> list[dict[str, str]]:
    """The bundled file's rows as text, read with the csv module (not pandas)."""
    with resources.files("lstmkit.datasets").joinpath(_FILE).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _recorded_sha256(file_name: str) -> str:
    """The digest SOURCES.md records in the section of ``file_name``."""
    sources = resources.files("lstmkit.datasets").joinpath("SOURCES.md").read_text("utf-8")
    section = sources.split(f"\n## {file_name}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"SHA-256 of the bundled file:\*\* `([0-9a-f]{64})`", section).group(1)


def test_shape_columns_dtypes_and_index():
    frame = us_macro()
    assert isinstance(frame, pd.DataFrame) and frame.shape == (203, 12)
    assert list(frame.columns) == _VARIABLES
    assert all(dtype == "float64" for dtype in frame.dtypes)
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "quarter"
    assert frame.index.freqstr == "QS-JAN"
    assert frame.index[0] == pd.Timestamp("1959-01-01")  # 1959Q1, labelled by its first day
    assert frame.index[-1] == pd.Timestamp("2009-07-01")  # 2009Q3
    assert frame.index.is_monotonic_increasing and frame.index.is_unique


def test_index_follows_the_year_and_quarter_columns_of_the_csv():
    rows = _csv_rows()
    index = us_macro().index
    assert len(rows) == len(index) == 203
    # Quarter q of year y starts on the first day of month 3q - 2, worked out by hand.
    expected = [pd.Timestamp(int(row["year"]), 3 * int(row["quarter"]) - 2, 1) for row in rows]
    assert list(index) == expected
    quarter_numbers = [4 * int(row["year"]) + int(row["quarter"]) for row in rows]
    assert quarter_numbers == list(range(quarter_numbers[0], quarter_numbers[0] + 203))


def test_values_match_the_csv_text():
    rows = _csv_rows()
    frame = us_macro()
    for column in _VARIABLES:
        expected = [float(row[column]) if row[column] != "" else None for row in rows]
        got = [None if math.isnan(value) else value for value in frame[column]]
        # Exact (tolerance 0): both sides parse the same decimal text to the nearest float64.
        assert got == expected, column
    assert float(frame["realgdp"].iloc[0]) == 2710.349
    assert float(frame["realgdp"].iloc[-1]) == 12990.341


def test_only_the_undefined_first_inflation_and_real_rate_are_missing():
    rows = _csv_rows()
    empty_cells = [
        (i, name) for i, row in enumerate(rows) for name in _VARIABLES if row[name] == ""
    ]
    frame = us_macro()
    assert empty_cells == [(0, "infl"), (0, "realint")]
    assert int(frame.isna().sum().sum()) == len(empty_cells) == 2
    assert frame.iloc[0][["infl", "realint"]].isna().all()
    # Why those two are undefined: infl needs the previous CPI. Everywhere else the
    # definitions SOURCES.md quotes hold to the file's two decimals (tolerance 0.01).
    for previous, row in zip(rows, rows[1:]):
        inflation = 400 * math.log(float(row["cpi"]) / float(previous["cpi"]))
        assert abs(inflation - float(row["infl"])) <= 0.01 + 1e-9, row
        real_rate = float(row["tbilrate"]) - float(row["infl"])
        assert abs(real_rate - float(row["realint"])) <= 0.01 + 1e-9, row


def test_each_call_returns_a_fresh_frame():
    first = us_macro()
    first.iloc[0, 0] = -1.0
    first.loc[first.index[0], "infl"] = 0.0
    first["extra"] = 1.0
    second = us_macro()
    assert float(second["realgdp"].iloc[0]) == 2710.349 and pd.isna(second["infl"].iloc[0])
    assert list(second.columns) == _VARIABLES


def test_sha256_matches_the_one_recorded_in_sources():
    data = resources.files("lstmkit.datasets").joinpath(_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == _recorded_sha256(_FILE) == _SHA256
