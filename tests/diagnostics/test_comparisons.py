"""Paired comparisons over seeds against scipy.stats and hand-worked values."""

import re
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from lstmkit.diagnostics import Comparison, compare_runs
from lstmkit.errors import ConfigError, DataError, ShapeError

TOL = 1e-12  # the same scipy call, or float64 arithmetic on a few values


def test_six_or_more_pairs_use_wilcoxon_with_rank_biserial_effect():
    model = np.array([20.1, 18.7, 22.3, 19.5, 19.9, 21.0, 23.9, 20.4])
    baseline = np.array([23.2, 22.0, 22.0, 23.0, 21.5, 24.1, 23.0, 22.8])
    result = compare_runs(model, baseline)
    reference = stats.wilcoxon(model - baseline)
    assert result.test == "Wilcoxon signed-rank" and result.effect_size_name == "rank-biserial r"
    assert result.n_pairs == 8
    assert result.statistic == pytest.approx(reference.statistic, abs=TOL)
    assert result.p_value == pytest.approx(reference.pvalue, abs=TOL)
    # r = (R+ - R-) / (R+ + R-), R+ from scipy's one-sided statistic, R+ + R- = n (n + 1) / 2
    r_plus = stats.wilcoxon(model - baseline, alternative="greater").statistic
    assert result.effect_size == pytest.approx((2 * r_plus - 36) / 36, abs=TOL)
    assert result.mean_difference == pytest.approx(np.mean(model - baseline), abs=TOL)


def test_rank_biserial_is_minus_one_when_the_model_wins_every_pair():
    result = compare_runs([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2.0, 4.0, 6.0, 8.0, 10.0, 12.0])
    assert result.effect_size == -1.0
    assert result.p_value == pytest.approx(2 / 2**6, abs=TOL)  # exact: one of 64 sign patterns
    assert result.verdict == "better"


def test_fewer_than_six_pairs_use_welch_with_cohens_d():
    result = compare_runs([1.0, 2.0, 3.0], [3.0, 4.0, 5.0])
    reference = stats.ttest_ind([1.0, 2.0, 3.0], [3.0, 4.0, 5.0], equal_var=False)
    assert result.test == "Welch's t" and result.effect_size_name == "Cohen's d"
    assert result.statistic == pytest.approx(reference.statistic, abs=TOL)
    assert result.statistic == pytest.approx(-2 / np.sqrt(2 / 3), abs=TOL)  # by hand
    assert result.p_value == pytest.approx(reference.pvalue, abs=TOL)
    assert result.effect_size == pytest.approx(-2.0, abs=TOL)  # means 2 and 4, variances 1


def test_a_deterministic_baseline_reduces_welch_to_a_one_sample_t_test():
    model = [20.1, 18.7, 22.3, 19.5, 19.9]
    result = compare_runs(model, 23.2, model="lstm", baseline="seasonal_naive")
    reference = stats.ttest_1samp(model, 23.2)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-10)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-10)
    assert result.mean_difference == pytest.approx(-3.1, abs=1e-9)


def test_the_test_can_be_named():
    model, baseline = [1.0, 2.5, 3.0, 4.5, 5.0], [2.0, 2.0, 4.0, 5.0, 6.0]
    forced = compare_runs(model, baseline, test="wilcoxon")
    assert forced.test == "Wilcoxon signed-rank"
    assert forced.p_value == pytest.approx(stats.wilcoxon(np.subtract(model, baseline)).pvalue)
    many = np.tile(model, 2), np.tile(baseline, 2)  # 10 pairs
    assert compare_runs(*many, test="welch").test == "Welch's t"


def test_dicts_pair_runs_by_seed_whatever_their_order():
    by_list = compare_runs([1.0, 2.0, 3.0, 7.0], [2.0, 2.5, 5.0, 6.0])
    by_seed = compare_runs(
        {3: 7.0, 0: 1.0, 1: 2.0, 2: 3.0}, {0: 2.0, 1: 2.5, 2: 5.0, 3: 6.0}, random_state=0
    )
    assert by_seed.statistic == pytest.approx(by_list.statistic, abs=TOL)
    assert by_seed.p_value == pytest.approx(by_list.p_value, abs=TOL)
    assert by_seed.mean_difference == pytest.approx(by_list.mean_difference, abs=TOL)


def test_bootstrap_interval_of_two_pairs_spans_their_differences():
    # Resampled means of (a, b) are a, (a+b)/2 or b with chances 1/4, 1/2, 1/4: the 2.5%
    # and 97.5% percentiles are a and b.
    result = compare_runs([1.0, 2.0], [2.0, 5.0])  # differences -1 and -3
    assert (result.ci_low, result.ci_high) == (-3.0, -1.0)


