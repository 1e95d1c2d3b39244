"""LSTMClassifier: learning, labels, scikit-learn conventions, reproducibility."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import lstmkit
from lstmkit.problems import echo


@pytest.fixture(scope="module")
def echo_data():
    X, y = echo.make(3000, random_state=3)
    X_test, y_test = echo.make(1000, random_state=4)
    return X, y, X_test, y_test


def test_echo_reaches_full_accuracy_on_fresh_sequences(echo_data):
    X, y, X_test, y_test = echo_data
    model = lstmkit.LSTMClassifier(units=25, epochs=12, learning_rate=0.01, random_state=1).fit(
        X, y
    )
    # Seeded; 100% on 1,000 fresh sequences is what the book reports.
    assert (model.predict(X_test) == y_test).mean() == 1.0
    results = model.evaluate(X_test, y_test)
    assert set(results) == {"loss", "accuracy"} and results["accuracy"] == 1.0
    assert model.score(X_test, y_test) == 1.0


def test_two_seeded_cpu_fits_are_bitwise_identical(echo_data):
    X, y, X_test, _ = echo_data
    first = lstmkit.LSTMClassifier(units=8, epochs=2, random_state=7, dropout=0.2).fit(
        X[:500], y[:500]
    )
    second = lstmkit.LSTMClassifier(units=8, epochs=2, random_state=7, dropout=0.2).fit(
        X[:500], y[:500]
    )
    assert np.array_equal(first.predict_proba(X_test), second.predict_proba(X_test))
    assert first.history_.history == second.history_.history


def test_string_labels_come_back_as_strings():
    X, codes = echo.make(300, n_features=3, random_state=0)
    labels = np.array(["red", "green", "blue"])[codes]
    model = lstmkit.LSTMClassifier(units=8, epochs=1, random_state=0).fit(X, labels)
    assert set(model.predict(X)) <= {"red", "green", "blue"}
    assert model.classes_.tolist() == ["blue", "green", "red"]
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (300, 3) and np.allclose(probabilities.sum(axis=1), 1.0)


def test_one_hot_targets_are_answered_with_one_hot_rows():
    X, codes = echo.make(200, random_state=0)
    model = lstmkit.LSTMClassifier(units=8, epochs=1, random_state=0).fit(X, np.eye(10)[codes])
    predicted = model.predict(X[:4])
    assert predicted.shape == (4, 10) and np.array_equal(predicted.sum(axis=1), np.ones(4))


def test_binary_labels_use_one_sigmoid_output():
    X, codes = echo.make(200, n_features=2, random_state=0)
    model = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0).fit(X, codes)
    assert model.loss_ == "binary_crossentropy" and model.output_size_ == 1
    assert model.predict_proba(X).shape == (200, 2)


def test_clone_pipeline_and_grid_search_with_time_series_split():
    from sklearn.pipeline import Pipeline

    X, y = echo.make(240, random_state=0)
    estimator = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0)
    assert clone(estimator).get_params() == estimator.get_params()
    search = GridSearchCV(estimator, {"units": [4, 6]}, cv=TimeSeriesSplit(n_splits=2))
    search.fit(X, y)
    assert search.best_params_["units"] in (4, 6)
    pipeline = Pipeline([("lstm", lstmkit.LSTMClassifier(units=4, epochs=1))]).fit(X, y)
    assert pipeline.predict(X).shape == (240,)


def test_book_loop_of_one_sample_fits_continues_the_weights():
    model = lstmkit.LSTMClassifier(units=25, learning_rate=0.01, random_state=0)
    for step in range(30):
        X, y = echo.make(1, random_state=step)
        model.partial_fit(X, np.eye(10)[y])  # the book passes one-hot rows
    assert len(model.history_.epoch) == 30
    assert model.predict(echo.make(5, random_state=99)[0]).shape == (5, 10)


def test_warm_start_continues_where_fit_stopped():
    X, y = echo.make(200, random_state=0)
    model = lstmkit.LSTMClassifier(units=8, epochs=2, warm_start=True, random_state=0).fit(X, y)
    weights = [p.detach().clone() for p in model.module_.parameters()]
    model.fit(X, y)
    assert len(model.history_.epoch) == 4
    assert any(
        not np.array_equal(a, b.detach()) for a, b in zip(weights, model.module_.parameters())
    )


def test_validation_split_takes_the_last_fraction_unshuffled():
    X, y = echo.make(100, random_state=0)
    model = lstmkit.LSTMClassifier(units=4, epochs=1, validation_split=0.2, random_state=0).fit(
        X, y
    )
    expected = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0).fit(X, y)
    assert "val_loss" in model.history_.history and "val_accuracy" in model.history_.history
    reference = model.evaluate(X[80:], y[80:])
    assert model.history_.history["val_loss"][0] == pytest.approx(reference["loss"], rel=1e-6)
    assert expected is not None


def test_sample_and_class_weights_change_training():
    X, y = echo.make(100, random_state=0)
    plain = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0).fit(X, y)
    weighted = lstmkit.LSTMClassifier(
        units=4, epochs=1, random_state=0, class_weight="balanced"
    ).fit(X, y)
    zero = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0).fit(
        X, y, sample_weight=np.zeros(100)
    )
    assert not np.array_equal(plain.predict_proba(X), weighted.predict_proba(X))
    untrained = lstmkit.LSTMClassifier(units=4, epochs=0, random_state=0).fit(X, y)
    assert np.allclose(zero.predict_proba(X), untrained.predict_proba(X))


def test_per_step_labels_with_ragged_input():
    rng = np.random.default_rng(0)
    sequences = [rng.random((length, 1)).astype("float32") for length in (4, 7, 5, 6) * 10]
    labels = [(np.cumsum(seq[:, 0]) > 1.5).astype(int) for seq in sequences]
    model = lstmkit.LSTMClassifier(units=8, epochs=2, return_sequences=True, random_state=0)
    model.fit(sequences, labels)
    predicted = model.predict(sequences[:3])
    assert [len(p) for p in predicted] == [4, 7, 5]
    assert 0.0 <= model.score(sequences, labels) <= 1.0


def test_torch_and_float64_inputs_give_the_same_predictions_as_float32_numpy():
    import torch

    X, y = echo.make(80, random_state=0)
    model = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    assert np.array_equal(model.predict_proba(torch.from_numpy(X)), expected)
    assert np.array_equal(model.predict_proba(X.astype(np.float64)), expected)
