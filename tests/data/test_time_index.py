"""The time index: checks that list what is wrong, frequency, resampling, reading a CSV."""

import re

import numpy as np
import pandas as pd
import pytest

# Imported from the private module until lstmkit.data re-exports these names.
from lstmkit.data._time_csv import read_time_series_csv
from lstmkit.data._time_index import check_time_index, resample_series
from lstmkit.errors import ConfigError, DataError


def days(*dates):
    return pd.DatetimeIndex(list(dates))


# --- check_time_index -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (pd.date_range("1949-01-01", periods=24, freq="MS"), "MS"),
        (pd.date_range("2020-01-01", periods=30, freq="20min"), "20min"),
        (pd.date_range("2020-01-05", periods=10, freq="W"), "W-SUN"),
        # with absent steps pd.infer_freq gives None; gap-free stretches still tell
        (pd.date_range("1949-01-01", periods=36, freq="MS").delete([5, 6, 20]), "MS"),
        (pd.bdate_range("2020-01-06", periods=40).delete([3, 10, 11]), "B"),
        (days("2020-01-01", "2020-01-02", "2020-01-04"), "D"),
        (days("2020-01-01", "2020-01-03", "2020-01-07"), "2D"),
    ],
)
def test_frequency_is_inferred_even_with_absent_steps(index, expected):
    checked = check_time_index(index)
    assert checked.freq.freqstr == expected and checked.inferred
    assert checked.index is index


def test_a_given_frequency_is_checked_and_accepts_absent_steps():
    frame = pd.DataFrame(
        {"v": [1.0, 2.0, 3.0]}, index=days("2020-01-01", "2020-01-02", "2020-01-05")
    )
    checked = check_time_index(frame, freq="D")
    assert checked.freq.freqstr == "D" and not checked.inferred
    assert len(checked.full_index()) == 5  # hand count: Jan 1..5


def test_duplicates_are_listed_with_their_counts():
    index = days(*[f"2020-01-{d:02d}" for d in (1, 2, 2, 3, 3, 3, 4)])
    message = (
        "the time index has 2 duplicated timestamp(s): 2020-01-02 (2 rows), 2020-01-03 (3 rows): "
        "keep one row per timestamp with frame[~frame.index.duplicated()], or aggregate them "
        "with resample_series(frame, rule, how='mean')."
    )
    with pytest.raises(DataError, match=f"^{re.escape(message)}$"):
        check_time_index(pd.Series(np.arange(7.0), index=index))


def test_many_duplicates_show_the_first_five_and_a_count():
    index = pd.date_range("2020-01-01", periods=8, freq="D").repeat(2)
    with pytest.raises(DataError, match=re.escape("2020-01-05 (2 rows) and 3 more: keep one row")):
        check_time_index(index)


def test_unsorted_nat_and_duplicates_are_reported_together():
    index = pd.DatetimeIndex(["2020-01-03", "2020-01-01", "2020-01-02", "2020-01-02", None])
    message = "\n".join(
        [
            "the time index has 1 missing timestamp(s) (NaT) at position(s) 4: drop those rows "
            "or give them a timestamp.",
            "the time index has 1 duplicated timestamp(s): 2020-01-02 (2 rows): keep one row per "
            "timestamp with frame[~frame.index.duplicated()], or aggregate them with "
            "resample_series(frame, rule, how='mean').",
            "the time index is not in increasing order: 1 timestamp(s) come before the one above "
            "them: 2020-01-01 at position 1 (after 2020-01-03): sort it with frame.sort_index().",
        ]
    )
    with pytest.raises(DataError, match=f"^{re.escape(message)}$"):
        check_time_index(index)


def test_timestamps_off_the_given_grid_are_listed():
    index = pd.DatetimeIndex(
        ["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 02:07", "2020-01-01 03:00"]
    )
    message = (
        "the time index does not fit freq='h': 1 timestamp(s) are off its grid starting at "
        "2020-01-01: 2020-01-01 02:07:00 (position 2). Pass the right freq, or resample to a "
        "regular grid with resample_series(frame, 'h', how='mean')."
    )
    with pytest.raises(DataError, match=f"^{re.escape(message)}$"):
        check_time_index(index, freq="h")
    with pytest.raises(DataError, match=re.escape("off its grid starting at 1949-01-15")):
        check_time_index(pd.date_range("1949-01-15", periods=3, freq="D"), freq="MS")


def test_an_irregular_index_names_the_closest_frequency_and_the_odd_timestamps():
    index = pd.DatetimeIndex(
        ["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 02:07", "2020-01-01 03:00",
         "2020-01-01 04:00"]
    )  # fmt: skip
    message = (
        "cannot infer the frequency of the time index: it is irregular; the closest frequency "
        "is 'h', but 1 timestamp(s) are off its grid starting at 2020-01-01: 2020-01-01 "
        "02:07:00 (position 2)."
    )
    with pytest.raises(DataError, match=f"^{re.escape(message)}"):
        check_time_index(index)


