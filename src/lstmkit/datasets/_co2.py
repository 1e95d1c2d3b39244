"""The weekly Mauna Loa atmospheric CO2 record, March 1958 to December 2001, with gaps."""

from __future__ import annotations

from importlib import resources

import pandas as pd

_FILE = "co2_weekly.csv"


def co2_weekly() -> pd.Series:
    """Load weekly mean atmospheric CO2 at Mauna Loa, Hawaii, 1958-03-29 to 2001-12-29.

    A real series with missing observations: 2,284 consecutive weeks, of which 59 have
    no measurement (the source used no day without six steady hours of readings) and
    are kept as NaN, never filled. They fall in 22 gaps, the longest 18 weeks (from
    1964-01-25). Values are float64 concentrations in ppmv (parts per million by
    volume), with trend and yearly seasonality. Each week is labelled by the Saturday
    sample date the source gives; the source does not say whether that Saturday opens
    or closes the week it averages. The same data as statsmodels'
    ``datasets.co2``. Source and licence: ``lstmkit/datasets/SOURCES.md``.

    A Series rather than a DataFrame because the record is univariate, as
    :func:`airline_passengers` is.

    Returns:
        A Series named ``"co2"`` with a weekly ``DatetimeIndex`` (freq ``"W-SAT"``,
        weeks labelled by their Saturday) named ``"date"``.

    Example:
        >>> series = co2_weekly()
        >>> series.shape, str(series.index[0].date()), series.index.freqstr
        ((2284,), '1958-03-29', 'W-SAT')
        >>> int(series.isna().sum()), float(series.iloc[0]), float(series.iloc[-1])
        (59, 316.1, 371.5)
    """
    with resources.files("lstmkit.datasets").joinpath(_FILE).open("r", encoding="utf-8") as f:
        # Empty co2 cells are the weeks without data: read_csv turns them into NaN.
        frame = pd.read_csv(f, dtype={"date": str, "co2": "float64"})
    # freq="W-SAT" also checks that the dates are consecutive Saturdays: pandas raises
    # if any date is off that grid, so a damaged file cannot pass as weekly.
    index = pd.DatetimeIndex(
        pd.to_datetime(frame["date"], format="%Y%m%d"), name="date", freq="W-SAT"
    )
    return pd.Series(frame["co2"].to_numpy(), index=index, name="co2")
