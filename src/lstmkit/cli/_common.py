"""What every command shares: error reporting, data options, model loading, printing.

Only the standard library and typer are imported at module level, so ``lstmkit --help``
stays fast; torch, pandas and the estimators are imported inside the commands.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    import numpy as np

    from lstmkit.data._files import FileOptions

# Exit codes: 0 success, 1 a problem with the user's files or values, 2 a usage error
# (typer's: unknown option, missing argument).
EXIT_ERROR = 1

XKey = Annotated[
    str,
    typer.Option("--x-key", help="Name of the inputs array in an .npz file.", show_default=True),
]
YKey = Annotated[
    str,
    typer.Option("--y-key", help="Name of the targets array in an .npz file.", show_default=True),
]
Target = Annotated[
    str | None,
    typer.Option("--target", help="CSV: the column holding the targets (labels or values)."),
]
Encoding = Annotated[str, typer.Option("--encoding", help="CSV: the text encoding, e.g. latin-1.")]
Delimiter = Annotated[str, typer.Option("--delimiter", help="CSV: the field separator.")]


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``error: ...`` for each line of ``message`` on stderr and exit with ``code``.

    Example:
        >>> fail("no such file")  # doctest: +SKIP
    """
    for line in message.splitlines() or [""]:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn lstmkit's errors and file-system errors into a short message and exit code 1.

    Anything else is a bug and keeps its traceback.

    Example:
        >>> with reported_errors():  # doctest: +SKIP
        ...     raise DataError("bad file")
    """
    from lstmkit.errors import LstmkitError

    try:
        yield
    except LstmkitError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))


def file_options(
    x_key: str = "X",
    y_key: str = "y",
    target: str | None = None,
    encoding: str = "utf-8",
    delimiter: str = ",",
    estimator: Any = None,
) -> FileOptions:
    """Build the file options; with a fitted ``estimator``, CSV rows take its input shape.

    Example:
        >>> file_options(target="label").target
        'label'
    """
    from lstmkit.data._files import FileOptions

    return FileOptions(
        x_key=x_key,
        y_key=y_key,
        target=target,
        timesteps=getattr(estimator, "n_timesteps_in_", None),
        features=getattr(estimator, "n_features_in_", None),
        encoding=encoding,
        delimiter=delimiter,
    )


def load_for_model(
    estimator: Any, path: Path, options: FileOptions, require_y: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Load a data file for a fitted model: CSV rows are reshaped to its input shape.

    Example:
        >>> X, y = load_for_model(model, Path("test.csv"), options, True)  # doctest: +SKIP
    """
    from lstmkit.data._files import load_data
    from lstmkit.errors import ShapeError

    try:
        return load_data(
            path, options, require_y=require_y, numeric_target=not is_classifier(estimator)
        )
    except ShapeError as exc:
        if path.suffix.lower() != ".csv" or options.timesteps is None:
            raise
        raise ShapeError(
            f"{exc} The model was trained on inputs of shape (timesteps, features) = "
            f"({options.timesteps}, {options.features})."
        ) from exc


def is_classifier(estimator: Any) -> bool:
    """True for a classifier (its targets are labels), False for a regressor.

    Example:
        >>> is_classifier(object())
        False
    """
    return hasattr(estimator, "predict_proba")


Plugins = Annotated[
    list[str] | None,
    typer.Option(
        "--plugin",
        metavar="MODULE",
        help="A Python module to import first, which registers your own architecture "
        "(repeatable); looked up in the current directory and on the path.",
    ),
]


def import_plugins(names: Sequence[str] | None, folder: Path) -> None:
    """Import the user's plugin modules (they register architectures), ``folder`` first.

    Importing runs the user's own code, named by the user on the command line or in their
    run file; a model file never names code to import (CONTRACTS §13).

    Raises:
        ConfigError: a module that cannot be imported, with the reason.

    Example:
        >>> import_plugins(["json"], Path("."))
    """
    import importlib

    from lstmkit.errors import ConfigError

    for name in names or ():
        sys.path.insert(0, str(folder))
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure of the user's module is reported the same way
            raise ConfigError(
                f"cannot import the plugin module {name!r} ({type(exc).__name__}: {exc}): "
                f"give a module name (no .py) found in {str(folder)!r} or on the Python path"
            ) from exc
        finally:
            sys.path.remove(str(folder))


def load_model_file(path: Path, plugins: Sequence[str] | None = None) -> Any:
    """Load a model file with :func:`lstmkit.load_model`, after checking it exists.

    ``plugins`` are imported first (from the current directory or the path), so a file
    holding your own registered architecture loads.

    Raises:
        ModelFileError: the file is missing or not a model file lstmkit can trust.

    Example:
        >>> model = load_model_file(Path("echo.safetensors"))  # doctest: +SKIP
    """
    from lstmkit.errors import ModelFileError

    if not path.is_file():
        state = "is a directory" if path.is_dir() else "does not exist"
        raise ModelFileError(
            f"model file '{path}' {state}: train one with 'lstmkit train RUN.toml'"
        )
    import_plugins(plugins, Path.cwd())
    import lstmkit

    return lstmkit.load_model(path)


def require_array_model(estimator: Any, command: str) -> None:
    """Refuse a text generator where a command needs arrays of samples.

    Raises:
        ConfigError: naming the estimator and what to use instead.

    Example:
        >>> require_array_model(object(), "predict")
    """
    from lstmkit.errors import ConfigError

    if hasattr(estimator, "vocabulary_"):
        raise ConfigError(
            f"this model file holds an {type(estimator).__name__} (character-level text "
            f"generation); 'lstmkit {command}' runs classifiers and regressors on arrays: use "
            "model.generate(seed, length) or model.evaluate(text) in Python"
        )


