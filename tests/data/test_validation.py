"""check_finite and check_3d: the exact messages the estimators rely on."""

import re

import numpy as np
import pytest

from lstmkit.data import check_3d, check_finite
from lstmkit.errors import DataError, ShapeError


def test_check_finite_names_the_first_nan_by_sample_step_feature():
    X = np.zeros((5, 3, 2))
    X[3, 1, 0] = np.nan
    X[4, 0, 0] = np.nan
    message = (
        "X contains NaN at sample 3, step 1, feature 0: remove or impute missing values "
        "before fitting"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        check_finite(X)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            np.inf,
            "y_val contains inf at sample 1, feature 2: remove or clip infinite values before predicting",
        ),
        (
            -np.inf,
            "y_val contains -inf at sample 1, feature 2: remove or clip infinite values before predicting",
        ),
    ],
)
def test_check_finite_infinities_with_name_and_context(value, expected):
    X = np.zeros((2, 3))
    X[1, 2] = value
    with pytest.raises(DataError, match=re.escape(expected)):
        check_finite(X, name="y_val", context="predicting")


def test_check_finite_returns_the_array_and_accepts_integers():
    out = check_finite([[1, 2], [3, 4]])
    assert isinstance(out, np.ndarray) and out.dtype.kind == "i"
    assert check_finite(np.ones((2, 2, 2), dtype=np.float32)).dtype == np.float32


def test_check_finite_rejects_strings_and_ragged_input():
    with pytest.raises(DataError, match=re.escape("X must hold numbers, got dtype <U1")):
        check_finite(["a", "b"])
    with pytest.raises(ShapeError, match="X is ragged: its sequences have different lengths"):
        check_finite([[1.0, 2.0], [3.0]])


def test_check_3d_explains_both_readings_of_a_2d_array():
    message = (
        "expected X of shape (samples, timesteps, features), got a 2-D array of shape "
        "(100, 5). If the 5 columns are time steps of one feature, use X.reshape(100, 5, 1); "
        "if they are 5 features of one time step, use X.reshape(100, 1, 5)."
    )
    with pytest.raises(ShapeError, match=re.escape(message)):
        check_3d(np.zeros((100, 5)))


def test_check_3d_on_1d_and_4d():
    message_1d = (
        "expected X of shape (samples, timesteps, features), got a 1-D array of shape (10,). "
        "If it is one sequence of 10 time steps of one feature, use X.reshape(1, 10, 1); "
        "if it is 10 samples of one step, use X.reshape(10, 1, 1)."
    )
    with pytest.raises(ShapeError, match=re.escape(message_1d)):
        check_3d(np.zeros(10))
    message_4d = (
        "expected X of shape (samples, timesteps, features), got a 4-D array of shape "
        "(2, 3, 4, 5). An LSTM reads one row per sample, one step per time step and one "
        "column per feature: merge the trailing axes into features, e.g. X.reshape(2, 3, 20)."
    )
    with pytest.raises(ShapeError, match=re.escape(message_4d)):
        check_3d(np.zeros((2, 3, 4, 5)))
    with pytest.raises(
        ShapeError,
        match=re.escape("expected X of shape (samples, timesteps, features), got a scalar."),
    ):
        check_3d(3.0)


def test_check_3d_empty_axes_and_ragged():
    with pytest.raises(ShapeError, match=re.escape("X has shape (0, 8, 1), with no samples")):
        check_3d(np.zeros((0, 8, 1)))
    with pytest.raises(ShapeError, match=re.escape("with no timesteps and no features")):
        check_3d(np.zeros((3, 0, 0)))
    with pytest.raises(ShapeError, match="X is ragged"):
        check_3d([np.zeros((3, 1)), np.zeros((2, 1))])


def test_check_3d_passes_a_3d_array_through():
    X = np.zeros((4, 3, 2))
    assert check_3d(X) is X
    assert check_3d([[[1.0]]]).shape == (1, 1, 1)
