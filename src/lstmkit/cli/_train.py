"""``lstmkit train RUN.toml``: train an estimator from a run file and save the model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lstmkit.cli._common import (
    RunDir,
    format_history,
    format_metrics,
    given_options,
    import_plugins,
    model_summary,
    open_run_record,
    record_history,
    refuse_to_replace,
    reported_errors,
)

if TYPE_CHECKING:
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
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing model file and run directory."),
    ] = False,
    run_dir: RunDir = None,
) -> None:
    """Train a model from a TOML run file, report its scores, save it.

    Paths in the run file are relative to the run file's directory; --output and
    --run-dir are relative to the current directory. An existing model file or run
    directory is never replaced unless --force is given (checked before training starts).
    The run directory (see 'lstmkit report') holds the run file, the scores, the
    history, the learning curves and a copy of the model.

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
        with open_run_record("train", run, run_dir, force) as record:
            import_plugins(config.model.plugins, run.parent)  # they register architectures
            estimator, scores, data = _fit(run, config)
            baseline_set, baseline = _baseline(estimator, config.model.task, data)
            estimator.save(target)
            history = estimator.history_.history
            total = max((len(values) for values in history.values()), default=0)
            typer.echo(f"History (last 5 of {total} epochs):" if total > 5 else "History:")
            typer.echo(format_history(history, tail=5))
            for name, results in scores:
                typer.echo(f"{name}: {format_metrics(results)}")
            typer.echo(f"{baseline_set}: {_baseline_line(baseline)}")
            typer.echo(f"saved model to {target}")
            _record(record, run, estimator, scores, target)
            record.write_frame("evaluation.csv", baseline)
            finished = record.finish(
                run_file=str(run),
                overrides=given_options(overrides),
                data={"task": config.model.task, **data.summary()},
                model=model_summary(estimator),
            )
        typer.echo(f"run directory: {finished}")


def _record(record: Any, run: Path, estimator: Any, scores: list, model_file: Path) -> None:
    """The run directory's files: run file, scores, history, curves, verdict, model copy."""
    import shutil

    record.write_text("config.toml", run.read_text(encoding="utf-8"))
    metrics = {
        f"{name}_{metric}": float(value)
        for name, results in scores
        for metric, value in results.items()
    }
    record.write_json("metrics.json", metrics)
    record_history(record, estimator.history_.history)
    shutil.copyfile(model_file, record.model_path)  # the file just saved, not a second save


def _baseline(estimator: Any, task: str, data: Any) -> tuple[str, Any]:
    """The model beside a naive baseline on the test file (else validation, else train)."""
    from lstmkit.diagnostics.supervised_baselines import classifier_baseline, regressor_baseline

    name, (X, y) = next(
        (name, arrays)
        for name, arrays in (
            ("test", data.test),
            ("validation", data.validation),
            ("train", data.train),
        )
        if arrays is not None
    )
    compare = classifier_baseline if task == "classifier" else regressor_baseline
    return name, compare(estimator, data.train[1], X, y)


def _baseline_line(table: Any) -> str:
    """``LSTM beats majority_class (error_rate 0.05 vs 0.88)``, or ``LSTM LOSES to ...``."""
    metric = table.columns[0]
    name = table.index[1]
    model, naive = table.loc["LSTM", metric], table.loc[name, metric]
    verb = "LOSES to" if table.loc["LSTM", "loses_to"] else "beats"
    return f"LSTM {verb} {name} ({metric} {model:.4g} vs {naive:.4g})"


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


def _fit(run: Path, config: RunConfig) -> tuple[Any, list[tuple[str, dict[str, float]]], Any]:
    """Load the data, build the estimator, fit it; return it, its scores and the data."""
    from lstmkit.cli._run_data import build_estimator, load_run_data

    data = load_run_data(run, config)
    X, y = data.train
    estimator = build_estimator(run, config, y)
    estimator.fit(X, y, validation_data=data.validation)
    scores = [
        (role, estimator.evaluate(*arrays))
        for role, arrays in (
            ("train", data.train),
            ("validation", data.validation),
            ("test", data.test),
        )
        if arrays is not None
    ]
    return estimator, scores, data
