"""``lstmkit tune RUN.toml``: search a run file's ``[tune.space]`` with Optuna, keep the best."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lstmkit.cli._common import (
    RunDir,
    format_metrics,
    given_options,
    import_plugins,
    model_summary,
    open_run_record,
    record_history,
    reported_errors,
)

if TYPE_CHECKING:
    from lstmkit.config import RunConfig

EXAMPLE = "examples/echo_tune.toml"


def tune(
    run: Annotated[
        Path,
        typer.Argument(
            metavar="RUN.toml", help="A train run file with a [tune] table and [tune.space]."
        ),
    ],
    trials: Annotated[
        int | None, typer.Option(help="Override [tune] trials: COMPLETE trials to reach.", min=1)
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Override [tune] workers: processes here.", min=1)
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option(
            help="Override [tune] storage: sqlite:///FILE.db, postgresql://USER:PASSWORD@HOST"
            "/DB (shared by several machines) or a journal file FILE.log."
        ),
    ] = None,
    study_name: Annotated[
        str | None, typer.Option(help="Override [tune] study_name (default: the run file's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Override [tune] seed.", min=0)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing run directory.")
    ] = False,
    run_dir: RunDir = None,
) -> None:
    """Search the run file's [tune.space], refit the best settings, save the model.

    Each trial trains the run file's model with one setting of the space and is judged
    on held-out data (the last validation_split, or cv TimeSeriesSplit folds). Trials
    that fall behind are pruned. Several workers, or several machines given the same
    --storage and --study-name, share one study. The run directory holds the trials,
    the best model and its learning curves; 'lstmkit report RUN_DIR' shows them.

    Example: lstmkit tune examples/echo_tune.toml --trials 20 --workers 2
    """
    with reported_errors():
        overrides = {
            "tune.trials": trials,
            "tune.workers": workers,
            "tune.study_name": study_name,
            "tune.seed": seed,
        }
        config, forecasting = _load(run, overrides)
        settings = _tune_settings(run, config, storage)
        with open_run_record("tune", run, run_dir, force) as record:
            import_plugins(config.model.plugins, run.parent)  # they register architectures
            search = _search_forecast if forecasting else _search
            result, scores, data = search(run, config, settings, show_progress=not quiet)
            typer.echo(_best_trials_text(result))
            for name, results in scores.items():
                typer.echo(f"best model on {name}: {format_metrics(results)}")
            notes = _cropping_notes(result)
            for note in notes:
                typer.echo(f"note: {note}")
            _record(record, run, result, scores)
            finished = record.finish(
                run_file=str(run),
                overrides=given_options({**overrides, "tune.storage": storage}),
                data=data,
                model={**model_summary(result.best_estimator_), "tuning": _tuning_info(result)},
                notes=notes,
            )
        typer.echo(f"run directory: {finished}")


def _load(run: Path, overrides: dict[str, Any]) -> tuple[Any, bool]:
    """The validated run file, and whether it is a forecasting one (it has [forecast])."""
    from lstmkit._forecast_config import load_forecast_run
    from lstmkit.config import load_run_file, read_run_toml

    forecasting = "forecast" in read_run_toml(run, example=EXAMPLE)
    if forecasting:
        return load_forecast_run(run, overrides), True
    return load_run_file(run, overrides), False


def _tune_settings(run: Path, config: RunConfig, storage: str | None) -> dict[str, Any]:
    """The keywords of ``lstmkit.tune.tune`` that the ``[tune]`` table sets."""
    from lstmkit.errors import ConfigError

    section = config.tune
    if section is None:
        raise ConfigError(
            f"{run}: no [tune] table: add one with the settings to search, e.g.\n"
            "[tune]\ntrials = 20\n[tune.space]\nunits = { low = 8, high = 64, log = true }\n"
            f"(see {EXAMPLE})"
        )
    settings: dict[str, Any] = {
        "space": section.search_space(),
        "n_trials": section.trials,
        "n_workers": section.workers,
        "storage": storage if storage is not None else _beside(section.storage, run),
        "study_name": section.study_name or run.stem,
        "cv": section.cv,
        "scoring": section.scoring,
        "sampler": section.sampler,
        "pruner": section.pruner,
        "seed": section.seed,
        "timeout": section.timeout,
    }
    if section.validation_split is not None:
        settings["validation_split"] = section.validation_split
    return settings


def _beside(storage: str | None, run: Path) -> str | None:
    """A run file's SQLite or journal path, made relative to the run file's folder.

    ``sqlite:///study.db`` in ``runs/echo.toml`` is ``runs/study.db``, as the run file's
    data paths are; absolute paths and database servers are left as they are.
    """
    if storage is None:
        return None
    from lstmkit.config import resolve_path

    if storage.startswith("sqlite:///"):
        return "sqlite:///" + str(resolve_path(storage.removeprefix("sqlite:///"), run))
    if "://" in storage:
        return storage
    prefix = "journal:" if storage.startswith("journal:") else ""
    return prefix + str(resolve_path(storage.removeprefix(prefix), run))


def _run_study(estimator: Any, X: Any, y: Any, settings: dict[str, Any], show_progress: bool):
    """``lstmkit.tune.tune`` with the best settings refitted, Optuna's own log quiet."""
    import optuna

    from lstmkit.tune import tune as run_study

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the progress bar and table say it
    return run_study(estimator, X, y, refit=True, show_progress=show_progress, **settings)


