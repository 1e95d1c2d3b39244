"""``lstmkit train RUN.toml``: happy paths with 1-2 epochs and every error path."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lstmkit
from lstmkit.cli._common import format_history
from lstmkit.cli._run_data import _class_weight
from lstmkit.errors import ConfigError


def test_train_classifier_from_npz(trained):
    model = lstmkit.load_model(trained / "model.safetensors")
    assert model.n_timesteps_in_ == 3 and model.n_features_in_ == 2
    assert model.units == 4 and model.epochs == 1 and model.batch_size == 8
    assert len(model.history_.history["loss"]) == 1


def test_train_prints_history_scores_and_the_file(project, invoke, monkeypatch, tmp_path):
    monkeypatch.chdir(project)
    result = invoke("train", "run.toml", "--output", tmp_path / "m.safetensors", "--epochs", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "History:"
    assert lines[1].split() == ["epoch", "loss", "accuracy"]
    assert [line.split()[0] for line in lines[2:4]] == ["1", "2"]
    assert lines[4].startswith("train: loss: ") and " - accuracy: " in lines[4]
    assert lines[5].startswith("test: loss: ")
    baseline = r"test: LSTM (beats|LOSES to) majority_class \(error_rate [\d.]+ vs [\d.]+\)"
    assert re.fullmatch(baseline, lines[6]), lines[6]
    assert lines[7] == f"saved model to {tmp_path / 'm.safetensors'}"
    assert re.fullmatch(r"run directory: runs/run-train-\d{8}-\d{6}(-\d+)?", lines[8]), lines[8]
    assert len(lines) == 9 and result.stderr == ""
    assert lstmkit.load_model(tmp_path / "m.safetensors").epochs == 2  # --epochs won


def test_train_regressor_from_csv_with_validation(trained):
    model = lstmkit.load_model(trained / "reg.safetensors")
    history = model.history_.history
    assert {"loss", "mae", "rmse", "val_loss", "val_mae", "val_rmse"} <= set(history)
    assert model.n_timesteps_in_ == 4 and model.n_features_in_ == 1
    assert model.scale_y is True


def test_history_table_keeps_the_last_epochs_loss_first():
    history = {"accuracy": [0.5] * 7, "val_loss": [2.0] * 7, "loss": list(range(7))}
    lines = format_history(history).splitlines()
    assert lines[0].split() == ["epoch", "loss", "accuracy", "val_loss"]
    assert [line.split()[:2] for line in lines[1:]] == [
        [str(epoch), f"{epoch - 1:.4f}"] for epoch in range(3, 8)
    ]


def test_default_output_is_next_to_the_run_file(project, invoke, tmp_path):
    run = tmp_path / "plain.toml"
    run.write_text((project / "run.toml").read_text().replace('output = "model.safetensors"\n', ""))
    shutil.copy(project / "train.npz", tmp_path)
    shutil.copy(project / "test.npz", tmp_path)
    result = invoke("train", run)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plain.safetensors").is_file()


def test_an_existing_model_is_never_replaced_unasked(project, invoke, monkeypatch, tmp_path):
    monkeypatch.chdir(project)
    out = tmp_path / "old.safetensors"
    out.write_bytes(b"precious")
    result = invoke("train", "run.toml", "-o", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: model file '{out}' already exists and was left untouched: choose another "
        "--output, or pass --force to replace it\n"
    )
    assert out.read_bytes() == b"precious" and result.stdout == ""
    result = invoke("train", "run.toml", "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert lstmkit.load_model(out).units == 4


def test_the_model_never_replaces_an_input(project, invoke, monkeypatch):
    monkeypatch.chdir(project)
    before = (project / "train.npz").read_bytes()
    result = invoke("train", "run.toml", "-o", "train.npz", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the model file 'train.npz' is one of the run's inputs (the run file or a "
        "data file): choose another --output\n"
    )
    assert (project / "train.npz").read_bytes() == before


def test_the_output_directory_must_exist(project, invoke, monkeypatch, tmp_path):
    monkeypatch.chdir(project)
    out = tmp_path / "missing" / "m.safetensors"
    result = invoke("train", "run.toml", "-o", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write '{out}': the directory '{out.parent}' does not exist\n"
    )


def _run_file(tmp_path: Path, project: Path, text: str) -> Path:
    for name in ("train.npz", "test.npz", "X.npy"):
        shutil.copy(project / name, tmp_path)
    run = tmp_path / "run.toml"
    run.write_text(text)
    return run


def test_config_errors_are_listed_before_anything_runs(project, invoke, monkeypatch, tmp_path):
    text = (project / "run.toml").read_text().replace("units = 4", "unts = 4\nepochs = 2")
    _run_file(tmp_path, project, text.replace('"classifier"', '"clasifier"'))
    monkeypatch.chdir(tmp_path)
    result = invoke("train", "run.toml", "--device", "cdua")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: run.toml: [model] task = \"clasifier\": expected one of 'classifier', "
        "'regressor'. Did you mean 'classifier'?\n"
        "error: run.toml: unknown key 'unts' in [model]. Did you mean 'units'?\n"
        "error: run.toml: unknown key 'epochs' in [model]: it belongs in [training].\n"
        'error: run.toml: [training] device = "cdua" (from --device): expected one of '
        "'auto', 'cpu', 'cuda'. Did you mean 'cuda'?\n"
    )
    assert not (tmp_path / "model.safetensors").exists()


def test_missing_run_file(invoke, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = invoke("train", "nope.toml")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: run file 'nope.toml' does not exist: check the path, or start from "
        "examples/echo.toml\n"
    )


def test_missing_data_file_is_named_with_its_resolved_path(project, invoke, tmp_path):
    text = (project / "run.toml").read_text().replace('"train.npz"', '"missing.npz"')
    run = _run_file(tmp_path, project, text)
    result = invoke("train", run)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: data file '{tmp_path / 'missing.npz'}' does not exist: check the path\n"
    )


def test_training_needs_targets(project, invoke, monkeypatch, tmp_path):
    text = (project / "run.toml").read_text().replace('"train.npz"', '"X.npy"')
    _run_file(tmp_path, project, text)
    monkeypatch.chdir(tmp_path)
    result = invoke("train", "run.toml")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: X.npy: a .npy file holds the inputs only")


def test_class_weight_balanced(project, invoke, monkeypatch, tmp_path):
    text = (project / "run.toml").read_text().replace("epochs = 1", 'class_weight = "balanced"')
    _run_file(tmp_path, project, text)
    monkeypatch.chdir(tmp_path)
    result = invoke("train", "run.toml")
    assert result.exit_code == 0, result.output
    assert lstmkit.load_model("model.safetensors").class_weight == "balanced"


def test_class_weight_table_trains_and_saves(project, invoke, monkeypatch, tmp_path):
    table = 'class_weight = { "0" = 1.0, "1" = 3.0 }'
    text = (project / "run.toml").read_text().replace("epochs = 1", "epochs = 1\n" + table)
    _run_file(tmp_path, project, text)
    monkeypatch.chdir(tmp_path)
    result = invoke("train", "run.toml")
    assert result.exit_code == 0, result.output
    assert lstmkit.load_model("model.safetensors").class_weight == {0: 1.0, 1: 3.0}


def test_class_weight_keys_follow_the_labels(tmp_path):
    weights = {"0": 1.0, "1": 3.0}
    assert _class_weight(weights, np.array([0, 1]), Path("run.toml")) == {0: 1.0, 1: 3.0}
    assert _class_weight(weights, np.array(["0", "1"]), Path("run.toml")) == weights
    with pytest.raises(ConfigError) as caught:
        _class_weight({"zero": 1.0}, np.array([0, 1]), Path("run.toml"))
    assert str(caught.value) == (
        "run.toml: [training] class_weight has the key 'zero', but the labels are "
        'integers: use the labels as keys, e.g. class_weight = { "0" = 1.0, "1" = 5.0 }'
    )


def test_the_echo_example_trains(invoke, tmp_path):
    from lstmkit.problems import echo

    example = Path(__file__).resolve().parents[2] / "examples" / "echo.toml"
    shutil.copy(example, tmp_path)
    for name, count, seed in (("echo_train", 64, 1), ("echo_test", 16, 1001)):
        X, y = echo.make(count, random_state=seed)
        np.savez(tmp_path / f"{name}.npz", X=X, y=y)
    result = invoke("train", tmp_path / "echo.toml", "--epochs", "1")
    assert result.exit_code == 0, result.output
    model = lstmkit.load_model(tmp_path / "echo.safetensors")
    assert "Total params: 3,960" in model.summary(print_fn=None)  # the book's model


def test_train_in_a_real_process(project, tmp_path, quiet_env):
    out = tmp_path / "sub.safetensors"
    done = subprocess.run(
        [sys.executable, "-m", "lstmkit.cli", "train", "run.toml", "-o", str(out)],
        capture_output=True,
        text=True,
        env=quiet_env,
        cwd=project,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2] == f"saved model to {out}"
    assert done.stdout.splitlines()[-1].startswith("run directory: runs/run-train-")
    assert lstmkit.load_model(out).n_features_in_ == 2
