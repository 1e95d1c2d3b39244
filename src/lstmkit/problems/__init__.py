"""Demonstration problems: generators, canonical recipes and the skill they reach.

``DEMOS`` maps a demo name to the function ``lstmkit demo NAME`` runs.

Example:
    >>> sorted(DEMOS)
    ['alphabet', 'echo']
"""

from __future__ import annotations

from collections.abc import Callable


def _alphabet_demo(**options) -> int:
    from lstmkit.problems.alphabet import demo

    return demo(**options)


def _echo_demo(**options) -> int:
    from lstmkit.problems.echo import demo

    return demo(**options)


DEMOS: dict[str, Callable[..., int]] = {"alphabet": _alphabet_demo, "echo": _echo_demo}

__all__ = ["DEMOS"]
