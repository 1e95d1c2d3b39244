"""Optimizers by name with Keras's defaults, or any factory the user passes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from lstmkit.errors import ConfigError, unknown_option

OptimizerSpec = str | Callable[..., torch.optim.Optimizer]

# Keras's default learning rates and epsilons, so lessons' settings carry over.
_DEFAULT_LEARNING_RATE = {"adam": 1e-3, "sgd": 1e-2, "rmsprop": 1e-3, "adagrad": 1e-3}
OPTIMIZERS = tuple(_DEFAULT_LEARNING_RATE)


def make_optimizer(
    spec: OptimizerSpec,
    parameters: Iterable[torch.nn.Parameter],
    learning_rate: float | None = None,
    momentum: float = 0.0,
) -> torch.optim.Optimizer:
    """Build an optimizer from a name or a factory.

    Args:
        spec: ``"adam"``, ``"sgd"``, ``"rmsprop"`` or ``"adagrad"``; or a callable
            (an optimizer class or ``functools.partial``) taking the parameters
            (and ``lr`` when ``learning_rate`` is given).
        parameters: the model's parameters.
        learning_rate: None takes Keras's default for the named optimizer.
        momentum: for ``"sgd"`` and ``"rmsprop"``.

    Raises:
        ConfigError: unknown name (with a did-you-mean) or a bad learning rate.

    Example:
        >>> model = torch.nn.Linear(2, 1)
        >>> make_optimizer("sgd", model.parameters(), momentum=0.9).defaults["lr"]
        0.01
    """
    if learning_rate is not None and not learning_rate > 0:
        raise ConfigError(
            f"learning_rate must be a positive number, got {learning_rate!r}: "
            "try a value such as 0.001"
        )
    if callable(spec):
        return spec(parameters) if learning_rate is None else spec(parameters, lr=learning_rate)
    if spec not in _DEFAULT_LEARNING_RATE:
        raise unknown_option("optimizer", spec, OPTIMIZERS)
    rate = _DEFAULT_LEARNING_RATE[spec] if learning_rate is None else learning_rate
    if spec == "adam":
        return torch.optim.Adam(parameters, lr=rate, eps=1e-7)
    if spec == "sgd":
        return torch.optim.SGD(parameters, lr=rate, momentum=momentum)
    if spec == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=rate, alpha=0.9, eps=1e-7, momentum=momentum)
    return torch.optim.Adagrad(parameters, lr=rate, eps=1e-7)