def test_timestamps_on_no_grid_are_described_by_their_steps():
    index = pd.DatetimeIndex(
        [
            "2020-01-01 00:00",
            "2020-01-01 01:13",
            "2020-01-01 05:02",
            "2020-01-01 05:40",
            "2020-01-01 09:00",
        ]
    )  # fmt: skip  (steps 73, 229, 38 and 200 minutes)
    message = (
        "cannot infer the frequency of the time index: its steps are irregular, from 0 days "
        "00:38:00 to 0 days 03:49:00. Pass freq, or resample to a regular grid with "
        "resample_series(frame, rule, how='mean')."
    )
    with pytest.raises(DataError, match=f"^{re.escape(message)}$"):
        check_time_index(index)


def test_a_daily_series_with_absent_days_is_not_irregular():
    index = days("2020-01-01", "2020-01-02", "2020-01-05", "2020-01-11", "2020-01-12")
    assert check_time_index(index).freq.freqstr == "D"


def test_other_index_errors():
    with pytest.raises(DataError, match=re.escape("expected a DatetimeIndex (one timestamp per row), got a RangeIndex: set the time column as the index")):  # fmt: skip
        check_time_index(pd.Series([1.0, 2.0]))
    with pytest.raises(DataError, match=re.escape("the time index is empty: expected at least one timestamp.")):  # fmt: skip
        check_time_index(pd.DatetimeIndex([]))
    with pytest.raises(DataError, match=re.escape("cannot infer the frequency from 2 timestamp(s): pandas needs at least 3; pass freq, e.g. freq='D' or freq='MS'.")):  # fmt: skip
        check_time_index(days("2020-01-01", "2020-01-02"))
    with pytest.raises(ConfigError, match=re.escape("freq='M' is not a pandas frequency (")):
        check_time_index(days("2020-01-31"), freq="M")


# --- resample_series ---------------------------------------------------------------------


def irregular_readings():
    index = pd.DatetimeIndex(
        [
            "2020-01-01 00:10",
            "2020-01-01 00:50",
            "2020-01-01 00:50",
            "2020-01-01 03:30",
            "2020-01-01 03:05",
        ]
    )  # fmt: skip  (a duplicate, a reversed pair and an empty hour, 01:00-02:59)
    return pd.DataFrame(
        {"flow": [1.0, 3.0, 5.0, 7.0, 9.0], "rain": [0.0, 1.0, 0.0, 2.0, 2.0]}, index=index
    )


