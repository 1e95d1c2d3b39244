"""Train the same model over several seeds, and compare configurations run for run.

One fit of a stochastic model is one draw. ``repeat`` clones the estimator once per
seed (``random_state=seed``), fits and scores each clone, and keeps every score, fit
time and history; ``compare_configurations`` does that for several configurations with
the same seeds, so their runs pair up by seed for :func:`compare_runs`:

```
                 seed 0   seed 1   seed 2  ...      (with cv: every seed x every fold,
units=8           0.91     0.88     0.93             the same folds for every seed; a
units=32          0.95     0.94     0.96             run's score is its mean over folds)
                    \\-------paired-------/
best ("units=32") vs each other: Wilcoxon signed-rank (n >= 6) or Welch's t, bootstrap CI
```

Scores follow scikit-learn's rule: greater is better (``estimator.score``, a scorer
name such as ``"neg_root_mean_squared_error"``, or a callable that returns one). The
same seeds give bitwise the same scores in the same process (CONTRACTS §9).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from lstmkit.diagnostics._repeat_scoring import Plan, check_estimator, make_plan, run_plan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]
KEYS = ("run", "seed", "fold")  # the leading columns of repeats.csv


@dataclass
class RepeatedRuns:
    """The scores of one estimator over seeds (and folds), with each run's history.

    Attributes:
        scores: one row per fit: ``run``, ``seed``, ``fold`` (with cv), ``score``,
            ``fit_seconds``, ``epochs`` (missing when the estimator keeps no history).
        metric: the score's name (``"score"`` for ``estimator.score``).
        name: what was run, for plots and tables.
        histories: each fit's ``{"loss": [...], ...}``, in the rows' order.
        notes: what was assumed, e.g. that the scores are on the training data.

    Example:
        >>> runs = RepeatedRuns(pd.DataFrame({"run": [0, 1, 2], "seed": [0, 1, 2],
        ...                                   "score": [0.8, 0.9, 1.0]}))
        >>> runs.summary()["mean"], runs.summary_line()
        (0.9, 'model: score over 3 runs (seeds 0, 1, 2): mean 0.9 ± 0.1 (std), min 0.8, max 1')
    """

    scores: pd.DataFrame
    metric: str = "score"
    name: str = "model"
    histories: list[dict[str, list[float]]] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        """The seeds, one per run, in run order."""
        return [int(seed) for seed in self.scores.drop_duplicates("run")["seed"]]

    @property
    def folds(self) -> int:
        """The number of folds per run (1 without cv)."""
        return int(self.scores["fold"].nunique()) if "fold" in self.scores else 1

    def run_scores(self) -> pd.Series:
        """One score per seed (the mean over folds with cv), indexed by seed."""
        per_seed = self.scores.groupby("seed", sort=False)["score"].mean()
        return per_seed.rename(self.metric)

    def summary(self) -> pd.Series:
        """Mean, std (ddof=1; NaN for one run), min, max and count of :meth:`run_scores`."""
        values = self.run_scores()
        return pd.Series(
            {
                "mean": float(values.mean()),
                "std": float(values.std(ddof=1)) if len(values) > 1 else float("nan"),
                "min": float(values.min()),
                "max": float(values.max()),
                "count": int(len(values)),
            },
            name=self.metric,
            dtype=object,
        )

    def summary_line(self) -> str:
        """Mean ± std over the seeds, min and max, on one line."""
        stats = self.summary()
        count = stats["count"]
        spread = "" if count < 2 else f" ± {stats['std']:.2g} (std)"
        folds = f", each the mean over {self.folds} folds" if self.folds > 1 else ""
        seeds = ", ".join(str(seed) for seed in self.seeds[:10])
        seeds += ", ..." if count > 10 else ""
        return (
            f"{self.name}: {self.metric} over {count} run{'s' if count != 1 else ''} (seeds "
            f"{seeds}{folds}): mean {stats['mean']:.4g}{spread}, min {stats['min']:.4g}, "
            f"max {stats['max']:.4g}"
        )

    def to_frame(self) -> pd.DataFrame:
        """The rows of ``repeats.csv``: ``run``, ``seed``, ``fold`` (with cv), the score.

        Fit times are left out: they differ from one run of the same seeds to the next.
        """
        keys = [key for key in KEYS if key in self.scores]
        return self.scores[keys + ["score"]].rename(columns={"score": self.metric})

    def plot(
        self,
        path: PathLike | None = None,
        *,
        overwrite: bool = False,
        title: str | None = None,
        baselines: Mapping[str, float] | None = None,
    ) -> Figure:
        """Box-and-whisker of the per-seed scores (``plot_repeated_runs``)."""
        from lstmkit.diagnostics.plots import plot_repeated_runs

        return plot_repeated_runs(
            {self.name: self.run_scores().to_numpy()},
            metric=self.metric,
            path=path,
            overwrite=overwrite,
            title=title,
            baselines=baselines,
        )


def repeat(
    estimator: Any,
    X: Any,
    y: Any,
    n_runs: int | None = None,
    *,
    seeds: Sequence[int] | None = None,
    cv: Any = None,
    scoring: Any = None,
    validation: tuple[Any, Any] | None = None,
    fit_params: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> RepeatedRuns:
    """Fit ``clone(estimator)`` once per seed (``random_state=seed``) and score each fit.

    Without ``cv`` each run fits on ``(X, y)`` (the estimator's own ``validation_split``
    still applies) and is scored on ``validation=(X_val, y_val)``, or else on the
    training data, which ``notes`` then says. With ``cv`` (an int is
    ``TimeSeriesSplit(n_splits=cv)``; any scikit-learn splitter works) every seed fits
    and scores every fold, and the folds are the same for every seed.

    Args:
        estimator: any scikit-learn style estimator with a ``random_state`` parameter.
        X, y: the data (arrays, pandas objects, or lists of ragged sequences).
        n_runs: the number of seeds ``0 .. n_runs - 1`` (default 10).
        seeds: the seeds themselves (distinct whole numbers), instead of ``n_runs``.
        cv: None, a number of ``TimeSeriesSplit`` folds, or a splitter.
        scoring: None (``estimator.score``), a scikit-learn scorer name, or a
            ``callable(estimator, X, y)``; greater is better.
        validation: ``(X_val, y_val)`` to score on, without ``cv``.
        fit_params: keyword arguments for every ``fit`` (passed unchanged, not split
            per fold).
        name: what to call the runs in tables and plots (default: the class name).

    Returns:
        A :class:`RepeatedRuns`.

    Raises:
        ConfigError: bad ``n_runs``, ``seeds``, ``cv``, ``scoring``, ``validation`` or
            ``fit_params``, or an estimator without ``random_state``.

    Example:
        >>> import numpy as np
        >>> from sklearn.tree import DecisionTreeRegressor
        >>> X = np.arange(40.0).reshape(20, 2) % 7
        >>> runs = repeat(DecisionTreeRegressor(max_features=1, max_depth=2), X, X.sum(1),
        ...               n_runs=3, cv=2)
        >>> runs.scores.columns.tolist(), len(runs.scores), runs.seeds
        (['run', 'seed', 'fold', 'score', 'fit_seconds', 'epochs'], 6, [0, 1, 2])
    """
    check_estimator(estimator)
    plan = make_plan(n_runs, seeds, cv, scoring, validation, fit_params, X, y)
    return run_repeats(estimator, X, y, plan, name or type(estimator).__name__)


def run_repeats(estimator: Any, X: Any, y: Any, plan: Plan, name: str) -> RepeatedRuns:
    """Every run of ``plan`` for one estimator, as :class:`RepeatedRuns` (no checks)."""
    scores, histories = run_plan(estimator, X, y, plan, name)
    return RepeatedRuns(scores, plan.metric, name, histories, list(plan.notes))
