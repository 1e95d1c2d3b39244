"""Search spaces: which settings a tuning run tries, declared in Python or in a run file.

Three kinds of dimension, each a small frozen dataclass that knows how to ask an Optuna
trial for a value:

```
Int(4, 64, log=True)            units, num_layers, batch_size, epochs, lookback, tbptt_k1 ...
Float(1e-4, 1e-1, log=True)     learning_rate, dropout
Choice(["vanilla", "stacked"])  architecture, optimizer
```

Anything else in a space is a fixed value, set on every trial. The run-file (TOML or
JSON) form reads the same: ``units = {low = 4, high = 64, log = true}`` is an ``Int``
(both bounds integers) or a ``Float`` (any float bound); ``{choices = [...]}`` or a plain
list is a ``Choice``; a plain scalar is fixed.

Names are the estimator's keywords (``units``, ``dropout``, ...) plus three special ones:
``tbptt_k1`` and ``tbptt_k2`` (combined into ``tbptt=TBPTT(k1, k2)``; k2 is k1 when only
k1 is searched) and ``lookback`` (see :mod:`lstmkit.tune._objective`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from lstmkit.errors import ConfigError

SPECIAL_NAMES = ("lookback", "tbptt_k1", "tbptt_k2")
_CATEGORY_TYPES = (type(None), bool, int, float, str)  # what Optuna stores for a category
_RANGE_KEYS = {"low", "high", "log", "step"}


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_order(kind: str, low: Any, high: Any, log: bool) -> None:
    if low > high:
        raise ConfigError(f"{kind} low={low!r} is greater than high={high!r}: give low <= high")
    if log and low <= 0:
        raise ConfigError(
            f"{kind}(log=True) needs low > 0, got low={low!r}: a log scale cannot reach zero "
            "or below; use log=False or a positive low"
        )


@dataclass(frozen=True)
class Int:
    """Integers from ``low`` to ``high`` (both included), every ``step``, or on a log scale.

    Raises:
        ConfigError: bounds that are not integers, ``low > high``, ``step < 1``, or a log
            scale with ``low <= 0`` or ``step != 1``.

    Example:
        >>> import optuna
        >>> trial = optuna.trial.FixedTrial({"units": 16})
        >>> Int(4, 64, log=True).suggest(trial, "units")
        16
        >>> Int(1, 8, step=2).grid()
        [1, 3, 5, 7]
    """

    low: int
    high: int
    log: bool = False
    step: int = 1

    def __post_init__(self) -> None:
        if not (_is_int(self.low) and _is_int(self.high)):
            raise ConfigError(
                f"Int bounds must be integers, got low={self.low!r}, high={self.high!r}: "
                "use Float for real values"
            )
        if not _is_int(self.step) or self.step < 1:
            raise ConfigError(f"Int step must be a positive integer, got {self.step!r}")
        _check_order("Int", self.low, self.high, bool(self.log))
        if self.log and self.step != 1:
            raise ConfigError(
                f"Int(log=True) cannot take step={self.step}: Optuna samples a log scale "
                "only with step=1"
            )
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))

    def suggest(self, trial: Any, name: str) -> int:
        """Ask ``trial`` (an Optuna trial) for this parameter's value."""
        return trial.suggest_int(name, self.low, self.high, step=self.step, log=bool(self.log))

    def grid(self) -> list[int]:
        """Every value a grid search tries: ``low, low + step, ... <= high``."""
        return list(range(self.low, self.high + 1, self.step))


@dataclass(frozen=True)
class Float:
    """Real numbers from ``low`` to ``high``, uniform or on a log scale (``log=True``).

    Raises:
        ConfigError: bounds that are not numbers, ``low > high``, or ``log`` with ``low <= 0``.

    Example:
        >>> import optuna
        >>> trial = optuna.trial.FixedTrial({"learning_rate": 0.01})
        >>> Float(1e-4, 1e-1, log=True).suggest(trial, "learning_rate")
        0.01
    """

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not (_is_real(self.low) and _is_real(self.high)):
            raise ConfigError(
                f"Float bounds must be real numbers, got low={self.low!r}, high={self.high!r}"
            )
        _check_order("Float", self.low, self.high, bool(self.log))
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))

    def suggest(self, trial: Any, name: str) -> float:
        """Ask ``trial`` (an Optuna trial) for this parameter's value."""
        return trial.suggest_float(name, self.low, self.high, log=bool(self.log))

    def grid(self) -> list[float]:
        """A real range has no grid: always raises ConfigError."""
        raise ConfigError(
            f"sampler='grid' cannot enumerate Float({self.low}, {self.high}): use Choice([...]) "
            "with the values to try, or sampler='tpe'"
        )


