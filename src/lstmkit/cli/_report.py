"""``lstmkit report RUN_DIR``: one self-contained HTML page about a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lstmkit.cli._common import reported_errors


def report(
    run_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RUN_DIR",
            help="A run directory written by 'lstmkit train', 'forecast' or 'tune'.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The HTML file to write (default: RUN_DIR/report.html)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report.")] = False,
) -> None:
    """Write an HTML report of a run: data, model, learning curves, skill, runs, tuning.

    One file with everything inside it (figures embedded as PNG, no scripts, no links
    outside the page), to open in any browser or attach to a message. An existing
    report is never replaced unless --force is given.

    Example: lstmkit report runs/echo-train-20240501-120000
    """
    with reported_errors():
        from lstmkit.diagnostics.report import write_report

        written = write_report(run_dir, output, overwrite=force)
        typer.echo(f"wrote the report to {written}")