def test_resampling_aggregates_each_bin_and_leaves_empty_bins_missing():
    frame = irregular_readings()
    before = frame.copy()
    out = resample_series(frame, "h", how={"flow": "mean", "rain": "sum"})
    assert list(out.index) == list(pd.date_range("2020-01-01", periods=4, freq="h"))
    # hand: 00h flow (1+3+5)/3, rain 0+1+0; 01h, 02h empty; 03h flow (9+7)/2 (order-free), rain 4
    np.testing.assert_allclose(out["flow"], [3.0, np.nan, np.nan, 8.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["rain"], [1.0, np.nan, np.nan, 4.0], rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    assert check_time_index(out).freq.freqstr == "h"


@pytest.mark.parametrize(
    ("how", "expected"),
    [("first", [1.0, 9.0]), ("last", [5.0, 7.0]), ("max", [5.0, 9.0]), ("min", [1.0, 7.0])],
)
def test_every_aggregation_on_a_series(how, expected):
    series = irregular_readings()["flow"]
    out = resample_series(series, "2h", how=how)
    assert isinstance(out, pd.Series) and out.name == "flow"
    # 'first'/'last' follow row order after a stable sort by time: 03:05 (9) then 03:30 (7)
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=0, atol=0)


def test_resampling_errors():
    frame = irregular_readings()
    with pytest.raises(ConfigError, match=re.escape("unknown aggregation for column 'flow' 'avg': expected one of 'first', 'last', 'max', 'mean', 'min', 'sum'.")):  # fmt: skip
        resample_series(frame, "h", how="avg")
    with pytest.raises(ConfigError, match=re.escape("how names column(s) 'flwo' that the data does not have; the columns are 'flow', 'rain'. Did you mean 'flow'?")):  # fmt: skip
        resample_series(frame, "h", how={"flwo": "mean", "rain": "sum"})
    with pytest.raises(ConfigError, match=re.escape("how gives no aggregation for column(s) 'rain': name one for every column, or select the columns first.")):  # fmt: skip
        resample_series(frame, "h", how={"flow": "mean"})
    with pytest.raises(ConfigError, match=re.escape("freq='hour' is not a pandas frequency")):
        resample_series(frame, "hour")
    text = frame.assign(rain=["a", "b", "c", "d", "e"])
    with pytest.raises(DataError, match=re.escape("column 'rain' is not numeric (dtype")):
        resample_series(text, "h")
    with pytest.raises(DataError, match=re.escape("column 'flow' holds an infinite value at 2020-01-01 00:50:00: infinities are not missing steps")):  # fmt: skip
        resample_series(frame.assign(flow=[1.0, np.inf, 1.0, 1.0, 1.0]), "h")


# --- read_time_series_csv ------------------------------------------------------------------


def write(tmp_path, text, name="series.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reading_a_csv_gives_a_float_frame_indexed_by_time(tmp_path):
    path = write(
        tmp_path, "date,co2,note_code\n1958-03-29,316.1,1\n1958-04-05,,2\n1958-04-12,317.5,3\n"
    )
    frame = read_time_series_csv(path, "date")
    assert list(frame.columns) == ["co2", "note_code"] and frame.index.name == "date"
    assert list(frame.index) == list(pd.date_range("1958-03-29", periods=3, freq="7D"))
    np.testing.assert_array_equal(frame["co2"].to_numpy(), [316.1, np.nan, 317.5])
    assert frame.dtypes.tolist() == [np.float64, np.float64]
    only = read_time_series_csv(path, "date", columns=["co2"], na_values=["", "NA"])
    assert list(only.columns) == ["co2"]


def test_a_literal_na_is_missing_only_when_listed(tmp_path):
    path = write(tmp_path, "date,v\n2020-01-01,1\n2020-01-02,NA\n")
    message = f"{path}: column 'v' not numeric at row 2: 'NA' (if it marks a missing value, pass na_values=['', 'NA'])"  # fmt: skip
    with pytest.raises(DataError, match=f"^{re.escape(message)}$"):
        read_time_series_csv(path, "date")
    assert np.isnan(read_time_series_csv(path, "date", na_values=["", "NA"])["v"].iloc[1])


def test_custom_date_formats(tmp_path):
    path = write(tmp_path, "when,v\n01/02/2020,1\n02/02/2020,2\n")
    frame = read_time_series_csv(path, "when", date_format="%d/%m/%Y")
    assert list(frame.index) == [pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-02")]


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        (
            "day,v\n2020-01-01,1\n",
            {},
            "{path}: no column named 'date' (the time column); the columns are 'day', 'v'.",
        ),  # fmt: skip
        (
            "date,flow\n2020-01-01,1\n",
            {"columns": ["flwo"]},
            "{path}: no column named 'flwo' (a value column); the columns are 'date', 'flow'. Did you mean 'flow'?",
        ),  # fmt: skip
        (
            "date,v\n2020-01-01,1\n2020-01-02,2\nyesterday,3\n",
            {},
            "{path}: time column 'date' has a value that is not a date: 'yesterday' at row 3 (1 bad row(s) in all): give the format with date_format (e.g. '%d/%m/%Y'), or 'mixed' for mixed formats.",
        ),  # fmt: skip
        (
            "date,v\n2020-01-01,1\n,2\n",
            {},
            "{path}: time column 'date' has no timestamp at row 2 (1 bad row(s) in all)",
        ),  # fmt: skip
        (
            "date,v\n2020-01-01,1\n2020-01-02,x\n",
            {},
            "{path}: column 'v' not numeric at row 2: 'x' (if it marks a missing value, pass na_values=['', 'x'])",
        ),  # fmt: skip
        (
            'date,v\n2020-01-01,"1,5"\n',
            {},
            "{path}: column 'v' not numeric at row 1: '1,5' (use '.' as the decimal mark)",
        ),  # fmt: skip
        (
            "date,v\n2020-01-01,1\n2020-01-02,1e400\n",
            {},
            "{path}: column 'v' has a non-finite value at row 2: '1e400': expected a finite number, or an empty cell for a missing value.",
        ),  # fmt: skip
        (
            "date,v,w\n2020-01-01,1,\n2020-01-02,2,\n",
            {},
            "{path}: column 'w' has no values (every cell is missing): drop it with columns=[...], or fill it.",
        ),  # fmt: skip
        ("date\n2020-01-01\n", {}, "{path}: no value columns besides the time column 'date'."),
        ("date,v\n", {}, "{path} has a header but no data rows: expected one row per sample"),
    ],
)
def test_csv_errors_name_the_column_and_row(tmp_path, text, kwargs, message):
    path = write(tmp_path, text)
    expected = message.format(path=path)
    with pytest.raises(DataError, match=f"^{re.escape(expected)}"):
        read_time_series_csv(path, "date", **kwargs)


def test_csv_file_errors(tmp_path):
    with pytest.raises(DataError, match=re.escape(f"data file '{tmp_path / 'no.csv'}' does not exist: check the path")):  # fmt: skip
        read_time_series_csv(tmp_path / "no.csv", "date")
    path = tmp_path / "latin.csv"
    path.write_bytes("date,caf\xe9\n2020-01-01,1\n".encode("latin-1"))
    with pytest.raises(DataError, match=re.escape("latin.csv is not valid utf-8 text (byte 0xe9 cannot be decoded)")):  # fmt: skip
        read_time_series_csv(path, "date")
    assert list(read_time_series_csv(path, "date", encoding="latin-1").columns) == ["caf\xe9"]
