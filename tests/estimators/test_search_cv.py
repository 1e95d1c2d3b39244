"""Every estimator inside scikit-learn's searches, folded in time order (CONTRACTS §6).

Each search has one setting that cannot learn (a learning rate of 1e-7 barely moves the
weights in a few epochs): the search must train and score every fold to rank it last, so
a search that only ran, or scored nothing, fails here.
"""

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.base import clone
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
    cross_val_score,
)

import lstmkit
from lstmkit.problems import echo

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FROZEN = 1e-7  # a learning rate too small to learn anything in a few epochs


class RecordingSplit(TimeSeriesSplit):
    """TimeSeriesSplit that keeps the folds it handed out, to check their order."""

    def split(self, X, y=None, groups=None):
        self.folds = list(super().split(X, y, groups))
        return iter(self.folds)


def _running_mean(n_samples: int, steps: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """The mean of each sample's steps: a target any working LSTM learns in seconds."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, steps, 1)).astype(np.float32)
    return X, X.mean(axis=(1, 2))


def test_regressor_grid_search_ranks_the_frozen_learning_rate_last():
    X, y = _running_mean(240)
    estimator = lstmkit.LSTMRegressor(units=8, epochs=6, batch_size=16, random_state=0)
    folds = RecordingSplit(n_splits=2)
    search = GridSearchCV(
        estimator,
        {"learning_rate": [FROZEN, 0.02], "units": [4, 8]},
        cv=folds,
        scoring="neg_mean_squared_error",
    )
    search.fit(X, y)
    assert search.best_params_["learning_rate"] == 0.02
    frozen = np.array(search.cv_results_["param_learning_rate"]) == FROZEN
    # Every frozen setting ranks below every learning one, on the mean over 2 folds.
    assert search.cv_results_["rank_test_score"][frozen].min() > 2
    assert all(max(train) < min(test) for train, test in folds.folds)  # past trains, future tests
    assert search.best_estimator_.predict(X[:5]).shape == (5,)


def test_regressor_randomized_search_samples_distributions_and_tbptt_settings():
    X, _ = _running_mean(160, steps=8)
    y = np.cumsum(X[..., 0], axis=1) / np.arange(1, 9)  # the running mean at every step
    estimator = lstmkit.LSTMRegressor(
        units=4, epochs=2, batch_size=16, return_sequences=True, random_state=0
    )
    distributions = {
        "learning_rate": loguniform(1e-3, 3e-2),
        "units": randint(2, 9),
        "tbptt": [None, lstmkit.TBPTT(4, 4)],
    }
    search = RandomizedSearchCV(
        estimator, distributions, n_iter=3, cv=TimeSeriesSplit(n_splits=2), random_state=0
    )
    search.fit(X, y)
    sampled = search.cv_results_["params"]
    assert len(sampled) == 3
    assert all(1e-3 <= p["learning_rate"] <= 3e-2 and 2 <= p["units"] <= 8 for p in sampled)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()  # no fit failed
    assert {str(p["tbptt"]) for p in sampled} == {"None", str(lstmkit.TBPTT(4, 4))}


def test_classifier_randomized_search_over_architecture_and_learning_rate():
    X, y = echo.make(240, random_state=0)
    estimator = lstmkit.LSTMClassifier(units=16, epochs=6, batch_size=16, random_state=0)
    search = RandomizedSearchCV(
        estimator,
        {"learning_rate": [FROZEN, 0.02], "architecture": ["vanilla", "stacked"]},
        n_iter=4,
        cv=TimeSeriesSplit(n_splits=2),
        random_state=0,
    )
    search.fit(X, y)
    assert search.best_params_["learning_rate"] == 0.02
    frozen = np.array(search.cv_results_["param_learning_rate"]) == FROZEN
    learning_scores = search.cv_results_["mean_test_score"][~frozen]
    # Echo after 6 epochs on 80-160 samples: well above chance (0.1), above every frozen one.
    assert learning_scores.min() > 0.2
    assert learning_scores.min() > search.cv_results_["mean_test_score"][frozen].max()


def test_cross_val_score_clones_and_does_not_touch_the_template():
    X, y = _running_mean(120)
    estimator = lstmkit.LSTMRegressor(units=4, epochs=1, random_state=0)
    scores = cross_val_score(estimator, X, y, cv=TimeSeriesSplit(n_splits=2))
    assert scores.shape == (2,) and np.isfinite(scores).all()
    assert not hasattr(estimator, "module_")  # the template stays unfitted
    assert clone(estimator).get_params() == estimator.get_params()


def test_generator_grid_search_over_documents():
    documents = ["abcabcabcabcabc", "abcabcabcabcabcabc", "abcabcabcabc", "abcabcabcabcabca"]
    estimator = lstmkit.LSTMGenerator(units=8, seq_length=4, epochs=15, random_state=0)
    search = GridSearchCV(
        estimator, {"learning_rate": [FROZEN, 0.05]}, cv=TimeSeriesSplit(n_splits=2)
    )
    search.fit(documents)
    # Held-out log-likelihood per character: the learning model predicts "abc" cycles.
    assert search.best_params_["learning_rate"] == 0.05
    frozen, learning = search.cv_results_["mean_test_score"]
    assert learning > frozen
