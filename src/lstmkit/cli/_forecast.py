"""``lstmkit forecast RUN.toml``: backtest against the baselines, then forecast ahead.

Steps: read the CSV named in ``[data]`` (resampled when asked); with ``[evaluation]``,
run a walk-forward backtest of the LSTM over the seeds beside the naive baselines and
print its table; fit on all the data; print the forecast of ``horizon`` steps after the
last timestamp; write the files asked for (forecast CSV, plot, model), never replacing
one unless ``--overwrite`` is given (checked before any training).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lstmkit.cli._common import (
    RunDir,
    given_options,
    import_plugins,
    model_summary,
    open_run_record,
    record_history,
    refuse_to_replace,
    reported_errors,
)

if TYPE_CHECKING:
    import pandas as pd

    from lstmkit._forecast_config import ForecastRunConfig
    from lstmkit._forecast_sections import EvaluationSection
    from lstmkit.cli._forecast_inputs import SeriesInputs

COVERAGE = 0.9  # of the split-conformal intervals drawn from the backtest's residuals


def forecast(
    run: Annotated[
        Path,
        typer.Argument(
            metavar="RUN.toml",
            help="The TOML run file ([data], [forecast], [model], [training], [evaluation], "
            "[output]).",
        ),
    ],
    horizon: Annotated[int | None, typer.Option(help="Override [forecast] horizon.")] = None,
    lookback: Annotated[int | None, typer.Option(help="Override [forecast] lookback.")] = None,
    strategy: Annotated[
        str | None, typer.Option(help="Override [forecast] strategy: direct, recursive, seq2seq.")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Override [training] epochs.")] = None,
    seeds: Annotated[
        str | None, typer.Option(help="Override [evaluation] seeds, e.g. 0,1,2.")
    ] = None,
    test_start: Annotated[
        str | None,
        typer.Option(
            help="Override [evaluation] test_start: a date (1959-01) or a count of final steps; "
            "adds a backtest to a run file without [evaluation]."
        ),
    ] = None,
    missing: Annotated[
        str | None,
        typer.Option(help="Override [data] missing: interpolate, seasonal, mask or drop."),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Write a PNG of the history and the forecast.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the forecast as CSV.")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Save the fitted forecaster.")] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", "--force", help="Replace existing output files and run directory."
        ),
    ] = False,
    run_dir: RunDir = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the tables (no progress lines).")
    ] = False,
) -> None:
    """Backtest a forecaster against the baselines, then forecast after the data's end.

    Paths in the run file are relative to the run file; --output, --plot and --model
    are relative to the current directory and replace the run file's [output] entries.
    Existing files are never replaced unless --overwrite is given (checked before
    training starts). The run directory (see 'lstmkit report') holds the run file, the
    backtest's tables and tests, the history, the plots and the model.

    Example: lstmkit forecast examples/airline_forecast.toml --output forecast.csv
    """
    with reported_errors():
        from lstmkit._forecast_config import data_path, load_forecast_run

        overrides = {
            "forecast.horizon": horizon,
            "forecast.lookback": lookback,
            "forecast.strategy": strategy,
            "training.epochs": epochs,
            "evaluation.seeds": None if seeds is None else _parse_seeds(seeds),
            "evaluation.test_start": None if test_start is None else _parse_start(test_start),
            "data.missing": missing,
        }
        config = load_forecast_run(run, overrides)
        source = data_path(config, run)
        files = _output_files(run, config, {"forecast": output, "plot": plot, "model": model})
        _check_outputs(files, overwrite, inputs=[run, source])
        say = (lambda line: None) if quiet else typer.echo
        with open_run_record("forecast", run, run_dir, overwrite) as record:
            import_plugins(config.model.plugins, run.parent)  # they register architectures
            from lstmkit.cli._forecast_inputs import describe_data, read_inputs

            inputs = read_inputs(config, source)
            bundled = config.data.path.startswith("lstmkit:")
            say(describe_data(inputs.y, config.data.path if bundled else source))
            record.write_text("config.toml", run.read_text(encoding="utf-8"))
            forecaster, notes = _run(config, inputs, files, overwrite, say, record)
            finished = record.finish(
                run_file=str(run),
                overrides=given_options(overrides),
                data=_data_summary(config, inputs),
                model=model_summary(forecaster),
                notes=notes,
            )
        typer.echo(f"run directory: {finished}")


def _run(
    config: ForecastRunConfig,
    inputs: SeriesInputs,
    files: dict[str, Path],
    overwrite: bool,
    say: Any,
    record: Any,
) -> tuple[Any, list[str]]:
    """Backtest (when asked), fit on everything, forecast, print and write.

    Returns the fitted forecaster and the notes for the run directory.
    """
    from lstmkit import LSTMForecaster
    from lstmkit.cli._forecast_inputs import stamp
    from lstmkit.diagnostics._plot_checks import save_figure

    params = config.forecaster_params()
    forecaster = LSTMForecaster(**params)
    evaluation = None
    if config.evaluation is not None:
        evaluation = _backtest(forecaster, config, config.evaluation, inputs, say)
        typer.echo(evaluation.report())
        _record_evaluation(record, evaluation)
    say(f"Fitting on all {len(inputs.y)} steps")
    forecaster.fit(inputs.y, inputs.past, inputs.future)
    prediction = forecaster.predict()
    table = _with_intervals(prediction, evaluation, params.get("random_state"), say)
    name = inputs.y.index.name or "time"
    typer.echo(f"Forecast of {len(prediction)} steps after {stamp(inputs.y.index[-1])}:")
    typer.echo(table.rename_axis(name).reset_index().to_string(index=False))
    if "interval" in table.attrs:
        typer.echo(f"lower, upper: {table.attrs['interval']}")
    if "forecast" in files:
        _write_csv(table, files["forecast"], name, overwrite)
        say(f"wrote the forecast to {files['forecast']}")
    figure = _plot(inputs.y, prediction, table)
    if "plot" in files:
        save_figure(figure, files["plot"], overwrite=overwrite)
        say(f"wrote the plot to {files['plot']}")
    if "model" in files:
        forecaster.save(files["model"])
        say(f"saved the forecaster to {files['model']}")
    record.save_figure("forecast", figure)
    _record_fit(record, forecaster, evaluation)
    notes = [evaluation.description, *evaluation.notes] if evaluation is not None else []
    return forecaster, [note for note in notes if note]


def _backtest(
    forecaster: Any,
    config: ForecastRunConfig,
    settings: EvaluationSection,
    inputs: SeriesInputs,
    say: Any,
) -> Any:
    """Walk forward from ``test_start`` over the seeds, beside the baselines."""
    from lstmkit.cli._forecast_inputs import first_origin, stamp
    from lstmkit.diagnostics.forecast_evaluation import evaluate_forecaster

    origin = first_origin(settings.test_start, inputs, config.data.freq)
    say(f"Backtesting {len(settings.seeds)} seed(s) from the origin {stamp(origin)}")
    return evaluate_forecaster(
        forecaster,
        inputs.y,
        inputs.past,
        inputs.future,
        start=origin,
        seeds=tuple(settings.seeds),
        season=config.forecast.season,
        step=settings.step,
        refit=settings.refit,
    )


def _with_intervals(prediction: pd.DataFrame, evaluation: Any, seed: Any, say: Any) -> pd.DataFrame:
    """Add split-conformal bounds from the backtest of the final model's seed, if possible.

    The residuals of one seed's backtest (the seed the final model trains with, else the
    first) give per-step half-widths; too few origins for the coverage: no bounds.
    """
    if evaluation is None:
        return prediction
    from lstmkit.errors import ConfigError
    from lstmkit.estimators import add_intervals, conformal_quantiles

    backtests = evaluation.backtests
    chosen = seed if seed in backtests else next(iter(backtests))
    try:
        quantiles = conformal_quantiles(backtests[chosen], COVERAGE)
    except ConfigError as exc:
        say(f"No prediction interval: {exc}")
        return prediction
    return add_intervals(prediction, quantiles)


def _plot(history: pd.DataFrame, prediction: pd.DataFrame, table: pd.DataFrame) -> Any:
    """The history and the forecast (a Figure), in the band of its interval if it has one.

    The band is the split-conformal interval, else the outermost quantiles of a quantile
    model (its point column is the median).
    """
    from lstmkit.diagnostics.plots import plot_forecast

    targets = list(history.columns)
    label = table.attrs.get("interval")
    bounds: dict[str, Any] = {"lower": None, "upper": None}
    if all(f"{name}_lower" in table.columns for name in targets):
        for side in bounds:
            columns = [f"{name}_{side}" for name in targets]
            bounds[side] = table[columns].set_axis(targets, axis=1)
    elif (outermost := _outer_quantiles(table, targets)) is not None:
        (low, lows), (high, highs) = outermost
        bounds = {"lower": table[lows].set_axis(targets, axis=1)}
        bounds["upper"] = table[highs].set_axis(targets, axis=1)
        label = f"quantiles {low:g}% to {high:g}%"
    return plot_forecast(history, prediction[targets], **bounds, interval_label=label)


def _outer_quantiles(table: pd.DataFrame, targets: list[str]) -> Any:
    """((low %, its columns), (high %, its columns)) of ``<target>_q<percent>``, or None."""
    levels: set[float] = set()
    for column in table.columns:
        for name in targets:
            suffix = str(column).removeprefix(f"{name}_q")
            if suffix != str(column) and suffix.replace(".", "", 1).isdigit():
                levels.add(float(suffix))
    if len(levels) < 2:
        return None
    low, high = min(levels), max(levels)
    return (
        (low, [f"{name}_q{low:g}" for name in targets]),
        (high, [f"{name}_q{high:g}" for name in targets]),
    )


def _record_evaluation(record: Any, evaluation: Any) -> None:
    """evaluation.csv (model beside baselines), repeats.csv (per seed), the tests, a box plot."""
    from lstmkit.errors import LstmkitError

    table = evaluation.summary()  # the mean over seeds for the model; spreads: repeats.csv
    table = table[[*evaluation.runs.columns, "loses_to"]].rename_axis("method")
    record.write_frame("evaluation.csv", table)
    runs = evaluation.runs.reset_index()  # a "seed" column, one row per seed
    runs.insert(0, "run", range(len(runs)))
    record.write_frame("repeats.csv", runs, index=False)
    record.save_figure("repeated_runs", evaluation.plot())
    comparisons = []
    for baseline in evaluation.baselines.index:
        try:
            result = evaluation.comparison(str(baseline))
        except LstmkitError:  # one seed: nothing to pair
            break
        comparisons.append(
            {
                "a": result.model,
                "b": result.baseline,
                "test": result.test,
                "statistic": result.statistic,
                "p_value": result.p_value,
                "summary": result.summary_line(),
            }
        )
    if comparisons:
        record.write_json("comparisons.json", comparisons)


def _record_fit(record: Any, forecaster: Any, evaluation: Any) -> None:
    """metrics.json (the backtest's mean and spread, the final fit's loss), history, model."""
    from lstmkit.diagnostics.forecast_evaluation import MODEL

    history = forecaster.history_.history
    metrics: dict[str, Any] = {}
    if evaluation is not None:
        metrics.update(evaluation.summary().drop(columns="loses_to").loc[MODEL].to_dict())
    if history.get("loss"):
        metrics["fit_loss"] = float(history["loss"][-1])
    record.write_json("metrics.json", metrics)
    record_history(record, history)
    forecaster.save(record.model_path)


def _data_summary(config: ForecastRunConfig, inputs: SeriesInputs) -> dict[str, Any]:
    """What run.json says of the data: file, span, frequency, columns by role."""
    from lstmkit.cli._forecast_inputs import stamp

    y = inputs.y
    return {
        "path": config.data.path,
        "steps": len(y),
        "start": stamp(y.index[0]),
        "end": stamp(y.index[-1]),
        "freq": config.data.freq or config.data.resample or getattr(y.index, "freqstr", None),
        "targets": [str(name) for name in y.columns],
        "past_covariates": list(inputs.past.columns) if inputs.past is not None else [],
        "future_covariates": list(inputs.future.columns) if inputs.future is not None else [],
    }


def _output_files(
    run: Path, config: ForecastRunConfig, flags: dict[str, Path | None]
) -> dict[str, Path]:
    """The files to write: flags (relative to the current directory) over ``[output]``."""
    from lstmkit.config import resolve_path

    files: dict[str, Path] = {}
    for kind, flag in flags.items():
        written = getattr(config.output, kind)
        if flag is not None:
            files[kind] = flag
        elif written is not None:
            files[kind] = resolve_path(written, run)
    return files


def _check_outputs(files: dict[str, Path], overwrite: bool, inputs: list[Path]) -> None:
    """Refuse, before any training, outputs that exist, collide, or replace an input."""
    from lstmkit.errors import DataError

    resolved: dict[Path, str] = {}
    for kind, path in files.items():
        where = path.resolve()
        if any(where == source.resolve() for source in inputs):
            raise DataError(
                f"the {kind} file '{path}' is one of the run's inputs (the run file or the "
                "data file): choose another path"
            )
        if where in resolved:
            raise DataError(
                f"the {resolved[where]} and {kind} files are both '{path}': give each its own path"
            )
        resolved[where] = kind
        if path.exists() and not overwrite:
            raise DataError(
                f"the {kind} file '{path}' already exists and was left untouched: choose "
                "another path, or pass --overwrite to replace it"
            )
        refuse_to_replace(path, True, DataError)  # its folder must exist


def _write_csv(frame: pd.DataFrame, path: Path, index_label: str, overwrite: bool) -> None:
    """Write atomically: an interrupted run never leaves half a file."""
    from lstmkit.errors import DataError

    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            frame.to_csv(handle, index_label=index_label)
        if path.exists() and not overwrite:  # appeared while training
            raise DataError(f"'{path}' appeared while forecasting and was left untouched")
        os.replace(name, path)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def _parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]``."""
    parts = [part.strip() for part in text.split(",")]
    if all(part.isdigit() for part in parts):
        return [int(part) for part in parts]
    from lstmkit.errors import ConfigError

    raise ConfigError(
        f"--seeds {text!r}: expected non-negative integers separated by commas, e.g. --seeds 0,1,2"
    )


def _parse_start(text: str) -> str | int:
    """A count of final steps when the text is a whole number, else a date."""
    return int(text) if text.strip().isdigit() else text