def test_bootstrap_interval_is_seeded_and_agrees_with_scipy():
    rng = np.random.default_rng(7)
    model, baseline = rng.normal(10, 1, 8), rng.normal(11, 1, 8)
    first = compare_runs(model, baseline, n_resamples=20_000, random_state=1)
    again = compare_runs(model, baseline, n_resamples=20_000, random_state=1)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)  # bitwise: same seed
    reference = stats.bootstrap(
        (model - baseline,), np.mean, n_resamples=20_000, method="percentile", rng=2
    ).confidence_interval
    # two Monte Carlo estimates of the same percentiles: within 0.03 (sd of a mean ~ 0.5)
    assert first.ci_low == pytest.approx(reference.low, abs=0.03)
    assert first.ci_high == pytest.approx(reference.high, abs=0.03)
    assert first.ci_low < first.mean_difference < first.ci_high


def test_identical_runs_show_no_difference():
    wilcoxon = compare_runs([1.0] * 6, [1.0] * 6)
    assert (wilcoxon.p_value, wilcoxon.effect_size, wilcoxon.ci_low, wilcoxon.ci_high) == (
        1.0,
        0.0,
        0.0,
        0.0,
    )
    welch = compare_runs([2.0, 2.0, 2.0], 2.0)
    assert (welch.statistic, welch.p_value, welch.verdict) == (0.0, 1.0, "no clear difference")
    apart = compare_runs([1.0, 1.0, 1.0], 2.0)  # constant and different: t is -inf
    assert (apart.statistic, apart.p_value, apart.verdict) == (-np.inf, 0.0, "better")


def test_verdict_follows_the_direction_of_the_metric():
    accuracy = compare_runs([0.9, 0.92, 0.91, 0.93, 0.9, 0.94], 0.8, lower_is_better=False)
    assert accuracy.verdict == "better"
    assert replace(accuracy, lower_is_better=True).verdict == "worse"
    assert replace(accuracy, alpha=0.01).verdict == "no clear difference"  # p = 0.03125


def test_summary_line_says_it_all():
    result = Comparison(
        "lstm",
        "seasonal_naive",
        "RMSE",
        5,
        -3.1,
        -4.06,
        -2.2,
        0.95,
        "Welch's t",
        -6.18,
        0.00348,
        -3.92,
        "Cohen's d",
    )
    assert result.summary_line() == (
        "lstm vs seasonal_naive on RMSE over 5 paired runs: mean difference -3.1 (95% CI "
        "-4.06 to -2.2), Welch's t p = 0.00348, Cohen's d = -3.92: lstm is better"
    )
    unclear = replace(result, p_value=0.2).summary_line()
    assert unclear.endswith("Welch's t p = 0.2, Cohen's d = -3.92: no clear difference")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: compare_runs([1.0], [2.0]),
            DataError,
            "need at least 2 paired runs to compare, got 1: run the model over more seeds "
            "(5 or more).",
        ),
        (
            lambda: compare_runs([1.0, 2.0, 3.0], [1.0, 2.0]),
            ShapeError,
            "model_scores has 3 runs but baseline_scores has 2: runs pair by position (seed i "
            "with seed i); pass one score per seed for both, dicts keyed by seed, or one number "
            "for a deterministic baseline.",
        ),
        (
            lambda: compare_runs({0: 1.0, 1: 2.0}, {0: 1.0, 2: 2.0}),
            DataError,
            "the runs do not pair up by seed: seeds [1] only in model_scores, [2] only in "
            "baseline_scores. Run both over the same seeds.",
        ),
        (
            lambda: compare_runs([1.0, np.nan, 3.0], 2.0),
            DataError,
            "model_scores holds a NaN or infinite score at run 1: a failed run must be rerun "
            "or left out of both sides.",
        ),
        (
            lambda: compare_runs([[1.0, 2.0]], 2.0),
            ShapeError,
            "expected model_scores as one score per run, got shape (1, 2).",
        ),
        (
            lambda: compare_runs([1.0, 2.0], 2.0, test="t-test"),
            ConfigError,
            "unknown test 't-test': expected one of 'auto', 'welch', 'wilcoxon'.",
        ),
        (
            lambda: compare_runs([1.0, 2.0], 2.0, confidence=95),
            ConfigError,
            "confidence must be in (0, 1), got 95: e.g. 0.95.",
        ),
        (
            lambda: compare_runs([1.0, 2.0], 2.0, n_resamples=0),
            ConfigError,
            "n_resamples must be an integer >= 1, got 0.",
        ),
    ],
)
def test_bad_input_gets_an_exact_message(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
