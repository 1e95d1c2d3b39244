"""Missing steps: finding gaps, and the fill / mask / drop policies against hand references."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# Imported from the private modules until lstmkit.data re-exports these names.
from lstmkit.data._gap_windows import find_gaps
from lstmkit.data._missing import (
    DropGaps,
    InterpolateGaps,
    MaskGaps,
    SeasonalFill,
    gap_policy,
)
from lstmkit.data._offline_impute import impute_offline_from_neighbouring_seasons
from lstmkit.errors import ConfigError, DataError, NotFittedError

NAN = np.nan


def daily(values, start="2020-01-01", name="v"):
    index = pd.date_range(start, periods=len(values), freq="D")
    return pd.Series(np.asarray(values, dtype=float), index=index, name=name)


def with_gaps():
    """12 days; Jan 3-4 absent from the index, Jan 8 NaN, Jan 11-12 NaN (a trailing gap)."""
    series = daily([1, 2, 3, 4, 5, 6, 7, NAN, 9, 10, NAN, NAN])
    return series.drop(pd.to_datetime(["2020-01-03", "2020-01-04"]))


# --- find_gaps ---------------------------------------------------------------------------


def test_find_gaps_counts_absent_timestamps_and_nans():
    report = find_gaps(with_gaps())
    assert (report.freq, report.n_steps, report.n_missing, report.n_absent) == ("D", 12, 5, 2)
    spans = [(str(g.start.date()), str(g.end.date()), g.length, g.position) for g in report.gaps]
    assert spans == [
        ("2020-01-03", "2020-01-04", 2, 2),
        ("2020-01-08", "2020-01-08", 1, 7),
        ("2020-01-11", "2020-01-12", 2, 10),
    ]
    assert report.longest.position == 2  # the first of the two 2-step gaps
    expected = np.zeros(12, dtype=bool)
    expected[[2, 3, 7, 10, 11]] = True
    np.testing.assert_array_equal(report.missing, expected)
    assert str(report) == (
        "5 missing steps of 12 (freq 'D', 2 absent timestamps) in 3 gaps; longest 2020-01-03 to "
        "2020-01-04 (2 steps). Gaps: 2020-01-03 to 2020-01-04 (2 steps), 2020-01-08 (1 step), "
        "2020-01-11 to 2020-01-12 (2 steps)."
    )


def test_a_step_is_missing_when_any_column_is_and_columns_are_counted_apart():
    frame = pd.DataFrame(
        {"a": [1, NAN, 3, 4, 5], "b": [1, 2, 3, NAN, NAN]},
        index=pd.date_range("2020-01-01", periods=5, freq="h"),
    )
    report = find_gaps(frame)
    assert report.by_column == {"a": 1, "b": 2} and report.n_missing == 3
    assert [g.length for g in report.gaps] == [1, 2]
    assert str(find_gaps(frame.fillna(0))) == "no missing steps in 5 steps (freq 'h')."


# --- interpolation -----------------------------------------------------------------------


def test_linear_interpolation_matches_numpy_interp_on_each_gap():
    series = with_gaps()
    before = series.copy()
    policy = InterpolateGaps()
    out = policy.fit_transform(series)["v"].to_numpy()
    expected = np.array([1, 2, NAN, NAN, 5, 6, 7, NAN, 9, 10, NAN, NAN])
    expected[[2, 3]] = np.interp([2, 3], [1, 4], [2, 5])  # neighbours of the gap only
    expected[7] = np.interp(7, [6, 8], [7, 9])  # the trailing gap has no right neighbour
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(series, before)
    assert str(policy.report_) == (
        "interpolate (linear, limit None): filled 3 values (v 3); 2 still missing (v 2); "
        "inserted 2 absent timestamps."
    )


def test_time_weighted_interpolation_follows_month_lengths():
    index = pd.date_range("1949-01-01", periods=4, freq="MS")
    series = pd.Series([10.0, NAN, 40.0, 50.0], index=index)
    linear = InterpolateGaps().fit_transform(series)["value"].iloc[1]
    timed = InterpolateGaps(method="time").fit_transform(series)["value"].iloc[1]
    assert linear == pytest.approx(25.0, abs=1e-12)
    # Feb 1 is 31 days after Jan 1; Mar 1 is 31 + 28 = 59 days after it (1949).
    assert timed == pytest.approx(10.0 + 30.0 * 31 / 59, abs=1e-12)


def test_a_gap_longer_than_the_limit_stays_missing_whole():
    series = daily([1, NAN, 3, NAN, NAN, NAN, 7, NAN, NAN, 10])
    out = InterpolateGaps(limit=2).fit_transform(series)["v"].to_numpy()
    np.testing.assert_allclose(out, [1, 2, 3, NAN, NAN, NAN, 7, 8, 9, 10], rtol=0, atol=1e-12)
    # pandas' own limit would have filled the first two steps of the 3-step gap
    assert series.interpolate(limit=2).iloc[3:5].notna().all()
    same = InterpolateGaps(limit="2D").fit_transform(series)["v"].to_numpy()
    np.testing.assert_array_equal(same, out)


def test_interpolation_never_reads_past_the_end_of_its_span():
    series = daily([1, 2, NAN, NAN, 5, 6, NAN, 8])
    whole = InterpolateGaps().fit_transform(series)["v"]
    for stop in range(3, len(series) + 1):
        part = InterpolateGaps(freq="D").fit_transform(series.iloc[:stop])["v"]
        filled = part.notna()
        pd.testing.assert_series_equal(part[filled], whole.iloc[:stop][filled])
    # A gap still open at the end of a span is left missing, though the whole series fills it.
    open_gap = InterpolateGaps(freq="D").fit_transform(series.iloc[:4])["v"]
    assert open_gap.iloc[2:].isna().all() and whole.iloc[2:4].notna().all()


# --- seasonal fill (past only) ------------------------------------------------------------


def seasonal_loop(values, season, n_seasons=3, min_seasons=1, limit=None):
    """Plain loop: each NaN in a gap <= limit takes the mean of observed values k seasons back."""
    values = list(values)
    out = list(values)
    i = 0
    while i < len(values):
        if not np.isnan(values[i]):
            i += 1
            continue
        j = i
        while j < len(values) and np.isnan(values[j]):
            j += 1
        if limit is None or j - i <= limit:
            for p in range(i, j):
                back = [
                    values[p - k * season] for k in range(1, n_seasons + 1) if p - k * season >= 0
                ]
                seen = [v for v in back if not np.isnan(v)]
                if len(seen) >= min_seasons:
                    out[p] = sum(seen) / len(seen)
        i = j
    return np.array(out)


def test_seasonal_fill_matches_a_plain_loop():
    rng = np.random.default_rng(3)
    values = rng.normal(size=60)
    values[[2, 9, 10, 25, 26, 27, 28, 40, 45, 59]] = NAN
    series = daily(values)
    for options in ({}, {"n_seasons": 2, "min_seasons": 2}, {"limit": 2}, {"n_seasons": 1}):
        out = SeasonalFill(season=7, **options).fit_transform(series)["v"].to_numpy()
        np.testing.assert_allclose(out, seasonal_loop(values, 7, **options), rtol=0, atol=1e-12)


def test_seasonal_fill_of_a_later_split_reads_the_fitted_past():
    rng = np.random.default_rng(4)
    values = rng.normal(size=40)
    values[[5, 30, 31, 39]] = NAN
    series = daily(values)
    train, test = series.iloc[:29], series.iloc[29:]
    policy = SeasonalFill(season=7).fit(train)
    out = policy.transform(test)["v"].to_numpy()
    # Past-only: filling the test split after the training split equals filling the whole.
    expected = seasonal_loop(values, 7)[29:]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    assert str(policy.report_) == (
        "seasonal (season 7, 3 back, limit None): filled 3 values (v 3); none missing; "
        "inserted 0 absent timestamps."
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-100, 100), st.just(NAN)), min_size=4, max_size=30),
    st.integers(1, 5),
    st.data(),
)
def test_seasonal_fill_never_reads_the_future(values, season, data):
    """Filling a prefix gives the prefix of the filled series: nothing later is read."""
    series = daily(values)
    stop = data.draw(st.integers(1, len(values)), label="stop")
    whole = SeasonalFill(season=season, freq="D").fit_transform(series)["v"]
    part = SeasonalFill(season=season, freq="D").fit_transform(series.iloc[:stop])["v"]
    pd.testing.assert_series_equal(part, whole.iloc[:stop], check_freq=False)


def test_seasons_given_as_durations():
    index = pd.date_range("2020-01-01", periods=3 * 24 * 7 + 5, freq="20min")
    series = pd.Series(np.arange(len(index), dtype=float), index=index)
    series.iloc[-1] = NAN
    out = SeasonalFill(season="7h").fit_transform(series)["value"]
    last = len(index) - 1
    assert out.iloc[-1] == pytest.approx((3 * last - 21 * 6) / 3, abs=1e-9)  # 21 steps per 7h


# --- the slides' offline version --------------------------------------------------------


def slides_loop(values, season, n_seasons=3):
    """The slides' Algorithm 1 without its 10-hour cap: past seasons, else later ones."""
    out = list(values)
    for i, value in enumerate(values):
        if np.isnan(value):
            sign = -1 if i - n_seasons * season >= 0 else 1
            near = [i + sign * k * season for k in range(1, n_seasons + 1)]
            seen = [values[p] for p in near if 0 <= p < len(values) and not np.isnan(values[p])]
            out[i] = sum(seen) / len(seen) if seen else NAN
    return np.array(out)


