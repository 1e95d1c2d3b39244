"""Compare configurations run for run: the same seeds, paired, with a named test.

``compare_configurations`` runs :func:`~lstmkit.diagnostics.repeat` for every
configuration with the same seeds (and folds), so each seed's scores pair up, and hands
the pairs to :func:`~lstmkit.diagnostics.compare_runs` (Wilcoxon signed-rank from 6
seeds, Welch's t below, with a bootstrap confidence interval).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from lstmkit.diagnostics._repeat_scoring import check_estimator, make_plan
from lstmkit.diagnostics.comparisons import Comparison, compare_runs
from lstmkit.diagnostics.repeated_runs import KEYS, RepeatedRuns, run_repeats
from lstmkit.errors import ConfigError, unknown_option

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]


@dataclass
class ConfigurationComparison:
    """Several configurations run over the same seeds, and their paired comparisons.

    Attributes:
        runs: configuration name to its :class:`RepeatedRuns`.
        comparisons: the best against every other (or every pair), best first in each;
            their ``p_value`` is the test's own.
        metric: the score's name; greater is better.
        best: the configuration with the highest mean score.
        correction: ``"holm"`` (the default) or ``"none"``: how the p-values are adjusted
            for making several comparisons at once.
        adjusted_p_values: one per comparison; the verdicts use these.

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
    correction: str = "holm"
    adjusted_p_values: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.adjusted_p_values:
            self.adjusted_p_values = adjust_p_values(
                [c.p_value for c in self.comparisons], self.correction
            )

    @classmethod
    def from_runs(
        cls,
        runs: Mapping[str, RepeatedRuns],
        *,
        pairs: Literal["best", "all"] = "best",
        test: Literal["auto", "wilcoxon", "welch"] = "auto",
        correction: Literal["holm", "none"] = "holm",
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
        return cls(dict(runs), comparisons, metric, best, correction)

    def summary(self) -> pd.DataFrame:
        """One row per configuration, best first, with its test against the best.

        Columns: ``mean``, ``std``, ``min``, ``max``, ``count`` over the seeds, then
        ``test``, ``p_value``, ``p_adjusted`` (see ``correction``) and ``verdict``
        (``"best"``, ``"significantly worse"`` or ``"no significant difference"``, read
        from ``p_adjusted``); the best's row has no test.
        """
        rows = {name: result.summary() for name, result in self.runs.items()}
        table = pd.DataFrame(rows).T.astype({"mean": float, "std": float, "count": int})
        table[["min", "max"]] = table[["min", "max"]].astype(float)
        against = {c.baseline: c for c in self._adjusted() if c.model == self.best}
        raw = {c.baseline: c.p_value for c in self.comparisons if c.model == self.best}
        table["test"] = [against[n].test if n in against else "" for n in table.index]
        table["p_value"] = [raw.get(n, np.nan) for n in table.index]
        table["p_adjusted"] = [against[n].p_value if n in against else np.nan for n in table.index]
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
        for comparison, adjusted in zip(self.comparisons, self._adjusted()):
            if comparison.model == self.best:
                note = (
                    f", {self.correction.capitalize()}-adjusted {adjusted.p_value:.3g}"
                    if len(self.comparisons) > 1 and self.correction != "none"
                    else ""
                )
                parts.append(
                    f"vs '{comparison.baseline}': {_verdict(adjusted, 'significantly better')} "
                    f"({comparison.test} p = {comparison.p_value:.3g}{note})"
                )
        return "; ".join(parts)

    def _adjusted(self) -> list[Comparison]:
        """The comparisons with their adjusted p-values, so their verdicts use those."""
        return [
            dataclasses.replace(comparison, p_value=adjusted)
            for comparison, adjusted in zip(self.comparisons, self.adjusted_p_values)
        ]

    def comparison_records(self) -> list[dict[str, Any]]:
        """The entries of ``comparisons.json``: a, b, test, statistic, p_value, summary."""
        return [
            {
                "a": c.model,
                "b": c.baseline,
                "test": c.test,
                "statistic": _finite_or_none(c.statistic),
                "p_value": _finite_or_none(c.p_value),
                "p_adjusted": _finite_or_none(adjusted),
                "summary": c.summary_line(),
            }
            for c, adjusted in zip(self.comparisons, self.adjusted_p_values)
        ]

    def to_frame(self) -> pd.DataFrame:
        """``repeats.csv`` with one score column per configuration, rows by seed (and fold)."""
        frames = [result.to_frame() for result in self.runs.values()]
        keys = [key for key in KEYS if key in frames[0]]
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


def adjust_p_values(p_values: Sequence[float], correction: str = "holm") -> list[float]:
    """p-values adjusted for testing several hypotheses at once (Holm's step-down).

    Holm: sort the m p-values, multiply the i-th smallest by (m - i + 1), cap at 1 and
    keep the sequence non-decreasing. It holds the chance of any false "significant" at
    alpha, like Bonferroni, but rejects more. ``"none"`` returns them unchanged.

    Example:
        >>> adjust_p_values([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    if correction not in ("holm", "none"):
        raise unknown_option("correction", correction, ("holm", "none"))
    values = [float(p) for p in p_values]
    if correction == "none" or len(values) < 2:
        return values
    order = sorted(range(len(values)), key=lambda i: (np.isnan(values[i]), values[i]))
    adjusted, running = [np.nan] * len(values), 0.0
    for rank, index in enumerate(order):
        if np.isnan(values[index]):
            continue
        running = max(running, min(1.0, (len(values) - rank) * values[index]))
        adjusted[index] = round(running, 15)  # (m - i + 1) * p in floats: 0.03 not 0.0300..04
    return adjusted


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
    correction: Literal["holm", "none"] = "holm",
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
        correction: ``"holm"`` adjusts the p-values for making several comparisons (the
            more configurations, the likelier one looks significant by chance);
            ``"none"`` keeps each test's own.

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
    clashes = [name for name in estimators if not isinstance(name, str) or name in KEYS]
    if clashes:
        raise ConfigError(
            f"configuration names must be strings other than {list(KEYS)} (the other "
            f"columns of repeats.csv), got {clashes!r}."
        )
    for name, estimator in estimators.items():
        check_estimator(estimator, f"estimators[{name!r}]")
    if pairs not in ("best", "all"):
        raise unknown_option("pairs", pairs, ("best", "all"))
    if test not in ("auto", "wilcoxon", "welch"):
        raise unknown_option("test", test, ("auto", "wilcoxon", "welch"))
    if correction not in ("holm", "none"):
        raise unknown_option("correction", correction, ("holm", "none"))
    plan = make_plan(n_runs, seeds, cv, scoring, validation, fit_params, X, y)
    if len(plan.seeds) < 2:
        raise ConfigError(
            f"comparing configurations needs at least 2 seeds, got {plan.seeds}: "
            "e.g. n_runs=5 (6 or more allow the Wilcoxon signed-rank test)."
        )
    runs = {
        name: run_repeats(estimator, X, y, plan, name) for name, estimator in estimators.items()
    }
    return ConfigurationComparison.from_runs(runs, pairs=pairs, test=test, correction=correction)
