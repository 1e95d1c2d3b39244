"""The naive baselines beside a classifier or regressor, counted by hand."""

import re

import numpy as np
import pytest

import lstmkit
from lstmkit.diagnostics import classifier_baseline, regressor_baseline
from lstmkit.errors import ShapeError


class Fixed:
    """A fitted model stand-in with known predictions and accuracy."""

    def __init__(self, predictions=None, accuracy=None):
        self.predictions, self.accuracy = predictions, accuracy

    def predict(self, X):
        return self.predictions

    def score(self, X, y):
        return self.accuracy


def test_majority_class_is_counted_on_the_training_labels_only():
    # training majority is 2 (three of five); the held-out labels hold one 2 in four
    table = classifier_baseline(Fixed(accuracy=0.5), [2, 2, 2, 0, 1], None, [0, 2, 1, 1])
    assert table.loc["majority_class", "accuracy"] == 0.25
    assert table.loc["majority_class", "error_rate"] == 0.75
    assert table.loc["LSTM", "error_rate"] == 0.5 and table.loc["LSTM", "loses_to"] == ""


def test_one_hot_rows_and_missing_step_labels_are_read_as_labels():
    one_hot = np.eye(3)[[1, 1, 0]]
    table = classifier_baseline(Fixed(accuracy=0.1), one_hot, None, np.eye(3)[[1, 2]])
    assert table.loc["majority_class", "accuracy"] == 0.5
    assert table.loc["LSTM", "loses_to"] == "majority_class"  # 0.9 error > 0.5
    per_step = np.array([[1, 1, -1], [1, 0, -1]])  # -1: no label at that step
    table = classifier_baseline(Fixed(accuracy=1.0), per_step, None, per_step)
    assert table.loc["majority_class", "accuracy"] == 0.75  # three 1s among four labels


def test_training_mean_per_output_ignores_missing_targets():
    y_train = np.array([[0.0, 10.0], [2.0, np.nan], [4.0, 30.0]])  # means 2 and 20
    y = np.array([[1.0, 20.0], [3.0, np.nan]])
    model = Fixed(predictions=np.array([[1.0, 21.0], [3.0, 5.0]]))
    table = regressor_baseline(model, y_train, None, y)
    # baseline errors: -1, 0, 1 (the NaN target is skipped); model errors: 0, 1, 0
    assert table.loc["training_mean", "RMSE"] == pytest.approx(np.sqrt(2 / 3), abs=1e-12)
    assert table.loc["training_mean", "MAE"] == pytest.approx(2 / 3, abs=1e-12)
    assert table.loc["LSTM", "RMSE"] == pytest.approx(np.sqrt(1 / 3), abs=1e-12)
    assert table.loc["LSTM", "loses_to"] == ""


def test_predictions_of_another_shape_are_refused():
    message = (
        "predictions of shape (3,) do not match targets of shape (2,): pass the targets "
        "the model was trained to predict"
    )
    with pytest.raises(ShapeError, match=re.escape(message)):
        regressor_baseline(Fixed(predictions=np.zeros(3)), [1.0], None, [1.0, 2.0])


def test_a_trained_echo_classifier_beats_the_majority_class(one_torch_thread):
    from lstmkit.problems import echo

    X, y = echo.make(300, random_state=0)
    model = lstmkit.LSTMClassifier(units=16, epochs=15, learning_rate=0.02, random_state=0)
    model.fit(X[:200], y[:200])
    table = classifier_baseline(model, y[:200], X[200:], y[200:])
    majority = np.bincount(y[:200]).argmax()
    assert table.loc["majority_class", "accuracy"] == np.mean(y[200:] == majority)
    assert table.loc["LSTM", "accuracy"] == model.score(X[200:], y[200:])
    assert table.loc["LSTM", "loses_to"] == ""
