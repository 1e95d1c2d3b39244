"""Quarterly US macroeconomic data, 1959Q1 to 2009Q3 (statsmodels' ``macrodata``)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

_FILE = "us_macro.csv"
# The calendar columns of the file; they become the index, not variables.
_YEAR, _QUARTER = "year", "quarter"


def us_macro() -> pd.DataFrame:
    """Load 12 quarterly US macroeconomic series, 1959Q1 to 2009Q3, as one DataFrame.

    A real multivariate series: 203 quarters of real GDP, consumption, investment,
    government spending and disposable income (billions of chained 2005 dollars,
    seasonally adjusted annual rates), CPI, M1, the 3-month T-bill rate, the
    unemployment rate, population, inflation and the real interest rate, all
    float64. ``infl`` is ``400 * ln(cpi_t / cpi_{t-1})`` and ``realint`` is
    ``tbilrate - infl``, so both are undefined in the first quarter: they are NaN
    there (statsmodels ships a placeholder 0), the only two missing values.
    Source, variable definitions and licence: ``lstmkit/datasets/SOURCES.md``.

    Each quarter is labelled by its first day (``1959-01-01`` for 1959Q1), the
    convention of FRED, the source of the data, and of :func:`airline_passengers`,
    whose months are labelled by their first day too. Stocks measured at the end of
    the quarter (``cpi``, ``m1``, ``pop``) keep that meaning: the label names the
    quarter, not the instant of measurement.

    Returns:
        A DataFrame with the 12 variables as columns (``realgdp``, ``realcons``,
        ``realinv``, ``realgovt``, ``realdpi``, ``cpi``, ``m1``, ``tbilrate``,
        ``unemp``, ``pop``, ``infl``, ``realint``) and a quarterly
        ``DatetimeIndex`` (freq ``"QS-JAN"``, quarter starts) named ``"quarter"``.

    Example:
        >>> frame = us_macro()
        >>> frame.shape, str(frame.index[0].date()), frame.index.freqstr
        ((203, 12), '1959-01-01', 'QS-JAN')
        >>> int(frame.isna().sum().sum()), float(frame["realgdp"].iloc[-1])
        (2, 12990.341)
    """
    with resources.files("lstmkit.datasets").joinpath(_FILE).open("r", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype={_YEAR: "int64", _QUARTER: "int64"})
    variables = frame.drop(columns=[_YEAR, _QUARTER]).astype("float64")
    # freq="QS-JAN" also checks that the quarters are consecutive: pandas raises if
    # one is missing or out of order, so a damaged file cannot pass as quarterly.
    index = pd.DatetimeIndex(
        _quarter_starts(frame[_YEAR], frame[_QUARTER]), name="quarter", freq="QS-JAN"
    )
    return variables.set_axis(index, axis="index")


def _quarter_starts(years: pd.Series, quarters: pd.Series) -> pd.DatetimeIndex:
    """Turn year and quarter (1-4) columns into the first days of those quarters.

    Example:
        >>> starts = _quarter_starts(pd.Series([1959, 2009]), pd.Series([1, 4]))
        >>> starts.strftime("%Y-%m-%d").tolist()
        ['1959-01-01', '2009-10-01']
    """
    first_months = 3 * (quarters - 1) + 1  # quarter 1 starts in January, 4 in October
    return pd.DatetimeIndex(
        pd.to_datetime(pd.DataFrame({"year": years, "month": first_months, "day": 1}))
    )
