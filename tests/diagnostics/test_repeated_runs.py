"""Repeated runs and configuration comparisons, checked by hand on a fake estimator.

``SeedScore`` scores ``offset + seed / 10 + mean(y) / 100 + n_train / 1000``: every
score, mean and spread below follows from that formula and the seeds. One real
LSTMRegressor test checks that the same seeds give bitwise the same scores.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from matplotlib import _pylab_helpers
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold

from lstmkit.diagnostics import (
    ConfigurationComparison,
    RepeatedRuns,
    compare_configurations,
    compare_runs,
    repeat,
)
from lstmkit.errors import ConfigError

TOL = 1e-12  # float64 sums of a few numbers
X = np.zeros((12, 3, 1))
Y = np.arange(12.0)  # mean 5.5


class SeedScore(BaseEstimator):
    """A model whose score is a known function of its seed, its data and its offset."""

    def __init__(self, offset=0.0, random_state=None, fail_on_seed=None):
        self.offset = offset
        self.random_state = random_state
        self.fail_on_seed = fail_on_seed

    def fit(self, X, y, weight=0.0):
        if self.random_state == self.fail_on_seed:
            raise RuntimeError("the loss became NaN")
        self.n_train_, self.weight_ = len(X), weight
        self.history_ = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.3]}
        return self

    def predict(self, X):
        return np.full(len(X), self.offset + self.random_state)

    def score(self, X, y):
        return (
            self.offset
            + self.random_state / 10
            + np.mean(y) / 100
            + self.n_train_ / 1000
            + self.weight_
        )


class NoHistory(SeedScore):
    def fit(self, X, y):
        super().fit(X, y)
        del self.history_
        return self


class NoSeed(BaseEstimator):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        return self


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = _pylab_helpers.Gcf.get_num_fig_managers()
    yield
    assert _pylab_helpers.Gcf.get_num_fig_managers() == before


# ---------------------------------------------------------------- repeat


def test_each_seed_fits_a_clone_and_the_summary_is_worked_by_hand():
    runs = repeat(SeedScore(offset=1.0), X, Y, n_runs=5)
    expected = 1.0 + np.arange(5) / 10 + 5.5 / 100 + 12 / 1000  # scored on the training data
    assert runs.scores.columns.tolist() == ["run", "seed", "score", "fit_seconds", "epochs"]
    assert runs.scores["seed"].tolist() == [0, 1, 2, 3, 4] == runs.seeds
    np.testing.assert_allclose(runs.scores["score"], expected, rtol=0, atol=TOL)
    summary = runs.summary()
    assert summary["mean"] == pytest.approx(1.2 + 0.067, abs=TOL)
    assert summary["std"] == pytest.approx(np.sqrt(0.1 / 4), abs=TOL)  # ddof=1 by hand
    assert summary["min"] == pytest.approx(1.067, abs=TOL)
    assert summary["max"] == pytest.approx(1.467, abs=TOL)
    assert summary["count"] == 5
    assert runs.summary_line() == (
        "SeedScore: score over 5 runs (seeds 0, 1, 2, 3, 4): mean 1.267 ± 0.16 (std), "
        "min 1.067, max 1.467"
    )
    assert runs.notes == [
        "scored on the training data (no cv, no validation): the scores measure fit, not "
        "skill on unseen data; pass validation=(X_val, y_val) or cv=3."
    ]
    assert runs.scores["epochs"].tolist() == [3] * 5
    assert runs.histories[0] == {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.3]}


def test_ten_runs_by_default_and_seeds_can_be_named():
    assert repeat(SeedScore(), X, Y).seeds == list(range(10))
    runs = repeat(SeedScore(), X, Y, seeds=[3, 7])
    assert runs.scores["run"].tolist() == [0, 1] and runs.seeds == [3, 7]
    np.testing.assert_allclose(runs.scores["score"], [0.3 + 0.067, 0.7 + 0.067], rtol=0, atol=TOL)


def test_validation_data_is_scored_instead_of_the_training_data():
    runs = repeat(SeedScore(), X, Y, n_runs=2, validation=(X[:4], np.full(4, 50.0)))
    np.testing.assert_allclose(runs.scores["score"], [0.512, 0.612], rtol=0, atol=TOL)
    assert runs.notes == ["scored on validation data (4 samples)."]


def test_an_integer_cv_is_a_time_series_split_shared_by_every_seed():
    # TimeSeriesSplit(2) on 12 samples: train 0-3 / test 4-7, train 0-7 / test 8-11.
    runs = repeat(SeedScore(), X, Y, n_runs=2, cv=2)
    fold_scores = [5.5 / 100 + 4 / 1000, 9.5 / 100 + 8 / 1000]  # mean(y_test), n_train
    assert runs.scores["fold"].tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(
        runs.scores["score"], [0.0 + fold_scores[0], 0.0 + fold_scores[1],
                               0.1 + fold_scores[0], 0.1 + fold_scores[1]],
        rtol=0, atol=TOL,
    )  # fmt: skip
    per_seed = runs.run_scores()
    assert per_seed.index.tolist() == [0, 1]
    np.testing.assert_allclose(per_seed, np.array([0.0, 0.1]) + np.mean(fold_scores), atol=TOL)
    assert runs.folds == 2 and runs.summary()["count"] == 2
    assert runs.notes == [
        "scored on the test fold of TimeSeriesSplit(n_splits=2); every seed used the same folds."
    ]
    assert runs.summary_line().endswith(
        f"(seeds 0, 1, each the mean over 2 folds): mean {0.05 + np.mean(fold_scores):.4g} "
        "± 0.071 (std), min 0.081, max 0.181"
    )
    assert runs.to_frame().columns.tolist() == ["run", "seed", "fold", "score"]


def test_any_splitter_works_and_ragged_sequences_are_sliced_as_lists():
    ragged = [np.zeros((length, 1)) for length in range(1, 10)]
    runs = repeat(SeedScore(), ragged, np.arange(9.0), n_runs=1, cv=KFold(3))
    # KFold(3) on 9 samples: test 0-2, 3-5, 6-8 (means 1, 4, 7), trained on 6 each
    np.testing.assert_allclose(
        runs.scores["score"], np.array([1.0, 4.0, 7.0]) / 100 + 6 / 1000, rtol=0, atol=TOL
    )


def test_a_scorer_name_follows_scikit_learns_greater_is_better_rule():
    runs = repeat(SeedScore(offset=2.0), X, Y, n_runs=2, scoring="neg_mean_absolute_error")
    # predict is offset + seed everywhere: |y - 2| and |y - 3| averaged over y = 0..11
    expected = [-np.mean(np.abs(Y - 2.0)), -np.mean(np.abs(Y - 3.0))]
    np.testing.assert_allclose(runs.scores["score"], expected, rtol=0, atol=TOL)
    assert runs.metric == "neg_mean_absolute_error"
    assert runs.to_frame().columns.tolist() == ["run", "seed", "neg_mean_absolute_error"]


def test_a_callable_scorer_is_named_after_its_function():
    def seed_only(estimator, X, y):
        return float(estimator.random_state)

    runs = repeat(SeedScore(), X, Y, n_runs=3, scoring=seed_only)
    assert runs.metric == "seed_only" and runs.scores["score"].tolist() == [0.0, 1.0, 2.0]
    anonymous = repeat(SeedScore(), X, Y, n_runs=1, scoring=lambda e, X, y: 1.0)
    assert anonymous.metric == "score"


def test_fit_params_reach_every_fit():
    runs = repeat(SeedScore(), X, Y, n_runs=2, fit_params={"weight": 10.0})
    np.testing.assert_allclose(runs.scores["score"], [10.067, 10.167], rtol=0, atol=TOL)


def test_an_estimator_without_history_leaves_epochs_missing():
    runs = repeat(NoHistory(), X, Y, n_runs=2)
    assert runs.scores["epochs"].isna().all() and runs.histories == [{}, {}]


def test_a_failing_run_keeps_its_error_and_says_which_run_it_was():
    with pytest.raises(RuntimeError, match="the loss became NaN") as caught:
        repeat(SeedScore(fail_on_seed=2), X, Y, n_runs=3)
    assert caught.value.__notes__ == ["raised in repeat() run 2 (seed 2) of SeedScore"]


def test_one_run_has_no_spread():
    runs = repeat(SeedScore(), X, Y, n_runs=1)
    assert np.isnan(runs.summary()["std"])
    assert runs.summary_line() == (
        "SeedScore: score over 1 run (seeds 0): mean 0.067, min 0.067, max 0.067"
    )


def test_plot_draws_one_box_over_the_seeds(tmp_path):
    runs = repeat(SeedScore(), X, Y, n_runs=4, name="tiny")
    figure = runs.plot(tmp_path / "runs.png")
    ax = figure.axes[0]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["tiny"]
    assert ax.get_title() == "score over 4 runs"
    assert (tmp_path / "runs.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_runs": 0}, "n_runs must be a whole number >= 1, got 0: e.g. n_runs=10."),
        (
            {"seeds": [1, 2, 1]},
            "seeds [1] appear more than once: runs pair up by seed, so each seed must be distinct.",
        ),
        (
            {"seeds": [0, -1]},
            "seeds must be non-negative whole numbers, got [0, -1]: e.g. seeds=range(10).",
        ),
        (
            {"n_runs": 3, "seeds": [0, 1]},
            "n_runs=3 but 2 seeds were given: pass one of them, or both agreeing.",
        ),
        ({"cv": 1}, "cv must be at least 2 folds, got 1: e.g. cv=3."),
        (
            {"cv": 2, "validation": (X, Y)},
            "validation and cv were both given: with cv every run is scored on its test "
            "fold; pass one of them.",
        ),
        (
            {"scoring": "neg_mean_absolute_eror"},
            "unknown scoring 'neg_mean_absolute_eror': expected a scikit-learn scorer name "
            "(sklearn.metrics.get_scorer_names()), a callable(estimator, X, y) or None for "
            "estimator.score. Did you mean 'neg_mean_absolute_error'?",
        ),
        (
            {"fit_params": ["weight"]},
            "fit_params must be a dict of keyword arguments for fit, got list: e.g. "
            "fit_params={'sample_weight': weights}.",
        ),
    ],
)
def test_bad_options_are_refused_before_any_fit(options, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        repeat(SeedScore(fail_on_seed=0), X, Y, **options)  # a fit would raise RuntimeError


def test_an_estimator_without_random_state_is_refused():
    message = (
        "estimator NoSeed has no random_state parameter: repeat() sets random_state to each "
        "seed; give the estimator a random_state keyword."
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        repeat(NoSeed(), X, Y)


# ---------------------------------------------------------------- compare_configurations


def configurations():
    return {"plain": SeedScore(), "best": SeedScore(offset=1.0), "close": SeedScore(offset=0.05)}


def test_configurations_run_the_same_seeds_and_the_best_is_compared_with_each_other():
    result = compare_configurations(configurations(), X, Y, n_runs=5)
    assert result.best == "best"
    assert all(runs.seeds == [0, 1, 2, 3, 4] for runs in result.runs.values())
    assert [(c.model, c.baseline) for c in result.comparisons] == [
        ("best", "plain"),
        ("best", "close"),
    ]
    first = result.comparisons[0]
    # 5 pairs: Welch's t. Equal spreads (var 0.025 each) and a gap of exactly 1:
    # t = 1 / sqrt(0.025 / 5 + 0.025 / 5) = 10.
    assert first.test == "Welch's t" and first.statistic == pytest.approx(10.0, abs=1e-9)
    best, plain = result.runs["best"].run_scores(), result.runs["plain"].run_scores()
    scipy_p = stats.ttest_ind(best, plain, equal_var=False).pvalue
    assert first.p_value == pytest.approx(scipy_p, abs=TOL)
    assert first.lower_is_better is False and first.verdict == "better"
    close_p = result.comparisons[1].p_value
    # Holm over the two comparisons: the smaller p doubled, the larger kept (but not below it)
    small, large = sorted([scipy_p, close_p])
    holm = {small: 2 * small, large: max(2 * small, large)}
    assert result.adjusted_p_values == pytest.approx([holm[scipy_p], holm[close_p]], abs=TOL)
    assert result.summary_line() == (
        "best on score: 'best' (mean 1.267 over 5 seeds); "
        f"vs 'plain': significantly better (Welch's t p = {scipy_p:.3g}, "
        f"Holm-adjusted {holm[scipy_p]:.3g}); "
        f"vs 'close': significantly better (Welch's t p = {close_p:.3g}, "
        f"Holm-adjusted {holm[close_p]:.3g})"
    )


def test_six_seeds_use_the_wilcoxon_test():
    result = compare_configurations(configurations(), X, Y, n_runs=6)
    # every pair differs by the same positive amount: the exact p is 2 / 2^6
    assert result.comparisons[0].test == "Wilcoxon signed-rank"
    assert result.comparisons[0].p_value == pytest.approx(2 / 2**6, abs=TOL)


def test_the_summary_table_ranks_configurations_with_their_test_against_the_best():
    result = compare_configurations(configurations(), X, Y, n_runs=5)
    table = result.summary()
    assert table.index.tolist() == ["best", "close", "plain"]
    np.testing.assert_allclose(table["mean"], [1.267, 0.317, 0.267], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["std"], [np.sqrt(0.025)] * 3, rtol=0, atol=TOL)
    assert table["count"].tolist() == [5, 5, 5]
    assert table["verdict"].tolist() == ["best", "significantly worse", "significantly worse"]
    assert np.isnan(table.loc["best", "p_value"]) and table.loc["best", "test"] == ""


def test_holm_turns_a_lucky_p_among_several_into_no_significant_difference():
    from lstmkit.diagnostics import Comparison, ConfigurationComparison
    from lstmkit.diagnostics.configuration_comparison import adjust_p_values

    def compared(baseline, p_value):
        return Comparison(
            "best",
            baseline,
            "score",
            6,
            0.1,
            0.0,
            0.2,
            0.95,
            "Wilcoxon",
            0.0,
            p_value,
            0.5,
            "r",
            lower_is_better=False,
        )

    # four comparisons: 0.02 alone would pass at 0.05, but 4 x 0.02 = 0.08 does not
    comparisons = [compared(name, p) for name, p in zip("abcd", [0.02, 0.3, 0.5, 0.9])]
    runs = {name: None for name in ("best", "a", "b", "c", "d")}
    result = ConfigurationComparison(runs, comparisons, "score", "best")
    assert result.adjusted_p_values == pytest.approx([0.08, 0.9, 1.0, 1.0], abs=1e-12)
    unadjusted = ConfigurationComparison(runs, comparisons, "score", "best", correction="none")
    assert unadjusted.adjusted_p_values == [0.02, 0.3, 0.5, 0.9]
    assert adjust_p_values([0.01, 0.04, 0.03]) == [0.03, 0.06, 0.06]  # Holm by hand
    with pytest.raises(ConfigError, match=re.escape("unknown correction 'bonf'")):
        adjust_p_values([0.1, 0.2], "bonf")


def test_a_difference_within_the_noise_is_not_significant():
    wobbly = {"a": SeedScore(), "b": SeedScore(offset=0.001)}
    result = compare_configurations(wobbly, X, Y, seeds=[0, 1, 2])
    # same spread, means 0.001 apart: Welch's t = 0.001 / sqrt(2 * 0.01 / 3) ~ 0.012
    assert result.comparisons[0].verdict == "no clear difference"
    assert "no significant difference" in result.summary_line()


def test_all_pairs_put_the_better_of_each_pair_first():
    result = compare_configurations(configurations(), X, Y, n_runs=3, pairs="all")
    assert [(c.model, c.baseline) for c in result.comparisons] == [
        ("best", "plain"),
        ("close", "plain"),
        ("best", "close"),
    ]


def test_the_records_follow_the_run_directory_formats():
    result = compare_configurations(configurations(), X, Y, n_runs=3, cv=2)
    frame = result.to_frame()
    assert frame.columns.tolist() == ["run", "seed", "fold", "plain", "best", "close"]
    assert frame["seed"].tolist() == [0, 0, 1, 1, 2, 2]
    np.testing.assert_allclose(frame["best"] - frame["plain"], 1.0, rtol=0, atol=TOL)
    records = json.loads(json.dumps(result.comparison_records(), allow_nan=False))
    assert [sorted(record) for record in records] == [
        ["a", "b", "p_adjusted", "p_value", "statistic", "summary", "test"]
    ] * 2
    assert records[0]["summary"] == result.comparisons[0].summary_line()


def test_from_runs_compares_runs_made_elsewhere():
    made = {
        "x": RepeatedRuns(pd_frame([0.5, 0.6, 0.7]), name="x"),
        "y": RepeatedRuns(pd_frame([0.9, 1.0, 1.1]), name="y"),
    }
    result = ConfigurationComparison.from_runs(made)
    reference = compare_runs(
        [0.9, 1.0, 1.1], [0.5, 0.6, 0.7], model="y", baseline="x", metric="score",
        lower_is_better=False,
    )  # fmt: skip
    assert result.best == "y" and result.comparisons == [reference]


def pd_frame(scores):
    import pandas as pd

    return pd.DataFrame({"run": range(len(scores)), "seed": range(len(scores)), "score": scores})


def test_comparison_plot_draws_one_box_per_configuration():
    result = compare_configurations(configurations(), X, Y, n_runs=3)
    labels = [label.get_text() for label in result.plot().axes[0].get_xticklabels()]
    assert labels == ["plain", "best", "close"]


@pytest.mark.parametrize(
    ("estimators", "options", "message"),
    [
        (
            {"only": SeedScore()},
            {},
            "estimators must map at least 2 configuration names to estimators",
        ),
        (
            {"seed": SeedScore(), "b": SeedScore()},
            {},
            "configuration names must be strings other than ['run', 'seed', 'fold'] (the "
            "other columns of repeats.csv), got ['seed'].",
        ),
        (
            {"a": SeedScore(), "b": SeedScore()},
            {"n_runs": 1},
            "comparing configurations needs at least 2 seeds, got [0]: e.g. n_runs=5 (6 or "
            "more allow the Wilcoxon signed-rank test).",
        ),
        (
            {"a": SeedScore(), "b": SeedScore()},
            {"pairs": "every"},
            "unknown pairs 'every': expected one of 'all', 'best'.",
        ),
        (
            {"a": SeedScore(), "b": NoSeed()},
            {},
            "estimators['b'] NoSeed has no random_state parameter",
        ),
    ],
)
def test_bad_configurations_are_refused_before_any_fit(estimators, options, message):
    for estimator in estimators.values():
        if isinstance(estimator, SeedScore):
            estimator.set_params(fail_on_seed=0)  # a fit would raise RuntimeError
    with pytest.raises(ConfigError, match=re.escape(message)):
        compare_configurations(estimators, X, Y, **options)


# ---------------------------------------------------------------- a real LSTM


@pytest.mark.usefixtures("one_torch_thread")
def test_the_same_seeds_give_bitwise_the_same_lstm_scores():
    from lstmkit import LSTMRegressor

    rng = np.random.default_rng(0)
    X_real = rng.normal(size=(40, 5, 1)).astype("float32")
    y_real = X_real[:, -1, 0]
    model = LSTMRegressor(units=4, epochs=2, batch_size=8, random_state=123)
    first = repeat(model, X_real, y_real, n_runs=2)
    again = repeat(model, X_real, y_real, n_runs=2)
    assert first.scores["score"].tolist() == again.scores["score"].tolist()  # bitwise
    assert first.scores["score"][0] != first.scores["score"][1]  # the seed matters
    assert first.scores["epochs"].tolist() == [2, 2]
    assert [len(history["loss"]) for history in first.histories] == [2, 2]
    assert model.random_state == 123 and not hasattr(model, "history_")  # cloned, untouched
