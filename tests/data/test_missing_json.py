"""Missing-steps policies to JSON and back: a rebuilt policy transforms exactly as the original."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from lstmkit.data import (
    DropGaps,
    InterpolateGaps,
    MaskGaps,
    SeasonalFill,
    gap_policy_from_dict,
)
from lstmkit.errors import ConfigError, DataError, NotFittedError

NAN = np.nan


def two_columns(start="2020-01-01", periods=40, tz=None):
    """Two daily columns with single NaNs, a 3-step gap and absent timestamps."""
    index = pd.date_range(start, periods=periods, freq="D", tz=tz)
    steps = np.arange(periods, dtype=float)
    frame = pd.DataFrame({"a": 10 + steps, "b": np.sin(steps)}, index=index)
    frame.iloc[[3, 17, 18, 19, 31], 0] = NAN
    frame.iloc[[5, 22, 35], 1] = NAN
    return frame.drop(index[[9, 26]])  # two absent timestamps: inserted as NaN rows


def through_json(policy):
    return gap_policy_from_dict(json.loads(json.dumps(policy.to_dict(), allow_nan=False)))


POLICIES = [
    InterpolateGaps(limit=2),
    InterpolateGaps(method="time", limit="3D"),
    SeasonalFill(season=7, n_seasons=2, limit=3),
    SeasonalFill(season="7D", min_seasons=2),
    MaskGaps(),
    MaskGaps(fill_value="mean", suffix="_gap"),
    DropGaps(freq="D"),
]


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
def test_a_rebuilt_policy_transforms_every_split_exactly_as_the_original(policy):
    data = two_columns()
    train, test = data.loc[:"2020-01-24"], data.loc["2020-01-25":]
    policy.fit(train)
    restored = through_json(policy)
    assert type(restored) is type(policy)
    for split in (train, test, data):
        expected = policy.transform(split)
        # Save -> load -> transform is bitwise (CONTRACTS §9): exact comparison.
        pd.testing.assert_frame_equal(restored.transform(split), expected, check_exact=True)
        assert restored.report_ == policy.report_


def test_the_seasonal_history_is_stored_and_fills_the_next_split():
    index = pd.date_range("2021-03-01", periods=16, freq="D")
    series = pd.Series(np.arange(1.0, 17.0), index=index, name="v")
    series.iloc[6] = NAN  # inside the kept history: written as null
    train, test = series.iloc[:12], series.iloc[12:].copy()
    test.iloc[0] = NAN  # step 12: one, two, three seasons of 4 back are steps 8, 4, 0
    policy = SeasonalFill(season=4).fit(train)
    d = json.loads(json.dumps(policy.to_dict()))
    assert d["type"] == "SeasonalFill" and d["version"] == 1
    assert d["params"] == {
        "freq": None,
        "limit": None,
        "min_seasons": 1,
        "n_seasons": 3,
        "season": 4,
    }
    history = d["state"]["history_"]
    assert history["index"] == [f"2021-03-{day:02d}T00:00:00" for day in range(1, 13)]
    assert history["values"] == [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, None, 8.0, 9.0, 10.0, 11.0, 12.0]]
    assert {k: d["state"][k] for k in ("freq_", "columns_", "season_", "limit_")} == {
        "freq_": "D",
        "columns_": ["v"],
        "season_": 4,
        "limit_": None,
    }
    filled = gap_policy_from_dict(d).transform(test)["v"]
    assert filled.iloc[0] == pytest.approx((9.0 + 5.0 + 1.0) / 3, abs=1e-12)


def test_mask_fill_values_keep_integer_column_names():
    frame = pd.DataFrame(
        {0: [1.0, NAN, 5.0], 1: [2.0, 4.0, NAN]},
        index=pd.date_range("2020-01-01", periods=3, freq="h"),
    )
    policy = MaskGaps(fill_value="mean").fit(frame)
    d = json.loads(json.dumps(policy.to_dict()))
    assert d["state"]["fill_values_"] == [3.0, 3.0]  # per column, in the order of columns_
    restored = gap_policy_from_dict(d)
    assert restored.fill_values_ == {0: 3.0, 1: 3.0}
    pd.testing.assert_frame_equal(
        restored.transform(frame), policy.transform(frame), check_exact=True
    )


def test_a_zoned_index_and_offset_and_duration_params_survive():
    data = two_columns(start="2020-10-10", tz="Europe/Paris")  # clocks go back on Oct 25
    policy = SeasonalFill(season=pd.Timedelta("7D"), freq=pd.offsets.Day(), limit=3).fit(
        data.iloc[:20]
    )
    restored = through_json(policy)
    assert restored.history_.index.tz is not None
    pd.testing.assert_frame_equal(
        restored.history_, policy.history_, check_exact=True, check_freq=False
    )
    pd.testing.assert_frame_equal(
        restored.transform(data.iloc[20:]), policy.transform(data.iloc[20:]), check_exact=True
    )


def test_an_unfitted_policy_comes_back_unfitted():
    restored = through_json(InterpolateGaps(method="time", limit=4))
    assert restored.get_params() == {"method": "time", "limit": 4, "freq": None}
    with pytest.raises(NotFittedError):
        restored.transform(two_columns())


def test_unknown_type_lists_the_known_ones():
    d = DropGaps().to_dict() | {"type": "ForwardFill"}
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "unknown missing-steps policy type 'ForwardFill': expected one of 'DropGaps', "
            "'InterpolateGaps', 'MaskGaps', 'SeasonalFill'."
        ),
    ):
        gap_policy_from_dict(d)


def test_malformed_dicts_are_data_errors():
    with pytest.raises(DataError, match=re.escape("transformer dict is missing 'state'")):
        gap_policy_from_dict({"type": "DropGaps", "version": 1, "params": {}})
    d = MaskGaps().fit(two_columns()).to_dict()
    del d["state"]["columns_"]
    with pytest.raises(DataError, match=re.escape("malformed MaskGaps dict: KeyError('columns_')")):
        gap_policy_from_dict(d)
