"""``lstmkit tune RUN.toml``: a tiny grid search, its run directory, storage and errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstmkit

TUNE_RUN = """\
[data]
train = "train.npz"
test = "test.npz"

[model]
task = "classifier"
units = 4

[training]
epochs = 2
batch_size = 8
random_state = 0
device = "cpu"

[tune]
trials = 3
sampler = "grid"
{extra}
[tune.space]
units = [2, 4, 6]
"""


def _run_file(project: Path, tmp_path: Path, extra: str = "", space: str = "") -> Path:
    run = tmp_path / "search.toml"
    for name in ("train.npz", "test.npz"):
        (tmp_path / name).write_bytes((project / name).read_bytes())
    run.write_text(TUNE_RUN.format(extra=extra) + space)
    return run


def test_grid_search_prints_the_best_trials_and_writes_the_run(project, invoke, tmp_path):
    run = _run_file(project, tmp_path)
    result = invoke("tune", run, "--run-dir", tmp_path / "run", "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "study: 3 trials (3 complete); storage: in memory"
    assert lines[1] == "best 3 trials (minimize the objective):"
    trials = pd.read_csv(tmp_path / "run" / "trials.csv")
    assert sorted(trials["params_units"]) == [2, 4, 6] and set(trials["state"]) == {"COMPLETE"}
    best = json.loads((tmp_path / "run" / "best.json").read_text())
    # The best is the trial with the lowest objective (the minimum val_loss of its fit).
    assert best["value"] == pytest.approx(trials["value"].min(), rel=1e-12)
    assert best["params"] == {"units": int(trials.loc[trials["value"].idxmin(), "params_units"])}
    assert any(line.startswith("best model on test: loss: ") for line in lines)
    assert lines[-1] == f"run directory: {tmp_path / 'run'}"
    files = {p.relative_to(tmp_path / "run").as_posix() for p in (tmp_path / "run").rglob("*")}
    assert {"run.json", "config.toml", "trials.csv", "best.json", "metrics.json"} <= files
    assert {"history.json", "model.safetensors", "plots/tuning_history.png"} <= files
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["command"] == "tune" and info["model"]["tuning"]["best_trial"] == best["number"]


def test_the_saved_model_is_the_best_setting_refitted_on_all_the_training_data(
    project, invoke, tmp_path
):
    run = _run_file(project, tmp_path)
    assert invoke("tune", run, "--run-dir", tmp_path / "run", "-q").exit_code == 0
    best = json.loads((tmp_path / "run" / "best.json").read_text())["params"]
    saved = lstmkit.load_model(tmp_path / "run" / "model.safetensors")
    with np.load(tmp_path / "train.npz") as data:
        X, y = data["X"], data["y"]
    # The same fit by hand, in the same process: bitwise the same model (CONTRACTS §9).
    by_hand = lstmkit.LSTMClassifier(
        units=best["units"], epochs=2, batch_size=8, random_state=0, device="cpu"
    ).fit(X, y)
    np.testing.assert_array_equal(saved.predict_proba(X), by_hand.predict_proba(X))


def test_a_sqlite_study_beside_the_run_file_continues_on_the_next_call(project, invoke, tmp_path):
    run = _run_file(
        project, tmp_path, extra='storage = "sqlite:///study.db"\nstudy_name = "echo"\n'
    )
    run.write_text(run.read_text().replace('sampler = "grid"', 'sampler = "random"'))
    first = invoke("tune", run, "--run-dir", tmp_path / "one", "-q")
    assert first.exit_code == 0, first.output
    assert (tmp_path / "study.db").is_file()  # beside the run file, not in the cwd
    second = invoke("tune", run, "--trials", "4", "--run-dir", tmp_path / "two", "-q")
    assert second.exit_code == 0, second.output
    # The study already held 3 complete trials: the second call ran only the fourth.
    assert second.stdout.splitlines()[0].startswith("study: 4 trials (4 complete); storage: ")
    assert len(pd.read_csv(tmp_path / "two" / "trials.csv")) == 4


def test_a_run_file_without_a_tune_table_is_refused_before_any_training(project, invoke, tmp_path):
    result = invoke("tune", project / "run.toml", "--run-dir", tmp_path / "run")
    assert result.exit_code == 1
    assert f"{project / 'run.toml'}: no [tune] table: add one" in result.stderr
    assert "(see examples/echo_tune.toml)" in result.stderr
    assert not (tmp_path / "run").exists()


def test_a_bad_space_is_reported_with_the_run_file(project, invoke, tmp_path):
    run = _run_file(project, tmp_path)
    run.write_text(run.read_text().replace("units = [2, 4, 6]", "units = { low = 8, high = 4 }"))
    result = invoke("tune", run, "--run-dir", tmp_path / "run")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {run}: [tune] space = a table: expected search space entry 'units': "
        "Int low=8 is greater than high=4: give low <= high\n"
    )


FORECAST_TUNE_RUN = """\
[data]
path = "lstmkit:airline_passengers"
time_column = "Month"
target = "Passengers"
freq = "MS"

[forecast]
horizon = 3
difference = [12]

[model]
units = 4

[training]
epochs = 2
random_state = 0

[tune]
trials = 2
sampler = "grid"
validation_split = 0.1

[tune.space]
lookback = [6, 12]
"""


def test_a_forecast_run_file_is_tuned_on_a_backtest_of_its_series(invoke, tmp_path):
    run = tmp_path / "airline_tune.toml"
    run.write_text(FORECAST_TUNE_RUN)
    result = invoke("tune", run, "--run-dir", tmp_path / "run", "-q")
    assert result.exit_code == 0, result.output
    trials = pd.read_csv(tmp_path / "run" / "trials.csv")
    assert sorted(trials["params_lookback"]) == [6, 12]
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["data"]["task"] == "forecast" and info["data"]["steps"] == 144
    best = json.loads((tmp_path / "run" / "best.json").read_text())
    saved = lstmkit.load_model(tmp_path / "run" / "model.safetensors")
    assert saved.lookback == best["params"]["lookback"] and saved.horizon == 3
    assert len(saved.predict()) == 3  # the refitted best forecasts from the series' end


def test_a_searched_lookback_is_noted_with_how_to_feed_the_best_model(project, invoke, tmp_path):
    run = _run_file(project, tmp_path)
    run.write_text(run.read_text().replace("units = [2, 4, 6]", "lookback = [2, 3]"))
    result = invoke("tune", run, "--run-dir", tmp_path / "run", "-q")
    assert result.exit_code == 0, result.output
    best = json.loads((tmp_path / "run" / "best.json").read_text())["params"]["lookback"]
    note = (
        f"the best model reads the last {best} steps of each sample (lookback = {best}): "
        f"give it X[:, -{best}:, :], e.g. to lstmkit predict and evaluate"
    )
    assert f"note: {note}" in result.stdout.splitlines()
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["notes"] == [note] and info["model"]["tuning"]["input_steps"] == best
    saved = lstmkit.load_model(tmp_path / "run" / "model.safetensors")
    assert saved.n_timesteps_in_ == best  # trained on the cropped samples
