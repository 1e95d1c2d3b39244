"""The schema of a run file: the TOML file that ``lstmkit train`` reads.

A run file has three tables and one top-level key::

    output = "echo.safetensors"      # where the trained model is saved

    [data]                           # which files to learn from (see DataSection)
    train = "echo_train.npz"

    [model]                          # the architecture (see ModelSection)
    task = "classifier"
    units = 25

    [training]                       # compile + fit settings (see TrainingSection)
    epochs = 200
    optimizer = "adam"

Relative paths are relative to the directory of the run file, so a run file and its data
travel together. Keys left out take the estimator's defaults. Values are checked strictly
(TOML is typed: ``epochs = "10"`` is an error, not a silent conversion). Every problem in a
file is reported at once, one line each, with its location and a suggestion::

    run.toml: unknown key 'unts' in [model]. Did you mean 'units'?

Example:
    >>> config = RunConfig.model_validate(
    ...     {"data": {"train": "d.npz"}, "model": {"task": "classifier", "units": 8}}
    ... )
    >>> config.estimator_params()
    {'units': 8}
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from lstmkit._config_sections import SECTION_CONFIG, DataSection, ModelSection, TrainingSection
from lstmkit._tune_config import TuneSection
from lstmkit.errors import ConfigError, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "DataSection",
    "ModelSection",
    "RunConfig",
    "TrainingSection",
    "TuneSection",
    "load_run_file",
    "resolve_path",
]


class RunConfig(BaseModel):
    """A whole run file: ``output`` and the ``[data]``, ``[model]``, ``[training]`` tables.

    Example:
        >>> config = RunConfig.model_validate(
        ...     {
        ...         "data": {"train": "d.npz"},
        ...         "model": {"task": "regressor", "scale_y": True},
        ...         "training": {"epochs": 3},
        ...     }
        ... )
        >>> config.estimator_params()
        {'scale_y': True, 'epochs': 3}
    """

    model_config = SECTION_CONFIG

    output: str | None = Field(default=None, description="the model file to write")
    data: DataSection
    model: ModelSection
    training: TrainingSection = TrainingSection()
    tune: TuneSection | None = Field(default=None, description="what lstmkit tune searches")

    @model_validator(mode="after")
    def _check_task(self) -> RunConfig:
        """Refuse settings that the chosen task does not have, all at once."""
        wrong = [
            f'[model] {key} applies to task = "regressor" only: remove it, or set '
            'task = "regressor"'
            for key in ("scale_X", "scale_y")
            if self.model.task == "classifier" and key in self.model.model_fields_set
        ]
        if self.model.task == "regressor" and self.training.class_weight is not None:
            wrong.append(
                '[training] class_weight applies to task = "classifier" only: remove it, or '
                'set task = "classifier"'
            )
        if wrong:
            raise PydanticCustomError("task_mismatch", "\n".join(wrong))
        return self

    def estimator_params(self) -> dict[str, Any]:
        """Return the estimator keywords the file sets; unset keys keep the estimator defaults.

        ``task`` chooses the class and ``class_weight`` is returned with string keys as in
        the file (the command line turns them into the labels' type once the data is read).

        Example:
            >>> RunConfig.model_validate(
            ...     {"data": {"train": "d.npz"}, "model": {"task": "classifier"}}
            ... ).estimator_params()
            {}
        """
        params = self.model.model_dump(exclude_unset=True, exclude={"task", "plugins"})
        params.update(self.training.model_dump(exclude_unset=True))
        return params


def resolve_path(value: str | Path, run_file: str | Path) -> Path:
    """Resolve a path written in a run file against the run file's directory.

    Example:
        >>> resolve_path("data/train.npz", "/runs/echo.toml").as_posix()
        '/runs/data/train.npz'
    """
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(run_file).parent / path


def load_run_file(path: str | Path, overrides: Mapping[str, Any] | None = None) -> RunConfig:
    """Read and validate a TOML run file.

    Args:
        path: the run file.
        overrides: values from the command line that replace the file's, keyed by dotted
            location (``{"training.epochs": 1}``); ``None`` values are ignored. Errors in
            them name the location and the option they came from.

    Returns:
        The validated configuration.

    Raises:
        ConfigError: the file is missing, is not TOML, or has unknown keys or bad values;
            the message lists every problem, one line each, prefixed with the file name.

    Example:
        >>> import tempfile, pathlib
        >>> run = pathlib.Path(tempfile.mkdtemp()) / "run.toml"
        >>> _ = run.write_text('[data]\\ntrain = "d.npz"\\n[model]\\ntask = "regressor"\\n')
        >>> load_run_file(run, {"training.epochs": 2}).training.epochs
        2
    """
    path = Path(path)
    raw = read_run_toml(path, example="examples/echo.toml")
    origins = apply_overrides(raw, overrides)
    return validate_run(RunConfig, raw, path, lambda error: describe_error(error, origins))


def validate_run(schema: type[BaseModel], raw: dict[str, Any], path: Path, explain: Any) -> Any:
    """``schema`` validated from ``raw``, or one ConfigError listing every problem.

    ``explain(error)`` turns one pydantic error into its line(s); each is prefixed with
    the run file's name.

    Example:
        >>> validate_run(RunConfig, {}, Path("run.toml"), lambda error: error["loc"][0])
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: run.toml: data
        run.toml: model
    """
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: {line}" for error in exc.errors() for line in explain(error).split("\n")]
        raise ConfigError("\n".join(lines)) from None


def read_run_toml(path: Path, example: str) -> dict[str, Any]:
    """The tables of a TOML run file, or a ConfigError that says what is wrong with it.

    Example:
        >>> read_run_toml(Path("no/such.toml"), example="examples/echo.toml")
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: run file 'no/such.toml' does not exist: check the path, or start from examples/echo.toml
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"run file '{path}' does not exist: check the path, or start from {example}"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"run file '{path}' is a directory: expected a TOML file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def apply_overrides(
    raw: dict[str, Any], overrides: Mapping[str, Any] | None
) -> dict[tuple[str, ...], str]:
    """Put command-line values into ``raw`` by dotted location; say which flag set each.

    ``None`` values are skipped (the flag was not given). A location whose table is not
    a table is left for validation to report.

    Example:
        >>> raw = {"training": {"epochs": 5}}
        >>> apply_overrides(raw, {"training.epochs": 1, "training.batch_size": None})
        {('training', 'epochs'): '--epochs'}
        >>> raw
        {'training': {'epochs': 1}}
    """
    origins: dict[tuple[str, ...], str] = {}
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        *tables, key = dotted.split(".")
        target: Any = raw
        for table in tables:
            target = target.setdefault(table, {}) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[key] = value
            origins[(*tables, key)] = option_name(key)
    return origins


