"""Run directories from ``train`` and ``forecast``, and ``lstmkit report`` in a real browser.

The browser test renders the page in Debian's headless Chromium (``make test`` installs
it) and checks every section and figure there; without Chromium it is skipped, unless
``LSTMKIT_REQUIRE_SERVICES=1`` makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import lstmkit
from lstmkit.cli import app
from lstmkit.diagnostics.report import SECTION_IDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FORECAST_RUN = """\
[data]
path = "series.csv"
time_column = "date"
target = "value"
freq = "MS"

[forecast]
lookback = 12
horizon = 6
season = 12

[model]
units = 8

[training]
epochs = 2
random_state = 0
device = "cpu"

[evaluation]
test_start = 12
seeds = [0, 1]
"""
BASELINES = ["persistence", "seasonal_naive", "drift", "seasonal_naive_drift", "holt_winters"]


def _invoke(*args: object):
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def runs(project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One train run (3 epochs) and one forecast run (backtest over 2 seeds), with output."""
    root = tmp_path_factory.mktemp("runs")
    model = root / "model.safetensors"
    train = _invoke(
        "train", project / "run.toml", "-o", model, "--epochs", 3, "--run-dir", root / "train"
    )
    months = pd.date_range("2000-01", periods=60, freq="MS")
    steps = np.arange(60)
    values = np.round(10 + np.sin(steps * np.pi / 6) + 0.05 * steps, 4)
    pd.Series(values, months, name="value").to_csv(root / "series.csv", index_label="date")
    (root / "forecast.toml").write_text(FORECAST_RUN)
    forecast = _invoke(
        "forecast",
        root / "forecast.toml",
        "--epochs",
        3,
        "-o",
        root / "forecast.csv",
        "--run-dir",
        root / "forecast",
    )
    return {"root": root, "model": model, "train": train, "forecast": forecast}


def test_train_writes_its_run_directory(runs):
    folder = runs["root"] / "train"
    assert _files(folder) == [
        "config.toml",
        "evaluation.csv",
        "history.json",
        "metrics.json",
        "model.safetensors",
        "plots/learning_curves.png",
        "run.json",
        "verdict.json",
    ]
    lines = runs["train"].stdout.splitlines()
    assert lines[-2:] == [f"saved model to {runs['model']}", f"run directory: {folder}"]
    assert (folder / "model.safetensors").read_bytes() == runs["model"].read_bytes()
    model = lstmkit.load_model(folder / "model.safetensors")
    history = json.loads((folder / "history.json").read_text())
    assert history == {name: list(v) for name, v in model.history_.history.items()}
    assert len(history["loss"]) == 3
    printed = dict(re.findall(r"^(train|test): loss: (\S+)", runs["train"].stdout, re.M))
    metrics = json.loads((folder / "metrics.json").read_text())
    for name, loss in printed.items():  # the printed loss has 4 decimals
        assert abs(metrics[f"{name}_loss"] - float(loss)) <= 5e-5
    assert set(metrics) == {"train_loss", "train_accuracy", "test_loss", "test_accuracy"}
    verdict = json.loads((folder / "verdict.json").read_text())
    assert verdict["epochs"] == 3 and verdict["verdict"] in (
        "underfit",
        "good fit",
        "overfit",
        "unstable",
        "not converged",
    )


def test_train_run_json_describes_data_and_model(runs, project):
    info = json.loads((runs["root"] / "train" / "run.json").read_text())
    assert (info["format"], info["format_version"], info["command"]) == ("lstmkit-run", 1, "train")
    assert info["run_file"] == str(project / "run.toml")
    assert info["overrides"] == {"--epochs": 3}
    assert info["data"]["train"] == {
        "file": "train.npz",
        "samples": 24,
        "input_shape": [3, 2],
        "target_shape": [],
    }
    assert info["data"]["test"]["samples"] == 8
    # LSTM(4) on 2 features: 4 gates x 4 units x (2 inputs + 4 recurrent) weights plus two
    # bias vectors of 16 = 128; two classes: one sigmoid unit, Dense(4 -> 1) = 5. Keras
    # keeps one LSTM bias vector: 16 fewer.
    model = info["model"]
    assert model["estimator"] == "LSTMClassifier"
    assert (model["parameters"], model["keras_equivalent_parameters"]) == (133, 117)
    assert model["params"]["units"] == 4 and model["params"]["epochs"] == 3
    assert "Total params: 133" in model["summary"]
    config = (runs["root"] / "train" / "config.toml").read_text()
    assert config == (project / "run.toml").read_text()


