"""``lstmkit evaluate``, ``predict`` and ``inspect`` on the models the fixtures trained."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import lstmkit


@pytest.fixture
def models(trained, monkeypatch):
    monkeypatch.chdir(trained)
    return trained


def test_evaluate_prints_loss_and_every_metric(models, invoke):
    result = invoke("evaluate", "model.safetensors", "test.npz")
    assert result.exit_code == 0, result.output
    expected = lstmkit.load_model("model.safetensors").evaluate(*_xy(models / "test.npz"))
    assert result.stdout == (
        f"loss: {expected['loss']:.4f} - accuracy: {expected['accuracy']:.4f}\n"
    )


def test_evaluate_json_for_scripts(models, invoke):
    result = invoke("evaluate", "reg.safetensors", "series_val.csv", "--target", "next", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert list(scores) == ["loss", "mae", "rmse"]
    history = lstmkit.load_model("reg.safetensors").history_.history
    assert scores["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-5)


def test_evaluate_a_csv_reshaped_to_the_models_input(models, invoke):
    result = invoke("evaluate", "model.safetensors", "test.csv", "--target", "label")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("loss: ")


def test_evaluate_needs_targets(models, invoke):
    result = invoke("evaluate", "model.safetensors", "test.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: test.csv: no target column was named, but targets are needed here: name it "
        "with --target (target in a run file's [data])\n"
    )


def test_csv_columns_that_do_not_fit_the_model(models, invoke):
    result = invoke("evaluate", "reg.safetensors", "test.csv", "--target", "label")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: test.csv: 6 input columns do not fit timesteps=4, features=1: expected 4 "
        "input columns, ordered step by step (all features of step 0, then step 1, ...). "
        "The model was trained on inputs of shape (timesteps, features) = (4, 1).\n"
    )


def test_missing_model_file(models, invoke):
    result = invoke("evaluate", "nope.safetensors", "test.npz")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: model file 'nope.safetensors' does not exist: train one with "
        "'lstmkit train RUN.toml'\n"
    )


def test_a_file_that_is_not_a_model(models, invoke, tmp_path):
    fake = tmp_path / "fake.safetensors"
    fake.write_bytes(b"not a model")
    result = invoke("inspect", fake)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stdout == ""


def test_predict_labels_to_csv(models, invoke, tmp_path):
    out = tmp_path / "p.csv"
    result = invoke("predict", "model.safetensors", "X.npy", "--output", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 5 predictions to {out}\n"
    expected = lstmkit.load_model("model.safetensors").predict(np.load("X.npy"))
    assert out.read_text().splitlines() == ["prediction", *map(str, expected)]


def test_predict_probabilities_to_npy_and_csv(models, invoke, tmp_path):
    model = lstmkit.load_model("model.safetensors")
    expected = model.predict_proba(np.load("X.npy"))
    result = invoke("predict", "model.safetensors", "X.npy", "-o", tmp_path / "p.npy", "--proba")
    assert result.exit_code == 0, result.output
    # bitwise: the same weights, inputs and batch layout in one process
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), expected)
    result = invoke("predict", "model.safetensors", "X.npy", "-o", tmp_path / "p.csv", "--proba")
    assert result.exit_code == 0, result.output
    header = (tmp_path / "p.csv").read_text().splitlines()[0]
    assert header == ",".join(f"proba_{label}" for label in model.classes_)


def test_predict_from_a_csv_ignores_the_target(models, invoke, tmp_path):
    out = tmp_path / "p.npy"
    result = invoke("predict", "reg.safetensors", "series_val.csv", "--target", "next", "-o", out)
    assert result.exit_code == 0, result.output
    assert np.load(out).shape[0] == 10


def test_predict_never_replaces_a_file_unasked(models, invoke, tmp_path):
    out = tmp_path / "p.csv"
    out.write_text("precious")
    result = invoke("predict", "model.safetensors", "X.npy", "-o", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: '{out}' already exists and was left untouched: choose another --output, or "
        "pass --force to replace it\n"
    )
    assert out.read_text() == "precious"
    result = invoke("predict", "model.safetensors", "X.npy", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("prediction\n")


def test_predict_never_writes_over_its_inputs(models, invoke):
    before = (models / "X.npy").read_bytes()
    result = invoke("predict", "model.safetensors", "X.npy", "-o", "X.npy", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the output 'X.npy' is the model or the data file: choose another --output\n"
    )
    assert (models / "X.npy").read_bytes() == before


def test_predict_output_must_be_npy_or_csv(models, invoke):
    result = invoke("predict", "model.safetensors", "X.npy", "-o", "p.txt")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: cannot write predictions to 'p.txt': expected a file ending in .npy or .csv.\n"
    )


def test_predict_proba_needs_a_classifier(models, invoke, tmp_path):
    result = invoke(
        "predict",
        "reg.safetensors",
        "series_val.csv",
        "--target",
        "next",
        "--proba",
        "-o",
        tmp_path / "p.npy",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --proba needs a classifier, but this model is a regressor: leave out --proba\n"
    )
    assert not (tmp_path / "p.npy").exists()


def test_predict_with_a_wrong_feature_count(models, invoke, tmp_path):
    np.save(tmp_path / "wide.npy", np.zeros((2, 3, 5)))
    result = invoke("predict", "model.safetensors", tmp_path / "wide.npy", "-o", tmp_path / "p.npy")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "2" in result.stderr
    assert not (tmp_path / "p.npy").exists()


def test_predict_in_a_real_process(models, tmp_path, quiet_env):
    out = tmp_path / "p.npy"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstmkit.cli",
            "predict",
            "model.safetensors",
            "test.npz",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=quiet_env,
        cwd=models,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    expected = lstmkit.load_model("model.safetensors").predict(_xy(models / "test.npz")[0])
    np.testing.assert_array_equal(np.load(out), expected)  # save -> load -> predict: bitwise


def test_inspect_prints_the_summary(models, invoke):
    result = invoke("inspect", "model.safetensors")
    assert result.exit_code == 0, result.output
    model = lstmkit.load_model("model.safetensors")
    size = (models / "model.safetensors").stat().st_size
    assert result.stdout == (
        f"Model file: model.safetensors ({size:,} bytes)\n" + model.summary(print_fn=None) + "\n"
    )


def _xy(path):
    with np.load(path) as archive:
        return archive["X"], archive["y"]
