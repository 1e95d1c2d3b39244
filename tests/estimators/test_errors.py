"""Bad input gets a message naming what was received, what was expected and the fix."""

import numpy as np
import pytest

import lstmkit
from lstmkit.errors import ConfigError, DataError, NotFittedError, ShapeError
from lstmkit.problems import echo


@pytest.fixture(scope="module")
def fitted():
    X, y = echo.make(64, random_state=0)
    return lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0).fit(X, y)


def test_two_dimensional_X_shows_both_reshapes():
    message = (
        r"expected X of shape \(samples, timesteps, features\), got a 2-D array of shape \(100, 5\). "
        r"If the 5 columns are time steps of one feature, use X.reshape\(100, 5, 1\); "
        r"if they are 5 features of one time step, use X.reshape\(100, 1, 5\)."
    )
    with pytest.raises(ShapeError, match=message):
        lstmkit.LSTMRegressor().fit(np.zeros((100, 5)), np.zeros(100))


def test_four_dimensional_X_names_the_layout():
    with pytest.raises(
        ShapeError, match=r"expected X of shape \(samples, timesteps, features\), got a 4-D array"
    ):
        lstmkit.LSTMRegressor().fit(np.zeros((2, 3, 4, 5)), np.zeros(2))


def test_nan_in_X_names_sample_step_and_feature():
    X = np.zeros((4, 3, 2))
    X[2, 1, 0] = np.nan
    with pytest.raises(
        DataError,
        match="X contains NaN at sample 2, step 1, feature 0: remove or impute missing values before fitting",
    ):
        lstmkit.LSTMRegressor().fit(X, np.zeros(4))


def test_inf_in_y_is_refused():
    with pytest.raises(
        DataError, match="y contains inf at sample 1: remove or clip infinite targets"
    ):
        lstmkit.LSTMRegressor().fit(np.zeros((3, 2, 1)), np.array([0.0, np.inf, 1.0]))


def test_targets_beyond_float32_are_refused():
    with pytest.raises(
        DataError,
        match=r"y holds values beyond float32's range \(about 3.4e38\): rescale the targets",
    ):
        lstmkit.LSTMRegressor().fit(np.zeros((3, 2, 1)), np.array([0.0, 1e300, 1.0]))


def test_empty_data_is_refused():
    with pytest.raises(ShapeError, match=r"X has shape \(0, 5, 10\), with no samples"):
        lstmkit.LSTMClassifier().fit(np.zeros((0, 5, 10)), np.zeros(0))


def test_X_and_y_of_different_lengths():
    with pytest.raises(
        ShapeError,
        match=r"X has 3 samples but y has 2: pass one target per sample \(y\[i\] belongs to X\[i\]\)",
    ):
        lstmkit.LSTMRegressor().fit(np.zeros((3, 2, 1)), np.zeros(2))


def test_unknown_option_suggests_the_right_name():
    with pytest.raises(
        ConfigError, match="LSTMClassifier got an unknown option 'unts'. Did you mean 'units'?"
    ):
        lstmkit.LSTMClassifier(unts=25)
    with pytest.raises(
        ConfigError, match="unknown parameter 'epoch' for LSTMRegressor. Did you mean 'epochs'?"
    ):
        lstmkit.LSTMRegressor().set_params(epoch=3)
    with pytest.raises(ConfigError, match="unknown optimizer 'adma'.*Did you mean 'adam'?"):
        lstmkit.LSTMRegressor(optimizer="adma", epochs=1).fit(np.zeros((3, 2, 1)), np.zeros(3))


def test_predict_before_fit():
    with pytest.raises(
        NotFittedError,
        match=r"This LSTMClassifier is not fitted yet: call fit\(X, y\) before predict.",
    ):
        lstmkit.LSTMClassifier().predict(np.zeros((1, 5, 10)))


def test_different_feature_count_than_at_fit(fitted):
    with pytest.raises(
        ShapeError,
        match=r"X has 7 features, but LSTMClassifier was fitted with 10 features: pass X of shape \(samples, timesteps, 10\).",
    ):
        fitted.predict(np.zeros((2, 5, 7)))


def test_swapped_time_and_features_is_suggested(fitted):
    with pytest.raises(
        ShapeError, match=r"Did you swap time and features\? Use X.transpose\(0, 2, 1\)."
    ):
        fitted.predict(np.zeros((2, 10, 5)))


def test_unseen_label_at_evaluate(fitted):
    X, _ = echo.make(2, random_state=0)
    with pytest.raises(DataError, match="y contains the label 42, unseen at fit"):
        fitted.evaluate(X, np.array([42, 1]))


def test_single_class_is_refused():
    with pytest.raises(
        DataError, match=r"y holds a single class \[3\]: a classifier needs at least two classes"
    ):
        lstmkit.LSTMClassifier().fit(np.zeros((4, 2, 1)), np.full(4, 3))


def test_bad_settings_are_reported_together():
    with pytest.raises(
        ConfigError,
        match=r"validation_split must be in \[0, 1\), got 1.5; units must be a positive integer or a list of them, got 0",
    ):
        lstmkit.LSTMRegressor(validation_split=1.5, units=0).fit(np.zeros((3, 2, 1)), np.zeros(3))


def test_ragged_list_with_an_empty_sequence():
    with pytest.raises(DataError, match="sequence 1 of X has no time steps"):
        lstmkit.LSTMRegressor().fit([np.zeros((2, 1)), np.zeros((0, 1))], np.zeros(2))
