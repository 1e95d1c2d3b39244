"""The sections of the HTML run report, each built from the parsed run directory.

Every function returns HTML text in which everything read from the run has gone through
``html.escape``; figures arrive as ready ``<img>`` tags (see ``report.py``). A section
with nothing recorded says so instead of disappearing, so its id is always there.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from lstmkit.io.run_records import RunContents

NOT_RECORDED = "Not recorded for this run."
TOP_TRIALS = 10
_ERROR_METRICS = ("RMSE", "MAE", "MAPE", "sMAPE", "MASE", "error_rate")  # lower is better


def escape(value: Any) -> str:
    """Text for HTML, quotes included.

    Example:
        >>> escape('<b> & "x"')
        '&lt;b&gt; &amp; &quot;x&quot;'
    """
    return html.escape(str(value), quote=True)


def cell(value: Any) -> str:
    """A table cell's text: floats to 4 significant digits, NaN and None as a dash.

    Example:
        >>> cell(3.14159), cell(float("nan")), cell(None), cell(12), cell("a<b")
        ('3.142', '–', '–', '12', 'a&lt;b')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return escape(f"{value:.4g}")
    if hasattr(value, "dtype") and hasattr(value, "item"):  # NumPy scalars from pandas
        return cell(value.item())
    if isinstance(value, (list, tuple)):
        return escape(", ".join(str(item) for item in value))
    return escape(value)


def section(section_id: str, title: str, parts: Sequence[str]) -> str:
    """``<section id=...><h2>title</h2>...</section>``; no parts: "Not recorded for this run."

    Example:
        >>> section("data", "Data", [])
        '<section id="data">\\n<h2>Data</h2>\\n<p class="empty">Not recorded for this run.</p>\\n</section>'
    """
    body = [part for part in parts if part] or [f'<p class="empty">{NOT_RECORDED}</p>']
    return "\n".join(
        [f'<section id="{escape(section_id)}">', f"<h2>{escape(title)}</h2>", *body, "</section>"]
    )


