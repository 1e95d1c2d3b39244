"""Run directories: what ``lstmkit train``, ``forecast`` and ``tune`` leave behind.

A run is written into a staging folder beside its final place and moved there in one
rename when it is finished, ``run.json`` last, so a folder named like a run is always a
whole run::

    runs/echo-train-20240501-120000.partial-k3j2/   config.toml, history.json, plots/, ...
        --finish(): write run.json, rename-->      runs/echo-train-20240501-120000/

A run killed before ``finish()`` leaves only the ``.partial-`` folder, which no reader
takes for a run (it has no ``run.json``). JSON only, no pickle: ``read_run`` parses
every file with json and pandas. matplotlib is needed only by ``save_figure``.

Files (all optional but ``run.json``; see docs/architecture.md, "Run directories"):
``run.json``, ``config.toml``, ``metrics.json``, ``history.json``, ``verdict.json``,
``evaluation.csv``, ``repeats.csv``, ``comparisons.json``, ``trials.csv``, ``best.json``,
``model.safetensors``, ``plots/*.png``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import secrets
import shutil
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstmkit.errors import DataError
from lstmkit.io._atomic import atomic_write, write_all
from lstmkit.io._run_reader import (
    MODEL_FILE,
    PLOTS,
    RUN_FORMAT,
    RUN_FORMAT_VERSION,
    RunContents,
    read_run,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMMANDS",
    "RUN_FORMAT",
    "RUN_FORMAT_VERSION",
    "RunContents",
    "RunRecord",
    "default_run_dir",
    "read_run",
    "to_json_value",
]

COMMANDS = ("train", "forecast", "tune")
_REPLACE_HINT = "--force on the command line, overwrite=True in Python"


def default_run_dir(
    command: str, stem: str, root: str | os.PathLike[str] = "runs", *, now: datetime | None = None
) -> Path:
    """``<root>/<stem>-<command>-<YYYYmmdd-HHMMSS>``, with ``-2``, ``-3``, ... if taken.

    The time is local (``now`` for a fixed one); the folder is not created.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> moment = datetime(2024, 5, 1, 12, 0, 0)
        >>> default_run_dir("train", "echo", root, now=moment).name
        'echo-train-20240501-120000'
        >>> (root / "echo-train-20240501-120000").mkdir()
        >>> default_run_dir("train", "echo", root, now=moment).name
        'echo-train-20240501-120000-2'
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{stem}-{command}-{stamp}"
    candidate, number = base, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def to_json_value(value: Any) -> Any:
    """``value`` as plain JSON: NaN and inf become null, NumPy values Python ones.

    Tuples become lists, paths strings, and anything else its ``repr`` (an estimator's
    parameter such as a callback), so a record never fails on an odd value.

    Example:
        >>> import numpy as np
        >>> to_json_value({"loss": [np.float32(0.5), float("nan")], "path": Path("a")})
        {'loss': [0.5, None], 'path': 'a'}
    """
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # NumPy scalars and arrays
        return to_json_value(value.tolist())
    return repr(value)


