"""Read a run directory back: every file parsed with json or pandas, never unpickled.

``read_run`` is what ``lstmkit report`` starts from. It checks ``run.json`` first (the
mark of a finished run, see :mod:`lstmkit.io.run_records`), then reads each optional file
and reports every damaged one together.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstmkit.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

RUN_FORMAT = "lstmkit-run"
RUN_FORMAT_VERSION = 1
MODEL_FILE = "model.safetensors"
PLOTS = "plots"
_WRITERS = "lstmkit train, forecast or tune"


@dataclass
class RunContents:
    """Everything a run directory holds, parsed; a missing file is None (or empty).

    Attributes:
        path: the run directory.
        info: ``run.json`` (command, name, created, versions, data, model, notes, ...).
        config_text: ``config.toml``, the run file as given.
        metrics: ``metrics.json``, name to value (null read as NaN).
        history: ``history.json``, name to one value per epoch.
        verdict: ``verdict.json``, the learning-curve diagnosis.
        evaluation: ``evaluation.csv``, the model and baselines as rows (first column as
            the index).
        repeats: ``repeats.csv``, one row per repeated run (``run``, ``seed``, scores).
        comparisons: ``comparisons.json``, the paired tests.
        trials: ``trials.csv``, the tuning history.
        best: ``best.json``, the best trial.
        plots: ``plots/*.png`` by file stem, sorted by name.
        model_path: ``model.safetensors`` when present.

    Example:
        >>> contents = RunContents(Path("runs/x"), {"command": "train", "name": "x"})
        >>> contents.command, contents.metrics
        ('train', {})
    """

    path: Path
    info: dict[str, Any]
    config_text: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    verdict: dict[str, Any] | None = None
    evaluation: pd.DataFrame | None = None
    repeats: pd.DataFrame | None = None
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    trials: pd.DataFrame | None = None
    best: dict[str, Any] | None = None
    plots: dict[str, Path] = field(default_factory=dict)
    model_path: Path | None = None

    @property
    def command(self) -> str:
        """``"train"``, ``"forecast"`` or ``"tune"``."""
        return str(self.info.get("command", ""))

    @property
    def name(self) -> str:
        """The run's name (the folder's name when it was written)."""
        return str(self.info.get("name", self.path.name))


def read_run(path: str | os.PathLike[str]) -> RunContents:
    """Read a run directory written by ``lstmkit train``, ``forecast`` or ``tune``.

    Raises:
        DataError: not a folder, no ``run.json``, another format or a newer
            ``format_version``, or damaged files (every one named, one line each).

    Example:
        >>> import tempfile
        >>> from lstmkit.io.run_records import RunRecord
        >>> folder = Path(tempfile.mkdtemp()) / "run"
        >>> with RunRecord(folder, "train") as record:
        ...     _ = record.write_json("history.json", {"loss": [0.9, 0.5]})
        ...     _ = record.finish()
        >>> contents = read_run(folder)
        >>> contents.command, contents.history, contents.evaluation
        ('train', {'loss': [0.9, 0.5]}, None)
    """
    folder = Path(path)
    info = _run_info(folder)
    problems: list[str] = []
    contents = RunContents(folder, info)
    contents.config_text = _read(folder, "config.toml", lambda p: p.read_text("utf-8"), problems)
    contents.metrics = _read(folder, "metrics.json", _metrics, problems) or {}
    contents.history = _read(folder, "history.json", _history, problems) or {}
    contents.verdict = _read(folder, "verdict.json", _json_object, problems)
    contents.best = _read(folder, "best.json", _json_object, problems)
    contents.comparisons = _read(folder, "comparisons.json", _comparisons, problems) or []
    contents.evaluation = _read(folder, "evaluation.csv", _indexed_frame, problems)
    contents.repeats = _read(folder, "repeats.csv", _frame_with("run", "seed"), problems)
    contents.trials = _read(folder, "trials.csv", _frame_with("number", "value"), problems)
    plots = folder / PLOTS
    if plots.is_dir():
        contents.plots = {png.stem: png for png in sorted(plots.glob("*.png")) if png.is_file()}
    contents.model_path = folder / MODEL_FILE if (folder / MODEL_FILE).is_file() else None
    if problems:
        raise DataError("\n".join(f"run directory '{folder}': {line}" for line in problems))
    return contents


def _run_info(folder: Path) -> dict[str, Any]:
    """``run.json``, after checking that ``folder`` is a run directory this lstmkit reads."""
    expected = f"expected a directory written by {_WRITERS}"
    if not folder.exists():
        raise DataError(f"run directory '{folder}' does not exist: {expected}")
    if not folder.is_dir():
        raise DataError(f"'{folder}' is a file, not a run directory: {expected}")
    if not (folder / "run.json").is_file():
        partial = ".partial-" in folder.name
        why = " (a run that did not finish)" if partial else ""
        raise DataError(f"'{folder}' has no run.json{why}: {expected}")
    try:
        info = _json_object(folder / "run.json")
    except ValueError as exc:
        raise DataError(f"'{folder}': {exc}") from exc
    if info.get("format") != RUN_FORMAT:
        raise DataError(
            f"'{folder / 'run.json'}' has format {info.get('format')!r}, not {RUN_FORMAT!r}: "
            f"{expected}"
        )
    version = info.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DataError(
            f"'{folder / 'run.json'}' has an invalid format_version {version!r}: expected "
            f"{RUN_FORMAT_VERSION}"
        )
    if version > RUN_FORMAT_VERSION:
        raise DataError(
            f"'{folder}' was written by a newer lstmkit (run format_version {version}); this "
            f"lstmkit reads format_version {RUN_FORMAT_VERSION}: upgrade lstmkit to read it"
        )
    return info


def _read(folder: Path, name: str, parse: Callable[[Path], Any], problems: list[str]) -> Any:
    """``parse(folder/name)``, None when absent; a damaged file adds a line to ``problems``."""
    path = folder / name
    if not path.is_file():
        return None
    try:
        return parse(path)
    except (ValueError, UnicodeDecodeError) as exc:  # json, pandas and our checks
        problems.append(f"{name}: {exc}")
        return None


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None


def _json_object(path: Path) -> dict[str, Any]:
    value = _json(path)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object {{...}}, got {type(value).__name__}")
    return value


def _number(value: Any, where: str) -> float:
    """A JSON number as a float; null (how NaN is written) as NaN."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} is {value!r}: expected a number")
    return float(value)


def _metrics(path: Path) -> dict[str, float]:
    return {name: _number(value, repr(name)) for name, value in _json_object(path).items()}


def _history(path: Path) -> dict[str, list[float]]:
    history = {}
    for name, values in _json_object(path).items():
        if not isinstance(values, list):
            raise ValueError(f"{name!r} is {values!r}: expected a list, one value per epoch")
        history[name] = [_number(v, f"{name!r} epoch {i + 1}") for i, v in enumerate(values)]
    return history


def _comparisons(path: Path) -> list[dict[str, Any]]:
    value = _json(path)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("expected a JSON list of objects {a, b, test, statistic, p_value, ...}")
    return value


def _indexed_frame(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_csv(path, index_col=0)
    except pd.errors.EmptyDataError:
        raise ValueError("the file is empty: expected a header row and one row per name") from None


def _frame_with(*columns: str) -> Callable[[Path], pd.DataFrame]:
    def read(path: Path) -> pd.DataFrame:
        import pandas as pd

        try:
            frame = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            raise ValueError("the file is empty: expected a header row") from None
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(
                f"no column {', '.join(map(repr, missing))}: expected the columns "
                f"{', '.join(columns)} first, found {', '.join(map(str, frame.columns))}"
            )
        return frame

    return read
