"""Is the model really better than the baseline? Repeated runs, paired by seed.

One run of a stochastic model says little. Run it over seeds, score each run, and
compare the scores with the baseline's run for run (CONTRACTS §10):

```
seed          0      1      2      3      4
model       20.1   18.7   22.3   19.5   19.9      d = model - baseline, per seed
baseline    23.2   23.2   23.2   23.2   23.2      (a deterministic baseline: one number)
d           -3.1   -4.5   -0.9   -3.7   -3.3  ->  test, effect size, bootstrap CI of mean d
```

- n >= 6 pairs: Wilcoxon signed-rank test on the differences (scipy, two-sided), with
  the matched-pairs rank-biserial correlation ``(R+ - R-) / (R+ + R-)`` as effect size
  (Kerby, 2014): -1 when every difference is negative, +1 when every one is positive.
- n < 6: the signed-rank test cannot reach p < 0.05 (its smallest two-sided p is
  2 / 2^n), so Welch's t-test (unequal variances) compares the two samples, with
  Cohen's d over the average variance ``(mean_model - mean_baseline) / sqrt((s1² + s2²) / 2)``.
- Always: a percentile bootstrap confidence interval of the mean difference, resampling
  the pairs (seeded, so the same call gives the same interval).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from lstmkit.errors import ConfigError, DataError, ShapeError, unknown_option

_WILCOXON_MIN_PAIRS = 6
_TESTS = ("auto", "wilcoxon", "welch")


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing a model's runs with a baseline's, pair by pair.

    Attributes:
        model, baseline: the names compared.
        metric: the score compared (``"RMSE"``).
        n_pairs: the number of paired runs.
        mean_difference: mean of ``model - baseline`` over the pairs.
        ci_low, ci_high: bootstrap confidence interval of ``mean_difference``.
        confidence: the interval's level (0.95).
        test: ``"Wilcoxon signed-rank"`` or ``"Welch's t"``.
        statistic, p_value: the test's statistic (scipy's) and two-sided p-value.
        effect_size: rank-biserial r (Wilcoxon) or Cohen's d (Welch), signed like the
            difference.
        effect_size_name: ``"rank-biserial r"`` or ``"Cohen's d"``.
        lower_is_better: True for errors (RMSE), False for accuracies.
        alpha: the significance level the verdict uses.

    Example:
        >>> result = Comparison("lstm", "seasonal_naive", "RMSE", 5, -3.0, -4.2, -1.9, 0.95,
        ...                     "Welch's t", -5.1, 0.007, -3.2, "Cohen's d")
        >>> result.verdict
        'better'
    """

    model: str
    baseline: str
    metric: str
    n_pairs: int
    mean_difference: float
    ci_low: float
    ci_high: float
    confidence: float
    test: str
    statistic: float
    p_value: float
    effect_size: float
    effect_size_name: str
    lower_is_better: bool = True
    alpha: float = 0.05

    @property
    def verdict(self) -> str:
        """``"better"``, ``"worse"`` (the model, at ``alpha``) or ``"no clear difference"``."""
        if not self.p_value < self.alpha or self.mean_difference == 0:
            return "no clear difference"
        improves = (self.mean_difference < 0) == self.lower_is_better
        return "better" if improves else "worse"

    def summary_line(self) -> str:
        """One line for reports.

        Example:
            >>> Comparison("lstm", "seasonal_naive", "RMSE", 5, -3.0, -4.2, -1.9, 0.95,
            ...            "Welch's t", -5.1, 0.007, -3.2, "Cohen's d").summary_line()
            "lstm vs seasonal_naive on RMSE over 5 paired runs: mean difference -3 (95% CI -4.2 to -1.9), Welch's t p = 0.007, Cohen's d = -3.2: lstm is better"
        """
        verdict = (
            "no clear difference"
            if self.verdict == "no clear difference"
            else f"{self.model} is {self.verdict}"
        )
        return (
            f"{self.model} vs {self.baseline} on {self.metric} over {self.n_pairs} paired runs: "
            f"mean difference {self.mean_difference:.4g} ({self.confidence:.0%} CI "
            f"{self.ci_low:.4g} to {self.ci_high:.4g}), {self.test} p = {self.p_value:.3g}, "
            f"{self.effect_size_name} = {self.effect_size:.3g}: {verdict}"
        )


