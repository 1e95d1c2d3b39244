"""The Diagnose-and-tune guide runs as written, prints what it shows, and its pictures match.

The page's ``python`` blocks run in order in one namespace, as a reader pastes them into
one session. A ``text`` block right after a ``python`` block (blank lines between, no
prose) is that block's printed output. Blocks that train a model (or read what trained
models recorded) print scores that depend on the CPU's floating-point kernels (CONTRACTS
§9), so there every number is compared as a placeholder and runs of whitespace as one
space: the words and verdicts must match, the digits need not. Blocks that train nothing
(the synthetic learning curves, the rules) must print exactly what the page shows. Blocks fenced ``py`` are
shown but not run: the MLflow example, whose SQLite store takes about 10 s to create.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

from lstmkit.diagnostics import LEARNING_CURVE_VERDICTS, diagnose_learning_curves

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "guide" / "diagnose-and-tune.md"
IMAGES = ROOT / "docs" / "images"
FIGURE_SCRIPT = IMAGES / "make_diagnose_figures.py"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
# A block that builds an estimator, or reads the histories of fitted ones, prints numbers
# from training.
TRAINED = ("lstmkit.LSTM", ".histories")


def examples(text: str) -> list[tuple[str, str | None]]:
    """``(code, shown output or None)`` for every python block of the page, in order."""
    found: list[tuple[str, str | None]] = []
    end = None
    for match in FENCE.finditer(text):
        label, body = match.groups()
        if label == "python":
            found.append((body, None))
            end = match.end()
        elif label == "text" and end is not None and not text[end : match.start()].strip():
            found[-1] = (found[-1][0], body)
            end = None
        else:
            end = None
    return found


def placeholders(text: str) -> str:
    """``text`` with every number as ``#`` and every run of whitespace as one space."""
    return " ".join(NUMBER.sub("#", text).split())


@pytest.fixture(scope="module")
def guide(tmp_path_factory, one_torch_thread):
    """Run the page once: its namespace, each block's printed output, and the folder."""
    folder = tmp_path_factory.mktemp("diagnose-guide")
    namespace: dict = {"__name__": "guide_diagnose_and_tune"}
    printed = []
    start = os.getcwd()
    os.chdir(folder)  # the examples write figures and TensorBoard logs
    try:
        for number, (code, _) in enumerate(examples(PAGE.read_text("utf-8")), start=1):
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(code, f"diagnose-and-tune.md block {number}", "exec"), namespace)
            printed.append(output.getvalue())
    finally:
        os.chdir(start)
    return namespace, printed, folder


def test_the_examples_print_what_the_page_shows(guide):
    _, printed, _ = guide
    blocks = examples(PAGE.read_text("utf-8"))
    compared = 0
    for number, ((code, shown), output) in enumerate(zip(blocks, printed), start=1):
        if shown is None:
            assert output == "", f"block {number} prints, but the page shows no output"
            continue
        compared += 1
        if any(mark in code for mark in TRAINED):
            assert placeholders(output) == placeholders(shown), f"block {number}"
        else:
            assert output == shown, f"block {number}"
    assert compared >= 9  # every section shows what its examples print


def test_the_examples_write_their_figures_and_logs(guide):
    _, _, folder = guide
    for name in ("repeats.png", "echo-curves.png", "configurations.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    for rate in ("0.001", "0.01"):
        logs = os.listdir(folder / "runs" / f"learning_rate={rate}")
        assert any(log.startswith("events.out.tfevents") for log in logs)


def test_the_examples_not_run_are_valid_python():
    shown_only = [body for label, body in FENCE.findall(PAGE.read_text("utf-8")) if label == "py"]
    assert shown_only and any("MLflowLogger" in body for body in shown_only)
    for number, body in enumerate(shown_only, start=1):
        compile(body, f"diagnose-and-tune.md py block {number}", "exec")


def test_each_synthetic_curve_gets_the_verdict_it_is_named_after(guide):
    namespace, _, _ = guide
    curves = namespace["curves"]
    assert list(curves) == list(LEARNING_CURVE_VERDICTS)
    for verdict, history in curves.items():
        assert diagnose_learning_curves(history).verdict == verdict


def test_the_pictures_are_drawn_from_the_curves_the_page_defines(guide):
    namespace, _, _ = guide
    script = runpy.run_path(str(FIGURE_SCRIPT), run_name="make_diagnose_figures")
    assert list(script["CURVES"]) == list(namespace["curves"])
    for verdict, history in namespace["curves"].items():
        for name, values in history.items():
            # The same NumPy expressions on the same seeds: equal to the last bit.
            assert np.array_equal(script["CURVES"][verdict][name], values), (verdict, name)
        title = script["draw"](verdict).get_suptitle()
        assert title.startswith(f"{verdict} (loss, 40 epochs"), title


def test_the_page_shows_one_small_picture_per_verdict():
    text = PAGE.read_text("utf-8")
    sizes = 0
    for verdict in LEARNING_CURVE_VERDICTS:
        name = f"diagnose-{verdict.replace(' ', '-')}.png"
        assert f"](../images/{name})" in text, name
        data = (IMAGES / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        sizes += len(data)
    assert sizes < 400_000
