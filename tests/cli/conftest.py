"""Small data sets and two models trained once (1-2 epochs) for the command-line tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lstmkit.cli import app

CLASSIFIER_RUN = """\
output = "model.safetensors"

[data]
train = "train.npz"
test = "test.npz"

[model]
task = "classifier"
units = 4

[training]
epochs = 1
batch_size = 8
random_state = 0
device = "cpu"
"""

REGRESSOR_RUN = """\
output = "reg.safetensors"

[data]
train = "series.csv"
validation = "series_val.csv"
target = "next"

[model]
task = "regressor"
units = 4
scale_y = true

[training]
epochs = 2
metrics = ["mae", "rmse"]
random_state = 0
device = "cpu"
"""


def _series_csv(path: Path, start: int, rows: int) -> None:
    """Windows of 4 steps of a sine, the next value as the target."""
    wave = np.round(np.sin(np.arange(start, start + rows + 4) * 0.3), 4)
    lines = ["t0,t1,t2,t3,next"]
    lines += [",".join(str(v) for v in wave[i : i + 5]) for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with run files and data: train.npz/test.npz (classes), series*.csv (values)."""
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    X = rng.random((24, 3, 2)).astype(np.float32)
    y = (X[:, -1, 0] > 0.5).astype(np.int64)
    np.savez(root / "train.npz", X=X, y=y)
    np.savez(root / "test.npz", X=X[:8], y=y[:8])
    np.save(root / "X.npy", X[:5])
    table = ["t0_a,t0_b,t1_a,t1_b,t2_a,t2_b,label"]
    table += [
        ",".join(f"{v:.4f}" for v in row) + f",{label}"
        for row, label in zip(X[:6].reshape(6, -1), y[:6], strict=True)
    ]
    (root / "test.csv").write_text("\n".join(table) + "\n")
    _series_csv(root / "series.csv", 0, 30)
    _series_csv(root / "series_val.csv", 40, 10)
    (root / "run.toml").write_text(CLASSIFIER_RUN)
    (root / "reg.toml").write_text(REGRESSOR_RUN)
    return root


@pytest.fixture(scope="session")
def trained(project: Path) -> Path:
    """``project`` after ``lstmkit train`` of both run files (model.safetensors, reg.safetensors)."""
    runner = CliRunner()
    for run in ("run.toml", "reg.toml"):
        run_dir = project / "runs" / run.removesuffix(".toml")
        result = runner.invoke(app, ["train", str(project / run), "--run-dir", str(run_dir)])
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture(autouse=True)
def _work_in_a_fresh_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Start each test in an empty folder: ``train`` and ``forecast`` write ./runs/...

    so no test leaves run directories in the repository (tests may chdir elsewhere).
    """
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def invoke():
    """Run the app in-process: ``invoke("train", "run.toml")`` returns typer's Result."""
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [str(arg) for arg in args])

    return run


@pytest.fixture
def quiet_env() -> dict[str, str]:
    """Environment for a real ``lstmkit`` process: one torch thread.

    On a shared 2-core machine, two OpenMP threads next to another busy process make a
    tiny LSTM 30x slower (measured: 77 s instead of 2.4 s for the same fit).
    """
    return {**os.environ, "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module", autouse=True)
def _one_thread_for_cli(one_torch_thread):
    """The in-process commands train tiny models: one thread is faster and steadier here."""
    yield