def test_forecast_writes_its_run_directory(runs):
    folder = runs["root"] / "forecast"
    assert _files(folder) == [
        "comparisons.json",
        "config.toml",
        "evaluation.csv",
        "history.json",
        "metrics.json",
        "model.safetensors",
        "plots/forecast.png",
        "plots/learning_curves.png",
        "plots/repeated_runs.png",
        "repeats.csv",
        "run.json",
        "verdict.json",
    ]
    assert runs["forecast"].stdout.splitlines()[-1] == f"run directory: {folder}"
    repeats = pd.read_csv(folder / "repeats.csv")
    assert list(repeats.columns) == ["run", "seed", "RMSE", "MAE", "MAPE", "sMAPE", "MASE"]
    assert repeats[["run", "seed"]].values.tolist() == [[0, 0], [1, 1]]
    # the model's row and metrics.json: mean and sample std of the two seeds, by hand
    low, high = sorted(repeats["RMSE"])
    metrics = json.loads((folder / "metrics.json").read_text())
    assert abs(metrics["RMSE"] - (low + high) / 2) <= 1e-9
    assert abs(metrics["RMSE std"] - (high - low) / np.sqrt(2)) <= 1e-9
    assert (metrics["RMSE min"], metrics["RMSE max"]) == (low, high)
    evaluation = pd.read_csv(folder / "evaluation.csv", index_col=0)
    assert evaluation.index.tolist() == ["LSTM", *BASELINES]
    assert abs(evaluation.loc["LSTM", "RMSE"] - (low + high) / 2) <= 1e-9
    printed = runs["forecast"].stdout.splitlines()
    for name in BASELINES:  # the printed table shows each baseline's RMSE to 4 digits
        row = next(line.split() for line in printed if line.split()[:1] == [name])
        assert row[1] == f"{evaluation.loc[name, 'RMSE']:.4g}"
    comparisons = json.loads((folder / "comparisons.json").read_text())
    assert [(c["a"], c["b"], c["test"]) for c in comparisons] == [
        ("LSTM", name, "Welch's t")
        for name in BASELINES  # 2 seeds: fewer than 6 pairs
    ]
    assert all(0 <= c["p_value"] <= 1 and c["summary"].startswith("LSTM vs ") for c in comparisons)


def test_forecast_run_holds_the_model_that_forecast(runs):
    folder = runs["root"] / "forecast"
    written = pd.read_csv(runs["root"] / "forecast.csv", index_col="date", parse_dates=True)
    again = lstmkit.load_model(folder / "model.safetensors").predict()
    # save -> load -> predict is bitwise (CONTRACTS §9); the CSV keeps 17 digits: 1e-12.
    np.testing.assert_allclose(written["value"], again["value"], rtol=0, atol=1e-12)
    info = json.loads((folder / "run.json").read_text())
    assert info["data"] == {
        "path": "series.csv",
        "steps": 60,
        "start": "2000-01-01",
        "end": "2004-12-01",
        "freq": "MS",
        "targets": ["value"],
        "past_covariates": [],
        "future_covariates": [],
    }
    assert info["overrides"] == {"--epochs": 3}
    assert info["model"]["estimator"] == "LSTMForecaster"
    assert info["notes"][0].startswith("Backtest of 'value': 7 origins")


def test_the_default_run_directory_is_under_runs(project, invoke):
    result = invoke("train", project / "run.toml", "-o", "m.safetensors")
    assert result.exit_code == 0, result.output
    line = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"run directory: runs/run-train-\d{8}-\d{6}", line), line
    folder = Path(line.removeprefix("run directory: "))
    assert (folder / "run.json").is_file() and Path.cwd() / "runs" in folder.resolve().parents