def option_name(key: str) -> str:
    """The command-line flag that overrides a run-file key.

    Example:
        >>> option_name("random_state"), option_name("batch_size")
        ('--seed', '--batch-size')
    """
    return "--seed" if key == "random_state" else "--" + key.replace("_", "-")


_SECTIONS: dict[str, type[BaseModel]] = {
    "data": DataSection,
    "model": ModelSection,
    "training": TrainingSection,
}

_EXPECTED = {
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "string_type": 'expected a string in quotes, e.g. "value"',
    "list_type": 'expected a list, e.g. ["accuracy"]',
    "dict_type": "expected a table",
    "model_type": "expected a table",
}


def describe_error(error: Mapping[str, Any], origins: Mapping[tuple[str, ...], str]) -> str:
    """Turn one pydantic error into a line that says where, what and how to fix it.

    ``origins`` maps a key's location to the flag that set it, so an override's error
    names the flag. The forecast run file shares it (``lstmkit._forecast_config``).

    Example:
        >>> describe_error({"loc": ("training", "epochs"), "type": "int_type",
        ...                 "input": "10", "msg": ""}, {})
        '[training] epochs = "10": expected an integer'
    """
    loc = tuple(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "task_mismatch":
        return str(error["msg"])
    if kind == "extra_forbidden":
        return _unknown_key(loc, error["input"])
    if kind == "missing":
        return _missing_key(loc)
    where = _where(loc)
    if len(loc) == 1 and loc[0] in _SECTIONS:
        return f"[{loc[0]}] must be a table, got {show_toml(error['input'])}"
    origin = origins.get(loc)
    shown = f"{where} = {show_toml(error['input'])}" + (f" (from {origin})" if origin else "")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        options = ", ".join(f"'{choice}'" for choice in choices)
        hint = did_you_mean(error["input"], choices) if isinstance(error["input"], str) else ""
        return f"{shown}: expected one of {options}.{hint}"
    expected = _EXPECTED.get(kind)
    if expected is None:
        message = str(error["msg"])
        if not message.startswith("expected"):
            message = "expected " + message.removeprefix("Input should be ")
        expected = message
    return f"{shown}: {expected}"


def _unknown_key(loc: tuple[str, ...], value: Any) -> str:
    key = loc[-1]
    if len(loc) == 1:
        known = sorted(RunConfig.model_fields)
        if isinstance(value, dict):
            close = difflib.get_close_matches(key, list(_SECTIONS), n=1)
            hint = f" Did you mean [{close[0]}]?" if close else ""
            return f"unknown section [{key}]: expected [data], [model] and [training].{hint}"
        return f"unknown key '{key}' at the top level{_home(key, None)}{did_you_mean(key, known)}"
    section = loc[0]
    where = f"[{section}]" if len(loc) == 2 else f"[{section}] {'.'.join(loc[1:-1])}"
    known = list(_SECTIONS[section].model_fields) if len(loc) == 2 else []
    return f"unknown key '{key}' in {where}{_home(key, section)}{did_you_mean(key, known)}"


def _home(key: str, section: str | None) -> str:
    """Say which table a misplaced key belongs in, or end the sentence."""
    for name, schema in _SECTIONS.items():
        if name != section and key in schema.model_fields:
            return f": it belongs in [{name}]."
    if key == "output":
        return ": it belongs at the top level, before the first [table]."
    return "."


def _missing_key(loc: tuple[str, ...]) -> str:
    if len(loc) == 1:
        if loc[0] == "data":
            return 'missing section [data]: add one with at least train = "FILE"'
        if loc[0] == "model":
            return 'missing section [model]: add one with at least task = "classifier"'
        return f"missing key '{loc[0]}' at the top level"
    schema = _SECTIONS.get(loc[0])
    field = schema.model_fields.get(loc[-1]) if schema else None
    about = f": {field.description}" if field is not None and field.description else ""
    return f"missing key '{loc[-1]}' in [{loc[0]}]{about}"


def _where(loc: tuple[str, ...]) -> str:
    if len(loc) == 1:
        return loc[0]
    rest = loc[1]
    for part in loc[2:]:
        rest += f"[{part}]" if part.isdigit() else f".{part}"
    return f"[{loc[0]}] {rest}"


def show_toml(value: Any) -> str:
    """Show a value as it would be written in TOML.

    Example:
        >>> show_toml(True), show_toml("a"), show_toml([1, "b"])
        ('true', '"a"', '[1, "b"]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "[" + ", ".join(show_toml(item) for item in value) + "]"
    return str(value)