def format_number(value: float) -> str:
    """Format a loss or metric as Keras does (4 decimals), keeping tiny values visible.

    Example:
        >>> format_number(0.25), format_number(1.5e-06), format_number(float("nan"))
        ('0.2500', '1.500e-06', 'nan')
    """
    value = float(value)
    if math.isfinite(value) and value != 0 and abs(value) < 1e-3:
        return f"{value:.3e}"
    return f"{value:.4f}"


def format_metrics(results: Mapping[str, float]) -> str:
    """Format ``{"loss": ..., "accuracy": ...}`` as Keras prints it.

    Example:
        >>> format_metrics({"loss": 0.5, "accuracy": 1.0})
        'loss: 0.5000 - accuracy: 1.0000'
    """
    return " - ".join(f"{name}: {format_number(value)}" for name, value in results.items())


def format_history(history: Mapping[str, Sequence[float]], tail: int = 5) -> str:
    """Format the last ``tail`` epochs of a Keras-style history as a table, loss first.

    Example:
        >>> print(format_history({"accuracy": [0.5, 0.75], "loss": [0.9, 0.5]}))
        epoch    loss  accuracy
            1  0.9000    0.5000
            2  0.5000    0.7500
    """
    names = [name for name, values in history.items() if len(values)]
    if not names:
        return "(no epochs recorded)"
    names.sort(key=lambda name: (name.startswith("val_"), name.removeprefix("val_") != "loss"))
    epochs = max(len(history[name]) for name in names)
    rows = range(max(0, epochs - tail), epochs)
    columns = {
        name: [format_number(history[name][e]) if e < len(history[name]) else "" for e in rows]
        for name in names
    }
    widths = {name: max([len(name), *map(len, cells)]) for name, cells in columns.items()}
    lines = ["epoch  " + "  ".join(name.rjust(widths[name]) for name in names)]
    for i, epoch in enumerate(rows):
        cells = "  ".join(columns[name][i].rjust(widths[name]) for name in names)
        lines.append(f"{epoch + 1:>5}  {cells}")
    return "\n".join(lines)


def refuse_to_replace(path: Path, force: bool, error: type[Exception], label: str = "") -> None:
    """Refuse to write ``path`` when it exists (unless ``force``) or its folder is missing.

    Nothing is ever overwritten by accident: the message names the file and the two ways on.

    Example:
        >>> refuse_to_replace(Path("no/such/folder/x.npy"), False, ValueError)
        Traceback (most recent call last):
        ...
        ValueError: cannot write 'no/such/folder/x.npy': the directory 'no/such/folder' does not exist
    """
    if path.exists() and not force:
        raise error(
            f"{label}'{path}' already exists and was left untouched: choose another --output, "
            "or pass --force to replace it"
        )
    if not path.parent.is_dir():
        raise error(f"cannot write '{path}': the directory '{path.parent}' does not exist")


RunDir = Annotated[
    Path | None,
    typer.Option(
        "--run-dir",
        help="The run directory to write for 'lstmkit report' (config, metrics, history, "
        "model, plots); default: runs/<RUN>-<command>-<time> in the current directory.",
    ),
]


def open_run_record(command: str, run: Path, run_dir: Path | None, force: bool) -> Any:
    """Check and start the run directory (``runs/<run stem>-<command>-<time>`` by default).

    Called before training, so an existing run directory stops the command at once.

    Raises:
        DataError: the run directory exists and may not be replaced.

    Example:
        >>> record = open_run_record("train", Path("echo.toml"), None, False)  # doctest: +SKIP
    """
    from lstmkit.io.run_records import RunRecord, default_run_dir

    path = run_dir if run_dir is not None else default_run_dir(command, run.stem, "runs")
    return RunRecord(path, command, overwrite=force)


def record_history(record: Any, history: Mapping[str, Sequence[float]]) -> None:
    """Write history.json, plots/learning_curves.png and verdict.json (when one is made).

    Example:
        >>> record_history(record, estimator.history_.history)  # doctest: +SKIP
    """
    from lstmkit.diagnostics.plots import plot_learning_curves
    from lstmkit.diagnostics.report import learning_curve_verdict

    values = {name: [float(v) for v in series] for name, series in history.items() if len(series)}
    if not values:
        return
    record.write_json("history.json", values)
    record.save_figure("learning_curves", plot_learning_curves(values))
    verdict = learning_curve_verdict(values)
    if verdict is not None:
        record.write_json("verdict.json", verdict)


def model_summary(estimator: Any) -> dict[str, Any]:
    """What run.json says of a fitted model: class, parameter counts, keywords, summary.

    Example:
        >>> model_summary(object())["estimator"]
        'object'
    """
    info: dict[str, Any] = {"estimator": type(estimator).__name__}
    inner = getattr(estimator, "model_", estimator)  # a forecaster wraps a regressor
    module = getattr(inner, "module_", None)
    if module is not None:
        from lstmkit.estimators._summary import keras_equivalent_parameters

        info["parameters"] = sum(parameter.numel() for parameter in module.parameters())
        info["keras_equivalent_parameters"] = keras_equivalent_parameters(module)
    if hasattr(estimator, "get_params"):
        info["params"] = estimator.get_params(deep=False)
    if module is not None and hasattr(inner, "summary"):
        info["summary"] = inner.summary(print_fn=None)
    return info


def given_options(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The command-line flags that were given, by name: ``{"--epochs": 2}``.

    Example:
        >>> given_options({"training.epochs": 2, "training.random_state": 1, "x.y": None})
        {'--epochs': 2, '--seed': 1}
    """
    from lstmkit.config import option_name

    return {
        option_name(key.rsplit(".", 1)[-1]): value
        for key, value in overrides.items()
        if value is not None
    }
