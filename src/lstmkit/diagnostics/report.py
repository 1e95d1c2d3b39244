"""One self-contained HTML page about a run: ``lstmkit report RUN_DIR``.

The page reads a run directory (see :mod:`lstmkit.io.run_records`) and needs nothing
else to be viewed: CSS inline, no script, no external address, every figure embedded as
a ``data:image/png;base64,...`` image::

    summary          command, name, created, versions, overrides, notes, the run file
    data             the data summary from run.json
    model            estimator, parameters, parameter counts, Keras-like summary
    learning-curves  plots/learning_curves.png (or drawn from history.json) + verdict
    skill            metrics.json; evaluation.csv with the baselines highlighted and
                     "LSTM LOSES to ..." lines; the forecast plot
    repeated-runs    repeats.csv: mean, std, min, max; box plot; comparisons.json tests
    tuning           best.json, the best trials of trials.csv, the tuning history plot
    figures          any other PNG in plots/

Figures missing from plots/ are drawn from the data when it is there: learning curves
from history.json, a box plot from repeats.csv, the tuning history from trials.csv.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstmkit.diagnostics import _report_sections as sections
from lstmkit.errors import DataError, LstmkitError

if TYPE_CHECKING:
    from lstmkit.io.run_records import RunContents

__all__ = ["learning_curve_verdict", "render_report", "report_figures", "write_report"]

REPORT_FILE = "report.html"
SECTION_IDS = (
    "summary",
    "data",
    "model",
    "learning-curves",
    "skill",
    "repeated-runs",
    "tuning",
    "figures",
)
# Which section a plot belongs to, by the start of its file name; the rest go to "figures".
_PLACES = (
    ("learning_curves", "learning-curves"),
    ("repeated_runs", "repeated-runs"),
    ("tuning", "tuning"),
    ("optimization", "tuning"),
    ("forecast", "skill"),
    ("residuals", "skill"),
    ("backtest", "skill"),
)
_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 1080px;
       margin: 0 auto; padding: 1em 1.5em 3em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #ddd; }
nav a { margin-right: 1em; } section { margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: .3em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; }
thead th { background: #f3f3f3; }
tr.baseline td { background: #fff6d6; } tr.model td { font-weight: 600; }
ul.verdicts li, p.verdict { font-weight: 600; }
p.empty { color: #777; font-style: italic; }
img { max-width: 100%; height: auto; display: block; margin: .8em 0; }
pre { background: #f7f7f7; padding: .8em; overflow-x: auto; font-size: 13px; }
"""


