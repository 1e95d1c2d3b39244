"""``lstmkit inspect MODEL``: what a model file holds, without any data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lstmkit.cli._common import Plugins, load_model_file, reported_errors


def inspect(
    model: Annotated[
        Path, typer.Argument(metavar="MODEL", help="A model file written by 'lstmkit train'.")
    ],
    plugins: Plugins = None,
) -> None:
    """Print a model file's Keras-like summary.

    Layers, output shapes, parameter counts (PyTorch's and the Keras equivalent),
    the input shape, the training configuration, the fitted preprocessing (classes,
    scalers) and the last epochs of the training history.

    Example: lstmkit inspect echo.safetensors
    """
    with reported_errors():
        estimator = load_model_file(model, plugins)
        typer.echo(f"Model file: {model} ({model.stat().st_size:,} bytes)")
        estimator.summary(print_fn=typer.echo)
