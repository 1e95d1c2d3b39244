"""Hyperparameter search on Optuna: search spaces, pruning, shared studies, the refitted best.

Optuna is imported inside the functions, so ``import lstmkit.tune`` stays light.

Example:
    >>> from lstmkit.tune import Choice, Float, Int
    >>> space = {"units": Int(4, 64, log=True), "dropout": Float(0.0, 0.5),
    ...          "architecture": Choice(["vanilla", "stacked"])}
    >>> sorted(space)
    ['architecture', 'dropout', 'units']
"""

from lstmkit.tune._result import TuneResult
from lstmkit.tune._space import Choice, Float, Int, space_from_mapping
from lstmkit.tune._storage import parse_storage
from lstmkit.tune._study import open_study, optimize_study
from lstmkit.tune._tune import tune

__all__ = [
    "Choice",
    "Float",
    "Int",
    "TuneResult",
    "open_study",
    "optimize_study",
    "parse_storage",
    "space_from_mapping",
    "tune",
]
