"""Constructor-keyword handling shared by the estimators.

scikit-learn's rule: ``__init__`` stores keywords unchanged and ``fit``
validates them, so ``clone`` and grid search work. Python's own error for a
misspelled keyword names no alternative; :func:`suggest_unknown_keywords` adds one.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from typing import Any

import torch

from lstmkit.errors import ConfigError, did_you_mean, unknown_option

# Keras keywords users bring, with what to do instead (CONTRACTS §14 for recurrent_dropout).
_KERAS_HINTS = {
    "recurrent_dropout": (
        "recurrent_dropout cannot run in the fused LSTM kernel lstmkit trains with; use dropout "
        "(on each LSTM layer's output). DropConnect on the recurrent weights (weight_dropout) is "
        "the planned alternative."
    ),
    "input_shape": "the input shape is read from X at fit: leave input_shape out.",
    "batch_input_shape": "the input shape is read from X at fit: leave batch_input_shape out.",
}


def suggest_unknown_keywords(cls: type) -> type:
    """Class decorator: a misspelled constructor keyword raises with a did-you-mean.

    The wrapped ``__init__`` keeps its signature (``inspect.signature`` follows
    ``__wrapped__``), so scikit-learn's ``get_params`` still sees every keyword.

    Example:
        >>> @suggest_unknown_keywords
        ... class Model:
        ...     def __init__(self, units=1):
        ...         self.units = units
        >>> Model(unts=3)
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: Model got an unknown option 'unts'. Did you mean 'units'?
    """
    original = cls.__init__
    known = [name for name in inspect.signature(original).parameters if name != "self"]

    @functools.wraps(original)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        unknown = [name for name in kwargs if name not in known]
        if unknown:
            messages = [
                f"'{name}': {_KERAS_HINTS[name]}"
                if name in _KERAS_HINTS
                else f"'{name}'.{did_you_mean(name, known)}"
                for name in unknown
            ]
            raise ConfigError(
                f"{cls.__name__} got an unknown option " + " Also ".join(messages).rstrip()
            )
        original(self, *args, **kwargs)

    cls.__init__ = __init__
    return cls


def check_set_params(estimator: Any, params: dict[str, Any]) -> None:
    """Raise for ``set_params`` keys the estimator does not have (with a did-you-mean).

    Example:
        >>> from sklearn.linear_model import Ridge
        >>> check_set_params(Ridge(), {"alhpa": 1.0})
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: unknown parameter 'alhpa' for Ridge. Did you mean 'alpha'?
    """
    known = estimator.get_params(deep=False)
    for name in params:
        base = name.split("__", 1)[0]
        if base not in known:
            raise ConfigError(
                f"unknown parameter '{name}' for {type(estimator).__name__}.{did_you_mean(base, known)}"
            )


def resolve_device(device: str | torch.device) -> torch.device:
    """Turn ``"auto"`` into the GPU when one is present, else the CPU.

    Example:
        >>> resolve_device("cpu")
        device(type='cpu')
    """
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, str) or device.split(":")[0] not in ("cpu", "cuda", "mps"):
        raise unknown_option("device", str(device), ("auto", "cpu", "cuda"))
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(
            f"device '{device}' was asked for, but no CUDA GPU is available: use device='auto' "
            "(the GPU when present, else the CPU) or device='cpu'"
        )
    return torch.device(device)


def seed_from(random_state: Any) -> int | None:
    """Return an integer seed from ``random_state`` (None, an int or a NumPy RandomState).

    Example:
        >>> seed_from(7), seed_from(None)
        (7, None)
    """
    if random_state is None:
        return None
    if isinstance(random_state, (int,)) and not isinstance(random_state, bool):
        return int(random_state)
    if hasattr(random_state, "randint"):
        return int(random_state.randint(0, 2**31 - 1))
    raise ConfigError(
        f"random_state must be None, an integer or a numpy RandomState, got {random_state!r}"
    )


def move_module(module: torch.nn.Module, device: torch.device) -> None:
    """Move ``module`` to ``device``; cuDNN wants the LSTM weights re-packed after a move.

    Example:
        >>> layer = torch.nn.LSTM(2, 3)
        >>> move_module(layer, torch.device("cpu"))
        >>> layer.weight_ih_l0.device.type
        'cpu'
    """
    module.to(device)
    if device.type == "cuda":
        for child in module.modules():
            if isinstance(child, torch.nn.RNNBase):
                child.flatten_parameters()


def is_count(value: Any) -> bool:
    """An integer (Python or NumPy, as grid searches produce), not a bool.

    Example:
        >>> import numpy as np
        >>> is_count(np.int64(3)), is_count(True), is_count(2.0)
        (True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