def test_offline_imputation_matches_the_slides_loop_and_reads_the_future():
    rng = np.random.default_rng(5)
    values = rng.normal(size=50)
    values[[1, 3, 20, 21, 48]] = NAN
    series = daily(values)
    frame, report = impute_offline_from_neighbouring_seasons(series, season=4)
    np.testing.assert_allclose(frame["v"], slides_loop(values, 4), rtol=0, atol=1e-12)
    assert report.filled == {"v": 5} and report.missing == {"v": 0}
    # Step 1 is filled from steps 5, 9, 13: change step 9 and the imputed past changes.
    changed = series.copy()
    changed.iloc[9] += 100.0
    later, _ = impute_offline_from_neighbouring_seasons(changed, season=4)
    assert later["v"].iloc[1] != frame["v"].iloc[1]
    past_only = SeasonalFill(season=4).fit_transform(changed)["v"]
    assert np.isnan(past_only.iloc[1])  # no past season: left missing, never read from later


# --- mask and drop --------------------------------------------------------------------------


def test_mask_fills_with_the_training_mean_and_adds_indicators():
    train = daily([1.0, NAN, 3.0, 8.0])  # mean of the observed: 4
    test = daily([NAN, 100.0, NAN], start="2020-01-05")
    before = test.copy()
    policy = MaskGaps(fill_value="mean").fit(train)
    out = policy.transform(test)
    assert list(out.columns) == ["v", "v_missing"]
    np.testing.assert_array_equal(out.to_numpy(), [[4.0, 1.0], [100.0, 0.0], [4.0, 1.0]])
    pd.testing.assert_series_equal(test, before)
    assert str(policy.report_) == (
        "mask (fill 'mean'): filled 2 values (v 2); none missing; inserted 0 absent "
        "timestamps; added v_missing."
    )
    constant = MaskGaps(fill_value=-1.0, suffix="_gap").fit_transform(with_gaps())
    assert list(constant.columns) == ["v", "v_gap"]
    assert constant["v_gap"].sum() == 5 and (constant.loc[constant["v_gap"] == 1, "v"] == -1).all()


