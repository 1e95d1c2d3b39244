"""The monthly international airline passengers series (Box and Jenkins, series G)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

_FILE = "airline_passengers.csv"


def airline_passengers() -> pd.Series:
    """Load monthly international airline passengers, January 1949 to December 1960.

    The classic series of the book's forecasting lessons: 144 monthly totals in
    thousands of passengers, with trend and yearly seasonality. Values are
    integers (int64). Source and licence: ``lstmkit/datasets/SOURCES.md``.

    Returns:
        A Series named ``"passengers"`` with a monthly ``DatetimeIndex`` (freq
        ``"MS"``, month starts) named ``"month"``.

    Example:
        >>> series = airline_passengers()
        >>> len(series), int(series.iloc[0]), int(series.iloc[-1]), series.index.freqstr
        (144, 112, 432, 'MS')
    """
    with resources.files("lstmkit.datasets").joinpath(_FILE).open("r", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype={"Month": str, "Passengers": "int64"})
    index = pd.DatetimeIndex(
        pd.to_datetime(frame["Month"], format="%Y-%m"), name="month", freq="MS"
    )
    return pd.Series(frame["Passengers"].to_numpy(), index=index, name="passengers")
