"""series_to_supervised, to_samples and from_channels_first."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import from_channels_first, series_to_supervised, to_samples
from lstmkit.errors import ConfigError, DataError, ShapeError

# --- series_to_supervised: the book's shift listings 3.19-3.24 ------------------------------


def test_listing_3_21_shift_forward_prints_listing_3_22():
    framed = series_to_supervised([x for x in range(10)], n_in=1, n_out=1, dropnan=False)
    assert list(framed.columns) == ["var1(t-1)", "var1(t)"]
    assert framed["var1(t)"].tolist() == list(range(10))
    lagged = framed["var1(t-1)"]
    assert np.isnan(lagged.iloc[0]) and lagged.iloc[1:].tolist() == [float(x) for x in range(9)]
    # What pandas' shift gives in the book, column for column:
    df = pd.DataFrame({"t": range(10)})
    pd.testing.assert_series_equal(lagged, df["t"].shift(1), check_names=False)


def test_listing_3_23_shift_backward_prints_listing_3_24():
    framed = series_to_supervised(list(range(10)), n_in=0, n_out=2, dropnan=False)
    assert list(framed.columns) == ["var1(t)", "var1(t+1)"]
    assert framed["var1(t+1)"].iloc[:9].tolist() == [float(x) for x in range(1, 10)]
    assert np.isnan(framed["var1(t+1)"].iloc[9])
    assert framed.index.tolist() == list(range(10))


def test_listing_3_18_one_lag_pairs_after_dropping_nan():
    framed = series_to_supervised(list(range(10)))
    assert framed.to_numpy().tolist() == [[x, x + 1] for x in range(9)]
    assert framed.index.tolist() == list(range(1, 10))


def test_multivariate_column_order_is_lags_oldest_first_then_leads():
    data = np.column_stack([np.arange(6), np.arange(100, 106)])
    framed = series_to_supervised(data, n_in=2, n_out=2)
    assert list(framed.columns) == [
        "var1(t-2)", "var2(t-2)", "var1(t-1)", "var2(t-1)",
        "var1(t)", "var2(t)", "var1(t+1)", "var2(t+1)",
    ]  # fmt: skip
    assert framed.iloc[0].tolist() == [0, 100, 1, 101, 2, 102, 3, 103]
    assert len(framed) == 6 - 2 - 2 + 1


def test_pandas_index_is_kept_and_column_names_are_var_n():
    index = pd.date_range("2000-01-01", periods=5, freq="D")
    frame = pd.DataFrame({"temp": range(5), "rain": range(5, 10)}, index=index)
    framed = series_to_supervised(frame, n_in=1, n_out=1)
    assert framed.index.equals(index[1:])
    assert list(framed.columns) == ["var1(t-1)", "var2(t-1)", "var1(t)", "var2(t)"]
    series = pd.Series([1.0, 2.0, 3.0], index=index[:3], name="x")
    assert series_to_supervised(series).index.equals(index[1:3])


def test_series_to_supervised_errors():
    with pytest.raises(ConfigError, match="n_in and n_out are both 0"):
        series_to_supervised([1, 2, 3], n_in=0, n_out=0)
    with pytest.raises(ConfigError, match="n_in must be an integer >= 0, got -1"):
        series_to_supervised([1, 2, 3], n_in=-1)
    with pytest.raises(
        DataError,
        match=re.escape("need at least n_in + n_out = 5 rows for one complete row, got 3"),
    ):
        series_to_supervised([1, 2, 3], n_in=3, n_out=2)
    with pytest.raises(DataError, match=re.escape("data contains NaN at row 1, column 'b'")):
        series_to_supervised(pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, np.nan]}))


# --- to_samples ------------------------------------------------------------------------------


def test_univariate_windows_and_targets():
    X, y = to_samples(np.arange(10), lookback=3, horizon=2)
    assert X.shape == (6, 3, 1) and y.shape == (6, 2)
    assert X[0, :, 0].tolist() == [0, 1, 2] and y[0].tolist() == [3, 4]
    assert X[-1, :, 0].tolist() == [5, 6, 7] and y[-1].tolist() == [8, 9]
    assert X.dtype == np.arange(10).dtype  # the input's dtype is kept


def test_stride_and_multivariate_targets():
    data = np.column_stack([np.arange(12), np.arange(100, 112), np.arange(200, 212)])
    X, y = to_samples(data, lookback=4, horizon=1, stride=3, targets=[0, 2])
    assert X.shape == (3, 4, 3) and y.shape == (3, 1, 2)  # (12 - 4 - 1) // 3 + 1 = 3
    assert X[1, 0].tolist() == [3, 103, 203] and y[1, 0].tolist() == [7, 207]
    _, y_one = to_samples(data, lookback=4, targets=1)
    assert y_one.shape == (8, 1) and y_one[0, 0] == 104
    _, y_all = to_samples(data, lookback=4)
    assert y_all.shape == (8, 1, 3)


def test_dataframe_targets_and_features_by_name():
    frame = pd.DataFrame({"load": np.arange(8.0), "temp": np.arange(10.0, 18.0)})
    X, y = to_samples(frame, lookback=2, horizon=3, targets="load", features=["temp"])
    assert X.shape == (4, 2, 1) and y.shape == (4, 3)
    assert X[0, :, 0].tolist() == [10.0, 11.0] and y[0].tolist() == [2.0, 3.0, 4.0]
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "unknown targets column 'lod': expected one of 'load', 'temp'. Did you mean 'load'?"
        ),
    ):
        to_samples(frame, lookback=2, targets="lod")
    with pytest.raises(
        ConfigError, match=re.escape("targets=5 is not a column of data with 2 columns")
    ):
        to_samples(frame, lookback=2, targets=5)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(0, 40),
    lookback=st.integers(1, 12),
    horizon=st.integers(1, 5),
    stride=st.integers(1, 4),
)
def test_sample_count_is_exactly_the_formula(n, lookback, horizon, stride):
    data = np.arange(n, dtype=float)
    expected = max(0, (n - lookback - horizon) // stride + 1)
    X, y = to_samples(data, lookback, horizon, stride, allow_empty=True)
    assert X.shape == (expected, lookback, 1) and y.shape == (expected, horizon)
    if stride == 1:
        assert expected == max(0, n - lookback - horizon + 1)
    if n < lookback + horizon:
        with pytest.raises(
            DataError, match=f"need at least lookback \\+ horizon = {lookback + horizon} rows"
        ):
            to_samples(data, lookback, horizon, stride)
    else:
        X2, _ = to_samples(data, lookback, horizon, stride)
        assert len(X2) == expected >= 1
        # Each target follows its window directly.
        np.testing.assert_array_equal(y[:, 0], X[:, -1, 0] + 1)


def test_too_short_message_and_allow_empty():
    message = (
        "need at least lookback + horizon = 13 rows to make one sample, got 10: shorten "
        "lookback or horizon, or pass allow_empty=True to get 0 samples."
    )
    with pytest.raises(DataError, match=re.escape(message)):
        to_samples(np.arange(10), lookback=12)
    X, y = to_samples(np.arange(10), lookback=12, allow_empty=True)
    assert X.shape == (0, 12, 1) and y.shape == (0, 1)


def test_to_samples_nan_and_bad_counts():
    data = np.arange(10.0)
    data[4] = np.nan
    with pytest.raises(
        DataError,
        match=re.escape(
            "data contains NaN at row 4, column 0: fill or drop it before framing, or pass allow_nan=True"
        ),
    ):
        to_samples(data, lookback=3)
    X, _ = to_samples(data, lookback=3, allow_nan=True)
    assert np.isnan(X[2, 2, 0])
    with pytest.raises(ConfigError, match="lookback must be an integer >= 1, got 0"):
        to_samples(np.arange(5), lookback=0)
    with pytest.raises(ShapeError, match=re.escape("got shape (2, 3, 4)")):
        to_samples(np.zeros((2, 3, 4)), lookback=1)


# --- from_channels_first ---------------------------------------------------------------------


def test_from_channels_first_swaps_channels_and_time():
    X = np.arange(2 * 3 * 5).reshape(2, 3, 5)  # (samples, channels, time)
    out = from_channels_first(X)
    assert out.shape == (2, 5, 3) and out.flags.c_contiguous
    assert out[1, 4, 2] == X[1, 2, 4]
    with pytest.raises(
        ShapeError,
        match=re.escape("expected X of shape (samples, channels, time), got a 2-D array"),
    ):
        from_channels_first(np.zeros((3, 5)))
