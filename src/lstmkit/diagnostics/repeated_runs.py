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

import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from lstmkit.diagnostics._repeat_scoring import Plan, check_estimator, make_plan, run_plan
from lstmkit.diagnostics.comparisons import Comparison, compare_runs
from lstmkit.errors import ConfigError, unknown_option

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]
_KEYS = ("run", "seed", "fold")  # the leading columns of repeats.csv


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
        keys = [key for key in _KEYS if key in self.scores]
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
        >>> from sklearn.tree import DecisionTreeRegressor
        >>> X = np.arange(40.0).reshape(20, 2) % 7
        >>> runs = repeat(DecisionTreeRegressor(max_features=1, max_depth=2), X, X.sum(1),
        ...               n_runs=3, cv=2)
        >>> runs.scores.columns.tolist(), len(runs.scores), runs.seeds
        (['run', 'seed', 'fold', 'score', 'fit_seconds', 'epochs'], 6, [0, 1, 2])
    """
    check_estimator(estimator)
    plan = make_plan(n_runs, seeds, cv, scoring, validation, fit_params, X, y)
    return _run(estimator, X, y, plan, name or type(estimator).__name__)


def _run(estimator: Any, X: Any, y: Any, plan: Plan, name: str) -> RepeatedRuns:
    scores, histories = run_plan(estimator, X, y, plan, name)
    return RepeatedRuns(scores, plan.metric, name, histories, list(plan.notes))


# ---------------------------------------------------------------- configurations


@dataclass
class ConfigurationComparison:
    """Several configurations run over the same seeds, and their paired comparisons.

    Attributes:
        runs: configuration name to its :class:`RepeatedRuns`.
        comparisons: the best against every other (or every pair), best first in each.
        metric: the score's name; greater is better.
        best: the configuration with the highest mean score.

    Example:
        >>> def runs(name, values):
        ...     frame = pd.DataFrame({"run": [0, 1, 2], "seed": [0, 1, 2], "score": values})
        ...     return RepeatedRuns(frame, name=name)
        >>> result = ConfigurationComparison.from_runs(
        ...     {"small": runs("small", [0.5, 0.6, 0.7]), "large": runs("large", [0.9, 1.0, 1.1])})
        >>> result.best, result.summary()["mean"].round(6).tolist()
        ('large', [1.0, 0.6])
    """

    runs: dict[str, RepeatedRuns]
    comparisons: list[Comparison]
    metric: str
    best: str

    @classmethod
    def from_runs(
        cls,
        runs: Mapping[str, RepeatedRuns],
        *,
        pairs: Literal["best", "all"] = "best",
        test: Literal["auto", "wilcoxon", "welch"] = "auto",
    ) -> ConfigurationComparison:
        """Compare runs made with the same seeds: the best against the others, or all pairs."""
        if pairs not in ("best", "all"):
            raise unknown_option("pairs", pairs, ("best", "all"))
        means = {name: float(result.run_scores().mean()) for name, result in runs.items()}
        best = max(means, key=means.__getitem__)  # the first of equal means
        if pairs == "best":
            matches = [(best, name) for name in runs if name != best]
        else:  # the better of the two first, so "better" reads the same way
            matches = [
                (a, b) if means[a] >= means[b] else (b, a)
                for a, b in itertools.combinations(runs, 2)
            ]
        metric = next(iter(runs.values())).metric
        comparisons = [_compare(runs[a], runs[b], a, b, metric, test) for a, b in matches]
        return cls(dict(runs), comparisons, metric, best)

    def summary(self) -> pd.DataFrame:
        """One row per configuration, best first, with its test against the best.

        Columns: ``mean``, ``std``, ``min``, ``max``, ``count`` over the seeds, then
        ``test``, ``p_value`` and ``verdict`` (``"best"``, ``"significantly worse"`` or
        ``"no significant difference"``); the best's row has no test.
        """
        rows = {name: result.summary() for name, result in self.runs.items()}
        table = pd.DataFrame(rows).T.astype({"mean": float, "std": float, "count": int})
        table[["min", "max"]] = table[["min", "max"]].astype(float)
        against = {c.baseline: c for c in self.comparisons if c.model == self.best}
        table["test"] = [against[n].test if n in against else "" for n in table.index]
        table["p_value"] = [against[n].p_value if n in against else np.nan for n in table.index]
        table["verdict"] = [
            "best" if name == self.best else _verdict(against[name], "significantly worse")
            for name in table.index
        ]
        return table.sort_values("mean", ascending=False, kind="stable")

    def summary_line(self) -> str:
        """Which configuration is best, and whether it is significantly better than each other."""
        stats = self.runs[self.best].summary()
        parts = [
            f"best on {self.metric}: '{self.best}' (mean {stats['mean']:.4g} over "
            f"{stats['count']} seeds)"
        ]
        for comparison in self.comparisons:
            if comparison.model == self.best:
                parts.append(
                    f"vs '{comparison.baseline}': {_verdict(comparison, 'significantly better')} "
                    f"({comparison.test} p = {comparison.p_value:.3g})"
                )
        return "; ".join(parts)

    def comparison_records(self) -> list[dict[str, Any]]:
        """The entries of ``comparisons.json``: a, b, test, statistic, p_value, summary."""
        return [
            {
                "a": c.model,
                "b": c.baseline,
                "test": c.test,
                "statistic": _finite_or_none(c.statistic),
                "p_value": _finite_or_none(c.p_value),
                "summary": c.summary_line(),
            }
            for c in self.comparisons
        ]

    def to_frame(self) -> pd.DataFrame:
        """``repeats.csv`` with one score column per configuration, rows by seed (and fold)."""
        frames = [result.to_frame() for result in self.runs.values()]
        keys = [key for key in _KEYS if key in frames[0]]
        table = frames[0][keys].reset_index(drop=True)
        for name, frame in zip(self.runs, frames):  # lined up by run, seed and fold
            table = table.merge(frame.rename(columns={self.metric: name}), on=keys, how="left")
        return table

    def plot(
        self, path: PathLike | None = None, *, overwrite: bool = False, title: str | None = None
    ) -> Figure:
        """Box-and-whisker of every configuration's per-seed scores, side by side."""
        from lstmkit.diagnostics.plots import plot_repeated_runs

        scores = {name: result.run_scores().to_numpy() for name, result in self.runs.items()}
        return plot_repeated_runs(
            scores, metric=self.metric, path=path, overwrite=overwrite, title=title
        )


