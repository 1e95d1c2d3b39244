"""save → load → predict equals the in-memory model, in this process and in a fresh one."""

import subprocess
import sys

import numpy as np
import pytest

import lstmkit
from lstmkit.problems import echo


def test_classifier_round_trip_is_bitwise(tmp_path):
    X, codes = echo.make(120, random_state=0)
    labels = np.array(list("abcdefghij"))[codes]
    model = lstmkit.LSTMClassifier(units=6, epochs=2, random_state=0).fit(X, labels)
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = lstmkit.load_model(path)
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert loaded.get_params() == model.get_params()
    assert loaded.history_.history == model.history_.history  # JSON floats round-trip exactly
    assert loaded.summary(print_fn=None) == model.summary(print_fn=None)


def test_regressor_round_trip_keeps_the_scalers(tmp_path):
    rng = np.random.default_rng(0)
    X = (rng.random((60, 4, 2)) * 100).astype("float32")
    y = X[:, -1, :] * 3 + 7
    model = lstmkit.LSTMRegressor(
        units=5, epochs=2, scale_X="minmax", scale_y=True, random_state=0
    ).fit(X, y)
    path = tmp_path / "regressor.safetensors"
    model.save(path)
    loaded = lstmkit.load_model(path)
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_fresh_process_predicts_identically(tmp_path):
    X, y = echo.make(100, random_state=0)
    model = lstmkit.LSTMClassifier(units=6, epochs=1, random_state=0).fit(X, y)
    model.save(tmp_path / "m.safetensors")
    np.save(tmp_path / "x.npy", X)
    code = (
        "import sys, numpy, lstmkit; m = lstmkit.load_model(sys.argv[1]); "
        "numpy.save(sys.argv[3], m.predict_proba(numpy.load(sys.argv[2])))"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(tmp_path / "m.safetensors"),
            str(tmp_path / "x.npy"),
            str(tmp_path / "p.npy"),
        ],
        check=True,
    )
    assert np.array_equal(np.load(tmp_path / "p.npy"), model.predict_proba(X))


def test_save_before_fit_is_refused(tmp_path):
    with pytest.raises(lstmkit.errors.NotFittedError, match="call fit"):
        lstmkit.LSTMClassifier().save(tmp_path / "m.safetensors")


def test_tuple_and_integer_keyed_parameters_survive_the_file(tmp_path):
    X, y = echo.make(60, n_features=3, random_state=0)
    model = lstmkit.LSTMClassifier(
        units=3, epochs=1, metrics=("accuracy",), class_weight={0: 2.0, 1: 1.0}, random_state=0
    ).fit(X, y)
    model.save(tmp_path / "m.safetensors")
    loaded = lstmkit.load_model(tmp_path / "m.safetensors")
    assert loaded.get_params() == model.get_params()
