"""The checks and small steps behind :func:`lstmkit.diagnostics.repeat`.

Seeds, scorers, folds and row selection: each turns what a user passes into plain
values, or raises an lstmkit error that says what was received and how to fix it.
Estimators are duck-typed (``fit``, ``get_params``/``set_params``, ``score``), so this
layer never imports ``lstmkit.estimators``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, did_you_mean

Scorer = Callable[[Any, Any, Any], float]
Folds = list[tuple[np.ndarray, np.ndarray]]
DEFAULT_RUNS = 10


def _is_whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def resolve_seeds(n_runs: int | None, seeds: Any) -> list[int]:
    """The seeds to run: ``seeds`` as given, else ``range(n_runs)`` (10 runs by default).

    Example:
        >>> resolve_seeds(3, None), resolve_seeds(None, [7, 11])
        ([0, 1, 2], [7, 11])
    """
    if n_runs is not None and (not _is_whole(n_runs) or n_runs < 1):
        raise ConfigError(f"n_runs must be a whole number >= 1, got {n_runs!r}: e.g. n_runs=10.")
    if seeds is None:
        return list(range(DEFAULT_RUNS if n_runs is None else int(n_runs)))
    seeds = list(seeds)
    bad = [seed for seed in seeds if not _is_whole(seed) or seed < 0]
    if bad or not seeds:
        raise ConfigError(
            f"seeds must be non-negative whole numbers, got {seeds!r}: e.g. seeds=range(10)."
        )
    repeated = sorted({int(seed) for seed in seeds if seeds.count(seed) > 1})
    if repeated:
        raise ConfigError(
            f"seeds {repeated} appear more than once: runs pair up by seed, so each seed "
            "must be distinct."
        )
    if n_runs is not None and n_runs != len(seeds):
        raise ConfigError(
            f"n_runs={n_runs} but {len(seeds)} seeds were given: pass one of them, or both "
            "agreeing."
        )
    return [int(seed) for seed in seeds]


def resolve_scorer(scoring: Any) -> tuple[Scorer, str]:
    """A ``scorer(estimator, X, y)`` and the score's name (greater is better, as in sklearn).

    Example:
        >>> scorer, name = resolve_scorer("neg_mean_absolute_error")
        >>> name
        'neg_mean_absolute_error'
    """
    if scoring is None:
        return (lambda estimator, X, y: estimator.score(X, y)), "score"
    if isinstance(scoring, str):
        from sklearn.metrics import get_scorer, get_scorer_names

        if scoring not in get_scorer_names():
            raise ConfigError(
                f"unknown scoring {scoring!r}: expected a scikit-learn scorer name "
                "(sklearn.metrics.get_scorer_names()), a callable(estimator, X, y) or None "
                f"for estimator.score.{did_you_mean(scoring, get_scorer_names())}"
            )
        return get_scorer(scoring), scoring
    if callable(scoring):
        name = getattr(scoring, "__name__", "score")
        return scoring, "score" if name == "<lambda>" else name
    raise ConfigError(
        f"scoring must be None, a scikit-learn scorer name or a callable(estimator, X, y), "
        f"got {type(scoring).__name__}."
    )


def resolve_folds(cv: Any, X: Any, y: Any) -> tuple[Folds | None, str]:
    """The (train, test) index pairs of ``cv`` (an int is ``TimeSeriesSplit``), and a name.

    The folds are drawn once, so every seed trains and scores on the same ones.

    Example:
        >>> folds, name = resolve_folds(2, np.zeros((6, 2, 1)), np.zeros(6))
        >>> name, [test.tolist() for _, test in folds]
        ('TimeSeriesSplit(n_splits=2)', [[2, 3], [4, 5]])
    """
    if cv is None:
        return None, ""
    name = repr(cv)
    if _is_whole(cv):
        from sklearn.model_selection import TimeSeriesSplit

        if cv < 2:
            raise ConfigError(f"cv must be at least 2 folds, got {cv}: e.g. cv=3.")
        cv, name = TimeSeriesSplit(n_splits=int(cv)), f"TimeSeriesSplit(n_splits={cv})"
    if not hasattr(cv, "split"):
        raise ConfigError(
            f"cv must be None, a number of TimeSeriesSplit folds or a scikit-learn splitter "
            f"(with a split method), got {cv!r}."
        )
    folds = [(np.asarray(train), np.asarray(test)) for train, test in cv.split(X, y)]
    if not folds:
        raise ConfigError(f"cv {name} gave no folds for {len(X)} samples.")
    return folds, name


def take(data: Any, indices: np.ndarray) -> Any:
    """The rows ``indices`` of an array, a pandas object or a list of ragged sequences.

    Example:
        >>> take([np.zeros(2), np.ones(3)], np.array([1]))[0].shape
        (3,)
    """
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if isinstance(data, np.ndarray):
        return data[indices]
    if isinstance(data, (list, tuple)):
        return [data[index] for index in indices]
    return np.asarray(data)[indices]


def check_estimator(estimator: Any, name: str = "estimator") -> None:
    """Refuse an object that cannot be cloned with each seed as its ``random_state``."""
    if not (hasattr(estimator, "get_params") and hasattr(estimator, "fit")):
        raise ConfigError(
            f"{name} must be a scikit-learn style estimator (fit, get_params, set_params), "
            f"got {type(estimator).__name__}."
        )
    if "random_state" not in estimator.get_params(deep=False):
        raise ConfigError(
            f"{name} {type(estimator).__name__} has no random_state parameter: repeat() sets "
            "random_state to each seed; give the estimator a random_state keyword."
        )


def check_fit_params(fit_params: Any) -> dict[str, Any]:
    """``fit_params`` as a dict of keyword arguments for ``fit``."""
    if fit_params is None:
        return {}
    if not isinstance(fit_params, Mapping):
        raise ConfigError(
            f"fit_params must be a dict of keyword arguments for fit, got "
            f"{type(fit_params).__name__}: e.g. fit_params={{'sample_weight': weights}}."
        )
    return dict(fit_params)


def check_validation(validation: Any, folds: Folds | None) -> tuple[Any, Any] | None:
    """``validation`` as an ``(X_val, y_val)`` pair, refused together with ``cv``."""
    if validation is None:
        return None
    if folds is not None:
        raise ConfigError(
            "validation and cv were both given: with cv every run is scored on its test "
            "fold; pass one of them."
        )
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise ConfigError(
            f"validation must be a pair (X_val, y_val), got {type(validation).__name__}."
        )
    return validation[0], validation[1]


def history_of(estimator: Any) -> dict[str, list[float]]:
    """The fitted estimator's per-epoch history as plain lists ({} when it keeps none).

    Example:
        >>> class Fitted:
        ...     history_ = {"loss": [2.0, 1.0]}
        >>> history_of(Fitted())
        {'loss': [2.0, 1.0]}
    """
    history = getattr(estimator, "history_", None)
    history = getattr(history, "history", history)  # lstmkit's (or Keras's) History
    if not isinstance(history, Mapping):
        return {}
    return {str(name): [float(value) for value in values] for name, values in history.items()}


def epochs_in(history: Mapping[str, list[float]]) -> int | None:
    """The number of epochs a history records (None when it records none)."""
    lengths = [len(values) for values in history.values()]
    return max(lengths) if lengths else None


# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class Plan:
    """What every configuration runs: the same seeds, folds, scorer and fit arguments."""

    seeds: list[int]
    folds: Any
    scorer: Any
    metric: str
    validation: Any
    fit_params: dict[str, Any]
    notes: list[str]


def make_plan(n_runs, seeds, cv, scoring, validation, fit_params, X, y) -> Plan:
    """Check every option once; the plan every configuration then runs."""
    seeds = resolve_seeds(n_runs, seeds)
    folds, cv_name = resolve_folds(cv, X, y)
    scorer, metric = resolve_scorer(scoring)
    validation = check_validation(validation, folds)
    if folds is not None:
        notes = [f"scored on the test fold of {cv_name}; every seed used the same folds."]
    elif validation is not None:
        notes = [f"scored on validation data ({len(validation[0])} samples)."]
    else:
        notes = [
            "scored on the training data (no cv, no validation): the scores measure fit, "
            "not skill on unseen data; pass validation=(X_val, y_val) or cv=3."
        ]
    return Plan(seeds, folds, scorer, metric, validation, check_fit_params(fit_params), notes)


def run_plan(estimator: Any, X: Any, y: Any, plan: Plan, name: str) -> tuple[pd.DataFrame, list]:
    """Fit and score a clone per seed (and fold): the scores frame and every history."""
    splits = [(None, None)] if plan.folds is None else plan.folds
    rows, histories = [], []
    for run, seed in enumerate(plan.seeds):
        for fold, (train, test) in enumerate(splits):
            try:
                score, seconds, history = _fit_and_score(estimator, X, y, plan, seed, train, test)
            except Exception as exc:  # say which run failed, keep the error's type
                where = f"seed {seed}" + ("" if train is None else f", fold {fold}")
                exc.add_note(f"raised in repeat() run {run} ({where}) of {name}")
                raise
            histories.append(history)
            row = {"run": run, "seed": seed, "fold": fold, "score": score}
            rows.append(row | {"fit_seconds": seconds, "epochs": epochs_in(history)})
    scores = pd.DataFrame(rows)
    scores["epochs"] = scores["epochs"].astype("Int64")  # missing without a history
    if plan.folds is None:
        scores = scores.drop(columns="fold")
    return scores, histories


def _fit_and_score(estimator, X, y, plan: Plan, seed: int, train, test):
    """One run: the score, the fit's seconds and the fitted model's history."""
    from sklearn.base import clone

    X_fit, y_fit = (X, y) if train is None else (take(X, train), take(y, train))
    if test is not None:
        X_score, y_score = take(X, test), take(y, test)
    else:
        X_score, y_score = plan.validation or (X, y)
    model = clone(estimator).set_params(random_state=seed)
    start = time.perf_counter()
    model.fit(X_fit, y_fit, **plan.fit_params)
    seconds = time.perf_counter() - start
    return float(plan.scorer(model, X_score, y_score)), seconds, history_of(model)
