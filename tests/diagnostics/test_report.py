"""The HTML run report: sections, embedded figures, tables and verdicts, escaping.

Run directories are written here by hand (json, pandas, a PNG drawn with matplotlib) and
the page is read back with the standard library's HTML parser; the numbers expected are
worked out by hand from the files.
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from lstmkit.diagnostics.learning_curves import diagnose_learning_curves
from lstmkit.diagnostics.report import SECTION_IDS, render_report, write_report
from lstmkit.errors import DataError
from lstmkit.io.run_records import read_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HISTORY = {"loss": [1.0, 0.6, 0.45, 0.4, 0.39], "val_loss": [1.1, 0.7, 0.55, 0.5, 0.5]}


class Page(HTMLParser):
    """Sections with their text, images with their section, rows with their class."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self.headings: dict[str, str] = {}
        self.images: list[dict[str, str]] = []
        self.rows: list[tuple[str, list[str]]] = []
        self.tags: list[str] = []
        self._section: str | None = None
        self._row: tuple[str, list[str]] | None = None
        self._in_h2 = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "section":
            self._section = attributes["id"]
            self.sections[self._section] = ""
        elif tag == "img":
            self.images.append({**attributes, "section": self._section})
        elif tag == "tr":
            self._row = (attributes.get("class", ""), [])
        elif tag in ("td", "th") and self._row is not None:
            self._row[1].append("")
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._section is not None:
            self.sections[self._section] += data
            if self._in_h2:
                self.headings[self._section] = data
        if self._row is not None and self._row[1]:
            self._row[1][-1] += data


def _png(tmp_path: Path, name: str) -> bytes:
    from matplotlib.figure import Figure

    path = tmp_path / f"{name}.png"
    Figure(figsize=(2, 1), dpi=40).savefig(path)
    return path.read_bytes()


def _run(folder: Path, files: dict | None = None, command: str = "forecast", **info) -> Path:
    """A run directory: run.json (``info`` changes it) plus ``files`` (name to content)."""
    folder.mkdir(parents=True)
    record = {
        "format": "lstmkit-run",
        "format_version": 1,
        "command": command,
        "name": "airline",
        "created": "2024-05-01T10:30:05+00:00",
        "lstmkit_version": "0.1.0",
        "torch_version": "2.0",
        "python_version": "3.11.0",
        "run_file": "airline.toml",
        "overrides": {"--epochs": 2},
        "data": {"steps": 144, "span": {"start": "1949-01", "end": "1960-12"}},
        "model": {"estimator": "LSTMForecaster", "params": {"units": 64}, "summary": "Total: 9"},
        "notes": ["13 origins"],
        **info,
    }
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, pd.DataFrame):
            content.to_csv(path, index=name == "evaluation.csv")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
    (folder / "run.json").write_text(json.dumps(record))
    return folder


EVALUATION = pd.DataFrame(
    {"RMSE": [25.0, 23.2, 40.1], "MAE": [20.0, 19.0, 30.0]},
    index=pd.Index(["LSTM", "seasonal_naive", "persistence"], name="method"),
)
REPEATS = pd.DataFrame(
    {"run": [0, 1, 2], "seed": [0, 1, 2], "RMSE": [24.0, 25.0, 26.0], "MAE": [19.0, 20.0, 21.0]}
)
TRIALS = pd.DataFrame(
    {
        "number": [0, 1, 2, 3],
        "state": ["COMPLETE", "COMPLETE", "PRUNED", "COMPLETE"],
        "value": [0.9, 0.4, None, 0.6],
        "duration_s": [1.0, 1.0, 0.2, 1.0],
        "params_units": [8, 32, 64, 16],
    }
)


def test_every_section_is_there_and_empty_ones_say_so(tmp_path):
    page = Page(render_report(read_run(_run(tmp_path / "r", command="train"))))
    assert list(page.sections) == list(SECTION_IDS)
    assert page.headings == {
        "summary": "Summary",
        "data": "Data",
        "model": "Model",
        "learning-curves": "Learning curves",
        "skill": "Skill against the baselines",
        "repeated-runs": "Repeated runs",
        "tuning": "Tuning",
        "figures": "Other figures",
    }
    empty = [name for name, text in page.sections.items() if "Not recorded for this run." in text]
    assert empty == ["learning-curves", "skill", "repeated-runs", "tuning", "figures"]
    assert page.images == []


