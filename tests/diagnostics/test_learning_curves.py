"""Learning-curve verdicts on curves built by formula, whose numbers are worked out by hand.

Each synthetic curve is made to meet exactly one rule; the expected measures come from
the formula (an exponential's relative slope is -1/tau) or from counting, never from the
code under test.
"""

from __future__ import annotations

import inspect
import json
import re

import numpy as np
import pytest
from matplotlib import _pylab_helpers

from lstmkit.diagnostics import (
    LEARNING_CURVE_RULES,
    LEARNING_CURVE_VERDICTS,
    LearningCurveDiagnosis,
    diagnose_learning_curves,
)
from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.training import History

TOL = 1e-12  # float64 arithmetic on a handful of values
EPOCHS = np.arange(40.0)  # t = 0 .. 39, epochs 1 .. 40
DECAY = 0.1 + 0.9 * np.exp(-EPOCHS / 3)  # from 1.0 at epoch 1 to a plateau at 0.1


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = _pylab_helpers.Gcf.get_num_fig_managers()
    yield
    assert _pylab_helpers.Gcf.get_num_fig_managers() == before


# ---------------------------------------------------------------- one curve per verdict


def test_decay_to_a_low_plateau_with_validation_tracking_it_is_a_good_fit():
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": 1.1 * DECAY + 0.02})
    assert result.verdict == "good fit"
    assert result.best_epoch == 40  # val_loss falls all the way
    # tail = last 8 of 40 epochs (20%); the plateau is 0.1 to within 0.9 e^-10.7 = 2e-5
    assert result.measures["tail_mean"] == pytest.approx(0.1, abs=3e-5)
    assert result.measures["improvement"] == pytest.approx(0.9, abs=3e-5)  # 1 - 0.1 / 1.0
    assert result.measures["gap_end"] == pytest.approx(0.03, abs=3e-5)  # 0.1 * 0.1 + 0.02
    assert result.reasons[0].startswith("loss levelled off at 0.1 (0.0% per epoch over the last 8")


def test_a_u_shaped_validation_curve_is_overfit_at_its_minimum():
    val = 0.3 + 0.002 * (EPOCHS - 15) ** 2  # lowest at t = 15, epoch 16
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": val})
    assert result.verdict == "overfit"
    assert result.best_epoch == 16
    # The best 8-epoch stretch is t = 11..18 (offsets -4..3 from 15: squares sum to 44),
    # mean 0.3 + 0.002 * 44 / 8; the tail is t = 32..39.
    best_stretch = 0.3 + 0.002 * 44 / 8
    tail_mean = np.mean(0.3 + 0.002 * (np.arange(32, 40) - 15) ** 2)
    rise = (tail_mean - best_stretch) / best_stretch
    assert result.measures["val_best_stretch"] == pytest.approx(best_stretch, abs=TOL)
    assert result.measures["val_rise"] == pytest.approx(rise, abs=TOL)
    loss_then = DECAY[11:19].mean()
    assert result.reasons[0] == (
        f"val_loss ends at {tail_mean:.4g}, {rise:.1%} above its best stretch "
        f"{best_stretch:.4g} (epochs 12-19), while loss kept falling from {loss_then:.4g} to "
        f"{DECAY[32:].mean():.4g}: stop near epoch 16 (EarlyStopping) or regularise (dropout, "
        "fewer units)."
    )


def test_one_lucky_validation_epoch_is_not_taken_for_a_minimum():
    val = 1.1 * DECAY + 0.02
    val[30] = 0.09  # 30% below the plateau of 0.13 for one epoch
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": val})
    assert result.best_epoch == 31  # the lowest epoch is still reported
    assert result.verdict == "good fit"  # but the 8-epoch means barely move


def test_a_zig_zag_validation_curve_on_a_plateau_is_a_note_not_a_verdict():
    val = 1.1 * DECAY + 0.02 + 0.03 * (EPOCHS % 2)  # +-23% around 0.145 at the plateau
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": val})
    assert result.verdict == "good fit"
    assert result.reasons[-1].startswith("note: val_loss spiked (rose by more than 10.0% over")
    assert result.reasons[-1].endswith(
        "a small validation set is noisy; the overfitting rules read it through its "
        "tail-long means."
    )


