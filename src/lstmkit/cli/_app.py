"""The ``lstmkit`` command: a typer app with one command per module.

Exit codes: 0 success; 1 a problem with the files or values given (the message says
what and how to fix it); 2 a usage error (unknown option, missing argument).
"""

from __future__ import annotations

from typing import Annotated

import typer

from lstmkit.cli._demo import demo
from lstmkit.cli._forecast import forecast
from lstmkit.cli._inspect import inspect
from lstmkit.cli._predict import evaluate, predict
from lstmkit.cli._report import report
from lstmkit.cli._train import train
from lstmkit.cli._tune import tune

app = typer.Typer(
    name="lstmkit",
    help="LSTMs on PyTorch, the way the Keras lessons teach them: train from a TOML run "
    "file, evaluate, predict, inspect, and run the book's demonstrations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # show [data], [model] literally in help texts
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(demo)
app.command()(train)
app.command()(evaluate)
app.command()(predict)
app.command()(inspect)
app.command()(forecast)
app.command()(report)
app.command()(tune)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"lstmkit {version('lstmkit')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """LSTMs on PyTorch, the way the Keras lessons teach them.

    Train from a TOML run file, evaluate, predict, inspect a model file, and run the
    book's demonstration problems. See docs/guide/command-line.md.
    """


def main() -> None:
    """Run the ``lstmkit`` command (the console script's entry point).

    Example:
        >>> main()  # doctest: +SKIP
    """
    app(prog_name="lstmkit")
