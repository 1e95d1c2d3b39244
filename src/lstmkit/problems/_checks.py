"""Argument checks the problem generators share."""

from __future__ import annotations

from numbers import Integral
from typing import Any

from lstmkit.errors import ConfigError


def check_counts(**counts: Any) -> None:
    """Raise one ConfigError naming every argument that is not a positive integer.

    Example:
        >>> check_counts(n_samples=10, length=0)
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: length must be a positive integer (1 or more), got 0
    """
    problems = [
        f"{name} must be a positive integer (1 or more), got {value!r}"
        for name, value in counts.items()
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1
    ]
    if problems:
        raise ConfigError("; ".join(problems))