def test_a_validation_curve_flat_far_above_training_is_overfit_by_the_gap():
    val = 0.5 + 0.5 * np.exp(-EPOCHS / 3)  # levels off at 0.5; loss at 0.1; reference 1.0
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": val})
    assert result.verdict == "overfit"
    assert result.measures["gap_share"] == pytest.approx(0.4, abs=3e-5)  # (0.5 - 0.1) / 1.0
    assert "(40.0% of the reference 1, more than 30.0%)" in result.reasons[0]
    assert diagnose_learning_curves({"loss": DECAY, "val_loss": val}, max_gap=0.5).verdict == (
        "good fit"
    )


def test_a_flat_high_curve_is_underfit():
    flat = 1.0 - 0.05 * (1 - np.exp(-EPOCHS / 3))  # from 1.0 to 0.95: 5% better
    result = diagnose_learning_curves({"loss": flat, "val_loss": flat + 0.02})
    assert result.verdict == "underfit"
    assert result.measures["improvement"] == pytest.approx(0.05, abs=3e-6)
    assert result.reasons[0] == (
        "loss ends at 0.95, only 5.0% below the first epoch's 1 (less than 10.0%): the model "
        "learned little; give it more capacity (units, layers), more informative inputs or a "
        "longer lookback."
    )


def test_baseline_loss_replaces_the_first_epoch_as_the_underfit_reference():
    halving = 0.5 + 0.5 * np.exp(-EPOCHS / 3)  # 1.0 -> 0.5: 50% below the first epoch
    assert diagnose_learning_curves({"loss": halving}).verdict == "good fit"
    result = diagnose_learning_curves({"loss": halving}, baseline_loss=0.52)
    assert result.verdict == "underfit"
    tail_mean = 0.5 + 0.5 * np.exp(-np.arange(32, 40) / 3).mean()  # the last 8 epochs
    assert result.measures["improvement"] == pytest.approx(1 - tail_mean / 0.52, abs=TOL)
    assert "below baseline_loss 0.52 (less than 10.0%)" in result.reasons[0]
    worse = diagnose_learning_curves({"loss": halving}, baseline_loss=0.4)
    # ends at 0.5000 (to 4 digits), 25% above 0.4: said as "above", not "-25.0% below"
    assert worse.reasons[0].startswith("loss ends at 0.5, 25.0% above baseline_loss 0.4 (less")


def test_a_curve_still_decaying_is_not_converged():
    still = np.exp(-EPOCHS[:20] / 20)  # relative slope of e^(-t/20) is -1/20 per epoch
    result = diagnose_learning_curves({"loss": still, "val_loss": 1.1 * still})
    assert result.verdict == "not converged"
    # least squares over 4 epochs of a gentle exponential: -1/20 to within 0.1%
    assert result.measures["tail_slope"] == pytest.approx(-0.05, rel=1e-3)
    assert result.reasons[0] == (
        "loss is still falling by 5.0% per epoch over the last 4 epochs (more than 1.0%): "
        "train for more epochs, or raise the learning rate."
    )
    assert diagnose_learning_curves({"loss": still}, slope=0.1).verdict != "not converged"


def test_a_zig_zag_curve_is_unstable_and_its_spikes_are_counted():
    # At odd t the curve is 1.3 / (1 + t), at even t 1 / (1 + t): an odd t rises over the
    # even one before by more than 10% when 1.3 t > 1.1 (1 + t), i.e. t >= 7; each falls
    # back at t + 1. Spikes at t = 7, 9, ..., 37 (t = 39 has no next epoch): epochs 8..38.
    zig = (1 + 0.3 * (EPOCHS % 2)) / (1 + EPOCHS)
    result = diagnose_learning_curves({"loss": zig})
    assert result.verdict == "unstable"
    assert result.measures["spikes"] == list(range(8, 39, 2))
    assert result.reasons[0].startswith(
        "loss spiked (rose by more than 10.0% over the epoch before, then fell) at 16 of 39 "
        "steps (epochs 8, 10, 12, 14, 16, ...)"
    )


