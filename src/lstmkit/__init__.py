"""lstmkit: LSTM sequence prediction on PyTorch.

The public surface is small: the estimators, ``load_model``, the callbacks, and
the subpackages ``lstmkit.data``, ``lstmkit.datasets``, ``lstmkit.problems``,
``lstmkit.diagnostics`` and ``lstmkit.tune``.
Torch is imported lazily, so ``import lstmkit`` (and ``lstmkit --help``) is fast.

Example:
    >>> import lstmkit
    >>> lstmkit.LSTMClassifier(units=25).units
    25
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "LSTMClassifier": "lstmkit.estimators",
    "LSTMForecaster": "lstmkit.estimators",
    "LSTMGenerator": "lstmkit.estimators",
    "LSTMRegressor": "lstmkit.estimators",
    "load_model": "lstmkit.estimators",
    "EarlyStopping": "lstmkit.training",
    "LearningRateScheduler": "lstmkit.training",
    "MLflowLogger": "lstmkit.training",
    "TensorBoardLogger": "lstmkit.training",
    "Callback": "lstmkit.training",
    "History": "lstmkit.training",
    "TBPTT": "lstmkit.training",
}

_SUBMODULES = (
    "data",
    "datasets",
    "diagnostics",
    "errors",
    "inference",
    "io",
    "models",
    "problems",
    "training",
    "tune",
)

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"lstmkit.{name}")
    else:
        raise AttributeError(f"module 'lstmkit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY) + list(_SUBMODULES))
