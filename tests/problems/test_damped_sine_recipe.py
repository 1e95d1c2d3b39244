"""The damped sine recipe (the book's stacked LSTM) against persistence, worked out by hand."""

import re

import numpy as np
import pytest

from lstmkit.errors import ConfigError
from lstmkit.problems import damped_sine

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SEED = 1


@pytest.fixture(scope="module")
def quick_result():
    """The cut-down recipe: 600 series, 3 epochs (about 1 s on one thread)."""
    return damped_sine.recipe(SEED, **damped_sine.QUICK_SETTINGS)


def test_quick_recipe_beats_half_the_persistence_error(quick_result):
    X_test, y_test = quick_result.details["test"]
    # Persistence by hand: every step ahead repeats the last input value.
    persistence_mae = float(np.mean(np.abs(y_test - X_test[:, -1, :])))
    model_mae = float(np.mean(np.abs(quick_result.model.predict(X_test) - y_test)))
    assert quick_result.baseline == pytest.approx(persistence_mae, abs=1e-6)
    assert quick_result.skill == pytest.approx(model_mae, abs=1e-6)
    # Seeds 1-8 gave MAE / persistence of 0.24-0.38 here (0.05-0.09 for the full recipe).
    assert model_mae <= damped_sine.TARGET_RATIO * persistence_mae
    assert quick_result.details["target_met"] is True


def test_the_fresh_series_are_new_and_sized_as_asked(quick_result):
    X, y = quick_result.details["train"]
    X_test, y_test = quick_result.details["test"]
    assert X.shape == (600, 50, 1) and y.shape == (600, 5)  # the book's 50 steps in, 5 out
    assert X_test.shape == (300, 50, 1) and y_test.shape == (300, 5)
    training_series = {series.tobytes() for series in X}
    assert not any(series.tobytes() in training_series for series in X_test)


def test_the_model_is_the_books(quick_result):
    model = quick_result.model
    assert (model.architecture, list(model.units), model.loss) == ("stacked", [20, 20], "mae")
    # By hand, PyTorch's count (two bias vectors): 4*20*(1+20) + 8*20 = 1,840 for the first
    # LSTM, 4*20*(20+20) + 8*20 = 3,360 for the second, 20*5 + 5 = 105 for Dense(5).
    assert sum(p.numel() for p in model.module_.parameters()) == 1840 + 3360 + 105
    result = quick_result
    assert (result.problem, result.architecture, result.metric) == ("damped_sine", "stacked", "MAE")
    assert (result.baseline_name, result.higher_is_better, result.epochs) == (
        "persistence",
        False,
        3,
    )
    assert result.beats_baseline and result.seconds > 0


def test_overrides_reach_the_estimator_and_bad_ones_are_named():
    with pytest.raises(ConfigError, match=re.escape("got an unknown option 'epoch'")):
        damped_sine.recipe(SEED, train_size=8, test_size=4, epoch=1)


def test_demo_prints_the_books_lines_and_saves_the_plot(quick_result, tmp_path, capsys):
    path = tmp_path / "sine.png"
    status = damped_sine.demo(output=path, random_state=SEED, **damped_sine.QUICK_SETTINGS)
    out = capsys.readouterr().out
    assert status == 0, out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert re.search(
        r"^MAE: \d\.\d{6} on 300 fresh series \(persistence: \d\.\d{6}; ratio \d\.\d{3}\)$",
        out,
        re.M,
    )
    expected_lines = re.findall(r"^Expected: (.*)$", out, re.M)
    predicted_lines = re.findall(r"^Predicted: (.*)$", out, re.M)
    # The same seed and settings give the same fresh series and, rerun in this process,
    # the same forecasts (CONTRACTS §9: bitwise for reruns in one process).
    _, y_test = quick_result.details["test"]
    predicted = quick_result.details["predicted"]
    assert expected_lines == [_three_decimals(row) for row in y_test[:3]]
    assert predicted_lines == [_three_decimals(row) for row in predicted[:3]]
    assert f"Saved the plot of 5 fresh series to {path}" in out
    assert "FAILED" not in out


def test_demo_says_failed_when_the_target_is_missed(tmp_path, capsys):
    # Two series and one epoch: one update cannot follow the wave.
    status = damped_sine.demo(tmp_path / "sine.png", SEED, train_size=2, test_size=50, epochs=1)
    out = capsys.readouterr().out
    assert status == 1
    assert re.search(
        r"^FAILED: MAE \d\.\d{4} is above 0\.5 x persistence's \(\d\.\d{4}\)", out, re.M
    )


def _three_decimals(values):
    return "[" + ", ".join(f"{value:.3f}" for value in values) + "]"