def test_a_single_spike_is_not_instability():
    spiked = DECAY.copy()
    spiked[20] *= 1.5  # one bad epoch
    assert diagnose_learning_curves({"loss": spiked}).verdict == "good fit"


def test_a_steadily_rising_training_loss_is_unstable():
    rising = 0.2 + 0.001 * (EPOCHS - 20) ** 2  # lowest 0.2 at epoch 21
    result = diagnose_learning_curves({"loss": rising})
    # best 8-epoch stretch: t = 16..23 (offsets -4..3, squares sum 44); tail t = 32..39
    best_stretch = 0.2 + 0.001 * 44 / 8
    tail_mean = np.mean(0.2 + 0.001 * (np.arange(32, 40) - 20) ** 2)
    assert result.verdict == "unstable"
    assert result.reasons[0] == (
        f"loss ends at {tail_mean:.4g}, {(tail_mean - best_stretch) / best_stretch:.1%} above "
        f"its best stretch {best_stretch:.4g} (epochs 17-24): the loss is climbing back; "
        "lower the learning rate."
    )


def test_float_noise_on_a_loss_near_zero_is_not_instability():
    # After reaching ~1e-7 the loss wobbles by 50%, but by 1e-7 absolute: far below 0.1%
    # of the first epoch's 1.0, the floor relative changes are taken against.
    tiny = np.r_[1.0, 0.1, 0.01, 1e-3, 1e-4, 1e-7 * (1 + 0.5 * (EPOCHS[:15] % 2))]
    assert diagnose_learning_curves({"loss": tiny}).verdict == "good fit"


def test_nan_is_unstable_and_named_with_its_epoch():
    curve = DECAY[:10].copy()
    curve[3] = np.nan
    result = diagnose_learning_curves({"loss": curve, "val_loss": DECAY[:10]})
    assert result.verdict == "unstable"
    assert result.reasons == [
        "loss is nan at epoch 4 (1 of 10 epochs not finite): training diverged; lower the "
        "learning rate or set clipnorm."
    ]
    assert result.best_epoch == 10  # of val_loss, which is finite
    json.dumps(result.to_dict(), allow_nan=False)


def test_without_val_loss_the_validation_rules_are_skipped_and_said_so():
    result = diagnose_learning_curves({"loss": DECAY})
    assert result.verdict == "good fit"
    assert result.best_epoch == 40  # of loss
    assert result.reasons[-1] == (
        "no val_loss was recorded: rules 2 and 3 were read without it and overfitting "
        "cannot be seen; fit with validation_split or validation_data."
    )
    assert result.measures["val_rise"] is None


def test_accuracy_is_judged_as_its_error_rate():
    accuracy = 1 - 0.5 * np.exp(-EPOCHS / 3)  # error rate 0.5 -> 0
    result = diagnose_learning_curves(
        {"loss": DECAY, "accuracy": accuracy, "val_accuracy": accuracy - 0.01},
        metric="accuracy",
    )
    assert result.verdict == "good fit"
    assert result.measures["reference"] == pytest.approx(0.5, abs=TOL)  # 1 - 0.5


# ---------------------------------------------------------------- inputs


def test_a_history_object_and_a_fitted_estimator_are_read_like_a_mapping():
    history = History({"loss": list(DECAY)}, list(range(40)))

    class Fitted:
        history_ = history

    for source in (history, Fitted()):
        assert diagnose_learning_curves(source).measures == (
            diagnose_learning_curves({"loss": DECAY}).measures
        )


@pytest.mark.parametrize(
    ("history", "error", "message"),
    [
        (
            {"loss": [1.0]},
            DataError,
            "need at least 3 epochs to judge a learning curve, got 1: fit for more epochs "
            "(10 or more give a clearer verdict).",
        ),
        (
            {"loss": [1.0, 0.5, 0.4], "val_loss": [1.0, 0.5]},
            ShapeError,
            "history['val_loss'] has 2 values but history['loss'] has 3: expected one value "
            "per epoch for both.",
        ),
        (
            {"loss": [1.0, -0.5, 0.4]},
            DataError,
            "history['loss'] is -0.5 at epoch 2, expected a non-negative loss: the rules "
            "compare relative changes of a loss that is 0 at best; diagnose a non-negative "
            "loss or error metric (metric='loss').",
        ),
        (
            {},
            DataError,
            "history is empty: nothing was recorded; fit the model for at least one epoch",
        ),
    ],
)
def test_unusable_histories_are_refused(history, error, message):
    with pytest.raises(error, match=re.escape(message)):
        diagnose_learning_curves(history)


