"""SeriesTransform: differencing then scaling, and its exact inverse for forecasts."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ConfigError, DataError


# A continuation may leave the fitted range: the min-max scaler says so, as it should.
@pytest.mark.filterwarnings("ignore::lstmkit.data._warnings.OutOfRangeWarning")
@settings(max_examples=40, deadline=None)
@given(
    lags=st.lists(st.integers(1, 5), max_size=2),
    scale=st.sampled_from([None, "standard", "minmax"]),
    seed=st.integers(0, 10_000),
)
def test_inverse_of_a_continuation_gives_back_the_original(lags, scale, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(40, 2)).cumsum(axis=0) + 5.0
    history, future = values[:30], values[30:]
    transform = SeriesTransform(lags, scale).fit(history)
    # The future as the model would forecast it: the transformed continuation.
    continuation = transform.transform(values)[-len(future) :]
    np.testing.assert_allclose(transform.inverse(continuation, history), future, atol=1e-9)


def test_differencing_matches_numpy_and_the_scaler_sees_the_given_span():
    values = np.arange(30, dtype=float)[:, None] ** 1.5
    transform = SeriesTransform([1, 12], "standard").fit(values)
    expected = np.diff(values, axis=0)
    expected = expected[12:] - expected[:-12]
    np.testing.assert_allclose(transform.scaler_.mean_, expected.mean(axis=0))
    assert transform.lost_steps == 13


def test_bad_settings_and_short_series():
    with pytest.raises(
        ConfigError, match=re.escape("difference lags must be positive integers, got [0]")
    ):
        SeriesTransform([0])
    with pytest.raises(ConfigError, match=re.escape("scale must be 'standard', 'minmax' or None")):
        SeriesTransform([], "robust")
    with pytest.raises(
        DataError, match=re.escape("differencing with lag 12 needs more than 12 steps, got 5")
    ):
        SeriesTransform([12]).fit(np.ones((5, 1)))


def test_state_round_trips_through_json():
    import json

    values = np.random.default_rng(0).normal(size=(20, 1))
    transform = SeriesTransform([2], "minmax").fit(values)
    restored = SeriesTransform.from_dict(json.loads(json.dumps(transform.to_dict())))
    np.testing.assert_array_equal(restored.transform(values), transform.transform(values))
