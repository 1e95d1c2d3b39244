"""Choosing the optional input/target scalers of the regressor."""

from __future__ import annotations

from typing import Any

from lstmkit.errors import unknown_option

SCALERS = ("standard", "minmax")


def make_scaler(choice: Any, name: str) -> Any:
    """Return an unfitted lstmkit scaler for ``choice`` (None when scaling is off).

    Args:
        choice: False/None (off), True or ``"standard"``, or ``"minmax"``.
        name: the keyword, for messages (``"scale_X"``).

    Example:
        >>> type(make_scaler("minmax", "scale_y")).__name__
        'MinMaxScaler'
        >>> make_scaler(False, "scale_y") is None
        True
    """
    from lstmkit.data import MinMaxScaler, StandardScaler

    if choice is None or choice is False:
        return None
    if choice is True or choice == "standard":
        return StandardScaler()
    if choice == "minmax":
        return MinMaxScaler()
    raise unknown_option(f"{name} choice", str(choice), SCALERS)
