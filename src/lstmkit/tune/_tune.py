"""``tune``: search an estimator's settings with Optuna, prune poor trials, refit the best."""

from __future__ import annotations

import logging
import shutil
import tempfile
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from sklearn.base import clone

from lstmkit.errors import ConfigError
from lstmkit.tune._objective import Objective, Scoring, default_direction
from lstmkit.tune._result import TuneResult
from lstmkit.tune._settings import (
    check_names,
    crop,
    crops_input,
    fit_best,
    is_forecaster,
    largest_lookback,
)
from lstmkit.tune._space import split_space
from lstmkit.tune._storage import StorageSpec, parse_storage
from lstmkit.tune._study import (
    Progress,
    WorkerJob,
    open_study,
    optimize_study,
    run_workers,
    threads_per_worker,
)

logger = logging.getLogger("lstmkit.tune")


def tune(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    space: Any,
    n_trials: int = 20,
    timeout: float | None = None,
    scoring: Any = None,
    cv: Any = None,
    validation_split: float = 0.2,
    direction: str | None = None,
    storage: Any = None,
    study_name: str | None = None,
    n_workers: int = 1,
    sampler: Any = "tpe",
    pruner: Any = "median",
    seed: int | None = 0,
    refit: bool = True,
    save_to: Any = None,
    show_progress: bool = False,
    catch: tuple[type[Exception], ...] = (),
) -> TuneResult:
    """Search ``space`` for the estimator's best settings with Optuna.

    Each trial clones ``estimator``, sets the trial's parameters and is judged as
    :mod:`lstmkit.tune._objective` describes: by default the last epoch's validation loss
    on the last ``validation_split`` of the data (unshuffled), reported after every epoch
    so the pruner can stop poor trials early; with ``scoring`` and/or ``cv`` a
    scikit-learn score (mean over time-ordered folds); a forecaster by a backtest over
    the last ``validation_split`` of its series. An estimator whose ``random_state`` is
    None gets ``seed``, so trials differ only by their settings.

    Args:
        estimator: an unfitted lstmkit estimator (or any scikit-learn-style one).
        X, y: the data; for a forecaster ``X`` is the series and ``y`` is None.
        space: ``{name: Int(...) | Float(...) | Choice([...]) | fixed value}``, or the run
            file's form (see :func:`space_from_mapping`).
        n_trials: COMPLETE trials the study should hold; shared by every worker and every
            call that joins the study (a continued study runs only the missing ones).
        timeout: seconds after which each worker starts no new trial.
        scoring, cv: a scikit-learn scorer (name or callable) and/or folds (an int is a
            ``TimeSeriesSplit``): the objective becomes a score to maximize.
        validation_split: the held-out last fraction (holdout and forecaster backtest).
        direction: ``"minimize"`` or ``"maximize"``; default from what is measured.
        storage: None (in memory), ``"sqlite:///PATH.db"``, ``"postgresql://..."`` or a
            journal file (``PATH.log``, ``PATH.journal``, ``journal:PATH``); see
            :mod:`lstmkit.tune._storage`. With ``n_workers > 1`` and no storage, a journal
            file in a temporary folder.
        study_name: the study to create or join (None: a new, generated name).
        n_workers: processes on this machine; torch gets ``max(1, cores // n_workers)``
            threads in each.
        sampler: ``"tpe"``, ``"random"``, ``"grid"`` (Int and Choice dimensions only) or an
            Optuna sampler.
        pruner: ``"median"``, ``"hyperband"``, ``"successive_halving"``, None, or an Optuna
            pruner.
        seed: seeds the sampler (mixed with the worker number and the trials so far) and
            the estimator's ``random_state`` when that is None.
        refit: fit the best settings on all the data into ``result.best_estimator_``.
        save_to: save the refitted model there (``best_estimator_.save(path)``).
        show_progress: a progress bar of complete trials.
        catch: exception types that fail a trial without stopping the study.

    Returns:
        A :class:`TuneResult`. When ``lookback`` was searched for a classifier or
        regressor, the best model reads ``X[:, -lookback:, :]``: predict with
        ``result.predict(X)`` or ``model.predict(result.crop(X))``.

    Raises:
        ConfigError: bad arguments, an unknown parameter name, an unusable storage.

    Example:
        >>> import numpy as np
        >>> from sklearn.linear_model import Ridge
        >>> from lstmkit.tune import Choice
        >>> X, y = np.arange(40.0).reshape(20, 2), np.arange(20.0)
        >>> result = tune(Ridge(), X, y, space={"alpha": Choice([0.1, 10.0])},
        ...               scoring="r2", sampler="grid", n_trials=2)
        >>> result.best_params
        {'alpha': 0.1}
    """
    _check_counts(n_trials, n_workers, timeout, validation_split)
    searched, fixed = split_space(space)
    if save_to is not None and not refit:
        raise ConfigError("save_to saves the refitted best model: set refit=True or leave it out")
    template, crops = _checked_template(estimator, X, y, searched, fixed, seed)
    judged = Scoring(scoring, cv, float(validation_split))
    direction = direction or default_direction(template, judged)
    objective = Objective(template, X, y, searched, fixed, judged)
    spec, temporary = _storage_for(parse_storage(storage), n_workers)
    try:
        study = open_study(
            spec,
            study_name,
            direction,
            sampler=sampler,
            pruner=pruner,
            searched=searched,
            seed=seed,
        )
        _optimize(
            study,
            objective,
            spec,
            n_trials,
            n_workers,
            show_progress=show_progress,
            timeout=timeout,
            catch=tuple(catch),
            sampler=sampler,
            pruner=pruner,
            seed=seed,
        )
        if temporary is not None:
            study = _into_memory(study)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    described = "in memory" if temporary is not None else spec.describe()
    result = TuneResult.from_study(study, fixed, storage=described, crops=crops)
    if refit:
        result.best_estimator_ = fit_best(template, X, y, result.best_params)
        if save_to is not None:
            result.best_estimator_.save(save_to)
    return result


