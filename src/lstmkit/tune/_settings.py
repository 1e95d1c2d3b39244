"""From a trial's parameters to an estimator: names checked, special names translated.

Names are the estimator's keywords plus three special ones. ``tbptt_k1``/``tbptt_k2``
become ``tbptt=TBPTT(k1, k2)`` (k2 = k1 when only k1 is searched). ``lookback`` is the
forecaster's own keyword; for a classifier or regressor (``X`` shaped ``(samples,
timesteps, features)``) it means "the model sees the last ``lookback`` steps of each
sample": ``X[:, -lookback:, :]``, in the trials and in the refit::

    X[i]:  x0 x1 x2 x3 x4 x5 x6 x7        lookback = 3 keeps  x5 x6 x7
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import clone

from lstmkit.errors import ConfigError, did_you_mean
from lstmkit.tune._space import SPECIAL_NAMES, Choice, Dimension, Int


def is_forecaster(estimator: Any) -> bool:
    """True for an ``LSTMForecaster``-like estimator: ``fit(y)`` plus ``backtest``.

    Example:
        >>> from sklearn.linear_model import Ridge
        >>> is_forecaster(Ridge())
        False
    """
    return callable(getattr(estimator, "backtest", None))


def check_names(estimator: Any, names: list[str]) -> None:
    """Refuse names that are neither the estimator's keywords nor the special ones.

    Raises:
        ConfigError: unknown names (all listed), or ``tbptt_*`` for an estimator without
            ``tbptt``, or ``tbptt_k2`` without ``tbptt_k1``.

    Example:
        >>> from sklearn.linear_model import Ridge
        >>> check_names(Ridge(), ["alpha"])
        >>> check_names(Ridge(), ["alpah"])
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: unknown parameter 'alpah' in the search space of Ridge: expected one of its keywords (alpha, copy_X, fit_intercept, max_iter, positive, random_state, solver, tol) or the special names lookback, tbptt_k1, tbptt_k2. Did you mean 'alpha'?
    """
    known = sorted(estimator.get_params(deep=False))
    unknown = [name for name in names if name not in known and name not in SPECIAL_NAMES]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        plural = "parameters" if len(unknown) > 1 else "parameter"
        raise ConfigError(
            f"unknown {plural} {listed} in the search space of {type(estimator).__name__}: "
            f"expected one of its keywords ({', '.join(known)}) or the special names "
            f"{', '.join(SPECIAL_NAMES)}.{did_you_mean(unknown[0], known)}"
        )
    tbptt_names = [name for name in names if name.startswith("tbptt_")]
    if tbptt_names and "tbptt" not in known:
        raise ConfigError(
            f"{type(estimator).__name__} has no tbptt keyword, so {', '.join(tbptt_names)} "
            "cannot be searched: leave them out of the space"
        )
    if "tbptt_k2" in names and "tbptt_k1" not in names:
        raise ConfigError(
            "tbptt_k2 is in the search space without tbptt_k1: add tbptt_k1 (k2 alone has no "
            "k1 to pair with)"
        )


def crops_input(estimator: Any) -> bool:
    """True when ``lookback`` means cropping ``X`` (the estimator has no lookback keyword)."""
    return "lookback" not in estimator.get_params(deep=False)


def crop(X: Any, lookback: int | None) -> Any:
    """The last ``lookback`` steps of every sample: ``X[:, -lookback:, :]`` (None: all).

    A list of 2-D sequences keeps the last ``lookback`` steps of each.

    Raises:
        ConfigError: ``lookback`` is not a positive integer or exceeds the timesteps of X.

    Example:
        >>> crop(np.arange(12).reshape(2, 3, 2), 1).tolist()
        [[[4, 5]], [[10, 11]]]
    """
    if lookback is None:
        return X
    if isinstance(lookback, bool) or not isinstance(lookback, (int, np.integer)) or lookback < 1:
        raise ConfigError(f"lookback must be a positive integer, got {lookback!r}")
    if isinstance(X, (list, tuple)):
        return [np.asarray(sequence)[-lookback:] for sequence in X]
    array = np.asarray(X)
    if array.ndim != 3:
        raise ConfigError(
            f"searching lookback crops X of shape (samples, timesteps, features), got an "
            f"array of shape {array.shape}"
        )
    if lookback > array.shape[1]:
        raise ConfigError(
            f"lookback={lookback} is longer than X's {array.shape[1]} timesteps: search "
            f"lookback up to {array.shape[1]}"
        )
    return array[:, -lookback:, :]


def largest_lookback(searched: Mapping[str, Dimension], fixed: Mapping[str, Any]) -> Any:
    """The largest lookback a trial can ask for (None when lookback is not in the space).

    Example:
        >>> largest_lookback({"lookback": Choice([1, 8, 4])}, {})
        8
    """
    dimension = searched.get("lookback", fixed.get("lookback"))
    if isinstance(dimension, Int):
        return dimension.high
    if isinstance(dimension, Choice):
        return max(dimension.choices)
    return dimension


def estimator_settings(estimator: Any, params: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """Translate a trial's parameters into ``set_params`` keywords and a crop lookback.

    Example:
        >>> from sklearn.linear_model import Ridge
        >>> estimator_settings(Ridge(), {"alpha": 2.0, "lookback": 4})
        ({'alpha': 2.0}, 4)
    """
    settings = dict(params)
    if "tbptt_k1" in settings:
        from lstmkit.training import TBPTT

        k1 = settings.pop("tbptt_k1")
        settings["tbptt"] = TBPTT(k1, settings.pop("tbptt_k2", k1))
    lookback = settings.pop("lookback", None) if crops_input(estimator) else None
    return settings, lookback


def build(template: Any, params: Mapping[str, Any]) -> tuple[Any, Any]:
    """A fresh clone of ``template`` with ``params`` set, and the lookback to crop X by."""
    settings, lookback = estimator_settings(template, params)
    return clone(template).set_params(**settings), lookback


def fit_best(template: Any, X: Any, y: Any, params: Mapping[str, Any]) -> Any:
    """Refit: the template with ``params``, fitted on all the data (cropped if searched)."""
    estimator, lookback = build(template, params)
    if is_forecaster(estimator):
        return estimator.fit(X)
    return estimator.fit(crop(X, lookback), y)
