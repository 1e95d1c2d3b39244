"""difference, inverse_difference and Differencer: exact inverses, forecasts, JSON."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lstmkit.data import Differencer, difference, inverse_difference, transformer_from_dict
from lstmkit.errors import ConfigError, DataError, ShapeError


def test_difference_matches_brownlees_loop_and_pandas():
    series = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126]
    for lag in (1, 2, 12):
        brownlee = [series[i] - series[i - lag] for i in range(lag, len(series))]
        assert difference(series, lag).tolist() == brownlee
        assert (
            difference(pd.Series(series), lag).tolist()
            == pd.Series(series).diff(lag).dropna().tolist()
        )


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(
        np.int64,
        st.tuples(st.integers(2, 30), st.integers(1, 3)),
        elements=st.integers(-(10**6), 10**6),
    ),
    lag=st.integers(1, 5),
)
def test_inverse_difference_is_exact_on_integers(x, lag):
    if len(x) <= lag:
        return
    np.testing.assert_array_equal(inverse_difference(difference(x, lag), x[:lag]), x)


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, st.integers(2, 40), elements=st.floats(-1e6, 1e6)),
    lag=st.integers(1, 4),
)
def test_differencer_round_trip_on_floats(x, lag):
    if len(x) <= lag:
        return
    differencer = Differencer(lag=lag).fit(x)
    back = differencer.inverse_transform(differencer.transform(x))
    # Each rebuilt value sums at most len(x) rounded differences: error <= n * eps * scale.
    tolerance = len(x) * np.finfo(float).eps * 4 * (np.abs(x).max() + 1.0)
    assert back.shape == x.shape and np.all(np.abs(back - x) <= tolerance)


def test_forecast_differences_continue_from_the_last_values():
    history = np.array([10.0, 12.0, 15.0, 19.0])
    differencer = Differencer(lag=2).fit(history)
    levels = differencer.inverse_transform([6.0, 7.0, 1.0], initial=differencer.last_)[2:]
    assert levels.tolist() == [21.0, 26.0, 22.0]  # 15+6, 19+7, 21+1


def test_errors():
    with pytest.raises(ConfigError, match=re.escape("lag must be an integer >= 1, got 0")):
        difference([1, 2, 3], lag=0)
    with pytest.raises(
        DataError, match=re.escape("need more than lag = 3 rows to difference, got 3")
    ):
        difference([1, 2, 3], lag=3)
    with pytest.raises(
        DataError, match=re.escape("data contains NaN at sample 1: fill or drop it")
    ):
        difference([1.0, np.nan, 3.0])
    with pytest.raises(ShapeError, match=re.escape("initial must hold lag = 2 rows, got 1")):
        Differencer(lag=2).fit([1, 2, 3]).inverse_transform([1], initial=[0])
    with pytest.raises(ShapeError, match="initial has rows of shape"):
        inverse_difference(np.zeros((3, 2)), initial=[1.0])


def test_json_round_trip():
    differencer = Differencer(lag=2).fit(np.array([[1, 10], [2, 20], [4, 40], [7, 70]]))
    d = json.loads(json.dumps(differencer.to_dict(), allow_nan=False))
    assert d == {
        "type": "Differencer",
        "version": 1,
        "params": {"lag": 2},
        "state": {"initial": [[1, 10], [2, 20]], "last": [[4, 40], [7, 70]], "dtype": "int64"},
    }
    rebuilt = transformer_from_dict(d)
    diffs = differencer.transform(np.array([[1, 10], [2, 20], [4, 40], [7, 70]]))
    np.testing.assert_array_equal(
        rebuilt.inverse_transform(diffs), differencer.inverse_transform(diffs)
    )
