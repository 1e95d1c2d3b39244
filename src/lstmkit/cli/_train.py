"""``lstmkit train RUN.toml``: train an estimator from a run file and save the model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from lstmkit.cli._common import (
    format_history,
    format_metrics,
    import_plugins,
    refuse_to_replace,
    reported_errors,
)

if TYPE_CHECKING:
    import numpy as np

    from lstmkit.config import RunConfig

DEFAULT_SUFFIX = ".safetensors"


def train(
    run: Annotated[
        Path,
        typer.Argument(metavar="RUN.toml", help="The TOML run file ([data], [model], [training])."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Model file to write (default: the run file's 'output', else RUN with "
            f"the suffix {DEFAULT_SUFFIX}).",
        ),
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Override [training] epochs.", min=1)] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Override [training] batch_size.", min=1)
    ] = None,
    learning_rate: Annotated[
        float | None, typer.Option(help="Override [training] learning_rate.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Override [training] random_state (a seed).")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="Override [training] device: auto, cpu or cuda.")
    ] = None,
    verbose: Annotated[
        int | None, typer.Option(help="Override [training] verbose: 0, 1 or 2.", min=0, max=2)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model file.")] = False,
) -> None:
    """Train a model from a TOML run file, report its scores, save it.

    Paths in the run file are relative to the run file's directory; --output is
    relative to the current directory. An existing model file is never replaced
    unless --force is given (checked before training starts).

    Example: lstmkit train examples/echo.toml --epochs 5 -o echo.safetensors
    """
    with reported_errors():
        from lstmkit.config import load_run_file, resolve_path

        overrides = {
            "training.epochs": epochs,
            "training.batch_size": batch_size,
            "training.learning_rate": learning_rate,
            "training.random_state": seed,
            "training.device": device,
            "training.verbose": verbose,
        }
        config = load_run_file(run, overrides)
        target = _output_path(run, config, output, resolve_path)
        inputs = [run] + [
            resolve_path(name, run)
            for name in (config.data.train, config.data.validation, config.data.test)
            if name
        ]
        _check_new(target, force, inputs)
        import_plugins(config.model.plugins, run.parent)  # they register their architectures
        estimator, scores = _fit(run, config)
        estimator.save(target)
        history = estimator.history_.history
        total = max((len(values) for values in history.values()), default=0)
        typer.echo(f"History (last 5 of {total} epochs):" if total > 5 else "History:")
        typer.echo(format_history(history, tail=5))
        for name, results in scores:
            typer.echo(f"{name}: {format_metrics(results)}")
        typer.echo(f"saved model to {target}")


def _output_path(run: Path, config: RunConfig, output: Path | None, resolve: Any) -> Path:
    if output is not None:
        return output
    if config.output is not None:
        return resolve(config.output, run)
    return run.with_suffix(DEFAULT_SUFFIX)


def _check_new(path: Path, force: bool, inputs: list[Path]) -> None:
    from lstmkit.errors import ModelFileError

    if any(path.resolve() == source.resolve() for source in inputs):
        raise ModelFileError(
            f"the model file '{path}' is one of the run's inputs (the run file or a data "
            "file): choose another --output"
        )
    refuse_to_replace(path, force, ModelFileError, label="model file ")


def _fit(run: Path, config: RunConfig) -> tuple[Any, list[tuple[str, dict[str, float]]]]:
    """Load the data, build the estimator, fit it; return it with its scores per data set."""
    import lstmkit
    from lstmkit.config import resolve_path
    from lstmkit.data._files import FileOptions, load_data

    data = config.data
    options = FileOptions(
        x_key=data.x_key,
        y_key=data.y_key,
        target=data.target,
        timesteps=data.timesteps,
        features=data.features,
        encoding=data.encoding,
        delimiter=data.delimiter,
    )
    numeric = config.model.task == "regressor"

    def load(name: str) -> tuple[np.ndarray, np.ndarray]:
        path = resolve_path(name, run)
        X, y = load_data(path, options, require_y=True, numeric_target=numeric)
        return X, cast("np.ndarray", y)  # require_y=True: never None

    X, y = load(data.train)
    validation = load(data.validation) if data.validation else None
    test = load(data.test) if data.test else None
    params = config.estimator_params()
    if "class_weight" in params:
        params["class_weight"] = _class_weight(params["class_weight"], y, run)
    kind = lstmkit.LSTMClassifier if config.model.task == "classifier" else lstmkit.LSTMRegressor
    estimator = kind(**params)
    estimator.fit(X, y, validation_data=validation)
    scores = [("train", estimator.evaluate(X, y))]
    if validation is not None:
        scores.append(("validation", estimator.evaluate(*validation)))
    if test is not None:
        scores.append(("test", estimator.evaluate(*test)))
    return estimator, scores


def _class_weight(weights: Any, y: np.ndarray, run: Path) -> Any:
    """Turn the TOML table's string keys into labels of the training targets' type."""
    from lstmkit.errors import ConfigError

    if not isinstance(weights, dict) or y.dtype.kind in "US":
        return weights
    converted: dict[Any, float] = {}
    for key, weight in weights.items():
        try:
            converted[int(key)] = weight
        except ValueError:
            raise ConfigError(
                f"{run}: [training] class_weight has the key {key!r}, but the labels are "
                'integers: use the labels as keys, e.g. class_weight = { "0" = 1.0, "1" = 5.0 }'
            ) from None
    return converted