def test_an_existing_run_directory_stops_training_first(project, invoke, tmp_path):
    existing = tmp_path / "run"
    existing.mkdir()
    (existing / "run.json").write_text("{}")
    result = invoke("train", project / "run.toml", "-o", "m.safetensors", "--run-dir", existing)
    assert result.exit_code == 1 and result.stdout == ""  # nothing trained
    assert result.stderr == (
        f"error: run directory '{existing}' already exists and is not empty; it was left "
        "untouched: choose another run directory, or replace it (--force on the command "
        "line, overwrite=True in Python)\n"
    )
    result = invoke(
        "train", project / "run.toml", "-o", "m.safetensors", "--run-dir", existing, "--force"
    )
    assert result.exit_code == 0, result.output
    assert json.loads((existing / "run.json").read_text())["command"] == "train"


def test_report_writes_one_page_and_never_replaces_it_unasked(runs, invoke):
    folder = runs["root"] / "train"
    result = invoke("report", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote the report to {folder / 'report.html'}\n"
    result = invoke("report", folder)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: '{folder / 'report.html'}' already exists and was left untouched: choose "
        "another output, or replace it (--force on the command line, overwrite=True in "
        "Python)\n"
    )
    assert invoke("report", folder, "--force").exit_code == 0
    result = invoke("report", folder, "--output", runs["root"] / "train.html")
    assert result.stdout == f"wrote the report to {runs['root'] / 'train.html'}\n"


def test_report_of_a_folder_that_is_no_run(invoke, tmp_path):
    result = invoke("report", tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: '{tmp_path}' has no run.json: expected a directory written by lstmkit "
        "train, forecast or tune\n"
    )


# ---------------------------------------------------------------- in a real browser
def _browser(profile: Path):
    """Headless Chromium through ChromeDriver, or a skip (a failure when services are required)."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    reason = ""
    if missing:
        reason = (
            f"{' and '.join(missing)} not found (Debian: apt-get install chromium chromium-driver)"
        )
    else:
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError:
            reason = "selenium is not installed (pip install selenium)"
    if reason:
        if os.environ.get("LSTMKIT_REQUIRE_SERVICES") == "1":
            pytest.fail(f"the browser test needs Chromium: {reason}")
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1100,900",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


PAGE_FACTS = """
return {
  title: document.title,
  sections: Array.from(document.querySelectorAll('section')).map(s => s.id),
  headings: Array.from(document.querySelectorAll('section > h2')).length,
  images: Array.from(document.images).map(i => ({
    plot: i.dataset.plot, complete: i.complete, width: i.naturalWidth,
    section: i.closest('section').id, inline: i.src.startsWith('data:image/png;base64,')
  })),
  resources: performance.getEntriesByType('resource').length,
};
"""


@pytest.mark.timeout(120)
def test_reports_render_in_headless_chromium(runs, tmp_path, monkeypatch):
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not download anything
    pages = {}
    for name in ("train", "forecast"):
        folder = runs["root"] / name
        page = folder / "browser.html"
        _invoke("report", folder, "--output", page)
        pages[name] = (page, sorted(p.stem for p in (folder / "plots").glob("*.png")))
    driver = _browser(tmp_path / "profile")
    try:
        facts = {}
        for name, (page, _) in pages.items():
            driver.get(page.as_uri())
            facts[name] = driver.execute_script(PAGE_FACTS)
    finally:
        driver.quit()
    places = {
        "forecast": "skill",
        "learning_curves": "learning-curves",
        "repeated_runs": "repeated-runs",
    }
    for name, (_, plots) in pages.items():
        seen = facts[name]
        assert seen["title"] == f"lstmkit {name} run: {name}"
        assert seen["sections"] == list(SECTION_IDS) and seen["headings"] == len(SECTION_IDS)
        assert sorted(image["plot"] for image in seen["images"]) == plots  # one per PNG
        for image in seen["images"]:
            assert image["complete"] and image["width"] > 0 and image["inline"], image
            assert image["section"] == places[image["plot"]]
        assert seen["resources"] == 0  # nothing fetched from outside the page
    assert len(facts["train"]["images"]) == 1 and len(facts["forecast"]["images"]) == 3
