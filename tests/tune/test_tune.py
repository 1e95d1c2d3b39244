"""``lstmkit.tune.tune``: known-best settings found, pruning, refit and save, shared studies.

Fake estimators whose validation loss or score is a known function of their settings
make the search exact and fast; one real LSTM search checks that a lookback too short
to see the signal loses to the one that sees it.
"""

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState
from sklearn.base import BaseEstimator

from lstmkit import LSTMForecaster, LSTMRegressor, load_model
from lstmkit.errors import ConfigError
from lstmkit.tune import Choice, Float, Int, TuneResult, open_study, parse_storage, tune

optuna.logging.set_verbosity(optuna.logging.WARNING)
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def quality(units, architecture):
    """The fake's loss floor: best at units=16 (log2 = 4) with the stacked architecture."""
    return (math.log2(units) - 4) ** 2 + (0.0 if architecture == "stacked" else 0.5)


class FakeEstimator(BaseEstimator):
    """val_loss at epoch e = quality(units, architecture) + 1 / (e + 1); score by hand."""

    def __init__(
        self,
        units=8,
        architecture="vanilla",
        dropout=0.0,
        epochs=3,
        validation_split=0.0,
        callbacks=None,
        random_state=None,
    ):
        self.units = units
        self.architecture = architecture
        self.dropout = dropout
        self.epochs = epochs
        self.validation_split = validation_split
        self.callbacks = callbacks
        self.random_state = random_state

    def fit(self, X, y):
        self.n_train_ = int(len(X) * (1 - self.validation_split))  # Keras's split
        self.timesteps_ = np.asarray(X).shape[1]
        losses = []
        for epoch in range(self.epochs):
            loss = quality(self.units, self.architecture) + self.dropout + 1.0 / (epoch + 1)
            losses.append(loss)
            for callback in self.callbacks or ():
                callback.on_epoch_end(epoch, {"loss": loss, "val_loss": loss})
        self.history_ = {"loss": losses, "val_loss": losses}
        return self

    def score(self, X, y):
        """Higher is better; depends on the sizes seen, so folds are checkable by hand."""
        return -quality(self.units, self.architecture) - 0.01 * self.n_train_ - 0.001 * len(X)


X_FAKE, Y_FAKE = np.zeros((12, 8, 1)), np.zeros(12)


def test_grid_search_finds_the_known_best_setting_and_orders_all_trials():
    space = {"units": Choice([4, 8, 16, 32]), "architecture": Choice(["vanilla", "stacked"])}
    result = tune(
        FakeEstimator(epochs=4),
        X_FAKE,
        Y_FAKE,
        space=space,
        sampler="grid",
        pruner=None,
        n_trials=8,
    )
    assert result.best_params == {"units": 16, "architecture": "stacked"}
    assert result.best_value == pytest.approx(0.25, abs=1e-12)  # floor 0 + 1/4 at epoch 3
    frame = result.trials_frame()
    assert list(frame.columns) == [
        "number",
        "state",
        "value",
        "duration_s",
        "params_units",
        "params_architecture",
    ]
    expected = [
        quality(units, arch) + 0.25
        for units, arch in zip(frame["params_units"], frame["params_architecture"])
    ]
    np.testing.assert_allclose(frame["value"], expected, rtol=0, atol=1e-12)
    assert len(set(zip(frame["params_units"], frame["params_architecture"]))) == 8  # the grid
    top = result.summary(top=3)
    assert list(top.index) == [1, 2, 3] and top["value"].is_monotonic_increasing
    assert result.direction == "minimize" and result.storage == "in memory"


def test_fixed_values_reach_every_trial_and_the_best_params():
    space = {"units": Choice([8, 16]), "dropout": 0.5, "architecture": "stacked"}
    result = tune(
        FakeEstimator(), X_FAKE, Y_FAKE, space=space, sampler="grid", pruner=None, n_trials=2
    )
    assert result.best_params == {"dropout": 0.5, "architecture": "stacked", "units": 16}
    assert result.best_value == pytest.approx(0.5 + 1.0 / 3, abs=1e-12)
    assert result.best_estimator_.dropout == 0.5 and result.best_estimator_.units == 16
    assert result.best_estimator_.random_state == 0  # tune's seed: trials differ by settings only
    assert result.best_estimator_.n_train_ == 12  # refitted on all the data


