"""MinMaxScaler and StandardScaler: the book's listings, sklearn parity, round trips, faults."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.preprocessing as skp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lstmkit.data import (
    DataWarning,
    MinMaxScaler,
    OutOfRangeWarning,
    StandardScaler,
    transformer_from_dict,
)
from lstmkit.errors import ConfigError, DataError, NotFittedError, ShapeError

SCALERS = [MinMaxScaler, StandardScaler]


# --- The book's listings 3.1-3.4 -------------------------------------------------------------


def test_listing_3_1_normalize_prints_listing_3_2():
    series = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0])
    scaler = MinMaxScaler(feature_range=(0, 1)).fit(series)
    # The book prints 'Min: %f, Max: %f' % (scaler.data_min_, scaler.data_max_).
    line = f"Min: {scaler.data_min_[0]:f}, Max: {scaler.data_max_[0]:f}"
    assert line == "Min: 10.000000, Max: 100.000000"
    normalized = scaler.transform(series)
    printed = [0.0, 0.11111111, 0.22222222, 0.33333333, 0.44444444, 0.55555556]
    printed += [0.66666667, 0.77777778, 0.88888889, 1.0]
    np.testing.assert_allclose(normalized, printed, atol=5e-9)  # 8 printed decimals
    np.testing.assert_allclose(scaler.inverse_transform(normalized), series, rtol=1e-12)


def test_listing_3_3_standardize_prints_listing_3_4():
    series = pd.Series([1.0, 5.5, 9.0, 2.6, 8.8, 3.0, 4.1, 7.9, 6.3])
    scaler = StandardScaler().fit(series)
    line = f"Mean: {scaler.mean_[0]:f}, StandardDeviation: {np.sqrt(scaler.var_[0]):f}"
    assert line == "Mean: 5.355556, StandardDeviation: 2.712568"
    standardized = scaler.transform(series)
    printed = [-1.60569456, 0.05325007, 1.34354035, -1.01584758, 1.26980948]
    printed += [-0.86838584, -0.46286604, 0.93802055, 0.34817357]
    np.testing.assert_allclose(standardized, printed, atol=5e-9)
    np.testing.assert_allclose(scaler.inverse_transform(standardized), series, rtol=1e-12)


def test_book_column_vector_layout_keeps_its_shape():
    values = np.arange(10.0, 101.0, 10.0).reshape(10, 1)  # the book's values.reshape((n, 1))
    assert MinMaxScaler().fit_transform(values).shape == (10, 1)


# --- sklearn parity and shapes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (MinMaxScaler(), skp.MinMaxScaler()),
        (MinMaxScaler(feature_range=(-1, 1)), skp.MinMaxScaler(feature_range=(-1, 1))),
        (StandardScaler(), skp.StandardScaler()),
    ],
)
def test_matches_sklearn_on_a_table(ours, theirs):
    rng = np.random.default_rng(1)
    train = rng.normal([0, 10, -5], [1, 50, 0.1], size=(40, 3))
    test = rng.normal([0, 10, -5], [1, 50, 0.1], size=(7, 3))
    ours.fit(train)
    theirs.fit(train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        np.testing.assert_array_equal(ours.transform(test), theirs.transform(test))
    np.testing.assert_array_equal(ours.inverse_transform(test), theirs.inverse_transform(test))


def test_3d_is_scaled_per_feature_across_samples_and_time():
    rng = np.random.default_rng(2)
    X = rng.normal([1.0, 100.0], [2.0, 30.0], size=(6, 5, 2))  # (samples, timesteps, features)
    out = StandardScaler().fit_transform(X)
    assert out.shape == X.shape
    np.testing.assert_allclose(out.reshape(-1, 2).mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.reshape(-1, 2).std(axis=0), 1.0, rtol=1e-12)
    expected = skp.StandardScaler().fit_transform(X.reshape(-1, 2)).reshape(X.shape)
    np.testing.assert_array_equal(out, expected)


def test_fitted_on_3d_transforms_2d_and_1d_of_the_same_features():
    X = np.arange(24.0).reshape(2, 4, 3)
    scaler = MinMaxScaler().fit(X)
    assert scaler.transform(X[0]).shape == (4, 3)
    single = MinMaxScaler().fit(X[..., :1])
    assert single.transform(np.array([0.0, 21.0])).tolist() == [0.0, 1.0]


def test_float32_input_stays_float32():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert MinMaxScaler().fit_transform(X).dtype == np.float32


# --- inverse o transform = identity ----------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    X=arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(1, 3)), elements=finite),
    which=st.sampled_from(SCALERS),
)
def test_inverse_transform_undoes_transform(X, which):
    scaler = which().fit(X)
    back = scaler.inverse_transform(scaler.transform(X))
    # Tolerance: a few ulps of the largest magnitude of each feature.
    span = np.abs(X).max(axis=0) + 1.0
    assert np.all(np.abs(back - X) <= 1e-9 * span)


@settings(max_examples=60, deadline=None)
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 2)),
        elements=st.floats(allow_nan=False, allow_infinity=False),
    ),
    which=st.sampled_from(SCALERS),
)
def test_any_finite_input_gives_finite_output_or_a_documented_error(X, which):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            out = which().fit_transform(X)
        except DataError as error:
            assert re.search(r"too (large|wide)|overflowed", str(error))
            return
    assert np.all(np.isfinite(out))


# --- constant features and single samples ----------------------------------------------------


@pytest.mark.parametrize("value", [0.1, -3.0, 2.4e169, -1e300])
@pytest.mark.parametrize("which", SCALERS)
def test_constant_feature_scales_to_a_finite_constant(which, value):
    X = np.column_stack([np.full(7, value), np.arange(7.0)])
    scaler = which().fit(X)
    out = scaler.transform(X)
    assert np.all(np.isfinite(out))
    assert np.all(out[:, 0] == 0.0)  # the constant maps to feature_range[0] / to 0
    assert np.all(scaler.inverse_transform(out)[:, 0] == value)


@pytest.mark.parametrize("which", SCALERS)
def test_single_sample_fit_warns(which):
    message = (
        f"{which.__name__} was fitted on a single sample, so every feature is constant and "
        "maps to 0; no scale was learned. Fit on more than one sample."
    )
    with pytest.warns(DataWarning, match=re.escape(message)):
        which().fit(np.array([[3.0, 4.0]]))


# --- out-of-range values ---------------------------------------------------------------------


def test_out_of_range_warns_naming_the_feature_and_the_distance():
    scaler = MinMaxScaler().fit(np.array([[10.0, 0.0], [100.0, 1.0]]))
    message = (
        "values outside the range the scaler was fitted on: feature 0 goes to 130 (30 above "
        "the fitted maximum 100). The scaled values fall outside feature_range (0, 1); set "
        "clip=True to clip them, or refit on data that covers this range."
    )
    with pytest.warns(OutOfRangeWarning, match=re.escape(message)):
        out = scaler.transform(np.array([[130.0, 0.5]]))
    np.testing.assert_allclose(out, [[4 / 3, 0.5]])


def test_out_of_range_lists_every_feature_both_ways():
    scaler = MinMaxScaler().fit(np.array([[10.0, 0.0], [100.0, 1.0]]))
    expected = (
        "feature 0 goes to 5 (5 below the fitted minimum 10); feature 1 goes to 3 (2 above "
        "the fitted maximum 1) and to -1 (1 below the fitted minimum 0)."
    )
    with pytest.warns(OutOfRangeWarning, match=re.escape(expected)):
        scaler.transform(np.array([[5.0, 3.0], [50.0, -1.0]]))


def test_clip_clips_without_warning():
    scaler = MinMaxScaler(clip=True).fit([10.0, 100.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert scaler.transform([0.0, 55.0, 200.0]).tolist() == [0.0, 0.5, 1.0]


def test_values_inside_the_range_do_not_warn():
    scaler = MinMaxScaler().fit([10.0, 100.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler.transform([10.0, 100.0, 55.0])


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("which", SCALERS)
def test_wrong_feature_count_names_both_counts(which):
    scaler = which().fit(np.ones((5, 3)) * np.arange(5)[:, None])
    message = (
        f"X has 2 features, but this {which.__name__} was fitted on 3: pass the same "
        "3 features, in the same order, as at fit."
    )
    with pytest.raises(ShapeError, match=re.escape(message)):
        scaler.transform(np.ones((4, 2)))
    with pytest.raises(ShapeError, match=re.escape("X has 1 feature (a 1-D array is read")):
        scaler.transform(np.ones(4))


def test_reordered_columns_are_refused():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 5.0]})
    scaler = StandardScaler().fit(frame)
    message = (
        "X has columns ['b', 'a'], but this StandardScaler was fitted on columns ['a', 'b']: "
        "select them in that order, e.g. X[['a', 'b']]."
    )
    with pytest.raises(ShapeError, match=re.escape(message)):
        scaler.transform(frame[["b", "a"]])


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        (np.array([1.0, np.nan, 2.0]), "NaN at sample 1: remove or impute missing values"),
        (np.array([[1.0, 2.0], [3.0, np.inf]]), "inf at sample 1, feature 1: remove or clip"),
        (np.array([[[0.0], [1.0]], [[-np.inf], [1.0]]]), "-inf at sample 1, step 0, feature 0"),
    ],
)
def test_nonfinite_values_are_named(bad, where):
    with pytest.raises(DataError, match=re.escape(f"X contains {where}")):
        MinMaxScaler().fit(bad)
    scaler = StandardScaler().fit(np.arange(12.0).reshape(-1, *bad.shape[1:]))
    with pytest.raises(DataError, match=re.escape(f"{where}") + ".* before transforming"):
        scaler.transform(bad)


def test_allow_nan_ignores_and_keeps_nan():
    y = np.array([1.0, np.nan, 3.0])
    scaler = MinMaxScaler().fit(y, allow_nan=True)
    out = scaler.transform(y, allow_nan=True)
    assert out[0] == 0.0 and np.isnan(out[1]) and out[2] == 1.0
    assert np.isnan(scaler.inverse_transform(out)[1])


def test_no_samples_and_bad_parameters():
    with pytest.raises(DataError, match="X has 0 samples: a scaler needs at least one sample"):
        StandardScaler().fit(np.empty((0, 2)))
    with pytest.raises(ConfigError, match=re.escape("feature_range must be (min, max) with")):
        MinMaxScaler(feature_range=(1, 0)).fit([1.0, 2.0])
    with pytest.raises(ShapeError, match="expected X as a 1-D series, a 2-D"):
        StandardScaler().fit(np.ones((2, 2, 2, 2)))
    with pytest.raises(DataError, match="X must hold numbers"):
        StandardScaler().fit(["a", "b"])


@pytest.mark.parametrize("which", SCALERS)
def test_transform_before_fit(which):
    with pytest.raises(NotFittedError, match=f"this {which.__name__} is not fitted yet"):
        which().transform([1.0])


def test_huge_range_is_refused_not_turned_into_nan():
    with pytest.raises(DataError, match="a range too wide for float64"):
        MinMaxScaler().fit([-1.7e308, 1.7e308])


# --- JSON persistence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scaler",
    [MinMaxScaler(feature_range=(-1, 1), clip=True), StandardScaler()],
)
def test_json_round_trip_transforms_identically(scaler):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 4, 2)) * [1.0, 1e5]
    X[:, :, 0] = 2.4e169 if isinstance(scaler, StandardScaler) else X[:, :, 0]
    scaler.fit(X)
    d = json.loads(json.dumps(scaler.to_dict(), allow_nan=False))
    assert d["type"] == type(scaler).__name__
    for rebuilt in (type(scaler).from_dict(d), transformer_from_dict(d)):
        Z = rng.normal(size=(3, 4, 2))
        np.testing.assert_array_equal(rebuilt.transform(Z), scaler.transform(Z))
        np.testing.assert_array_equal(rebuilt.inverse_transform(Z), scaler.inverse_transform(Z))
        assert rebuilt.get_params() == scaler.get_params()


def test_to_dict_format_of_a_min_max_scaler():
    d = MinMaxScaler().fit([10.0, 20.0, 30.0]).to_dict()
    assert d == {
        "type": "MinMaxScaler",
        "version": 1,
        "params": {"clip": False, "feature_range": [0, 1]},
        "state": {
            "n_features_in": 1,
            "feature_names_in": None,
            "n_samples_seen": 3,
            "data_min": [10.0],
            "data_max": [30.0],
            "data_range": [20.0],
            "scale": [0.05],
            "min": [-0.5],
        },
    }


def test_unfitted_round_trip_and_feature_names_survive():
    assert StandardScaler().to_dict()["state"] is None
    assert not hasattr(StandardScaler.from_dict(StandardScaler().to_dict()), "scaler_")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 5.0]})
    rebuilt = MinMaxScaler.from_dict(MinMaxScaler().fit(frame).to_dict())
    with pytest.raises(ShapeError, match="fitted on columns"):
        rebuilt.transform(frame[["b", "a"]])


def test_sklearn_clone_and_get_params():
    from sklearn.base import clone

    scaler = MinMaxScaler(feature_range=(-1, 1), clip=True).fit([1.0, 2.0])
    copy = clone(scaler)
    assert copy.get_params() == {"feature_range": (-1, 1), "clip": True}
    assert not hasattr(copy, "scaler_")


def test_pandas_nullable_missing_values_are_named_like_nan():
    series = pd.Series([1, None, 3], dtype="Int64")
    with pytest.raises(DataError, match=re.escape("X contains NaN at sample 1: remove or impute")):
        StandardScaler().fit(series)
    np.testing.assert_allclose(
        StandardScaler().fit_transform(pd.Series([1, 2, 3], dtype="Int64")),
        [-1.2247449, 0, 1.2247449],
    )