@dataclass(frozen=True)
class Choice:
    """One of a list of values: strings, numbers, booleans or None.

    Raises:
        ConfigError: an empty list, or values Optuna cannot store (lists, tuples, objects).

    Example:
        >>> import optuna
        >>> trial = optuna.trial.FixedTrial({"architecture": "stacked"})
        >>> Choice(["vanilla", "stacked"]).suggest(trial, "architecture")
        'stacked'
    """

    choices: tuple[Any, ...]

    def __post_init__(self) -> None:
        if isinstance(self.choices, (str, bytes)) or not hasattr(self.choices, "__iter__"):
            raise ConfigError(f"Choice takes a list of values, got {self.choices!r}")
        values = tuple(self.choices)
        if not values:
            raise ConfigError("Choice needs at least one value, got an empty list")
        unusable = [value for value in values if not isinstance(value, _CATEGORY_TYPES)]
        if unusable:
            raise ConfigError(
                f"Choice values must be None, bool, int, float or str (what Optuna stores), "
                f"got {unusable!r}: search a name or a number and map it to the value yourself"
            )
        object.__setattr__(self, "choices", values)

    def suggest(self, trial: Any, name: str) -> Any:
        """Ask ``trial`` (an Optuna trial) for this parameter's value."""
        return trial.suggest_categorical(name, list(self.choices))

    def grid(self) -> list[Any]:
        """Every value, in the order given."""
        return list(self.choices)


Dimension = Int | Float | Choice


def is_dimension(value: Any) -> bool:
    """Whether ``value`` is searched (an Int, Float or Choice) rather than fixed.

    Example:
        >>> is_dimension(Int(1, 2)), is_dimension(3)
        (True, False)
    """
    return isinstance(value, (Int, Float, Choice))


def space_from_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Read a search space in the run-file form (parsed TOML or JSON) or the Python form.

    ``{low, high[, log][, step]}`` tables become ``Int`` (integer bounds) or ``Float``;
    ``{choices = [...]}`` and plain lists become ``Choice``; ``Int``/``Float``/``Choice``
    objects pass through; any other value is fixed.

    Raises:
        ConfigError: a table with unknown keys or without both bounds, or a bad dimension
            (the message names the entry).

    Example:
        >>> space = space_from_mapping({
        ...     "units": {"low": 4, "high": 64, "log": True},
        ...     "dropout": {"low": 0, "high": 0.5},
        ...     "architecture": ["vanilla", "stacked"],
        ...     "epochs": 20,
        ... })
        >>> space["units"], space["dropout"], space["epochs"]
        (Int(low=4, high=64, log=True, step=1), Float(low=0.0, high=0.5, log=False), 20)
    """
    if not isinstance(mapping, Mapping):
        raise ConfigError(
            f"a search space is a mapping of parameter names to ranges, got {type(mapping).__name__}"
        )
    space: dict[str, Any] = {}
    for name, value in mapping.items():
        try:
            space[str(name)] = _dimension_from(value)
        except ConfigError as error:
            raise ConfigError(f"search space entry {name!r}: {error}") from None
    return space


def _dimension_from(value: Any) -> Any:
    if is_dimension(value):
        return value
    if isinstance(value, (list, tuple)):
        return Choice(value)
    if not isinstance(value, Mapping):
        return value  # a fixed value
    keys = set(value)
    if keys == {"choices"}:
        return Choice(value["choices"])
    unknown = sorted(keys - _RANGE_KEYS)
    if unknown or not {"low", "high"} <= keys:
        raise ConfigError(
            f"expected a range {{low = ..., high = ...[, log = true][, step = ...]}} or "
            f"{{choices = [...]}}, got keys {sorted(keys)}"
        )
    options = {key: value[key] for key in ("log", "step") if key in value}
    if _is_int(value["low"]) and _is_int(value["high"]):
        return Int(value["low"], value["high"], **options)
    if "step" in options:
        raise ConfigError(
            f"step is for integer ranges, but low={value['low']!r}, high={value['high']!r} "
            "are not both integers"
        )
    return Float(value["low"], value["high"], **options)


def split_space(space: Mapping[str, Any]) -> tuple[dict[str, Dimension], dict[str, Any]]:
    """Separate the searched dimensions from the fixed values; refuse a space with no search.

    Raises:
        ConfigError: the space searches nothing.

    Example:
        >>> split_space({"units": Int(4, 8), "epochs": 5})
        ({'units': Int(low=4, high=8, log=False, step=1)}, {'epochs': 5})
    """
    space = space_from_mapping(space)
    searched = {name: value for name, value in space.items() if is_dimension(value)}
    fixed = {name: value for name, value in space.items() if not is_dimension(value)}
    if not searched:
        raise ConfigError(
            "the search space is empty: give at least one searched parameter, "
            "e.g. {'units': Int(4, 64)}"
        )
    return searched, fixed


def suggest_all(searched: Mapping[str, Dimension], trial: Any) -> dict[str, Any]:
    """Ask ``trial`` for every searched parameter, in the space's order.

    Example:
        >>> import optuna
        >>> suggest_all({"units": Int(4, 8)}, optuna.trial.FixedTrial({"units": 5}))
        {'units': 5}
    """
    return {name: dimension.suggest(trial, name) for name, dimension in searched.items()}


def grid_of(searched: Mapping[str, Dimension]) -> dict[str, list[Any]]:
    """The values a grid search tries per parameter (Optuna's ``GridSampler`` form).

    Example:
        >>> grid_of({"lookback": Choice([1, 2]), "units": Int(4, 8, step=4)})
        {'lookback': [1, 2], 'units': [4, 8]}
    """
    return {name: dimension.grid() for name, dimension in searched.items()}