class RunRecord:
    """A run directory being written: files go to a staging folder until ``finish()``.

    Creating the record checks the target first, so a command can refuse before it
    trains: an existing non-empty folder is refused unless ``overwrite=True``, and even
    then only if it is a run directory itself (never a folder of other files).

    Args:
        path: the run directory to create.
        command: ``"train"``, ``"forecast"`` or ``"tune"``.
        name: the run's name (default: the folder's name).
        overwrite: replace an existing run directory at ``finish()``.

    Raises:
        DataError: ``path`` is a file, or a non-empty folder that may not be replaced.
        ConfigError: an unknown ``command``.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "runs" / "demo-train"
        >>> with RunRecord(target, "train") as record:
        ...     _ = record.write_json("metrics.json", {"train_loss": 0.25})
        ...     _ = record.finish(data={"samples": 8})
        >>> sorted(entry.name for entry in target.iterdir())
        ['metrics.json', 'run.json']
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        command: str,
        *,
        name: str | None = None,
        overwrite: bool = False,
    ) -> None:
        from lstmkit.errors import unknown_option

        if command not in COMMANDS:
            raise unknown_option("run command", command, COMMANDS)
        self.path = Path(path)
        self.command = command
        self.name = name or self.path.resolve().name
        self.overwrite = overwrite
        self.created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        _check_target(self.path, overwrite)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._folder = _new_folder(self.path, "partial")
        self._state = "open"

    # ------------------------------------------------------------------ writing
    @property
    def folder(self) -> Path:
        """Where the files are now: the staging folder, then ``path`` once finished."""
        return self._folder

    @property
    def model_path(self) -> Path:
        """Where the model file goes: ``<folder>/model.safetensors``."""
        return self._folder / MODEL_FILE

    def write_json(self, name: str, value: Any) -> Path:
        """Write ``value`` as indented JSON (see :func:`to_json_value`); return the path."""
        text = json.dumps(to_json_value(value), indent=2, allow_nan=False) + "\n"
        return self.write_text(name, text)

    def write_text(self, name: str, text: str) -> Path:
        """Write a UTF-8 text file into the run; return its path."""
        return self._write(name, text.encode("utf-8"))

    def write_frame(self, name: str, frame: pd.DataFrame, *, index: bool = True) -> Path:
        """Write a DataFrame as CSV (its index first, unless ``index=False``)."""
        return self.write_text(name, frame.to_csv(index=index, lineterminator="\n"))

    def save_figure(self, name: str, figure: Any) -> Path:
        """Save a matplotlib Figure as ``plots/<name>.png`` (``.png`` added if missing)."""
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=figure.dpi)
        stem = name if name.endswith(".png") else f"{name}.png"
        return self._write(f"{PLOTS}/{stem}", buffer.getvalue())

    def _write(self, name: str, data: bytes) -> Path:
        self._check_open()
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise DataError(f"run file name {name!r}: expected a name inside the run directory")
        target = self._folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(str(target), lambda fd: write_all(fd, data), display=str(target))
        return target

    # ------------------------------------------------------------------ finishing
    def finish(
        self,
        *,
        run_file: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        model: Mapping[str, Any] | None = None,
        notes: Sequence[str] = (),
    ) -> Path:
        """Write ``run.json`` last and move the run into place; return its path.

        Raises:
            DataError: a folder appeared at ``path`` meanwhile (and ``overwrite`` is off).
        """
        self._check_open()
        self.write_json("run.json", self.run_info(run_file, overrides, data, model, notes))
        _move_into_place(self._folder, self.path, self.overwrite)
        self._folder, self._state = self.path, "finished"
        return self.path

    def run_info(
        self,
        run_file: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        model: Mapping[str, Any] | None = None,
        notes: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The content of ``run.json``."""
        from lstmkit.io._manifest import library_versions

        versions = library_versions()
        return {
            "format": RUN_FORMAT,
            "format_version": RUN_FORMAT_VERSION,
            "command": self.command,
            "name": self.name,
            "created": self.created,
            "lstmkit_version": versions["lstmkit"],
            "torch_version": versions["torch"],
            "python_version": platform.python_version(),
            "run_file": run_file,
            "overrides": dict(overrides or {}),
            "data": dict(data or {}),
            "model": dict(model or {}),
            "notes": [str(note) for note in notes],
        }

    def discard(self) -> None:
        """Remove the staging folder of an unfinished run (a finished run is kept)."""
        if self._state == "open":
            shutil.rmtree(self._folder, ignore_errors=True)
            self._state = "discarded"

    def __enter__(self) -> RunRecord:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()  # a run that failed or was never finished leaves nothing behind

    def _check_open(self) -> None:
        if self._state != "open":
            raise DataError(f"run directory '{self.path}' is {self._state}: nothing more to write")


def _check_target(path: Path, overwrite: bool) -> None:
    """Refuse a file, or a non-empty folder that is not a run directory we may replace."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise DataError(
            f"run directory '{path}' exists and is not a folder: choose another run directory"
        )
    if not path.is_dir() or not any(path.iterdir()):
        return
    if not overwrite:
        raise DataError(
            f"run directory '{path}' already exists and is not empty; it was left untouched: "
            f"choose another run directory, or replace it ({_REPLACE_HINT})"
        )
    if not (path / "run.json").is_file():
        raise DataError(
            f"'{path}' is not empty and is not a run directory (it has no run.json): it will "
            "not be replaced; choose another run directory"
        )


def _new_folder(path: Path, kind: str) -> Path:
    """An empty folder ``<path>.<kind>-<8 hex>`` beside ``path``, with the umask's mode.

    Not ``tempfile.mkdtemp``: its folders are private (0700), and a finished run should
    be as readable as any other folder the user makes.
    """
    for _ in range(16):
        folder = path.with_name(f"{path.name}.{kind}-{secrets.token_hex(4)}")
        try:
            folder.mkdir(0o777)
        except FileExistsError:
            continue
        return folder
    raise DataError(f"no free name for a {kind} folder beside '{path}': remove old ones")


def _move_into_place(staging: Path, path: Path, overwrite: bool) -> None:
    old = None
    if overwrite and path.is_dir() and any(path.iterdir()):
        old = _new_folder(path, "old")
        os.replace(path, old / path.name)  # moved aside, removed once the new run is in place
    try:
        os.replace(staging, path)  # replaces an empty folder; refuses a non-empty one
    except OSError as exc:
        if old is not None:
            os.replace(old / path.name, path)
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError(
            f"run directory '{path}' appeared while this run was written and was left "
            f"untouched ({exc.strerror}): run again with another run directory"
        ) from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
