"""The Forecasting guide's examples run as written, in order, in one session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PAGE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "forecasting.md"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_the_forecasting_guide_runs(tmp_path, monkeypatch, capsys):
    blocks = [code for label, code in FENCE.findall(PAGE.read_text("utf-8")) if label == "python"]
    monkeypatch.chdir(tmp_path)  # the examples write a CSV, a plot and a model file
    namespace: dict = {}
    for number, code in enumerate(blocks, start=1):
        exec(compile(code, f"forecasting.md block {number}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "1959-12-01" in printed and "True" in printed.splitlines()[-1]
    assert "80% split-conformal from 25 backtest residuals per step" in printed
    assert "LSTM (mean ± std over 3 seeds)" in printed and "holt_winters" in printed
    assert (tmp_path / "airline-forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
