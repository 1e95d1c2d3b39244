"""Demonstration problems: generators, canonical recipes and the skill they reach.

``DEMOS`` maps a demo name to the function ``lstmkit demo NAME`` runs.

Example:
    >>> sorted(DEMOS)
    ['addition', 'airline', 'alphabet', 'cumulative_sum', 'damped_sine', 'echo', 'moving_square', 'shapes']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def _demo_of(name: str) -> Callable[..., int]:
    """The ``demo`` function of ``lstmkit.problems.<name>``, imported only when it runs."""

    def run(**options) -> int:
        return importlib.import_module(f"lstmkit.problems.{name}").demo(**options)

    run.__name__ = f"{name}_demo"
    return run


DEMOS: dict[str, Callable[..., int]] = {
    name: _demo_of(name)
    for name in (
        "addition",
        "airline",
        "alphabet",
        "cumulative_sum",
        "damped_sine",
        "echo",
        "moving_square",
        "shapes",
    )
}

__all__ = ["DEMOS"]