def test_summary_data_and_model_show_run_json(tmp_path):
    run = _run(tmp_path / "r", {"config.toml": "[training]\nepochs = 2\n"})
    page = Page(render_report(read_run(run)))
    rows = {cells[0]: cells[1] for _, cells in page.rows if len(cells) == 2}
    assert rows["command"] == "lstmkit forecast" and rows["overrides"] == "--epochs 2"
    assert rows["created"] == "2024-05-01T10:30:05+00:00" and rows["torch"] == "2.0"
    assert rows["span.start"] == "1949-01" and rows["steps"] == "144"  # nested: flattened
    assert rows["units"] == "64" and rows["estimator"] == "LSTMForecaster"
    assert "13 origins" in page.sections["summary"]
    assert "epochs = 2" in page.sections["summary"]  # the run file, as given
    assert "Total: 9" in page.sections["model"]


def test_figures_are_embedded_where_they_belong(tmp_path):
    png = _png(tmp_path, "a")
    run = _run(
        tmp_path / "r",
        {
            "plots/learning_curves.png": png,
            "plots/forecast.png": png,
            "plots/repeated_runs.png": png,
            "plots/weights.png": png,
        },
    )
    text = render_report(read_run(run))
    page = Page(text)
    placed = {image["data-plot"]: image["section"] for image in page.images}
    assert placed == {
        "forecast": "skill",
        "learning_curves": "learning-curves",
        "repeated_runs": "repeated-runs",
        "weights": "figures",
    }
    for image in page.images:
        prefix = "data:image/png;base64,"
        assert image["src"].startswith(prefix)
        assert base64.b64decode(image["src"][len(prefix) :]) == png
    # self-contained: no script, no link or source outside the page
    assert "script" not in page.tags and "link" not in page.tags
    assert re.search(r"(src|href)=\"(?!data:|#)", text) is None
    assert "http://" not in text and "https://" not in text


def test_missing_figures_are_drawn_from_the_data(tmp_path):
    run = _run(
        tmp_path / "r",
        {
            "history.json": HISTORY,
            "repeats.csv": REPEATS,
            "evaluation.csv": EVALUATION,
            "trials.csv": TRIALS,
            "best.json": {"value": 0.4, "params": {"units": 32}, "number": 1},
        },
    )
    page = Page(render_report(read_run(run)))
    placed = {image["data-plot"]: image["section"] for image in page.images}
    assert placed == {
        "learning_curves": "learning-curves",
        "repeated_runs": "repeated-runs",
        "tuning_history": "tuning",
    }
    for image in page.images:
        png = base64.b64decode(image["src"].split(",", 1)[1])
        assert png[:8] == PNG_SIGNATURE and int.from_bytes(png[16:20], "big") > 100


def test_a_recorded_figure_is_not_drawn_again(tmp_path):
    png = _png(tmp_path, "a")
    run = _run(tmp_path / "r", {"history.json": HISTORY, "plots/learning_curves.png": png})
    page = Page(render_report(read_run(run)))
    assert [image["data-plot"] for image in page.images] == ["learning_curves"]


def test_the_verdict_json_is_shown(tmp_path):
    verdict = {"verdict": "overfit", "reasons": ["val_loss rose 30% <above> its minimum"]}
    run = _run(tmp_path / "r", {"history.json": HISTORY, "verdict.json": verdict})
    text = render_report(read_run(run))
    assert "Verdict: <strong>overfit</strong>" in text
    assert "val_loss rose 30% &lt;above&gt; its minimum" in text


def test_without_verdict_json_the_history_is_diagnosed(tmp_path):
    run = _run(tmp_path / "r", {"history.json": HISTORY})
    section = Page(render_report(read_run(run))).sections["learning-curves"]
    expected = diagnose_learning_curves(HISTORY)  # the diagnosis the page must show
    assert f"Verdict: {expected.verdict}" in section
    assert expected.reasons[0] in section


def test_the_history_table_has_first_last_min_and_max(tmp_path):
    history = {"loss": [1.0, 0.5, 0.7], "accuracy": [0.5, 0.9, 0.9]}
    page = Page(render_report(read_run(_run(tmp_path / "r", {"history.json": history}))))
    rows = {cells[0]: cells[1:] for _, cells in page.rows if cells[0] in history}
    assert rows["loss"] == ["3", "1", "0.7", "0.5 (2)", "1 (1)"]
    assert rows["accuracy"] == ["3", "0.5", "0.9", "0.5 (1)", "0.9 (2)"]  # first epoch of a tie


def test_skill_highlights_baselines_and_keeps_the_verdict(tmp_path):
    run = _run(
        tmp_path / "r",
        {
            "metrics.json": {"RMSE": 25.0, "RMSE std": 1.0, "fit_loss": 0.1},
            "evaluation.csv": EVALUATION,
        },
    )
    page = Page(render_report(read_run(run)))
    kinds = {cells[0]: kind for kind, cells in page.rows if cells[0] in EVALUATION.index}
    assert kinds == {"LSTM": "model", "seasonal_naive": "baseline", "persistence": "baseline"}
    # 25.0 (LSTM) > 23.2 (seasonal naive) on RMSE, the first error metric: LSTM loses
    assert "LSTM LOSES to seasonal_naive on RMSE" in page.sections["skill"]
    metric_rows = [cells for _, cells in page.rows if cells[0] in ("RMSE", "fit_loss")]
    assert metric_rows == [["RMSE", "25", "1"], ["fit_loss", "0.1", "–"]]


