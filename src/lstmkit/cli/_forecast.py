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

from lstmkit.cli._common import import_plugins, refuse_to_replace, reported_errors

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
        typer.Option("--overwrite", "--force", help="Replace existing output files."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the tables (no progress lines).")
    ] = False,
) -> None:
    """Backtest a forecaster against the baselines, then forecast after the data's end.

    Paths in the run file are relative to the run file; --output, --plot and --model
    are relative to the current directory and replace the run file's [output] entries.
    Existing files are never replaced unless --overwrite is given (checked before
    training starts).

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
        import_plugins(config.model.plugins, run.parent)  # they register their architectures
        from lstmkit.cli._forecast_inputs import describe_data, read_inputs

        inputs = read_inputs(config, source)
        bundled = config.data.path.startswith("lstmkit:")
        say(describe_data(inputs.y, config.data.path if bundled else source))
        _run(config, inputs, files, overwrite, say)


def _run(
    config: ForecastRunConfig,
    inputs: SeriesInputs,
    files: dict[str, Path],
    overwrite: bool,
    say: Any,
) -> None:
    """Backtest (when asked), fit on everything, forecast, print and write."""
    from lstmkit import LSTMForecaster
    from lstmkit.cli._forecast_inputs import stamp

    params = config.forecaster_params()
    forecaster = LSTMForecaster(**params)
    evaluation = None
    if config.evaluation is not None:
        evaluation = _backtest(forecaster, config, config.evaluation, inputs, say)
        typer.echo(evaluation.report())
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
    if "plot" in files:
        _plot(inputs.y, prediction, table, files["plot"], overwrite)
        say(f"wrote the plot to {files['plot']}")
    if "model" in files:
        forecaster.save(files["model"])
        say(f"saved the forecaster to {files['model']}")


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


def _plot(
    history: pd.DataFrame,
    prediction: pd.DataFrame,
    table: pd.DataFrame,
    path: Path,
    overwrite: bool,
) -> None:
    from lstmkit.diagnostics.plots import plot_forecast

    bounds: dict[str, Any] = {"lower": None, "upper": None}
    if "interval" in table.attrs:
        for side in bounds:
            bounds[side] = table[[f"{name}_{side}" for name in prediction.columns]].set_axis(
                prediction.columns, axis=1
            )
    plot_forecast(
        history,
        prediction,
        **bounds,
        interval_label=table.attrs.get("interval"),
        path=path,
        overwrite=overwrite,
    )


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
