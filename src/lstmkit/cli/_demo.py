"""``lstmkit demo NAME``: run one of the book's demonstration problems end to end."""

from __future__ import annotations

from typing import Annotated

import typer

from lstmkit.cli._common import reported_errors


def demo(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help="The demonstration to run, e.g. echo. Leave out to list them."
        ),
    ] = None,
) -> None:
    """Run a demonstration problem from the book and report its skill.

    A demonstration generates its data, trains the book's model and compares the
    result with the skill the book reports.

    Without NAME, list the demonstrations.

    Example: lstmkit demo echo
    """
    with reported_errors():
        from lstmkit.errors import unknown_option
        from lstmkit.problems import DEMOS

        if name is None:
            typer.echo("available demos: " + ", ".join(sorted(DEMOS)))
            typer.echo("run one with: lstmkit demo NAME")
            return
        if name not in DEMOS:
            raise unknown_option("demo", name, DEMOS)
        status = DEMOS[name]()
    if isinstance(status, int) and not isinstance(status, bool) and status != 0:
        raise typer.Exit(status)
