"""The ``lstmkit`` command line: ``demo``, ``train``, ``evaluate``, ``predict``, ``inspect``.

Example:
    >>> from lstmkit.cli import app, main
    >>> callable(main)
    True
"""

from lstmkit.cli._app import app, main

__all__ = ["app", "main"]
