"""The bundled airline passengers series matches its CSV and the book's numbers."""

import csv
from importlib import resources

import pandas as pd

from lstmkit.datasets import airline_passengers


def test_shape_values_and_index():
    series = airline_passengers()
    assert isinstance(series, pd.Series) and series.name == "passengers"
    assert len(series) == 144 and series.dtype == "int64"
    assert series.iloc[0] == 112 and series.iloc[-1] == 432
    assert isinstance(series.index, pd.DatetimeIndex) and series.index.freqstr == "MS"
    assert series.index[0] == pd.Timestamp("1949-01-01")
    assert series.index[-1] == pd.Timestamp("1960-12-01")
    assert series.index.is_monotonic_increasing and series.index.is_unique


def test_sum_matches_the_bundled_file():
    path = resources.files("lstmkit.datasets").joinpath("airline_passengers.csv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 144
    assert int(airline_passengers().sum()) == sum(int(row["Passengers"]) for row in rows) == 40363


def test_each_call_returns_a_fresh_series():
    first = airline_passengers()
    first.iloc[0] = -1
    assert airline_passengers().iloc[0] == 112
