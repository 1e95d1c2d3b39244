"""Warnings the data tools give when they go on but the user should know."""

from __future__ import annotations


class DataWarning(UserWarning):
    """Data that can be processed but probably not as the user meant.

    Example:
        >>> issubclass(DataWarning, UserWarning)
        True
    """


class OutOfRangeWarning(DataWarning):
    """A min-max scaler met values outside the range it was fitted on.

    Example:
        >>> issubclass(OutOfRangeWarning, DataWarning)
        True
    """