def _compare(a: RepeatedRuns, b: RepeatedRuns, name_a, name_b, metric, test) -> Comparison:
    return compare_runs(
        a.run_scores().to_dict(),  # keyed by seed: compare_runs pairs them
        b.run_scores().to_dict(),
        model=name_a,
        baseline=name_b,
        metric=metric,
        lower_is_better=False,
        test=test,
    )


def _verdict(comparison: Comparison, significant: str) -> str:
    """``significant`` when the best wins at the comparison's alpha, else no difference."""
    return significant if comparison.verdict == "better" else "no significant difference"


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def compare_configurations(
    estimators: Mapping[str, Any],
    X: Any,
    y: Any,
    n_runs: int | None = None,
    *,
    seeds: Sequence[int] | None = None,
    cv: Any = None,
    scoring: Any = None,
    validation: tuple[Any, Any] | None = None,
    fit_params: Mapping[str, Any] | None = None,
    pairs: Literal["best", "all"] = "best",
    test: Literal["auto", "wilcoxon", "welch"] = "auto",
) -> ConfigurationComparison:
    """Run :func:`repeat` for each configuration with the same seeds, and compare them.

    Every configuration gets the same seeds, folds, scorer and fit arguments, so run
    ``i`` of one pairs with run ``i`` of another. The configuration with the highest
    mean score is compared with every other (``pairs="all"``: every pair) by
    :func:`compare_runs`: Wilcoxon signed-rank from 6 seeds, Welch's t below, with a
    bootstrap interval of the mean difference.

    Args:
        estimators: configuration name to estimator, e.g. ``{"units=8": ..., ...}``.
        X, y, n_runs, seeds, cv, scoring, validation, fit_params: as for :func:`repeat`.
        pairs: ``"best"`` (the best against each other) or ``"all"``.
        test: ``"auto"``, ``"wilcoxon"`` or ``"welch"`` (see :func:`compare_runs`).

    Returns:
        A :class:`ConfigurationComparison`.

    Raises:
        ConfigError: fewer than 2 configurations or seeds, a name that clashes with the
            columns of ``repeats.csv``, and everything :func:`repeat` refuses.

    Example:
        >>> from sklearn.tree import DecisionTreeRegressor
        >>> X = np.arange(40.0).reshape(20, 2) % 7
        >>> result = compare_configurations(
        ...     {"depth 1": DecisionTreeRegressor(max_depth=1),
        ...      "depth 3": DecisionTreeRegressor(max_depth=3)}, X, X.sum(1), n_runs=3)
        >>> result.best, result.comparisons[0].test
        ('depth 3', "Welch's t")
    """
    if not isinstance(estimators, Mapping) or len(estimators) < 2:
        raise ConfigError(
            "estimators must map at least 2 configuration names to estimators, e.g. "
            f"{{'units=8': LSTMRegressor(units=8), 'units=32': LSTMRegressor(units=32)}}, "
            f"got {estimators!r}."
        )
    clashes = [name for name in estimators if not isinstance(name, str) or name in _KEYS]
    if clashes:
        raise ConfigError(
            f"configuration names must be strings other than {list(_KEYS)} (the other "
            f"columns of repeats.csv), got {clashes!r}."
        )
    for name, estimator in estimators.items():
        check_estimator(estimator, f"estimators[{name!r}]")
    if pairs not in ("best", "all"):
        raise unknown_option("pairs", pairs, ("best", "all"))
    if test not in ("auto", "wilcoxon", "welch"):
        raise unknown_option("test", test, ("auto", "wilcoxon", "welch"))
    plan = make_plan(n_runs, seeds, cv, scoring, validation, fit_params, X, y)
    if len(plan.seeds) < 2:
        raise ConfigError(
            f"comparing configurations needs at least 2 seeds, got {plan.seeds}: "
            "e.g. n_runs=5 (6 or more allow the Wilcoxon signed-rank test)."
        )
    runs = {name: _run(estimator, X, y, plan, name) for name, estimator in estimators.items()}
    return ConfigurationComparison.from_runs(runs, pairs=pairs, test=test)
