"""Studies and the workers that run their trials: one process, several, or several machines.

Every process that works on a study does the same thing: open the study (creating it if
it is new), then :func:`optimize_study`, which runs trials until the study holds
``n_trials`` COMPLETE ones (pruned and failed trials do not count; a ceiling of
``ATTEMPTS_PER_TRIAL * n_trials`` finished trials stops a study whose trials keep
failing or being pruned). Workers on one machine are spawned processes; workers on other
machines are other ``tune`` calls (or ``lstmkit tune --storage URL``) with the same
database URL and study name.

```
tune(n_workers=2, storage=URL)
  parent: open_study ---- spawn ---> worker 0: open_study, optimize_study --+
                     \\--- spawn ---> worker 1: open_study, optimize_study --+--> URL
  parent: poll COMPLETE count (progress bar), join, read the study        <-+
another machine: tune(storage=URL, study_name=same) joins the same study
```
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, TrainingError, unknown_option
from lstmkit.tune._space import Dimension, grid_of
from lstmkit.tune._storage import StorageSpec, parse_storage

ATTEMPTS_PER_TRIAL = 10
SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "successive_halving", "none")
DIRECTIONS = ("minimize", "maximize")
_POLL_SECONDS = 0.5
logger = logging.getLogger("lstmkit.tune")


def make_sampler(sampler: Any, searched: Mapping[str, Dimension], seed: int | None) -> Any:
    """An Optuna sampler from a name (``"tpe"``, ``"random"``, ``"grid"``) or as given.

    Example:
        >>> from lstmkit.tune._space import Choice
        >>> type(make_sampler("grid", {"units": Choice([4, 8])}, seed=0)).__name__
        'GridSampler'
    """
    import optuna

    if not isinstance(sampler, str):
        return sampler
    if sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if sampler == "grid":
        return optuna.samplers.GridSampler(grid_of(searched), seed=seed)
    raise unknown_option("sampler", sampler, SAMPLERS)


def make_pruner(pruner: Any) -> Any:
    """An Optuna pruner from a name (``"median"``, ``"hyperband"``, ...), None, or as given.

    Example:
        >>> type(make_pruner(None)).__name__
        'NopPruner'
    """
    import optuna

    if pruner is None or pruner == "none":
        return optuna.pruners.NopPruner()
    if not isinstance(pruner, str):
        return pruner
    if pruner == "median":
        return optuna.pruners.MedianPruner()
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner()
    if pruner == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    raise unknown_option("pruner", pruner, PRUNERS)


def open_study(
    storage: Any,
    study_name: str | None,
    direction: str,
    *,
    sampler: Any = "tpe",
    pruner: Any = "median",
    searched: Mapping[str, Dimension] | None = None,
    seed: int | None = 0,
    worker: int = 0,
) -> Any:
    """Create the study, or load it when ``study_name`` already exists in ``storage``.

    ``storage`` is what ``tune`` takes (None, a URL, a journal path, an Optuna storage)
    or a parsed :class:`StorageSpec`. A coordinator can call this before starting workers
    on other machines, so the study and its tables exist when they join.

    The sampler's seed mixes ``seed``, the worker's number and the trials already in the
    study, so parallel workers and later calls that continue a study do not repeat each
    other's suggestions, and a rerun repeats them all.

    Raises:
        ConfigError: the stored study optimizes in the other direction.

    Example:
        >>> study = open_study(None, "demo", "minimize")
        >>> study.study_name, study.direction.name
        ('demo', 'MINIMIZE')
    """
    import optuna

    if direction not in DIRECTIONS:
        raise unknown_option("direction", str(direction), DIRECTIONS)
    if not isinstance(storage, StorageSpec):
        storage = parse_storage(storage)
    study = optuna.create_study(
        storage=storage.open(),
        study_name=study_name,
        direction=direction,
        pruner=make_pruner(pruner),
        load_if_exists=True,
    )
    if study.direction.name.lower() != direction:
        raise ConfigError(
            f"the study {study.study_name!r} in {storage.describe()} was created to "
            f"{study.direction.name.lower()}, but this tuning run would {direction}: use "
            "another study_name, or the direction (scoring) the study was made with"
        )
    if seed is not None:
        seed = int(np.random.SeedSequence([seed, worker, len(study.trials)]).generate_state(1)[0])
    study.sampler = make_sampler(sampler, searched or {}, seed)
    return study


def complete_count(study: Any) -> int:
    """How many COMPLETE trials the study holds (what ``n_trials`` counts)."""
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


class _AttemptCeiling:
    """Stop a study whose finished trials (any state) reach ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, study: Any, trial: Any) -> None:
        from optuna.trial import TrialState

        finished = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
        if len(study.get_trials(deepcopy=False, states=finished)) >= self.limit:
            study.stop()


