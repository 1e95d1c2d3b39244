"""What a tuning run returns: the study, the best trial, the refitted model, tables, a plot."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, NotFittedError
from lstmkit.tune._settings import crop

_LEAD_COLUMNS = ["number", "state", "value", "duration_s"]


@dataclass
class TuneResult:
    """The outcome of :func:`lstmkit.tune.tune`.

    Attributes:
        study: the Optuna study (in memory when tune used a temporary journal file).
        best_params: the best trial's settings: the space's fixed values, then the
            searched ones, under the names of the space (``tbptt_k1``, ``lookback``, ...).
        best_value: its objective value (``direction`` says which way is better).
        best_trial_number: its Optuna trial number.
        direction: ``"minimize"`` or ``"maximize"``.
        storage: where the study lives, password hidden.
        input_steps: the lookback the best model reads (``X[:, -input_steps:, :]``) when
            ``lookback`` was searched for a classifier or regressor; None otherwise.
        best_estimator_: the best settings refitted on all the data (None without refit).

    Example:
        >>> import optuna
        >>> study = optuna.create_study()
        >>> study.optimize(lambda trial: (trial.suggest_int("units", 1, 9) - 4) ** 2, n_trials=9)
        >>> result = TuneResult.from_study(study, fixed={"epochs": 5})
        >>> result.best_params["epochs"], result.trials_frame().columns.tolist()[:4]
        (5, ['number', 'state', 'value', 'duration_s'])
    """

    study: Any
    best_params: dict[str, Any]
    best_value: float
    best_trial_number: int
    direction: str
    storage: str = "in memory"
    input_steps: int | None = None
    best_estimator_: Any = field(default=None, repr=False)

    @classmethod
    def from_study(
        cls, study: Any, fixed: dict[str, Any], storage: str = "in memory", crops: bool = False
    ) -> TuneResult:
        """Read the best trial of ``study``; ``crops``: lookback crops X (not a keyword).

        Raises:
            ConfigError: the study holds no complete trial.
        """
        from optuna.trial import TrialState

        if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            raise ConfigError(
                f"the study {study.study_name!r} has no complete trial, so there is no best "
                "setting: every trial was pruned or failed (see trials_frame()); widen the "
                "space, loosen the pruner, or raise n_trials"
            )
        best = study.best_trial
        params = {**fixed, **best.params}
        lookback = params.get("lookback") if crops else None
        return cls(
            study=study,
            best_params=params,
            best_value=float(best.value),
            best_trial_number=int(best.number),
            direction=study.direction.name.lower(),
            storage=storage,
            input_steps=None if lookback is None else int(lookback),
        )

    def trials_frame(self) -> pd.DataFrame:
        """Every trial: ``number``, ``state``, ``value``, ``duration_s``, ``params_<name>``.

        The columns of the run directory's ``trials.csv`` (Optuna's ``params_`` naming).
        """
        rows = []
        for trial in self.study.get_trials(deepcopy=False):
            duration = trial.duration
            row = {
                "number": trial.number,
                "state": trial.state.name,
                "value": np.nan if trial.value is None else float(trial.value),
                "duration_s": np.nan if duration is None else duration.total_seconds(),
            }
            row.update({f"params_{name}": value for name, value in trial.params.items()})
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=_LEAD_COLUMNS)
        params = [column for column in frame.columns if column not in _LEAD_COLUMNS]
        return frame[_LEAD_COLUMNS + params]

    def summary(self, top: int = 5) -> pd.DataFrame:
        """The ``top`` complete trials, best first, indexed by rank (1 = best).

        Example:
            >>> import optuna
            >>> grid = optuna.samplers.GridSampler({"units": [1, 2, 3]})
            >>> study = optuna.create_study(direction="maximize", sampler=grid)
            >>> study.optimize(lambda trial: trial.suggest_int("units", 1, 3), n_trials=3)
            >>> TuneResult.from_study(study, {}).summary(top=1)["value"].tolist()
            [3.0]
        """
        frame = self.trials_frame()
        frame = frame[frame["state"] == "COMPLETE"].drop(columns="state")
        ascending = self.direction == "minimize"
        frame = frame.sort_values(["value", "number"], ascending=[ascending, True]).head(top)
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """``best.json`` of a run directory: ``{"value", "params", "number"}``.

        Example:
            >>> TuneResult(None, {"units": 8}, 0.5, 3, "minimize").to_dict()
            {'value': 0.5, 'params': {'units': 8}, 'number': 3}
        """
        return {
            "value": self.best_value,
            "params": dict(self.best_params),
            "number": self.best_trial_number,
        }

    def save_records(self, directory: str | os.PathLike[str]) -> None:
        """Write ``trials.csv`` and ``best.json`` into a run directory (which must exist)."""
        folder = Path(directory)
        if not folder.is_dir():
            raise ConfigError(f"the run directory {str(folder)!r} does not exist: create it first")
        self.trials_frame().to_csv(folder / "trials.csv", index=False)
        text = json.dumps(self.to_dict(), indent=2, default=_plain)
        (folder / "best.json").write_text(text + "\n", encoding="utf-8")

    def crop(self, X: Any) -> Any:
        """``X`` as the best model reads it: its last ``input_steps`` steps (or unchanged)."""
        return crop(X, self.input_steps)

    def predict(self, X: Any) -> Any:
        """``best_estimator_.predict`` on ``X`` cropped to the best lookback.

        Raises:
            NotFittedError: tune ran with ``refit=False``.
        """
        if self.best_estimator_ is None:
            raise NotFittedError(
                "tune ran with refit=False, so there is no best_estimator_: refit the best "
                "settings yourself or run tune with refit=True"
            )
        return self.best_estimator_.predict(self.crop(X))

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """Optimization history: each complete trial's value and the best so far.

        Returns a matplotlib ``Figure`` (Agg canvas, no pyplot) and saves it to ``path``
        if given (the suffix picks the format).
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        frame = self.trials_frame()
        done = frame[frame["state"] == "COMPLETE"].sort_values("number")
        figure = Figure(figsize=(8.0, 4.0), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        ax = figure.subplots()
        ax.plot(done["number"], done["value"], "o", alpha=0.6, label="trial")
        best = done["value"].cummin() if self.direction == "minimize" else done["value"].cummax()
        ax.step(done["number"], best, where="post", label="best so far")
        ax.set(xlabel="trial", ylabel="objective value", title="Optimization history")
        ax.legend()
        if path is not None:
            figure.savefig(path)
        return figure


def _plain(value: Any) -> Any:
    """JSON for NumPy scalars that a space may hold."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
