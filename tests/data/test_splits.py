"""time_split: ordered train/validation/test parts by fraction, count or date."""

import re

import numpy as np
import pandas as pd
import pytest

from lstmkit.data import time_split
from lstmkit.errors import ConfigError, DataError


def monthly(n=24):
    return pd.Series(np.arange(n), index=pd.date_range("1949-01-01", periods=n, freq="MS"))


def test_fraction_split_keeps_order_and_rounds_the_test_part_up():
    train, test = time_split(np.arange(10), test_size=0.25)
    assert train.tolist() == list(range(7)) and test.tolist() == [7, 8, 9]  # ceil(2.5) = 3


def test_validation_part_sits_just_before_the_test_part():
    train, val, test = time_split(list(range(10)), test_size=2, val_size=0.2)
    assert train.tolist() == list(range(6)) and val.tolist() == [6, 7] and test.tolist() == [8, 9]


def test_split_by_date_on_series_and_frames():
    series = monthly()
    train, test = time_split(series, split_date="1950-01-01")
    assert train.index[-1] == pd.Timestamp("1949-12-01")
    assert test.index[0] == pd.Timestamp("1950-01-01") and len(test) == 12
    frame = series.to_frame("passengers")
    train, val, test = time_split(frame, split_date="1950-07", val_size=6)
    assert isinstance(val, pd.DataFrame)
    assert val.index[0] == pd.Timestamp("1950-01-01") and len(train) == 12 and len(test) == 6


def test_parts_cover_the_data_without_overlap():
    series = monthly(30)
    train, val, test = time_split(series, test_size=0.2, val_size=0.1)
    pd.testing.assert_series_equal(pd.concat([train, val, test]), series)


def test_errors():
    series = monthly()
    with pytest.raises(ConfigError, match="pass exactly one of test_size"):
        time_split(series)
    with pytest.raises(ConfigError, match="pass exactly one of test_size"):
        time_split(series, 0.2, split_date="1950-01")
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "test_size=1.5 is out of range: expected a fraction strictly between 0 and 1"
        ),
    ):
        time_split(series, test_size=1.5)
    with pytest.raises(ConfigError, match=re.escape("test_size=0.0 is out of range")):
        time_split(series, test_size=0.0)
    with pytest.raises(
        ConfigError, match=re.escape("val_size=24 rows is out of range for 24 rows")
    ):
        time_split(series, test_size=0.1, val_size=24)
    message = (
        "split_date 1940-01-01 leaves the training part empty: the data runs from "
        "1949-01-01 00:00:00 to 1950-12-01 00:00:00"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        time_split(series, split_date="1940-01-01")
    with pytest.raises(DataError, match="split_date 1970-01 leaves the test part empty"):
        time_split(series, split_date="1970-01")
    with pytest.raises(
        DataError, match="the training part would be empty: 24 rows, 12 for test and 12"
    ):
        time_split(series, test_size=0.5, val_size=0.5)
    with pytest.raises(ConfigError, match="split_date needs a Series or DataFrame"):
        time_split(np.arange(5), split_date="2000")
    with pytest.raises(DataError, match=re.escape("call data.sort_index() first")):
        time_split(series.iloc[::-1], split_date="1950")
