"""Run directories: staged writes, refusals, run.json, and the reader's checks.

The reader is tested on folders written here by hand with json and pandas (the format
of docs/architecture.md), so it is checked against the format, not against the writer.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmkit.errors import ConfigError, DataError
from lstmkit.io.run_records import (
    RUN_FORMAT,
    RunRecord,
    default_run_dir,
    read_run,
    to_json_value,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MOMENT = datetime(2024, 5, 1, 12, 30, 5)
WRITERS = "expected a directory written by lstmkit train, forecast or tune"


def _run_json(**changes) -> dict:
    info = {
        "format": "lstmkit-run",
        "format_version": 1,
        "command": "forecast",
        "name": "airline",
        "created": "2024-05-01T10:30:05+00:00",
        "lstmkit_version": "0.1.0",
        "torch_version": "2.0",
        "python_version": "3.11.0",
        "run_file": "airline.toml",
        "overrides": {"--epochs": 2},
        "data": {"steps": 144},
        "model": {"estimator": "LSTMForecaster"},
        "notes": ["a note"],
    }
    info.update(changes)
    return info


def _hand_written_run(folder: Path, **run_json) -> Path:
    """Every file of the format, written with json and pandas only."""
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('[data]\npath = "x.csv"\n')
    (folder / "metrics.json").write_text('{"RMSE": 18.5, "MAPE": null}')
    (folder / "history.json").write_text('{"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, null]}')
    (folder / "verdict.json").write_text('{"verdict": "good fit", "reasons": ["flat"]}')
    evaluation = pd.DataFrame(
        {"RMSE": [18.5, 53.4], "loses_to": ["", "LSTM"]}, index=["LSTM", "seasonal_naive"]
    )
    evaluation.to_csv(folder / "evaluation.csv", index_label="method")
    repeats = pd.DataFrame({"run": [0, 1], "seed": [3, 4], "RMSE": [17.0, 20.0]})
    repeats.to_csv(folder / "repeats.csv", index=False)
    comparisons = [{"a": "LSTM", "b": "seasonal_naive", "test": "Welch's t", "statistic": -3.0}]
    (folder / "comparisons.json").write_text(json.dumps(comparisons))
    trials = pd.DataFrame({"number": [0, 1], "state": ["COMPLETE", "PRUNED"], "value": [0.5, None]})
    trials.assign(duration_s=[1.0, 0.5], params_units=[8, 16]).to_csv(
        folder / "trials.csv", index=False
    )
    (folder / "best.json").write_text('{"value": 0.5, "params": {"units": 8}, "number": 0}')
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "plots").mkdir()
    for name in ("learning_curves", "forecast"):
        (folder / "plots" / f"{name}.png").write_bytes(PNG_SIGNATURE)
    (folder / "plots" / "notes.txt").write_text("not a plot")
    (folder / "run.json").write_text(json.dumps(_run_json(**run_json)))
    return folder


# ---------------------------------------------------------------- names
def test_default_run_dir_names_the_run_and_counts_collisions(tmp_path):
    first = default_run_dir("train", "echo", tmp_path, now=MOMENT)
    assert first == tmp_path / "echo-train-20240501-123005"
    first.mkdir()
    second = default_run_dir("train", "echo", tmp_path, now=MOMENT)
    assert second.name == "echo-train-20240501-123005-2"
    second.write_text("a file takes the name too")
    assert default_run_dir("train", "echo", tmp_path, now=MOMENT).name.endswith("-3")
    assert not (tmp_path / "echo-train-20240501-123005-3").exists()  # nothing created


def test_default_root_is_runs_relative_to_the_current_folder():
    path = default_run_dir("forecast", "airline", now=MOMENT)
    assert path == Path("runs") / "airline-forecast-20240501-123005"


# ---------------------------------------------------------------- writing
def test_files_stay_out_of_sight_until_finish(tmp_path):
    target = tmp_path / "runs" / "r1"
    record = RunRecord(target, "train")
    record.write_json("metrics.json", {"loss": 0.5})
    assert not target.exists()  # only the staging folder so far
    [staging] = (tmp_path / "runs").iterdir()
    assert re.fullmatch(r"r1\.partial-[0-9a-f]{8}", staging.name)
    assert not (staging / "run.json").exists()
    assert record.finish() == target
    assert sorted(p.name for p in target.iterdir()) == ["metrics.json", "run.json"]
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["r1"]  # staging renamed


def test_run_json_holds_the_format_and_the_summaries(tmp_path):
    before = datetime.now().astimezone()
    with RunRecord(tmp_path / "r", "forecast", name="airline") as record:
        record.finish(
            run_file="airline.toml",
            overrides={"--epochs": 2},
            data={"steps": 144},
            model={"estimator": "LSTMForecaster"},
            notes=["backtest of 13 origins"],
        )
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    created = datetime.fromisoformat(info.pop("created"))
    assert created.utcoffset().total_seconds() == 0  # UTC
    assert abs((created - before).total_seconds()) < 60
    versions = {key: info.pop(key) for key in ("lstmkit_version", "torch_version")}
    assert all(isinstance(value, str) and value for value in versions.values())
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", info.pop("python_version"))
    assert info == {
        "format": "lstmkit-run",
        "format_version": 1,
        "command": "forecast",
        "name": "airline",
        "run_file": "airline.toml",
        "overrides": {"--epochs": 2},
        "data": {"steps": 144},
        "model": {"estimator": "LSTMForecaster"},
        "notes": ["backtest of 13 origins"],
    }


def test_json_frames_and_figures_are_written_as_the_format_says(tmp_path):
    from matplotlib.figure import Figure

    with RunRecord(tmp_path / "r", "train") as record:
        record.write_json("metrics.json", {"mape": float("nan"), "rmse": np.float32(0.5)})
        frame = pd.DataFrame({"RMSE": [1.5, 2.5]}, index=pd.Index(["LSTM", "drift"], name="m"))
        record.write_frame("evaluation.csv", frame)
        figure = Figure(figsize=(2, 1), dpi=50)
        written = record.save_figure("learning_curves", figure)
        assert written == record.folder / "plots" / "learning_curves.png"
        record.finish()
    folder = tmp_path / "r"
    assert (folder / "metrics.json").read_text() == '{\n  "mape": null,\n  "rmse": 0.5\n}\n'
    assert (folder / "evaluation.csv").read_text() == "m,RMSE\nLSTM,1.5\ndrift,2.5\n"
    png = (folder / "plots" / "learning_curves.png").read_bytes()
    assert png[:8] == PNG_SIGNATURE
    assert int.from_bytes(png[16:20], "big") == 100  # 2 inches at 50 dpi, read from IHDR


def test_model_path_moves_with_the_run(tmp_path):
    record = RunRecord(tmp_path / "r", "train")
    assert record.model_path.parent.name.startswith("r.partial-")
    record.model_path.write_bytes(b"weights")  # a model file is saved by its own writer
    record.finish()
    assert record.model_path == tmp_path / "r" / "model.safetensors"
    assert record.model_path.read_bytes() == b"weights"


def test_a_failed_run_leaves_nothing_behind(tmp_path):
    with pytest.raises(RuntimeError, match="training diverged"):
        with RunRecord(tmp_path / "r", "train") as record:
            record.write_text("config.toml", "[data]\n")
            raise RuntimeError("training diverged")
    assert list(tmp_path.iterdir()) == []


def test_a_finished_run_is_closed(tmp_path):
    record = RunRecord(tmp_path / "r", "train")
    record.finish()
    with pytest.raises(DataError, match=re.escape(f"run directory '{tmp_path / 'r'}' is finished")):
        record.write_text("late.txt", "x")


def test_names_outside_the_run_are_refused(tmp_path):
    with RunRecord(tmp_path / "r", "train") as record:
        for name in ("../escape.txt", "/tmp/escape.txt", ""):
            with pytest.raises(DataError, match="expected a name inside the run directory"):
                record.write_text(name, "x")
    assert not (tmp_path / "escape.txt").exists()


def test_unknown_command_is_named():
    with pytest.raises(ConfigError) as caught:
        RunRecord("r", "trian")
    assert str(caught.value) == (
        "unknown run command 'trian': expected one of 'forecast', 'train', 'tune'. "
        "Did you mean 'train'?"
    )


def test_the_run_folder_is_as_readable_as_any_folder(tmp_path):
    umask = os.umask(0o022)
    try:
        with RunRecord(tmp_path / "r", "train") as record:
            record.finish()
    finally:
        os.umask(umask)
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0o700


# ---------------------------------------------------------------- refusing and replacing
def test_an_existing_run_is_never_replaced_unasked(tmp_path):
    old = _hand_written_run(tmp_path / "r")
    with pytest.raises(DataError) as caught:
        RunRecord(old, "train")
    assert str(caught.value) == (
        f"run directory '{old}' already exists and is not empty; it was left untouched: "
        "choose another run directory, or replace it (--force on the command line, "
        "overwrite=True in Python)"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no staging folder made
    with RunRecord(old, "train", overwrite=True) as record:
        record.write_json("metrics.json", {"loss": 0.1})
        assert (old / "trials.csv").exists()  # the old run stays whole until finish
        record.finish()
    assert sorted(p.name for p in old.iterdir()) == ["metrics.json", "run.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # the old run is gone entirely


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(DataError) as caught:
        RunRecord(tmp_path / "mine", "train", overwrite=True)
    assert str(caught.value) == (
        f"'{tmp_path / 'mine'}' is not empty and is not a run directory (it has no run.json): "
        "it will not be replaced; choose another run directory"
    )
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_an_empty_folder_and_missing_parents_are_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "empty", tmp_path / "a" / "b" / "run"):
        with RunRecord(target, "tune") as record:
            record.finish()
        assert (target / "run.json").is_file()


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "r").write_text("x")
    with pytest.raises(DataError) as caught:
        RunRecord(tmp_path / "r", "train", overwrite=True)
    assert str(caught.value) == (
        f"run directory '{tmp_path / 'r'}' exists and is not a folder: choose another run directory"
    )


def test_a_run_that_appears_meanwhile_is_kept(tmp_path):
    record = RunRecord(tmp_path / "r", "train")
    _hand_written_run(tmp_path / "r")  # another process finished first
    with pytest.raises(DataError, match=re.escape(f"run directory '{tmp_path / 'r'}' appeared")):
        record.finish()
    assert read_run(tmp_path / "r").name == "airline"
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # our staging folder removed


# ---------------------------------------------------------------- JSON values
def test_to_json_value_keeps_json_plain():
    value = {
        "a": (1, np.int64(2)),
        "b": np.array([[0.5, np.inf]]),
        "c": Path("x/y"),
        "d": {3: None, "e": True},
        "f": object,
    }
    assert to_json_value(value) == {
        "a": [1, 2],
        "b": [[0.5, None]],
        "c": "x/y",
        "d": {"3": None, "e": True},
        "f": "<class 'object'>",
    }


# ---------------------------------------------------------------- reading
def test_read_run_parses_every_file_of_the_format(tmp_path):
    contents = read_run(_hand_written_run(tmp_path / "r"))
    assert contents.command == "forecast" and contents.name == "airline"
    assert contents.info["overrides"] == {"--epochs": 2}
    assert contents.config_text == '[data]\npath = "x.csv"\n'
    assert contents.metrics["RMSE"] == 18.5 and np.isnan(contents.metrics["MAPE"])
    assert contents.history["loss"] == [0.9, 0.5, 0.4]
    assert contents.history["val_loss"][:2] == [1.0, 0.7] and np.isnan(
        contents.history["val_loss"][2]
    )
    assert contents.verdict == {"verdict": "good fit", "reasons": ["flat"]}
    assert contents.evaluation.index.tolist() == ["LSTM", "seasonal_naive"]
    assert contents.evaluation.loc["seasonal_naive", "RMSE"] == 53.4
    assert contents.repeats["seed"].tolist() == [3, 4]
    assert contents.comparisons[0]["test"] == "Welch's t"
    assert contents.trials["params_units"].tolist() == [8, 16]
    assert contents.best == {"value": 0.5, "params": {"units": 8}, "number": 0}
    assert list(contents.plots) == ["forecast", "learning_curves"]  # PNGs only, by name
    assert contents.plots["forecast"] == tmp_path / "r" / "plots" / "forecast.png"
    assert contents.model_path == tmp_path / "r" / "model.safetensors"


def test_a_run_with_only_run_json_reads_as_empty(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "run.json").write_text(json.dumps(_run_json()))
    contents = read_run(tmp_path / "r")
    assert (contents.metrics, contents.history, contents.comparisons, contents.plots) == (
        {},
        {},
        [],
        {},
    )
    assert contents.evaluation is None and contents.trials is None and contents.model_path is None


def test_what_is_not_a_run_directory_is_named(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "r.partial-0a1b2c3d").mkdir()
    cases = {
        tmp_path / "missing": f"run directory '{tmp_path / 'missing'}' does not exist: {WRITERS}",
        tmp_path / "a.txt": f"'{tmp_path / 'a.txt'}' is a file, not a run directory: {WRITERS}",
        tmp_path / "plain": f"'{tmp_path / 'plain'}' has no run.json: {WRITERS}",
        tmp_path / "r.partial-0a1b2c3d": (
            f"'{tmp_path / 'r.partial-0a1b2c3d'}' has no run.json (a run that did not "
            f"finish): {WRITERS}"
        ),
    }
    for path, message in cases.items():
        with pytest.raises(DataError) as caught:
            read_run(path)
        assert str(caught.value) == message


def test_another_format_or_a_newer_version_is_refused(tmp_path):
    other = _hand_written_run(tmp_path / "other", format="mlflow")
    with pytest.raises(DataError) as caught:
        read_run(other)
    assert str(caught.value) == (
        f"'{other / 'run.json'}' has format 'mlflow', not '{RUN_FORMAT}': {WRITERS}"
    )
    newer = _hand_written_run(tmp_path / "newer", format_version=2)
    with pytest.raises(DataError) as caught:
        read_run(newer)
    assert str(caught.value) == (
        f"'{newer}' was written by a newer lstmkit (run format_version 2); this lstmkit "
        "reads format_version 1: upgrade lstmkit to read it"
    )


def test_every_damaged_file_is_reported_at_once(tmp_path):
    folder = _hand_written_run(tmp_path / "r")
    (folder / "metrics.json").write_text('{"RMSE": "low"}')
    (folder / "history.json").write_text("{not json")
    (folder / "repeats.csv").write_text("seed,RMSE\n0,1.5\n")
    with pytest.raises(DataError) as caught:
        read_run(folder)
    lines = str(caught.value).splitlines()
    prefix = f"run directory '{folder}': "
    assert lines == [
        prefix + "metrics.json: 'RMSE' is 'low': expected a number",
        prefix + "history.json: not valid JSON (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1))",
        prefix + "repeats.csv: no column 'run': expected the columns run, seed first, found "
        "seed, RMSE",
    ]


def test_run_json_that_is_not_an_object_is_refused(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "run.json").write_text("[1, 2]")
    with pytest.raises(DataError) as caught:
        read_run(tmp_path / "r")
    assert str(caught.value) == f"'{tmp_path / 'r'}': expected a JSON object {{...}}, got list"
