"""``lstmkit evaluate MODEL DATA`` and ``lstmkit predict MODEL DATA --output FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from lstmkit.cli._common import (
    Delimiter,
    Encoding,
    Plugins,
    Target,
    XKey,
    YKey,
    file_options,
    format_metrics,
    is_classifier,
    load_for_model,
    load_model_file,
    reported_errors,
    require_array_model,
)

ModelArg = Annotated[
    Path, typer.Argument(metavar="MODEL", help="A model file written by 'lstmkit train'.")
]
DataArg = Annotated[Path, typer.Argument(metavar="DATA", help="A .npy, .npz or .csv data file.")]


def evaluate(
    model: ModelArg,
    data: DataArg,
    x_key: XKey = "X",
    y_key: YKey = "y",
    target: Target = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = ",",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the scores as one JSON object.")
    ] = False,
    plugins: Plugins = None,
) -> None:
    """Print a model's loss and metrics on DATA (Keras's evaluate).

    DATA needs targets: an .npz with arrays X and y, or a CSV with a --target column.

    Example: lstmkit evaluate echo.safetensors echo_test.npz
    """
    with reported_errors():
        estimator = load_model_file(model, plugins)
        require_array_model(estimator, "evaluate")
        options = file_options(x_key, y_key, target, encoding, delimiter, estimator)
        X, y = load_for_model(estimator, data, options, require_y=True)
        results = {name: float(value) for name, value in estimator.evaluate(X, y).items()}
        typer.echo(json.dumps(results) if as_json else format_metrics(results))


def predict(
    model: ModelArg,
    data: DataArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write the predictions: a .npy or .csv file."),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing output file.")
    ] = False,
    proba: Annotated[
        bool, typer.Option("--proba", help="Classifier: write class probabilities, not labels.")
    ] = False,
    x_key: XKey = "X",
    target: Target = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = ",",
    plugins: Plugins = None,
) -> None:
    """Write a model's predictions for DATA to a .npy or .csv file.

    One prediction per sample, in the layout the model was trained with (labels for a
    classifier). A CSV target column, if named with --target, is ignored. An existing
    output file is never replaced unless --force is given.

    Example: lstmkit predict echo.safetensors new.npz --output predictions.csv
    """
    with reported_errors():
        from lstmkit.cli._output import check_output, save_predictions
        from lstmkit.errors import ConfigError

        check_output(output, force=force)
        if any(output.resolve() == source.resolve() for source in (model, data)):
            raise ConfigError(
                f"the output '{output}' is the model or the data file: choose another --output"
            )
        estimator = load_model_file(model, plugins)
        require_array_model(estimator, "predict")
        if proba and not is_classifier(estimator):
            raise ConfigError(
                "--proba needs a classifier, but this model is a regressor: leave out --proba"
            )
        options = file_options(x_key, "y", target, encoding, delimiter, estimator)
        X, _ = load_for_model(estimator, data, options, require_y=False)
        predictions = estimator.predict_proba(X) if proba else estimator.predict(X)
        columns = _class_columns(estimator, predictions) if proba else None
        save_predictions(output, predictions, force=force, columns=columns)
        typer.echo(f"wrote {len(predictions)} predictions to {output}")


def _class_columns(estimator: Any, probabilities: Any) -> list[str] | None:
    """Name probability columns after the classes: proba_<label>."""
    classes = getattr(estimator, "classes_", None)
    if classes is None or probabilities.ndim != 2 or probabilities.shape[1] != len(classes):
        return None
    return [f"proba_{label}" for label in classes]
