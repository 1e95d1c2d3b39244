"""Building an architecture from an estimator's keywords: a built-in one or the user's own.

A built-in architecture has ``from_settings(settings, options)``. A user's module only
has to keep the contract and offer ``get_config()`` / ``from_config(config)``; it is
built with ``from_config({"input_size", "output_size", "return_sequences"[, "output_steps"],
**options})`` and the estimator's LSTM-shaping keywords (units, dropout, ...) do not apply.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from torch import nn

from lstmkit.errors import ConfigError
from lstmkit.models._common import ArchitectureSettings
from lstmkit.models._registry import get_architecture

# What the estimator sets itself: never an architecture option (output_steps excepted,
# which the encoder-decoder checks against y).
_SHARED_KEYWORDS = {
    field.name for field in dataclasses.fields(ArchitectureSettings) if field.name != "output_steps"
}


def architecture_class(
    architecture: str | type[nn.Module], custom_objects: dict[str, type[nn.Module]] | None = None
) -> type[nn.Module]:
    """Resolve ``architecture`` (a registered name or a module class) to its class.

    Raises:
        ConfigError: an unknown name (with a did-you-mean), or something that is neither
            a name nor an ``nn.Module`` class with ``from_config`` and ``get_config``.

    Example:
        >>> architecture_class("stacked").__name__
        'StackedLSTM'
    """
    if isinstance(architecture, str):
        return get_architecture(architecture, custom_objects)
    if isinstance(architecture, type) and issubclass(architecture, nn.Module):
        missing = [
            name for name in ("from_config", "get_config") if not hasattr(architecture, name)
        ]
        if missing:
            raise ConfigError(
                f"architecture {architecture.__name__} lacks {' and '.join(missing)}: a module "
                "class needs get_config() (JSON values that rebuild it) and the classmethod "
                "from_config(config), so a model file can rebuild it"
            )
        return architecture
    raise ConfigError(
        f"architecture must be a registered name (e.g. 'vanilla', 'stacked') or an nn.Module "
        f"class, got {architecture!r}"
    )


def build_architecture(
    module_class: type[nn.Module], settings: ArchitectureSettings, options: dict[str, Any]
) -> nn.Module:
    """Build ``module_class`` for ``settings`` and the architecture's own ``options``.

    Example:
        >>> settings = ArchitectureSettings(input_size=1, output_size=5, units=(20, 20))
        >>> module = build_architecture(architecture_class("stacked"), settings, {})
        >>> [tuple(h.shape) for h, _ in module(__import__("torch").zeros(2, 7, 1))[1]]
        [(2, 20), (2, 20)]
    """
    if hasattr(module_class, "from_settings"):
        shared = [name for name in options if name in _SHARED_KEYWORDS]
        if shared:
            raise ConfigError(
                f"architecture_options {shared} repeat estimator keywords: pass "
                f"{', '.join(f'{name}=...' for name in shared)} to the estimator itself "
                "(architecture_options holds only the architecture's own options)"
            )
        return module_class.from_settings(settings, dict(options))
    config: dict[str, Any] = {
        "input_size": settings.input_size,
        "output_size": settings.output_size,
        "return_sequences": settings.return_sequences,
    }
    if settings.output_steps is not None:
        config["output_steps"] = settings.output_steps
    return module_class.from_config({**config, **options})


def architecture_name(module: nn.Module) -> str:
    """The name a model file stores for ``module``: its registered name, else its class name.

    Example:
        >>> from lstmkit.models import StackedLSTM, StackedConfig
        >>> architecture_name(StackedLSTM(StackedConfig(1, 1)))
        'stacked'
    """
    # Only a name registered for this very class: a subclass must not pass for its parent.
    return vars(type(module)).get("architecture_name", type(module).__name__)
