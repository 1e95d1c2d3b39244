"""Architectures by name, so a model file can name its architecture without code.

A model file stores ``{"architecture": "vanilla", "config": {...}}``; loading looks
the name up here (or in the ``custom_objects`` a user passes), never imports a
name read from the file.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from lstmkit.errors import unknown_option

ARCHITECTURES: dict[str, type[nn.Module]] = {}


def register_architecture(name: str) -> Callable[[type[nn.Module]], type[nn.Module]]:
    """Class decorator that makes an architecture selectable by ``name``.

    The class must follow the contract ``forward(x, state=None, lengths=None) ->
    (y, state)`` and offer ``get_config()`` and ``from_config(config)``.

    Example:
        >>> from torch import nn
        >>> @register_architecture("my_tiny")
        ... class Tiny(nn.Module):
        ...     pass
        >>> get_architecture("my_tiny") is Tiny
        True
        >>> _ = ARCHITECTURES.pop("my_tiny")
    """

    def decorate(cls: type[nn.Module]) -> type[nn.Module]:
        ARCHITECTURES[name] = cls
        cls.architecture_name = name
        return cls

    return decorate


def get_architecture(
    name: str, custom_objects: dict[str, type[nn.Module]] | None = None
) -> type[nn.Module]:
    """Return the architecture class registered under ``name``.

    Args:
        name: the registered name, e.g. ``"vanilla"``.
        custom_objects: extra name → class entries that take precedence.

    Raises:
        ConfigError: the name is not registered (with a did-you-mean).

    Example:
        >>> get_architecture("vanilla").__name__
        'VanillaLSTM'
    """
    known = {**ARCHITECTURES, **(custom_objects or {})}
    if name not in known:
        raise unknown_option("architecture", name, known)
    return known[name]