def table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    row_classes: Sequence[str] | None = None,
    caption: str | None = None,
) -> str:
    """An HTML table; ``row_classes`` gives each body row a class (``"baseline"``).

    Example:
        >>> table(["name", "RMSE"], [["LSTM", 1.5]])
        '<table>\\n<thead><tr><th>name</th><th>RMSE</th></tr></thead>\\n<tbody>\\n<tr><td>LSTM</td><td>1.5</td></tr>\\n</tbody>\\n</table>'
    """
    lines = ["<table>"]
    if caption:
        lines.append(f"<caption>{escape(caption)}</caption>")
    lines.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead>")
    lines.append("<tbody>")
    for number, row in enumerate(rows):
        kind = row_classes[number] if row_classes else ""
        opening = f'<tr class="{escape(kind)}">' if kind else "<tr>"
        lines.append(opening + "".join(f"<td>{cell(value)}</td>" for value in row) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def key_values(mapping: Mapping[str, Any], caption: str | None = None) -> str:
    """A two-column table of a mapping; nested mappings flattened as ``outer.inner``."""
    rows = list(_flatten(mapping))
    return table(["", "value"], rows, caption=caption) if rows else ""


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def frame_table(frame: pd.DataFrame, *, index_name: str = "", row_classes: Any = None) -> str:
    """A DataFrame as a table, its index as the first column."""
    header = [index_name or frame.index.name or "", *map(str, frame.columns)]
    rows = [[index, *values] for index, values in zip(frame.index, frame.itertuples(index=False))]
    return table(header, rows, row_classes=row_classes)


def lines(items: Iterable[str], kind: str = "") -> str:
    """A bulleted list of text lines (empty when there are none)."""
    entries = [f"<li>{escape(item)}</li>" for item in items]
    opening = f'<ul class="{escape(kind)}">' if kind else "<ul>"
    return "\n".join([opening, *entries, "</ul>"]) if entries else ""


# ---------------------------------------------------------------------- the sections
def summary(contents: RunContents) -> str:
    """Command, name, creation time, versions, overrides, notes and the run file."""
    info = contents.info
    overrides = info.get("overrides") or {}
    facts = {
        "command": f"lstmkit {contents.command}",
        "name": contents.name,
        "created": info.get("created"),
        "run file": info.get("run_file"),
        "overrides": " ".join(f"{k} {v}" for k, v in overrides.items()) or "none",
        "lstmkit": info.get("lstmkit_version"),
        "torch": info.get("torch_version"),
        "python": info.get("python_version"),
        "run directory": str(contents.path),
    }
    parts = [key_values(facts), lines(info.get("notes") or [], "notes")]
    if contents.config_text:
        text = f"<pre>{escape(contents.config_text)}</pre>"
        parts.append(_details("config.toml (the run file as given)", text))
    return section("summary", "Summary", parts)


def data(contents: RunContents) -> str:
    """The data summary recorded in run.json."""
    return section("data", "Data", [key_values(contents.info.get("data") or {})])


def model(contents: RunContents) -> str:
    """What was trained: the estimator, its parameters, its Keras-like summary."""
    recorded = dict(contents.info.get("model") or {})
    text, params = recorded.pop("summary", None), recorded.pop("params", None)
    if contents.model_path is not None:
        recorded["model file"] = (
            f"{contents.model_path.name} ({contents.model_path.stat().st_size:,} bytes)"
        )
    parts = [key_values(recorded)]
    if isinstance(params, Mapping) and params:
        parts.append(_details(f"parameters ({len(params)})", key_values(params)))
    if text:
        parts.append(f"<pre>{escape(text)}</pre>")
    return section("model", "Model", parts)


def learning_curves(contents: RunContents, verdict: Mapping[str, Any] | None, images: str) -> str:
    """The curves, the learning-curve verdict, and first, last, min and max per series."""
    parts = [images, _verdict(verdict) if verdict else ""]
    if contents.history:
        rows = [_curve_row(name, values) for name, values in contents.history.items()]
        parts.append(
            table(["series", "epochs", "first", "last", "min (epoch)", "max (epoch)"], rows)
        )
        if not verdict:
            parts.append('<p class="empty">No learning-curve diagnosis was recorded.</p>')
    return section("learning-curves", "Learning curves", parts)


def _curve_row(name: str, values: Sequence[float]) -> list[Any]:
    """Min and max with their epochs (from 1): a loss is best at its min, accuracy at its max."""
    finite = [(value, epoch) for epoch, value in enumerate(values, 1) if math.isfinite(value)]
    if not finite:
        return [name, len(values), None, None, None, None]
    low, high = min(finite), max(finite, key=lambda pair: (pair[0], -pair[1]))
    at = [f"{value:.4g} ({epoch})" for value, epoch in (low, high)]
    return [name, len(values), values[0], values[-1], *at]


def _verdict(verdict: Mapping[str, Any]) -> str:
    name = verdict.get("verdict", "unknown")
    parts = [f'<p class="verdict">Verdict: <strong>{escape(name)}</strong></p>']
    reasons = [str(reason) for reason in verdict.get("reasons") or []]
    line = verdict.get("summary") or verdict.get("summary_line")
    parts.append(lines(reasons) if reasons else f"<p>{escape(line)}</p>" if line else "")
    measures = verdict.get("measures")
    if isinstance(measures, Mapping) and measures:
        parts.append(_details("the numbers behind the verdict", key_values(measures)))
    rules = verdict.get("rules")
    if isinstance(rules, list) and rules:
        parts.append(_details("the rules, in the order they are tried", lines(map(str, rules))))
    return "\n".join(part for part in parts if part)


def _details(title: str, body: str) -> str:
    return f"<details><summary>{escape(title)}</summary>\n{body}\n</details>"


def skill(contents: RunContents, images: str, baselines: Sequence[str]) -> str:
    """Metrics, and the model beside its baselines (baselines highlighted), with verdicts."""
    parts = []
    if contents.metrics:
        parts.append(metrics_table(contents.metrics))
    evaluation = contents.evaluation
    if evaluation is not None and len(evaluation):
        kinds = ["baseline" if str(n) in baselines else "model" for n in evaluation.index]
        parts.append(frame_table(evaluation, row_classes=kinds))
        parts.append(lines(verdict_lines(evaluation, baselines), "verdicts"))
    parts.append(images)
    return section("skill", "Skill against the baselines", parts)


def metrics_table(metrics: Mapping[str, float]) -> str:
    """metrics.json as a table; ``"RMSE std"``, ``"RMSE min"``, ... become columns of RMSE.

    Example:
        >>> print(metrics_table({"RMSE": 2.0, "RMSE std": 0.5, "fit_loss": 0.1}))
        <table>
        <caption>metrics</caption>
        <thead><tr><th>metric</th><th>value</th><th>std</th></tr></thead>
        <tbody>
        <tr><td>RMSE</td><td>2</td><td>0.5</td></tr>
        <tr><td>fit_loss</td><td>0.1</td><td>–</td></tr>
        </tbody>
        </table>
    """
    spreads = ("std", "min", "max")
    rows: dict[str, dict[str, float]] = {}
    for name, value in metrics.items():
        base, _, kind = name.rpartition(" ")
        if kind in spreads and base in metrics:
            rows.setdefault(base, {})[kind] = value
        else:
            rows.setdefault(name, {})["value"] = value
    columns = ["value", *(kind for kind in spreads if any(kind in row for row in rows.values()))]
    body = [[name, *(row.get(kind) for kind in columns)] for name, row in rows.items()]
    return table(["metric", *columns], body, caption="metrics")


def verdict_lines(evaluation: pd.DataFrame, baselines: Sequence[str]) -> list[str]:
    """``"LSTM LOSES to seasonal_naive on RMSE"`` (or ``beats every baseline``) per model row.

    The ``loses_to`` column decides when present; otherwise the first error metric,
    lower being better.

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"RMSE": [2.0, 1.5, 3.0]},
        ...                      index=["LSTM", "seasonal_naive", "persistence"])
        >>> verdict_lines(table, ["seasonal_naive", "persistence"])
        ['LSTM LOSES to seasonal_naive on RMSE']
    """
    metrics = [column for column in evaluation.columns if column in _ERROR_METRICS]
    if not metrics:
        return []
    metric = metrics[0]
    compared = [name for name in evaluation.index if str(name) in baselines]
    result = []
    for name in evaluation.index:
        if str(name) in baselines:
            continue
        if "loses_to" in evaluation.columns:
            winners = [
                w for w in str(evaluation.loc[name, "loses_to"]).split(", ") if w and w != "nan"
            ]
        else:
            score = evaluation.loc[name, metric]
            winners = [str(b) for b in compared if evaluation.loc[b, metric] < score]
        if winners:
            result.append(f"{name} LOSES to {', '.join(winners)} on {metric}")
        else:
            result.append(f"{name} beats every baseline on {metric}")
    return result


def repeated_runs(contents: RunContents, images: str) -> str:
    """Mean, std, min and max of each score over the runs, the box plot, the tests."""
    parts = []
    repeats = contents.repeats
    if repeats is not None and len(repeats):
        scores = [c for c in repeats.columns if c not in ("run", "seed", "fold")]
        numeric = repeats[scores].apply(_as_numbers)
        rows = [
            [name, int(values.count()), values.mean(), values.std(), values.min(), values.max()]
            for name, values in numeric.items()
        ]
        parts.append(table(["score", "runs", "mean", "std", "min", "max"], rows))
        seeds = ", ".join(str(seed) for seed in repeats["seed"].tolist())
        parts.append(f"<p>{len(repeats)} runs, seeds {escape(seeds)}.</p>")
    parts.append(images)
    if contents.comparisons:
        rows = [
            [c.get("a"), c.get("b"), c.get("test"), c.get("statistic"), c.get("p_value")]
            for c in contents.comparisons
        ]
        parts.append(table(["model", "against", "test", "statistic", "p-value"], rows))
        parts.append(
            lines(
                [str(c["summary"]) for c in contents.comparisons if c.get("summary")], "comparisons"
            )
        )
    return section("repeated-runs", "Repeated runs", parts)


def _as_numbers(column: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(column, errors="coerce")


def tuning(contents: RunContents, images: str, minimize: bool) -> str:
    """The best trial, the best trials as a table, and the tuning history plot."""
    parts = []
    best = contents.best
    if best:
        facts = {"trial": best.get("number"), "value": best.get("value")}
        parts.append(key_values(facts, caption="best trial"))
        params = best.get("params")
        if isinstance(params, Mapping) and params:
            parts.append(key_values(params, caption="best parameters"))
    trials = contents.trials
    if trials is not None and len(trials):
        done = completed(trials)
        top = done.sort_values("value", ascending=minimize).head(TOP_TRIALS)
        top = top.rename(columns=lambda c: str(c).removeprefix("params_"))
        states = trials["state"].value_counts() if "state" in trials else None
        counted = ", ".join(f"{n} {s}" for s, n in states.items()) if states is not None else ""
        parts.append(f"<p>{len(trials)} trials{escape(': ' + counted if counted else '')}.</p>")
        parts.append(frame_table(top.set_index("number"), index_name="trial"))
    parts.append(images)
    return section("tuning", "Tuning", parts)


def completed(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials that finished with a value (state COMPLETE when a state is recorded).

    Example:
        >>> import pandas as pd
        >>> trials = pd.DataFrame({"number": [0, 1, 2], "value": [0.5, None, 0.3],
        ...                        "state": ["COMPLETE", "PRUNED", "COMPLETE"]})
        >>> completed(trials)["number"].tolist()
        [0, 2]
    """
    values = _as_numbers(trials["value"])
    keep = values.notna()
    if "state" in trials.columns:
        keep &= trials["state"].astype(str).str.upper() == "COMPLETE"
    return trials[keep].assign(value=values[keep])


def figures(images: str) -> str:
    """Figures found in plots/ that belong to no other section."""
    return section("figures", "Other figures", [images])