def test_drop_keeps_missing_steps_as_nan_rows_on_the_grid():
    policy = gap_policy("drop")
    out = policy.fit_transform(with_gaps())
    assert len(out) == 12 and out["v"].isna().sum() == 5
    assert out.index.freqstr == "D"
    assert str(policy.report_) == (
        "drop: filled 0 values; 5 still missing (v 5); inserted 2 absent timestamps."
    )


def test_policies_by_name():
    assert isinstance(gap_policy("interpolate", limit=3), InterpolateGaps)
    assert isinstance(gap_policy("seasonal", season=12), SeasonalFill)
    assert isinstance(gap_policy("mask"), MaskGaps) and isinstance(DropGaps(), DropGaps)


@pytest.mark.parametrize(
    "policy",
    [InterpolateGaps(), InterpolateGaps(method="time", limit=1), SeasonalFill(season=3),
     MaskGaps(), MaskGaps(fill_value="mean"), DropGaps()],
    ids=repr,
)  # fmt: skip
def test_no_policy_changes_the_callers_frame(policy):
    frame = with_gaps().to_frame().assign(w=lambda f: f["v"] * 2.0)
    frame.iloc[0, 1] = NAN
    before = frame.copy()
    out = policy.fit_transform(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out is not frame and len(out) == 12
    find_gaps(frame)
    impute_offline_from_neighbouring_seasons(frame, season=3)
    pd.testing.assert_frame_equal(frame, before)


# --- errors -----------------------------------------------------------------------------------


def test_policy_errors():
    series = with_gaps()
    with pytest.raises(ConfigError, match=re.escape("unknown missing-steps policy 'interp': expected one of 'drop', 'interpolate', 'mask', 'seasonal'. Did you mean 'interpolate'?")):  # fmt: skip
        gap_policy("interp")
    with pytest.raises(ConfigError, match=re.escape("unknown interpolation method 'cubic': expected one of 'linear', 'time'.")):  # fmt: skip
        InterpolateGaps(method="cubic").fit(series)
    with pytest.raises(ConfigError, match=re.escape("limit='36h' is not a whole number of 'D' steps (1.5): give it in steps, or as a multiple of the frequency.")):  # fmt: skip
        InterpolateGaps(limit="36h").fit(series)
    with pytest.raises(ConfigError, match=re.escape("limit must be >= 1 step, got 0.")):
        InterpolateGaps(limit=0).fit(series)
    with pytest.raises(ConfigError, match=re.escape("season='1W' must be a number of steps, or a duration such as '7D' at a fixed frequency (the data's is 'MS'): give it in steps, e.g. season=12.")):  # fmt: skip
        SeasonalFill(season="1W").fit(pd.Series([1.0, 2, 3], index=pd.date_range("2000", periods=3, freq="MS")))  # fmt: skip
    with pytest.raises(ConfigError, match=re.escape("min_seasons must be 1 to n_seasons = 3, got 4.")):  # fmt: skip
        SeasonalFill(season=2, min_seasons=4).fit(series)
    with pytest.raises(ConfigError, match=re.escape("n_seasons must be an integer >= 1, got 0: e.g. 3.")):  # fmt: skip
        SeasonalFill(season=2, n_seasons=0).fit(series)
    with pytest.raises(ConfigError, match=re.escape("fill_value must be a finite number or 'mean', got 'median'.")):  # fmt: skip
        MaskGaps(fill_value="median").fit(series)
    with pytest.raises(ConfigError, match=re.escape("indicator column(s) ['v_missing'] already exist: choose another suffix.")):  # fmt: skip
        MaskGaps().fit(series.to_frame().assign(v_missing=0.0))
    with pytest.raises(DataError, match=re.escape("column(s) ['w'] have no values to take the mean of.")):  # fmt: skip
        MaskGaps(fill_value="mean").fit(series.to_frame().assign(w=NAN))
    with pytest.raises(NotFittedError, match=re.escape("this InterpolateGaps is not fitted yet: call fit before transform.")):  # fmt: skip
        InterpolateGaps().transform(series)
    with pytest.raises(DataError, match=re.escape("the columns ['v', 'w'] differ from the ['v'] this DropGaps was fitted on: pass the same columns in the same order.")):  # fmt: skip
        DropGaps().fit(series).transform(series.to_frame().assign(w=1.0))
    with pytest.raises(DataError, match=re.escape("column 'v' holds an infinite value at 2020-01-02: infinities are not missing steps")):  # fmt: skip
        find_gaps(daily([1.0, np.inf, 3.0]))
    with pytest.raises(DataError, match=re.escape("the time index has 1 duplicated timestamp(s)")):
        DropGaps().fit(pd.concat([series, series.iloc[:1]]).sort_index())
    hourly = pd.Series(
        [1.0, 2.0, 3.0], index=pd.date_range("2020-01-13 00:30", periods=3, freq="D"), name="v"
    )
    with pytest.raises(DataError, match=re.escape("the data's timestamps are not on the 'D' grid of the span this SeasonalFill was fitted on (it ends at 2020-01-12)")):  # fmt: skip
        SeasonalFill(season=2).fit(daily(range(12))).transform(hourly)