class Progress:
    """A tqdm bar of COMPLETE trials out of ``n_trials``; also an Optuna callback.

    Example:
        >>> with Progress(3, enabled=False) as progress:
        ...     progress.show(2)
    """

    def __init__(self, n_trials: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=n_trials, desc="trials", unit="trial")

    def show(self, complete: int) -> None:
        """Move the bar to ``complete`` trials."""
        if self.bar is not None and complete > self.bar.n:
            self.bar.update(complete - self.bar.n)

    def __call__(self, study: Any, trial: Any) -> None:
        self.show(complete_count(study))

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.close()


def optimize_study(
    study: Any,
    objective: Any,
    n_trials: int,
    *,
    timeout: float | None = None,
    catch: tuple[type[Exception], ...] = (),
    callbacks: list[Any] | None = None,
) -> None:
    """Run trials of ``objective`` until ``study`` holds ``n_trials`` COMPLETE ones.

    This is the loop every worker runs, on this machine or another: ``n_trials`` is the
    study's total, shared by every process working on it, so a study that already holds
    enough complete trials runs none. With a heartbeat storage, each new trial first
    marks stale trials of dead workers FAIL and queues them again.

    Example:
        >>> import optuna
        >>> study = optuna.create_study()
        >>> optimize_study(study, lambda trial: trial.suggest_float("x", 0, 1), n_trials=3)
        >>> complete_count(study)
        3
    """
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    if complete_count(study) >= n_trials:
        return
    stops = [
        MaxTrialsCallback(n_trials, states=(TrialState.COMPLETE,)),
        _AttemptCeiling(ATTEMPTS_PER_TRIAL * n_trials),
    ]
    study.optimize(
        objective,
        n_trials=None,
        timeout=timeout,
        catch=tuple(catch),
        callbacks=stops + list(callbacks or ()),
    )


@dataclass
class WorkerJob:
    """Everything a spawned worker needs; pickled into the process (our own objects only)."""

    storage: StorageSpec
    study_name: str
    direction: str
    objective: Any
    n_trials: int
    timeout: float | None
    catch: tuple[type[Exception], ...]
    sampler: Any
    pruner: Any
    seed: int | None
    worker: int
    threads: int
    log_level: int | None = None  # Optuna's verbosity in the parent, so workers log alike


def run_worker(job: WorkerJob) -> None:
    """A worker process's body: set torch's threads, open the study, run trials.

    Torch gets ``job.threads`` threads (``max(1, cores // workers)``) when the objective
    uses it (unpickling an lstmkit estimator imported it already).
    """
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(job.threads)
    if job.log_level is not None:
        import optuna

        optuna.logging.set_verbosity(job.log_level)
    study = open_study(
        job.storage,
        job.study_name,
        job.direction,
        sampler=job.sampler,
        pruner=job.pruner,
        searched=job.objective.searched,
        seed=job.seed,
        worker=job.worker,
    )
    optimize_study(study, job.objective, job.n_trials, timeout=job.timeout, catch=job.catch)


def threads_per_worker(n_workers: int) -> int:
    """Torch threads for each of ``n_workers`` processes: ``max(1, cores // n_workers)``.

    Example:
        >>> threads_per_worker(10**6)
        1
    """
    return max(1, (os.cpu_count() or 1) // n_workers)


def run_workers(jobs: list[WorkerJob], study: Any, progress: Progress) -> None:
    """Spawn one process per job, show progress from the storage, wait for all of them.

    Raises:
        TrainingError: workers failed and the study holds fewer complete trials than asked
            (their tracebacks are on stderr above).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")  # fork would copy torch's thread pools
    processes = [
        context.Process(target=run_worker, args=(job,), name=f"lstmkit-tune-{job.worker}")
        for job in jobs
    ]
    try:
        for process in processes:
            process.start()
        while any(process.is_alive() for process in processes):
            alive = [process.sentinel for process in processes if process.is_alive()]
            wait(alive, timeout=_POLL_SECONDS)  # wakes early when a worker ends
            progress.show(complete_count(study))
    finally:
        for process in processes:  # on an interrupt: end the workers this call started
            if process.is_alive():
                process.terminate()
            process.join()
    progress.show(complete_count(study))
    failed = [(job.worker, process.exitcode) for job, process in zip(jobs, processes)]
    failed = [(worker, code) for worker, code in failed if code != 0]
    if failed:
        _report_failed(failed, len(jobs), study, jobs[0])


def _report_failed(failed: list[tuple[int, int]], count: int, study: Any, job: WorkerJob) -> None:
    listed = ", ".join(f"worker {worker} (exit code {code})" for worker, code in failed)
    complete = complete_count(study)
    message = (
        f"{len(failed)} of {count} tuning workers failed: {listed}; their tracebacks are "
        f"printed above. The study holds {complete} of {job.n_trials} complete trials"
    )
    if complete < job.n_trials and job.timeout is None:
        raise TrainingError(message + ": fix the error and run tune again to continue it")
    logger.warning(message)
