"""What one trial does: build an estimator from the trial's parameters, fit it, score it.

The estimator is duck-typed (``get_params``/``set_params``, scikit-learn's ``clone``), so
this layer never imports ``lstmkit.estimators``. Four ways to score a trial:

```
default            fit with validation_split (the last fraction, unshuffled: Keras's rule);
                   report val_loss after every epoch (pruning); value = the last     minimize
                   epoch's val_loss (the min with restore_best_weights)
scoring=           fit on the first 1 - validation_split, score on the rest           maximize
cv=                fit and score per time-ordered fold; report the running mean       maximize
                   after each fold (pruning); value = mean over folds
a forecaster       (it has .backtest) fit once on the first 1 - validation_split of the
                   series; forecast from every origin after it (no refit);
                   value = RMSE (or MAE) over every forecast step, original units     minimize
```

The value of a pruned trial is its last report. A trial is valued by the model it ends
with, as the refit will be: the last epoch's val_loss, since the refit trains all
``epochs`` (the minimum would reward a model that peaked earlier and then overfitted);
with ``EarlyStopping(restore_best_weights=True)`` the model ends with its best epoch's
weights, so the value is the minimum. Search ``epochs`` to choose the length. The special
names (``lookback``, ``tbptt_k1``, ``tbptt_k2``) are translated in ``_settings``.
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from lstmkit.errors import ConfigError
from lstmkit.tune._settings import build, crop, is_forecaster
from lstmkit.tune._space import suggest_all

FORECAST_SCORES = ("rmse", "mae")


def worker_tag() -> str:
    """``host:pid`` of this process, recorded on every trial it runs (user attr ``worker``).

    Example:
        >>> worker_tag().endswith(f":{os.getpid()}")
        True
    """
    return f"{socket.gethostname()}:{os.getpid()}"


class PruningCallback:
    """Report a logged value to an Optuna trial after every epoch; stop a poor trial.

    Follows lstmkit's ``Callback`` protocol (``on_epoch_end(epoch, logs)``) without
    importing the training package. Raises ``optuna.TrialPruned`` when the pruner says so.

    Example:
        >>> import optuna
        >>> study = optuna.create_study()
        >>> trial = study.ask()
        >>> PruningCallback(trial).on_epoch_end(0, {"loss": 1.0, "val_loss": 0.5})
        >>> trial.storage.get_trial(trial._trial_id).intermediate_values
        {0: 0.5}
    """

    trainer: Any = None

    def __init__(self, trial: Any, monitor: str = "val_loss") -> None:
        self.trial = trial
        self.monitor = monitor

    def on_train_begin(self) -> None:
        """Nothing to do before training."""

    def on_epoch_begin(self, epoch: int) -> None:
        """Nothing to do before an epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Report ``logs[monitor]`` at step ``epoch``; raise TrialPruned for a poor trial."""
        import optuna

        if self.monitor not in logs:
            raise ConfigError(
                f"tuning reports {self.monitor!r} after every epoch, but the logs hold "
                f"{sorted(logs)}: give the estimator validation data (validation_split)"
            )
        self.trial.report(float(logs[self.monitor]), epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"{self.monitor}={logs[self.monitor]:.6g} at epoch {epoch}")

    def on_train_end(self) -> None:
        """Nothing to do after training."""


@dataclass(frozen=True)
class Scoring:
    """How a trial is judged: ``scoring``, ``cv`` and ``validation_split`` as given to tune."""

    scoring: Any = None
    cv: Any = None
    validation_split: float = 0.2


def default_direction(estimator: Any, scoring: Scoring) -> str:
    """``"minimize"`` for losses and forecast errors, ``"maximize"`` for scores.

    Example:
        >>> from sklearn.linear_model import Ridge
        >>> default_direction(Ridge(), Scoring()), default_direction(Ridge(), Scoring(cv=3))
        ('minimize', 'maximize')
    """
    if is_forecaster(estimator):
        return "minimize"
    return "maximize" if scoring.scoring is not None or scoring.cv is not None else "minimize"


class Objective:
    """The function Optuna calls per trial; picklable, so worker processes can run it.

    Args:
        template: the unfitted estimator every trial clones.
        X, y: the data (``X`` is the series for a forecaster; ``y`` is then None).
        searched, fixed: the space, as :func:`lstmkit.tune._space.split_space` returns it.
        scoring: how a trial is judged (see the module docstring).
    """

    def __init__(self, template, X, y, searched, fixed, scoring: Scoring) -> None:
        self.template, self.X, self.y = template, X, y
        self.searched, self.fixed, self.scoring = dict(searched), dict(fixed), scoring

    def __call__(self, trial: Any) -> float:
        trial.set_user_attr("worker", worker_tag())
        params = {**self.fixed, **suggest_all(self.searched, trial)}
        estimator, lookback = build(self.template, params)
        if is_forecaster(estimator):
            return self._backtest_error(estimator)
        X = crop(self.X, lookback)
        if self.scoring.cv is not None:
            return self._cross_validated(trial, estimator, X)
        if self.scoring.scoring is not None:
            return self._holdout_score(estimator, X)
        return self._validation_loss(trial, estimator, X)

    def _validation_loss(self, trial: Any, estimator: Any, X: Any) -> float:
        missing = [
            name
            for name in ("validation_split", "callbacks")
            if name not in estimator.get_params(deep=False)
        ]
        if missing:
            raise ConfigError(
                f"{type(estimator).__name__} has no {' or '.join(missing)} keyword, so its "
                "validation loss cannot be followed per epoch: give tune scoring= or cv="
            )
        callbacks = [*(estimator.callbacks or ()), PruningCallback(trial)]
        estimator.set_params(validation_split=self.scoring.validation_split, callbacks=callbacks)
        estimator.fit(X, self.y)
        history = estimator.history_
        values = (history.history if hasattr(history, "history") else history).get("val_loss")
        if not values:
            raise ConfigError(
                f"{type(estimator).__name__} recorded no val_loss: train at least one epoch"
            )
        restores = any(getattr(callback, "restore_best_weights", False) for callback in callbacks)
        return float(min(values) if restores else values[-1])

    def _holdout_score(self, estimator: Any, X: Any) -> float:
        split_at = _split_point(len(X), self.scoring.validation_split)
        head, tail = np.arange(split_at), np.arange(split_at, len(X))
        _without_holdout(estimator)
        estimator.fit(take(X, head), take(self.y, head))
        return _score(estimator, self.scoring.scoring, take(X, tail), take(self.y, tail))

    def _cross_validated(self, trial: Any, estimator: Any, X: Any) -> float:
        _without_holdout(estimator)
        scores = []
        for fold, (train, test) in enumerate(splits_of(self.scoring.cv, len(X))):
            model = clone(estimator).fit(take(X, train), take(self.y, train))
            scores.append(_score(model, self.scoring.scoring, take(X, test), take(self.y, test)))
            trial.report(float(np.mean(scores)), fold)  # the running mean, for pruning
            if trial.should_prune():
                import optuna

                raise optuna.TrialPruned(f"mean score {np.mean(scores):.6g} after fold {fold}")
        return float(np.mean(scores))

    def _backtest_error(self, forecaster: Any) -> float:
        measure = self.scoring.scoring or "rmse"
        if self.scoring.cv is not None or measure not in FORECAST_SCORES:
            raise ConfigError(
                f"a forecaster is tuned on a backtest over the last validation_split of the "
                f"series, judged by {' or '.join(repr(s) for s in FORECAST_SCORES)}: got "
                f"scoring={self.scoring.scoring!r}, cv={self.scoring.cv!r}; leave cv out and "
                "give scoring='rmse' or 'mae'"
            )
        frame = forecaster.backtest(self.X, start=1.0 - self.scoring.validation_split)
        errors = (frame["value"] - frame["actual"]).to_numpy(dtype=np.float64)
        errors = errors[~np.isnan(errors)]
        if measure == "mae":
            return float(np.abs(errors).mean())
        return float(math.sqrt(np.square(errors).mean()))


def splits_of(cv: Any, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) index pairs of ``cv``: an int is a ``TimeSeriesSplit``.

    Example:
        >>> [test.tolist() for _, test in splits_of(2, 6)]
        [[2, 3], [4, 5]]
    """
    from sklearn.model_selection import TimeSeriesSplit

    if isinstance(cv, bool) or (isinstance(cv, int) and cv < 2):
        raise ConfigError(f"cv must be an integer >= 2 or a splitter, got {cv!r}")
    splitter = TimeSeriesSplit(n_splits=cv) if isinstance(cv, int) else cv
    return list(splitter.split(np.arange(count)))


def take(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of an array, a pandas object or a list (None stays None)."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if isinstance(data, (list, tuple)):
        return [data[int(index)] for index in indices]
    return np.asarray(data)[indices]


def _split_point(count: int, fraction: float) -> int:
    """Keras's rule: train on the first ``floor(count * (1 - fraction))`` samples."""
    split_at = int(count * (1.0 - fraction))
    if split_at in (0, count):
        raise ConfigError(
            f"validation_split={fraction} of {count} samples leaves no "
            f"{'training' if split_at == 0 else 'validation'} samples: use a larger split "
            "or more data"
        )
    return split_at


def _without_holdout(estimator: Any) -> None:
    """Fit on the whole training part: tune holds the scored part out itself."""
    if "validation_split" in estimator.get_params(deep=False):
        estimator.set_params(validation_split=0.0)


def _score(estimator: Any, scoring: Any, X: Any, y: Any) -> float:
    from sklearn.metrics import check_scoring

    return float(check_scoring(estimator, scoring=scoring)(estimator, X, y))