def test_an_unrecorded_metric_is_refused_with_a_suggestion():
    message = (
        "metric 'val_mae' was not recorded for training: the history holds ['loss', 'mae', "
        "'val_loss']; pass one of ['loss', 'mae'] (its val_ twin is read automatically). "
        "Did you mean 'mae'?"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        diagnose_learning_curves({"loss": DECAY, "mae": DECAY, "val_loss": DECAY}, metric="val_mae")


def test_an_accuracy_above_one_is_refused():
    with pytest.raises(DataError, match=re.escape("is 1.5 at epoch 2, expected an accuracy in")):
        diagnose_learning_curves({"accuracy": [0.5, 1.5, 0.9]}, metric="accuracy")


def test_bad_thresholds_are_reported_together():
    message = (
        "jump must be a positive number, got -1; tail must be in (0, 1], got 2: see "
        "LEARNING_CURVE_RULES for what each threshold does."
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        diagnose_learning_curves({"loss": DECAY}, jump=-1, tail=2)


# ---------------------------------------------------------------- the record


def test_the_docstring_states_the_same_rules_as_the_constant():
    doc = " ".join(inspect.getdoc(diagnose_learning_curves).split())
    assert len(LEARNING_CURVE_RULES) == 5
    for number, (rule, verdict) in enumerate(
        zip(LEARNING_CURVE_RULES, ["unstable", "overfit", "not converged", "underfit"]), 1
    ):
        assert rule.startswith(f"{number}. {verdict}")
        assert " ".join(rule.split()) in doc
    assert set(LEARNING_CURVE_VERDICTS) == {
        "underfit",
        "good fit",
        "overfit",
        "unstable",
        "not converged",
    }


def test_to_dict_is_strict_json_with_the_verdict_reasons_and_rules():
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": 1.1 * DECAY + 0.02})
    record = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert record["verdict"] == "good fit" and record["best_epoch"] == 40
    assert record["epochs"] == 40 and record["metric"] == "loss"
    assert record["reasons"] == result.reasons
    assert record["summary"] == result.summary_line()
    assert record["rules"] == list(LEARNING_CURVE_RULES)
    assert record["thresholds"]["jump"] == 0.1 and record["thresholds"]["baseline_loss"] is None


def test_summary_line_is_the_headline_and_the_first_reason():
    result = LearningCurveDiagnosis("overfit", ["first", "second"], 7, "loss", 20)
    assert result.summary_line() == "overfit (loss, 20 epochs, best epoch 7): first"


def test_plot_titles_the_verdict_and_marks_the_best_epoch(tmp_path):
    val = 0.3 + 0.002 * (EPOCHS - 15) ** 2
    result = diagnose_learning_curves({"loss": DECAY, "val_loss": val})
    target = tmp_path / "curves.png"
    figure = result.plot(target)
    assert figure.get_suptitle() == "overfit (loss, 40 epochs, best epoch 16)"
    marks = [line for line in figure.axes[0].get_lines() if line.get_label() == "best epoch"]
    assert [mark.get_xdata()[0] for mark in marks] == [16]
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(DataError, match=re.escape("already exists and was left untouched")):
        result.plot(target)


# ---------------------------------------------------------------- a real fit


@pytest.mark.usefixtures("one_torch_thread")
def test_a_real_tiny_fit_is_diagnosed():
    from lstmkit import LSTMRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5, 1)).astype("float32")
    model = LSTMRegressor(units=4, epochs=4, validation_split=0.25, random_state=0)
    model.fit(X, X[:, -1, 0])
    result = diagnose_learning_curves(model)
    assert result.verdict in LEARNING_CURVE_VERDICTS
    assert result.epochs == 4
    assert result.best_epoch == int(np.argmin(model.history_.history["val_loss"])) + 1
    json.dumps(result.to_dict(), allow_nan=False)