def test_the_loses_to_column_decides_when_recorded(tmp_path):
    table = EVALUATION.assign(loses_to=["", "", "LSTM, seasonal_naive"])
    page = Page(render_report(read_run(_run(tmp_path / "r", {"evaluation.csv": table}))))
    assert "LSTM beats every baseline on RMSE" in page.sections["skill"]


def test_repeated_runs_summary_and_comparisons(tmp_path):
    comparisons = [
        {
            "a": "LSTM",
            "b": "seasonal_naive",
            "test": "Welch's t",
            "statistic": 1.5,
            "p_value": 0.21,
            "summary": "LSTM vs seasonal_naive on RMSE: no clear difference",
        }
    ]
    run = _run(tmp_path / "r", {"repeats.csv": REPEATS, "comparisons.json": comparisons})
    page = Page(render_report(read_run(run)))
    rows = {cells[0]: cells[1:] for _, cells in page.rows if cells[0] in ("RMSE", "MAE")}
    # RMSE 24, 25, 26: mean 25, sample std 1; MAE 19, 20, 21: mean 20, std 1
    assert rows == {"RMSE": ["3", "25", "1", "24", "26"], "MAE": ["3", "20", "1", "19", "21"]}
    tests = [cells for _, cells in page.rows if cells[:2] == ["LSTM", "seasonal_naive"]]
    assert tests == [["LSTM", "seasonal_naive", "Welch's t", "1.5", "0.21"]]
    assert "LSTM vs seasonal_naive on RMSE: no clear difference" in page.sections["repeated-runs"]


@pytest.mark.parametrize(("best", "order"), [(0.4, ["1", "3", "0"]), (0.9, ["0", "3", "1"])])
def test_tuning_lists_the_best_trials_first(tmp_path, best, order):
    number = {0.4: 1, 0.9: 0}[best]
    record = {"value": best, "params": {"units": 32}, "number": number}
    run = _run(tmp_path / "r", {"trials.csv": TRIALS, "best.json": record})
    page = Page(render_report(read_run(run)))
    rows = {cells[0]: cells[1:] for _, cells in page.rows if len(cells) == 2}
    assert (rows["trial"], rows["value"], rows["units"]) == ([str(number)], [f"{best:g}"], ["32"])
    header = next(cells for _, cells in page.rows if cells[:1] == ["trial"] and len(cells) > 2)
    assert header == ["trial", "state", "value", "duration_s", "units"]
    trials = [cells[0] for _, cells in page.rows if cells[1:2] == ["COMPLETE"]]
    assert trials == order  # the pruned trial 2 has no value and is left out
    assert "4 trials: 3 COMPLETE, 1 PRUNED." in page.sections["tuning"]


def test_text_from_the_run_is_escaped(tmp_path):
    evil = "<script>alert(1)</script>"
    run = _run(tmp_path / "r", {"config.toml": evil}, name=evil, notes=[evil])
    text = render_report(read_run(run))
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "script" not in Page(text).tags


def test_write_report_writes_beside_the_run_and_never_replaces_unasked(tmp_path):
    run = _run(tmp_path / "r")
    written = write_report(run)
    assert written == run / "report.html"
    assert written.read_text().startswith("<!DOCTYPE html>")
    written.write_text("old")
    with pytest.raises(DataError) as caught:
        write_report(run)
    assert str(caught.value) == (
        f"'{written}' already exists and was left untouched: choose another output, or "
        "replace it (--force on the command line, overwrite=True in Python)"
    )
    assert written.read_text() == "old"
    assert write_report(run, overwrite=True).read_text().startswith("<!DOCTYPE html>")
    elsewhere = write_report(run, tmp_path / "page.html")
    assert elsewhere == tmp_path / "page.html" and elsewhere.is_file()


def test_write_report_refuses_a_folder_or_a_missing_one(tmp_path):
    run = _run(tmp_path / "r")
    with pytest.raises(DataError) as caught:
        write_report(run, tmp_path)
    assert str(caught.value) == (
        f"cannot write the report to '{tmp_path}': it is a folder; give a file path such "
        f"as '{tmp_path / 'report.html'}'"
    )
    with pytest.raises(DataError) as caught:
        write_report(run, tmp_path / "no" / "page.html")
    assert str(caught.value) == (
        f"cannot write '{tmp_path / 'no' / 'page.html'}': the directory "
        f"'{tmp_path / 'no'}' does not exist"
    )