def write_report(
    run_dir: str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Write the HTML report of a run directory; return the path written.

    Args:
        run_dir: a folder written by ``lstmkit train``, ``forecast`` or ``tune``.
        path: the HTML file (default: ``<run_dir>/report.html``).
        overwrite: replace an existing file at ``path``.

    Raises:
        DataError: not a run directory, damaged run files, an existing file without
            ``overwrite=True``, or a missing folder for ``path``.

    Example:
        >>> import tempfile
        >>> from lstmkit.io.run_records import RunRecord
        >>> run = Path(tempfile.mkdtemp()) / "run"
        >>> with RunRecord(run, "train") as record:
        ...     _ = record.write_json("metrics.json", {"test_accuracy": 0.75})
        ...     _ = record.finish()
        >>> page = write_report(run).read_text()
        >>> '<section id="skill">' in page and "test_accuracy" in page
        True
    """
    from lstmkit.io._atomic import atomic_write, write_all
    from lstmkit.io.run_records import read_run

    contents = read_run(run_dir)
    target = Path(path) if path is not None else contents.path / REPORT_FILE
    _check_output(target, overwrite)
    page = render_report(contents).encode("utf-8")
    atomic_write(str(target.resolve()), lambda fd: write_all(fd, page), display=str(target))
    return target


def _check_output(target: Path, overwrite: bool) -> None:
    if target.is_dir():
        raise DataError(
            f"cannot write the report to '{target}': it is a folder; give a file path such as '{target / REPORT_FILE}'"
        )
    if target.exists() and not overwrite:
        raise DataError(
            f"'{target}' already exists and was left untouched: choose another output, or "
            "replace it (--force on the command line, overwrite=True in Python)"
        )
    if not target.parent.is_dir():
        raise DataError(f"cannot write '{target}': the directory '{target.parent}' does not exist")


def render_report(contents: RunContents) -> str:
    """The whole HTML page of a parsed run directory.

    Example:
        >>> from lstmkit.io.run_records import RunContents
        >>> page = render_report(RunContents(Path("r"), {"command": "train", "name": "r"}))
        >>> page.count("<section "), page.count("Not recorded for this run.")
        (8, 7)
    """
    from lstmkit.diagnostics.baselines import BASELINES
    from lstmkit.diagnostics.supervised_baselines import SUPERVISED_BASELINES

    placed = _images_by_section(report_figures(contents))
    trials = contents.trials
    minimize = _minimizes(contents)
    body = [
        sections.summary(contents),
        sections.data(contents),
        sections.model(contents),
        sections.learning_curves(contents, _verdict(contents), placed.get("learning-curves", "")),
        sections.skill(contents, placed.get("skill", ""), BASELINES + SUPERVISED_BASELINES),
        sections.repeated_runs(contents, placed.get("repeated-runs", "")),
        sections.tuning(
            contents, placed.get("tuning", ""), minimize if trials is not None else True
        ),
        sections.figures(placed.get("figures", "")),
    ]
    title = f"lstmkit {contents.command} run: {contents.name}"
    links = " ".join(
        f'<a href="#{i}">{sections.escape(i.replace("-", " "))}</a>' for i in SECTION_IDS
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8">',
            f"<title>{sections.escape(title)}</title>",
            f"<style>{_CSS}</style></head>",
            "<body>",
            f"<header><h1>{sections.escape(title)}</h1><nav>{links}</nav></header>",
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def section_of(stem: str) -> str:
    """The section a plot named ``stem`` goes in.

    Example:
        >>> section_of("learning_curves"), section_of("forecast"), section_of("my_plot")
        ('learning-curves', 'skill', 'figures')
    """
    for prefix, section_id in _PLACES:
        if stem.startswith(prefix):
            return section_id
    return "figures"


def report_figures(contents: RunContents) -> list[tuple[str, bytes]]:
    """The PNGs of the page, as (name, bytes): plots/ first, then those drawn from data.

    A figure is drawn only where plots/ has none for its section: learning curves from
    the history, a box plot from the repeated runs, the tuning history from the trials.
    A figure that cannot be drawn (a history of NaN, say) is left out.

    Example:
        >>> from lstmkit.io.run_records import RunContents
        >>> contents = RunContents(Path("r"), {}, history={"loss": [0.9, 0.5]})
        >>> [name for name, png in report_figures(contents)]
        ['learning_curves']
    """
    figures = [(stem, path.read_bytes()) for stem, path in contents.plots.items()]
    present = {section_of(stem) for stem, _ in figures}
    drawers = {
        "learning_curves": _learning_curves_figure,
        "repeated_runs": _repeated_runs_figure,
        "tuning_history": _tuning_history_figure,
    }
    for name, draw in drawers.items():
        if section_of(name) in present:
            continue
        try:
            figure = draw(contents)
        except LstmkitError:  # unusable data: the tables still show it
            figure = None
        if figure is not None:
            figures.append((name, _png(figure)))
    return figures


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi)
    return buffer.getvalue()


def _images_by_section(figures: list[tuple[str, bytes]]) -> dict[str, str]:
    placed: dict[str, list[str]] = {}
    for name, png in figures:
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        alt = sections.escape(name.replace("_", " "))
        tag = f'<img src="{uri}" alt="{alt}" data-plot="{sections.escape(name)}">'
        placed.setdefault(section_of(name), []).append(tag)
    return {section_id: "\n".join(tags) for section_id, tags in placed.items()}


def _learning_curves_figure(contents: RunContents) -> Any:
    if not contents.history:
        return None
    from lstmkit.diagnostics.plots import plot_learning_curves

    return plot_learning_curves(contents.history)


def _repeated_runs_figure(contents: RunContents) -> Any:
    repeats = contents.repeats
    scores = [
        c
        for c in (repeats.columns if repeats is not None else [])
        if c not in ("run", "seed", "fold")
    ]
    if not scores:
        return None
    import pandas as pd

    from lstmkit.diagnostics.baselines import BASELINES
    from lstmkit.diagnostics.plots import plot_repeated_runs

    metric = scores[0]
    values = pd.to_numeric(repeats[metric], errors="coerce").dropna().tolist()
    evaluation = contents.evaluation
    label, lines = "model", {}
    if evaluation is not None and metric in evaluation.columns:
        models = [str(name) for name in evaluation.index if str(name) not in BASELINES]
        label = models[0] if models else label
        for name in evaluation.index:
            score = pd.to_numeric(evaluation.loc[name, metric], errors="coerce")
            if str(name) in BASELINES and pd.notna(score):
                lines[str(name)] = float(score)
    return plot_repeated_runs({label: values}, metric=metric, baselines=lines or None)


def _minimizes(contents: RunContents) -> bool:
    """Whether lower values are better: the best trial's value is the lowest one."""
    if contents.trials is None or not contents.best:
        return True
    values = sections.completed(contents.trials)["value"]
    best = contents.best.get("value")
    if not len(values) or not isinstance(best, (int, float)):
        return True
    return not (best >= values.max() and best > values.min())


def _tuning_history_figure(contents: RunContents) -> Any:
    """Each completed trial's value by its number, and the best value so far as a step line."""
    if contents.trials is None:
        return None
    done = sections.completed(contents.trials).sort_values("number")
    if not len(done):
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    minimize = _minimizes(contents)
    values = done["value"].astype(float)
    best = values.cummin() if minimize else values.cummax()
    figure = Figure(figsize=(8.0, 3.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    ax.plot(done["number"], values, "o", color="C0", alpha=0.7, label="trial value")
    ax.step(done["number"], best, where="post", color="C1", label="best so far")
    ax.set_xlabel("trial number")
    ax.set_ylabel("objective value")
    ax.set_title(
        f"tuning history ({len(done)} completed trials, {'lower' if minimize else 'higher'} is better)"
    )
    ax.legend(loc="best", fontsize="small")
    return figure


def _verdict(contents: RunContents) -> Mapping[str, Any] | None:
    """verdict.json, else a diagnosis of history.json when lstmkit can make one."""
    if contents.verdict:
        return contents.verdict
    return learning_curve_verdict(contents.history) if contents.history else None


def learning_curve_verdict(history: Mapping[str, Any]) -> dict[str, Any] | None:
    """``diagnose_learning_curves(history).to_dict()``, or None when it cannot be made.

    None when this lstmkit has no ``lstmkit.diagnostics.learning_curves`` module, or the
    history is too short or unusable for a diagnosis.

    Example:
        >>> verdict = learning_curve_verdict({"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.6, 0.5]})
        >>> verdict is None or "verdict" in verdict
        True
    """
    import importlib.util

    if importlib.util.find_spec("lstmkit.diagnostics.learning_curves") is None:
        return None
    from lstmkit.diagnostics import learning_curves

    diagnose = getattr(learning_curves, "diagnose_learning_curves", None)
    if diagnose is None:
        return None
    try:
        return dict(diagnose(history).to_dict())
    except LstmkitError:  # e.g. too few epochs to judge: the curves are still shown
        return None
