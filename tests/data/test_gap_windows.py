"""Windows never cross a missing step: against a brute-force loop over every start."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import to_samples

# Imported from the private modules until lstmkit.data re-exports these names.
from lstmkit.data._gap_windows import window_starts, windows
from lstmkit.data._missing import DropGaps, InterpolateGaps
from lstmkit.errors import ConfigError, DataError, ShapeError

NAN = np.nan


def brute_force_starts(valid, lookback, horizon):
    """Every start whose lookback + horizon steps are all present, by a plain loop."""
    size = lookback + horizon
    return [s for s in range(len(valid) - size + 1) if all(valid[s : s + size])]


def test_starts_skip_every_window_that_touches_a_gap():
    valid = [1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1]
    assert window_starts(valid, 2, 1).tolist() == [0, 1, 5, 6]  # worked out by hand
    assert window_starts(np.array(valid, dtype=bool), 1, 1).tolist() == [0, 1, 2, 5, 6, 7]
    assert window_starts([True] * 4, 3, 2).tolist() == []  # shorter than one window
    assert window_starts([True] * 5, 3, 2).tolist() == [0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.booleans(), min_size=0, max_size=60),
    st.integers(1, 6),
    st.integers(1, 4),
)
def test_starts_equal_a_brute_force_loop(valid, lookback, horizon):
    starts = window_starts(valid, lookback, horizon)
    assert starts.tolist() == brute_force_starts(valid, lookback, horizon)
    assert starts.dtype == np.int64
    if all(valid):  # no gaps: the count of plain framing, max(0, n - T - H + 1)
        assert len(starts) == max(0, len(valid) - lookback - horizon + 1)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e3, 1e3), st.just(NAN)), min_size=1, max_size=40),
    st.integers(1, 5),
    st.integers(1, 3),
)
def test_no_window_holds_a_missing_value(values, lookback, horizon):
    series = np.array(values)
    X, y = windows(series, lookback=lookback, horizon=horizon, allow_empty=True)
    assert np.isfinite(X).all() and np.isfinite(y).all()
    starts = brute_force_starts(np.isfinite(series), lookback, horizon)
    assert X.shape == (len(starts), lookback, 1) and y.shape == (len(starts), horizon, 1)
    for i, s in enumerate(starts):  # each window is the consecutive steps from its start
        np.testing.assert_array_equal(X[i, :, 0], series[s : s + lookback])
        np.testing.assert_array_equal(y[i, :, 0], series[s + lookback : s + lookback + horizon])


def test_without_gaps_windows_equal_plain_framing():
    table = np.arange(30.0).reshape(10, 3)
    X, y = windows(table, np.ones(10, dtype=bool), lookback=3, horizon=2, targets=[0, 2])
    X_ref, y_ref = to_samples(table, lookback=3, horizon=2, targets=[0, 2])
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_columns_by_name_and_the_mask_from_a_policy():
    index = pd.date_range("2020-01-01", periods=9, freq="D").delete([4])
    frame = pd.DataFrame(
        {"load": [1.0, 2, 3, 4, 6, 7, 8, 9], "temp": [10.0, 20, 30, 40, 60, 70, 80, 90]},
        index=index,
    )
    before = frame.copy()
    regular = DropGaps().fit_transform(frame)  # Jan 5 inserted as a NaN row
    valid = regular.notna().all(axis=1).to_numpy()
    X, y = windows(regular, valid, lookback=2, horizon=1, targets="load", features=["temp"])
    # starts 0, 1 before the gap (step 4), 5, 6 after it: worked out by hand
    assert X[:, :, 0].tolist() == [[10, 20], [20, 30], [60, 70], [70, 80]]
    assert y[:, :, 0].tolist() == [[3], [4], [8], [9]]
    pd.testing.assert_frame_equal(frame, before)
    filled = InterpolateGaps().fit_transform(frame)  # the gap filled: windows run across it
    assert len(windows(filled, lookback=2, horizon=1)[0]) == 7


def test_window_errors():
    with pytest.raises(ConfigError, match=re.escape("lookback must be an integer >= 1, got 0.")):
        window_starts([True] * 5, 0, 1)
    with pytest.raises(ConfigError, match=re.escape("horizon must be an integer >= 1, got 0.")):
        windows(np.arange(5.0), lookback=2, horizon=0)
    with pytest.raises(ShapeError, match=re.escape("valid_mask must be 1-D (one flag per time step), got shape (2, 2).")):  # fmt: skip
        window_starts([[True, True], [True, True]], 1, 1)
    with pytest.raises(DataError, match=re.escape("valid_mask must hold booleans (True = the step is present), got dtype <U1: pass e.g. frame.notna().all(axis=1).to_numpy().")):  # fmt: skip
        window_starts(["y", "n"], 1, 1)
    with pytest.raises(ShapeError, match=re.escape("valid_mask has 3 flags but values has 4 time steps: expected one flag per step (row) of values.")):  # fmt: skip
        windows(np.arange(4.0), [True] * 3, lookback=1)
    with pytest.raises(DataError, match=re.escape("valid_mask marks step 1 as present, but it holds NaN or an infinity: mark it missing, or fill it first.")):  # fmt: skip
        windows(np.array([1.0, NAN, 3.0]), [True] * 3, lookback=1)
    message = (
        "no window of lookback + horizon = 4 consecutive present steps (lookback=3, horizon=1) "
        "in 7 steps: the longest run of present steps is 3 (from step 4). Fill more gaps (a "
        "larger limit, or MaskGaps), shorten lookback or horizon, or pass allow_empty=True to "
        "get 0 windows."
    )
    with pytest.raises(DataError, match=f"^{re.escape(message)}$"):
        windows(np.array([1.0, 2, NAN, NAN, 5, 6, 7]), lookback=3, horizon=1)
    with pytest.raises(DataError, match=re.escape("in 2 steps: no step is present.")):
        windows(np.array([NAN, NAN]), lookback=1, horizon=1)
    X, y = windows(np.array([NAN, NAN]), lookback=1, horizon=1, allow_empty=True)
    assert X.shape == (0, 1, 1) and y.shape == (0, 1, 1)