def _search(
    run: Path, config: RunConfig, settings: dict[str, Any], show_progress: bool
) -> tuple[Any, dict[str, dict[str, float]], dict[str, Any]]:
    """A train run file: load its data, run the study, score the best on every data set."""
    from lstmkit.cli._run_data import build_estimator, load_run_data

    data = load_run_data(run, config)
    X, y = data.train
    estimator = build_estimator(run, config, y)
    result = _run_study(estimator, X, y, settings, show_progress)
    sets = {"train": data.train, "validation": data.validation, "test": data.test}
    scores = {
        name: result.best_estimator_.evaluate(result.crop(arrays[0]), arrays[1])
        for name, arrays in sets.items()
        if arrays is not None
    }
    return result, scores, {"task": config.model.task, **data.summary()}


def _search_forecast(
    run: Path, config: Any, settings: dict[str, Any], show_progress: bool
) -> tuple[Any, dict[str, dict[str, float]], dict[str, Any]]:
    """A forecast run file: each trial is scored on a backtest over the series' last part.

    The study sees the series only: covariates are refused rather than silently dropped.
    """
    from lstmkit import LSTMForecaster
    from lstmkit._forecast_config import data_path
    from lstmkit.cli._forecast import _data_summary
    from lstmkit.cli._forecast_inputs import read_inputs
    from lstmkit.errors import ConfigError

    inputs = read_inputs(config, data_path(config, run))
    if inputs.past is not None or inputs.future is not None:
        raise ConfigError(
            f"{run}: lstmkit tune scores a forecaster on its series alone, but [data] names "
            "covariates: remove past_covariates and future_covariates to tune, then put "
            "them back for lstmkit forecast"
        )
    forecaster = LSTMForecaster(**config.forecaster_params())
    result = _run_study(forecaster, inputs.y, None, settings, show_progress)
    return result, {}, {"task": "forecast", **_data_summary(config, inputs)}


def _best_trials_text(result: Any, top: int = 5) -> str:
    """The study's counts, then a table of its best trials."""
    frame = result.trials_frame()
    counts = frame["state"].value_counts()
    states = ", ".join(f"{counts[state]} {state.lower()}" for state in sorted(counts.index))
    best = result.summary(top=top)
    return (
        f"study: {len(frame)} trials ({states}); storage: {result.storage}\n"
        f"best {len(best)} trials ({result.direction} the objective):\n{best.to_string()}\n"
        f"best: trial {result.best_trial_number}, value {result.best_value:.6g}, "
        f"params {result.best_params}"
    )


def _record(record: Any, run: Path, result: Any, scores: dict[str, dict[str, float]]) -> None:
    """The run directory: run file, trials, best, scores, the best model and its curves."""
    record.write_text("config.toml", run.read_text(encoding="utf-8"))
    result.save_records(record.folder)  # trials.csv and best.json, one writer for both
    metrics = {"best_value": result.best_value}
    metrics.update(
        {
            f"{name}_{metric}": value
            for name, results in scores.items()
            for metric, value in results.items()
        }
    )
    record.write_json("metrics.json", metrics)
    record.save_figure("tuning_history", result.plot())
    record_history(record, result.best_estimator_.history_.history)
    result.best_estimator_.save(record.model_path)


def _cropping_notes(result: Any) -> list[str]:
    """What to do when the best model reads only the last ``lookback`` steps of a sample.

    The model itself accepts longer samples without complaint (an LSTM runs any length),
    so the run must say it: predictions on uncropped data would read the wrong steps.
    """
    if result.input_steps is None:
        return []
    steps = result.input_steps
    return [
        f"the best model reads the last {steps} steps of each sample (lookback = {steps}): "
        f"give it X[:, -{steps}:, :], e.g. to lstmkit predict and evaluate"
    ]


def _tuning_info(result: Any) -> dict[str, Any]:
    return {
        "direction": result.direction,
        "storage": result.storage,
        "best_trial": result.best_trial_number,
        "input_steps": result.input_steps,
    }