def _scores(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ShapeError(f"expected {name} as one score per run, got shape {array.shape}.")
    bad = ~np.isfinite(array)
    if bad.any():
        raise DataError(
            f"{name} holds a NaN or infinite score at run {int(np.argmax(bad))}: "
            "a failed run must be rerun or left out of both sides."
        )
    return array


def _paired(model_scores: Any, baseline_scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """Line the runs up by seed: two arrays of equal length."""
    if isinstance(model_scores, Mapping) and isinstance(baseline_scores, Mapping):
        only_model = [seed for seed in model_scores if seed not in baseline_scores]
        only_baseline = [seed for seed in baseline_scores if seed not in model_scores]
        if only_model or only_baseline:
            raise DataError(
                f"the runs do not pair up by seed: seeds {only_model} only in model_scores, "
                f"{only_baseline} only in baseline_scores. Run both over the same seeds."
            )
        seeds = list(model_scores)
        model_scores = [model_scores[seed] for seed in seeds]
        baseline_scores = [baseline_scores[seed] for seed in seeds]
    model = _scores(model_scores, "model_scores")
    if np.ndim(baseline_scores) == 0 and not isinstance(baseline_scores, Mapping):
        baseline = np.full_like(model, float(baseline_scores))  # a deterministic baseline
    else:
        baseline = _scores(baseline_scores, "baseline_scores")
    if len(model) != len(baseline):
        raise ShapeError(
            f"model_scores has {len(model)} runs but baseline_scores has {len(baseline)}: "
            "runs pair by position (seed i with seed i); pass one score per seed for both, "
            "dicts keyed by seed, or one number for a deterministic baseline."
        )
    if len(model) < 2:
        raise DataError(
            f"need at least 2 paired runs to compare, got {len(model)}: run the model over "
            "more seeds (5 or more)."
        )
    return model, baseline


def _wilcoxon(differences: np.ndarray) -> tuple[float, float, float]:
    """Statistic, p-value and rank-biserial correlation of the signed-rank test."""
    nonzero = differences[differences != 0]  # scipy's default drops zero differences too
    if nonzero.size == 0:
        return 0.0, 1.0, 0.0
    result = stats.wilcoxon(differences)
    ranks = stats.rankdata(np.abs(nonzero))
    positive, total = ranks[nonzero > 0].sum(), ranks.sum()
    return float(result.statistic), float(result.pvalue), float((2 * positive - total) / total)


def _welch(model: np.ndarray, baseline: np.ndarray) -> tuple[float, float, float]:
    """Statistic, p-value and Cohen's d (average variance) of Welch's t-test."""
    gap = float(model.mean() - baseline.mean())
    spread = float(np.sqrt((model.var(ddof=1) + baseline.var(ddof=1)) / 2))
    if spread == 0:  # both sides constant: t is 0 or infinite, where scipy returns NaN
        if gap == 0:
            return 0.0, 1.0, 0.0
        infinite = float(np.copysign(np.inf, gap))
        return infinite, 0.0, infinite
    with warnings.catch_warnings():
        # A deterministic baseline is constant: its variance is exactly 0, not a precision loss.
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        result = stats.ttest_ind(model, baseline, equal_var=False)
    return float(result.statistic), float(result.pvalue), gap / spread


def _bootstrap_interval(
    differences: np.ndarray, confidence: float, n_resamples: int, random_state: int | None
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, resampling the pairs with replacement."""
    rng = np.random.default_rng(random_state)
    picks = rng.integers(0, len(differences), size=(n_resamples, len(differences)))
    means = differences[picks].mean(axis=1)  # (n_resamples,)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def compare_runs(
    model_scores: Any,
    baseline_scores: Any,
    *,
    model: str = "model",
    baseline: str = "baseline",
    metric: str = "RMSE",
    lower_is_better: bool = True,
    test: Literal["auto", "wilcoxon", "welch"] = "auto",
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    random_state: int | None = 0,
) -> Comparison:
    """Compare a model's scores over seeds with a baseline's, paired by seed.

    Args:
        model_scores: one score per run: a list (paired by position) or a dict keyed by seed.
        baseline_scores: the same for the baseline, or one number when it is deterministic.
        model, baseline, metric: names for the summary.
        lower_is_better: True for errors, False for accuracies (sets the verdict only).
        test: ``"auto"`` (Wilcoxon when n >= 6, else Welch), ``"wilcoxon"`` or ``"welch"``.
        confidence: the bootstrap interval's level, in (0, 1).
        n_resamples: bootstrap resamples.
        random_state: the bootstrap's seed.

    Returns:
        A :class:`Comparison`; ``summary_line()`` says it in one line.

    Raises:
        ConfigError: unknown ``test``, ``confidence`` outside (0, 1), ``n_resamples`` < 1.
        ShapeError: the two sides have different numbers of runs.
        DataError: seeds that do not pair up, NaN/inf scores, or fewer than 2 pairs.

    Example:
        >>> result = compare_runs([20.1, 18.7, 22.3, 19.5, 19.9], 23.2, model="lstm",
        ...                       baseline="seasonal_naive")
        >>> result.test, round(result.mean_difference, 2), result.verdict
        ("Welch's t", -3.1, 'better')
    """
    if test not in _TESTS:
        raise unknown_option("test", test, _TESTS)
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be in (0, 1), got {confidence!r}: e.g. 0.95.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 1:
        raise ConfigError(f"n_resamples must be an integer >= 1, got {n_resamples!r}.")
    scores, reference = _paired(model_scores, baseline_scores)
    differences = scores - reference  # (n_pairs,)
    use_wilcoxon = test == "wilcoxon" or (
        test == "auto" and len(differences) >= _WILCOXON_MIN_PAIRS
    )
    if use_wilcoxon:
        statistic, p_value, effect = _wilcoxon(differences)
    else:
        statistic, p_value, effect = _welch(scores, reference)
    low, high = _bootstrap_interval(differences, confidence, n_resamples, random_state)
    return Comparison(
        model=model,
        baseline=baseline,
        metric=metric,
        n_pairs=len(differences),
        mean_difference=float(differences.mean()),
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        test="Wilcoxon signed-rank" if use_wilcoxon else "Welch's t",
        statistic=statistic,
        p_value=p_value,
        effect_size=effect,
        effect_size_name="rank-biserial r" if use_wilcoxon else "Cohen's d",
        lower_is_better=lower_is_better,
    )