def _optimize(study, objective, spec, n_trials, n_workers, *, show_progress, **settings) -> None:
    """Run the trials here (one worker) or in ``n_workers`` spawned processes."""
    with Progress(n_trials, show_progress) as progress:
        if n_workers == 1:
            optimize_study(
                study,
                objective,
                n_trials,
                timeout=settings["timeout"],
                catch=settings["catch"],
                callbacks=[progress] if show_progress else [],
            )
            return
        import optuna

        threads = threads_per_worker(n_workers)
        jobs = [
            WorkerJob(
                storage=spec,
                study_name=study.study_name,
                direction=study.direction.name.lower(),
                objective=objective,
                n_trials=n_trials,
                worker=worker,
                threads=threads,
                log_level=optuna.logging.get_verbosity(),
                **settings,
            )
            for worker in range(n_workers)
        ]
        run_workers(jobs, study, progress)


def _check_counts(n_trials: Any, n_workers: Any, timeout: Any, validation_split: Any) -> None:
    problems = []
    for name, value in (("n_trials", n_trials), ("n_workers", n_workers)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            problems.append(f"{name} must be a positive integer, got {value!r}")
    if timeout is not None and (not isinstance(timeout, Real) or timeout <= 0):
        problems.append(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    if not isinstance(validation_split, Real) or not 0.0 < validation_split < 1.0:
        problems.append(f"validation_split must be in (0, 1), got {validation_split!r}")
    if problems:
        raise ConfigError("; ".join(problems))


def _checked_template(estimator, X, y, searched, fixed, seed) -> tuple[Any, bool]:
    """The unfitted copy every trial clones, and whether ``lookback`` crops X.

    Checks first what would otherwise fail in every trial. The copy gets
    ``random_state=seed`` when the estimator leaves it None.
    """
    check_names(estimator, list(searched) + list(fixed))
    template = clone(estimator)
    params = template.get_params(deep=False)
    if seed is not None and "random_state" in params and params["random_state"] is None:
        template.set_params(random_state=seed)
    if is_forecaster(template) and y is not None:
        raise ConfigError(
            f"a forecaster is tuned on its series alone: pass it as X and leave y out, got y "
            f"of type {type(y).__name__}"
        )
    crops = not is_forecaster(template) and crops_input(template)
    if crops and largest_lookback(searched, fixed) is not None:
        crop(X, largest_lookback(searched, fixed))  # raises for a lookback X cannot give
    return template, crops


def _storage_for(spec: StorageSpec, n_workers: int) -> tuple[StorageSpec, Path | None]:
    """The storage the workers share, and the temporary folder tune made for it (if any)."""
    if n_workers == 1 or spec.shareable:
        return spec, None
    if spec.kind == "object":
        raise ConfigError(
            f"n_workers={n_workers} processes cannot share an in-memory storage: give "
            "storage='PATH.log' (a journal file), 'sqlite:///PATH.db' or a PostgreSQL URL"
        )
    folder = Path(tempfile.mkdtemp(prefix="lstmkit-tune-"))
    logger.info(
        "n_workers=%d without a storage: the workers share a journal file in %s",
        n_workers,
        folder,
    )
    return StorageSpec("journal", str(folder / "study.log")), folder


def _into_memory(study: Any) -> Any:
    """Copy a study out of tune's temporary journal file, failing its orphaned trials.

    Every worker that used the private file has ended, so a trial still RUNNING there
    belonged to a worker that died mid-trial (a journal file has no heartbeat).
    """
    import optuna
    from optuna.trial import TrialState

    memory = optuna.create_study(
        study_name=study.study_name,
        direction=study.direction,
        sampler=study.sampler,
        pruner=study.pruner,
    )
    for trial in study.get_trials(deepcopy=True):
        if trial.state in (TrialState.RUNNING, TrialState.WAITING):
            trial = optuna.trial.create_trial(
                state=TrialState.FAIL,
                params=trial.params,
                distributions=trial.distributions,
                user_attrs=trial.user_attrs,
                system_attrs=trial.system_attrs,
                intermediate_values=trial.intermediate_values,
            )
        memory.add_trial(trial)
    return memory
