"""Which architecture an estimator builds, from its keywords (configuration without code).

The keywords every architecture shares are flat (``units``, ``num_layers``, ``dropout``,
``input_dropout``, ``dense_units``, ``dense_activation``); an architecture's own ones go
in ``architecture_options`` (``{"merge_mode": "sum"}``, ``{"decoder": "teacher"}``, ...).
``architecture`` is a registered name or the user's own ``nn.Module`` class.

Sequence-output architectures (the encoder-decoder) answer a fixed number of output
steps that need not match the input's: their targets carry an output-step axis,
``(samples, output_steps)`` labels or ``(samples, output_steps[, targets])`` values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import is_regressor
from torch import nn

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.estimators._params import is_count
from lstmkit.models import (
    ArchitectureSettings,
    architecture_class,
    build_architecture,
)

# The LSTM-shaping keywords and their defaults: they shape lstmkit's own architectures
# and cannot reach a user's module, so a user's module refuses them when changed.
_SHAPING_DEFAULTS = {
    "units": 32,
    "num_layers": 1,
    "dropout": 0.0,
    "input_dropout": 0.0,
    "dense_units": (),
    "dense_activation": "relu",
}


class ArchitectureMixin:
    """Resolve ``architecture`` and build the module for the data seen at fit.

    Example:
        >>> import lstmkit
        >>> model = lstmkit.LSTMRegressor(architecture="stacked", units=[20, 20])
        >>> model._layer_units()
        (20, 20)
    """

    def _architecture_class(self) -> type[nn.Module]:
        if hasattr(self, "module_"):
            return type(self.module_)
        return architecture_class(self.architecture)

    def _sequence_output(self) -> bool:
        """True when the targets have an output-step axis not aligned with the input."""
        return bool(getattr(self._architecture_class(), "sequence_output", False))

    def _step_targets(self) -> bool:
        """True when the targets have a step axis (per input step, or per output step)."""
        return bool(self.return_sequences) or self._sequence_output()

    def _layer_units(self) -> tuple[int, ...]:
        """``units`` as one width per layer (an integer repeats ``num_layers`` times)."""
        if isinstance(self.units, (list, tuple)):
            return tuple(self.units)
        return (self.units,) * self.num_layers

    def _architecture_problems(self) -> list[str]:
        """What is wrong with the architecture keywords (checked in ``fit``)."""
        try:
            module_class = architecture_class(self.architecture)
        except ConfigError as exc:
            return [str(exc)]
        problems = _units_problems(self.units, self.num_layers)
        if self.architecture_options is not None and not isinstance(
            self.architecture_options, dict
        ):
            problems.append(
                f"architecture_options must be a dict of the architecture's own options, "
                f"got {self.architecture_options!r}"
            )
        sequence_output = getattr(module_class, "sequence_output", False)
        if sequence_output and (self.return_sequences or self._stream_trained()):
            problems.append(
                f"the {self.architecture!r} architecture answers a sequence of output steps "
                "after reading the whole input: leave return_sequences, tbptt and stateful off "
                "and give y one target per output step"
            )
        if not hasattr(module_class, "from_settings"):
            changed = [
                name
                for name, default in _SHAPING_DEFAULTS.items()
                if _differs(getattr(self, name), default)
            ]
            if changed:
                problems.append(
                    f"{', '.join(changed)} shape lstmkit's own architectures and cannot reach "
                    f"your module {module_class.__name__}: pass its sizes in "
                    "architecture_options (they go to its from_config)"
                )
        return problems

    def _as_sequences(self, X: Any, fitting: bool) -> Any:
        """Keras's video layout ``(samples, frames, rows, cols, channels)`` → 3-D, for CNN-LSTMs.

        Each frame becomes one step of ``rows·cols·channels`` features (channels last, as
        ``frames.reshape(samples, frames, -1)`` gives); the frame shape seen at fit becomes
        the architecture's ``frame_shape`` unless ``architecture_options`` gives one.
        """
        if getattr(X, "ndim", None) != 5 or not _takes_frames(self._architecture_class()):
            return X
        array = np.asarray(X.detach().cpu().numpy() if hasattr(X, "detach") else X)
        if fitting:
            self.frame_shape_ = [int(size) for size in array.shape[2:]]
        elif hasattr(self, "module_") and list(array.shape[2:]) != self._fitted_frame_shape():
            raise ShapeError(
                f"X holds frames of shape {list(array.shape[2:])}, but the model was fitted on "
                f"frames of shape {self._fitted_frame_shape()} (rows, cols, channels)"
            )
        return array.reshape(array.shape[0], array.shape[1], -1)

    def _fitted_frame_shape(self) -> list[int]:
        return list(self.module_.get_config()["frame_shape"])

    def _build_module(self, data: Any) -> nn.Module:
        module_class = architecture_class(self.architecture)
        settings = ArchitectureSettings(
            input_size=int(self.n_features_in_),
            output_size=int(self.output_size_),
            units=tuple(int(units) for units in self._layer_units()),
            dropout=float(self.dropout),
            input_dropout=float(self.input_dropout),
            dense_units=tuple(int(units) for units in self.dense_units or ()),
            dense_activation=self.dense_activation,
            # Stateful windows train as one stream: the module answers at every step.
            return_sequences=bool(self.return_sequences) or self.stateful is True,
            init=self.init,
            output_steps=getattr(self, "output_steps_", None),
        )
        options = dict(self.architecture_options or {})
        if hasattr(self, "frame_shape_") and _takes_frames(module_class):
            options.setdefault("frame_shape", self.frame_shape_)  # read from 5-D X at fit
        if is_regressor(self) and _has_option(module_class, "feedback"):
            options.setdefault("feedback", "values")  # a decoder fed back values, not classes
        return build_architecture(module_class, settings, options)


def _has_option(module_class: type, name: str) -> bool:
    """True when the architecture's config class (``config_class``) has the option ``name``."""
    config_class = getattr(module_class, "config_class", None)
    return name in getattr(config_class, "__dataclass_fields__", {})


def _takes_frames(module_class: type) -> bool:
    """True for architectures whose steps are image frames (a ``frame_shape`` option)."""
    return _has_option(module_class, "frame_shape")


def _units_problems(units: Any, num_layers: Any) -> list[str]:
    if isinstance(units, (list, tuple)):
        if not units or not all(is_count(value) and value >= 1 for value in units):
            return [f"units must be a positive integer or a list of them, got {units!r}"]
        if num_layers not in (1, len(units)):
            return [
                f"units={list(units)} gives {len(units)} layers but num_layers={num_layers}: "
                "leave num_layers out when units lists each layer's width"
            ]
        return []
    if not is_count(units) or units < 1:
        return [f"units must be a positive integer or a list of them, got {units!r}"]
    if not is_count(num_layers) or num_layers < 1:
        return [f"num_layers must be a positive integer, got {num_layers!r}"]
    return []


def _differs(value: Any, default: Any) -> bool:
    if isinstance(default, tuple):
        return tuple(value or ()) != default
    return value != default