class RisingEstimator(FakeEstimator):
    """val_loss falls to 0.2 at epoch 2, then rises: an overfitting model."""

    def fit(self, X, y):
        losses = [0.5, 0.2, 0.4, 0.6][: self.epochs]
        for epoch, loss in enumerate(losses):
            for callback in self.callbacks or ():
                callback.on_epoch_end(epoch, {"loss": 0.1, "val_loss": loss})
        self.history_ = {"loss": [0.1] * len(losses), "val_loss": losses}
        return self


class RestoresBest:
    """Stands for EarlyStopping(restore_best_weights=True): the model keeps its best epoch."""

    restore_best_weights = True

    def on_epoch_end(self, epoch, logs):
        pass


@pytest.mark.parametrize(
    ("callbacks", "value"), [(None, 0.6), ([RestoresBest()], 0.2)], ids=["last", "restored"]
)
def test_a_trial_is_valued_by_the_model_it_ends_with(callbacks, value):
    result = tune(
        RisingEstimator(epochs=4, callbacks=callbacks),
        X_FAKE,
        Y_FAKE,
        space={"units": Choice([8])},
        pruner=None,
        n_trials=1,
        refit=False,
    )
    assert result.best_value == pytest.approx(value, abs=1e-12)


def test_trials_worse_than_the_median_are_pruned():
    space = {"units": Int(1, 1024, log=True), "epochs": 5}
    result = tune(
        FakeEstimator(),
        X_FAKE,
        Y_FAKE,
        space=space,
        sampler="random",
        pruner="median",
        n_trials=10,
        refit=False,
    )
    trials = result.study.get_trials()
    assert sum(trial.state == TrialState.COMPLETE for trial in trials) == 10
    assert any(trial.state == TrialState.PRUNED for trial in trials)
    # Optuna's median rule by hand: after 5 complete trials, a trial whose value at a step
    # is worse than the median of the complete trials' values at that step stops there.
    # The fake's curves are parallel, so step 0 decides.
    for trial in trials:
        earlier = [t for t in trials[: trial.number] if t.state == TrialState.COMPLETE]
        if len(earlier) < 5:
            assert trial.state == TrialState.COMPLETE
            continue
        median = float(np.median([t.intermediate_values[0] for t in earlier]))
        worse = trial.intermediate_values[0] > median
        assert trial.state == (TrialState.PRUNED if worse else TrialState.COMPLETE)
        assert len(trial.intermediate_values) == (1 if worse else 5)
    assert result.best_estimator_ is None
    assert set(result.trials_frame()["state"]) == {"COMPLETE", "PRUNED"}


def test_cross_validation_reports_the_running_mean_of_time_ordered_folds():
    result = tune(
        FakeEstimator(),
        X_FAKE,
        Y_FAKE,
        space={"units": Choice([16])},
        cv=3,
        n_trials=1,
        refit=False,
    )
    # TimeSeriesSplit(3) of 12 samples: train 3, 6, 9; test 3 each. By hand:
    fold_scores = [-0.01 * train - 0.001 * 3 - 0.5 for train in (3, 6, 9)]
    running = [np.mean(fold_scores[: count + 1]) for count in range(3)]
    trial = result.study.trials[0]
    np.testing.assert_allclose(
        [trial.intermediate_values[fold] for fold in range(3)], running, rtol=0, atol=1e-12
    )
    assert result.best_value == pytest.approx(np.mean(fold_scores), abs=1e-12)
    assert result.direction == "maximize"


def test_a_scorer_judges_the_last_fraction_held_out():
    result = tune(
        FakeEstimator(validation_split=0.5),
        X_FAKE,
        Y_FAKE,
        space={"units": Choice([16])},
        scoring=lambda model, X, y: model.score(X, y),
        validation_split=0.25,
        n_trials=1,
    )
    # Fit on the first 9 samples (the estimator's own split switched off), score on 3.
    assert result.best_value == pytest.approx(-0.5 - 0.01 * 9 - 0.001 * 3, abs=1e-12)
    assert result.best_estimator_.validation_split == 0.5  # the refit keeps the user's settings


def test_sqlite_study_continues_across_calls(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    options = {"space": {"units": Int(1, 64, log=True)}, "storage": storage, "refit": False}
    first = tune(FakeEstimator(), X_FAKE, Y_FAKE, study_name="s", n_trials=3, **options)
    params = [trial.params for trial in first.study.trials]
    second = tune(FakeEstimator(), X_FAKE, Y_FAKE, study_name="s", n_trials=5, **options)
    trials = second.study.get_trials()
    assert [trial.number for trial in trials] == [0, 1, 2, 3, 4]
    assert [trial.params for trial in trials[:3]] == params  # the first call's trials kept
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    assert second.storage == storage
    third = tune(FakeEstimator(), X_FAKE, Y_FAKE, study_name="s", n_trials=5, **options)
    assert len(third.study.trials) == 5  # the study already holds 5 complete trials


def test_a_stored_study_refuses_the_other_direction(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    open_study(parse_storage(url), "s", "maximize")
    message = (
        f"the study 's' in {url} was created to maximize, but this tuning run would minimize: "
        "use another study_name, or the direction (scoring) the study was made with"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        tune(
            FakeEstimator(),
            X_FAKE,
            Y_FAKE,
            space={"units": Int(1, 4)},
            storage=url,
            study_name="s",
            n_trials=1,
        )


def test_two_local_workers_share_a_temporary_journal(monkeypatch):
    # The spawned workers unpickle the estimator, so its class must be importable there:
    # the worker script's slow fake, with this folder on the path (spawn passes sys.path).
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    from _worker import SlowEstimator

    result = tune(
        SlowEstimator(epochs=1),
        X_FAKE,
        Y_FAKE,
        space={"units": Choice([1, 2, 4, 8])},
        n_workers=2,
        n_trials=6,
        sampler="random",
        pruner=None,
        refit=False,
    )
    states = [trial.state for trial in result.study.trials]
    assert 6 <= states.count(TrialState.COMPLETE) <= 7  # the other worker may finish one more
    assert set(states) == {TrialState.COMPLETE}
    workers = {trial.user_attrs["worker"] for trial in result.study.trials}
    assert len(workers) == 2 and not any(tag.endswith(f":{os.getpid()}") for tag in workers)
    assert result.storage == "in memory"  # copied out of the journal; its folder removed
    for trial in result.study.trials:  # values as the fake defines them (one epoch)
        assert trial.value == pytest.approx(1.0 / trial.params["units"] + 0.1, abs=1e-12)


# ----------------------------------------------------------------- a real LSTM search


@pytest.fixture(scope="module")
def lookback_search(tmp_path_factory):
    """Targets echo step 2 of 8 (lag 5 from the end): only lookback 8 can see them."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 8, 1)).astype("float32")
    y = X[:, 2, 0].copy()
    path = tmp_path_factory.mktemp("tune") / "best.safetensors"
    model = LSTMRegressor(units=12, epochs=30, batch_size=16, learning_rate=0.02)
    result = tune(
        model,
        X,
        y,
        space={"lookback": Choice([1, 2, 4, 8])},
        sampler="grid",
        n_trials=4,
        save_to=path,
    )
    return result, X, y, path


def test_the_search_finds_the_lookback_that_sees_the_echo(lookback_search):
    result, X, y, _ = lookback_search
    assert result.best_params == {"lookback": 8} and result.input_steps == 8
    values = result.trials_frame().set_index("params_lookback")["value"]
    # Independent reference: X is white noise, so steps 4..7 carry no information about
    # step 2, and no model of them beats predicting a constant: MSE >= var(y_val) (less
    # a little luck in the minimum over 30 epochs).
    floor = float(np.var(y[160:]))
    assert all(values[lookback] > 0.9 * floor for lookback in (1, 2, 4)), values
    assert values[8] < 0.5 * floor, values


def test_refit_saved_model_predicts_bitwise_like_the_best_estimator(lookback_search):
    result, X, _, path = lookback_search
    assert result.best_estimator_.n_timesteps_in_ == 8
    expected = result.predict(X)
    np.testing.assert_array_equal(load_model(path).predict(result.crop(X)), expected)  # bitwise


def test_a_forecaster_is_judged_by_its_backtest_error():
    index = pd.date_range("2000-01", periods=40, freq="MS")
    series = pd.Series(np.sin(np.arange(40) / 2.0), index=index, name="wave")
    model = LSTMForecaster(lookback=4, horizon=2, units=4, epochs=2)
    result = tune(
        model,
        series,
        space={"lookback": Choice([3, 4])},
        sampler="grid",
        n_trials=2,
        validation_split=0.25,
        scoring="mae",
    )
    assert result.best_estimator_.lookback == result.best_params["lookback"]
    # Reference: the same settings backtested from 75% of the series, MAE by hand.
    best = LSTMForecaster(
        lookback=result.best_params["lookback"], horizon=2, units=4, epochs=2, random_state=0
    )
    frame = best.backtest(series, start=0.75)
    by_hand = float(np.mean(np.abs(frame["value"] - frame["actual"])))
    assert result.best_value == pytest.approx(by_hand, rel=0, abs=1e-12)  # same process
    with pytest.raises(ConfigError, match=re.escape("a forecaster is tuned on its series alone")):
        tune(model, series, series, space={"lookback": Choice([3, 4])})


# ----------------------------------------------------------------- records and errors


def test_records_and_plot(tmp_path):
    result = tune(
        FakeEstimator(),
        X_FAKE,
        Y_FAKE,
        space={"units": Choice([4, 16])},
        sampler="grid",
        n_trials=2,
        refit=False,
    )
    result.save_records(tmp_path)
    frame = pd.read_csv(tmp_path / "trials.csv")
    assert list(frame.columns) == ["number", "state", "value", "duration_s", "params_units"]
    assert json.loads((tmp_path / "best.json").read_text()) == {
        "value": pytest.approx(0.5 + 1.0 / 3),
        "params": {"units": 16},
        "number": result.best_trial_number,
    }
    figure = result.plot(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.axes[0].get_title() == "Optimization history"
    assert isinstance(result, TuneResult) and result.to_dict()["params"] == {"units": 16}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"storage": "mysql://user:secret@host/db"},
            "unsupported storage URL scheme 'mysql': expected None (in memory), "
            "'sqlite:///PATH.db', 'postgresql://USER:PASSWORD@HOST:PORT/DATABASE', a journal "
            "file ('PATH.log', 'PATH.journal' or 'journal:PATH') or an Optuna storage object",
        ),
        (
            {"storage": "study.db"},
            "storage 'study.db' is neither a database URL nor a journal file: expected None",
        ),
        ({"n_workers": 0}, "n_workers must be a positive integer, got 0"),
        (
            {"n_trials": 0, "validation_split": 1.0},
            "n_trials must be a positive integer, got 0; validation_split must be in (0, 1), "
            "got 1.0",
        ),
        (
            {"space": {"unit": Int(4, 8)}},
            "unknown parameter 'unit' in the search space of FakeEstimator: expected one of its "
            "keywords (architecture, callbacks, dropout, epochs, random_state, units, "
            "validation_split) or the special names lookback, tbptt_k1, tbptt_k2. Did you mean "
            "'units'?",
        ),
        (
            {"space": {"tbptt_k1": Int(2, 4)}},
            "FakeEstimator has no tbptt keyword, so tbptt_k1 cannot be searched: leave them "
            "out of the space",
        ),
        (
            {"space": {"lookback": Int(2, 9)}},
            "lookback=9 is longer than X's 8 timesteps: search lookback up to 8",
        ),
        (
            {"n_workers": 2, "storage": optuna.storages.InMemoryStorage()},
            "n_workers=2 processes cannot share an in-memory storage: give storage='PATH.log' "
            "(a journal file), 'sqlite:///PATH.db' or a PostgreSQL URL",
        ),
        (
            {"refit": False, "save_to": "model.safetensors"},
            "save_to saves the refitted best model: set refit=True or leave it out",
        ),
        ({"sampler": "grid", "space": {"dropout": Float(0, 1)}}, "sampler='grid' cannot"),
        ({"space": {}}, "the search space is empty"),
    ],
)
def test_bad_arguments_are_refused(options, message):
    arguments = {"space": {"units": Int(4, 8)}, **options}
    with pytest.raises(ConfigError, match=re.escape(message)):
        tune(FakeEstimator(), X_FAKE, Y_FAKE, **arguments)


def test_tbptt_names_combine_into_one_setting():
    from lstmkit.training import TBPTT
    from lstmkit.tune._settings import estimator_settings

    model = LSTMRegressor()
    assert estimator_settings(model, {"tbptt_k1": 4, "tbptt_k2": 8, "units": 2}) == (
        {"units": 2, "tbptt": TBPTT(4, 8)},
        None,
    )
    assert estimator_settings(model, {"tbptt_k1": 5})[0] == {"tbptt": TBPTT(5, 5)}
    with pytest.raises(ConfigError, match=re.escape("tbptt_k2 is in the search space without")):
        tune(model, X_FAKE, Y_FAKE, space={"tbptt_k2": Int(2, 4)})
