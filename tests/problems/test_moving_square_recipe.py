"""The moving-square recipe (the book's CNN-LSTM): direction of fresh videos, counted by hand."""

import re

import numpy as np
import pytest

from lstmkit.problems import moving_square

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SEED = 1


@pytest.fixture(scope="module")
def quick_result():
    """The cut-down recipe: 800 videos of 20 x 20, 5 epochs, no line (about 1 s)."""
    return moving_square.recipe(SEED, **moving_square.QUICK_SETTINGS)


def test_quick_recipe_tells_the_direction_of_fresh_videos(quick_result):
    X_test, y_test = quick_result.details["test"]
    answers = quick_result.model.predict(X_test)
    accuracy = sum(answer == label for answer, label in zip(answers, y_test)) / len(y_test)
    assert quick_result.skill == pytest.approx(accuracy, abs=1e-12)
    # Seeds 1-8 gave 0.983-1.000 here (0.997-1.000 for the full recipe).
    assert accuracy >= moving_square.TARGET_ACCURACY
    assert quick_result.details["target_met"] is True


def test_the_baseline_is_a_quarter_as_the_classes_are_balanced(quick_result):
    _, y = quick_result.details["train"]
    _, y_test = quick_result.details["test"]
    # 800 and 300 videos cycle through the four directions: 200 and 75 of each.
    assert sorted(np.unique(y, return_counts=True)[1].tolist()) == [200] * 4
    assert sorted(np.unique(y_test, return_counts=True)[1].tolist()) == [75] * 4
    assert quick_result.baseline == 0.25
    assert quick_result.baseline_name == "majority class" and quick_result.higher_is_better


def test_videos_never_seen_in_training_are_told_apart_too(quick_result):
    X, _ = quick_result.details["train"]
    X_test, y_test = quick_result.details["test"]
    training_videos = {video.tobytes() for video in X}
    unseen = [index for index, video in enumerate(X_test) if video.tobytes() not in training_videos]
    predicted = quick_result.details["predicted"]
    right = sum(predicted[index] == y_test[index] for index in unseen)
    assert quick_result.details["unseen"]["count"] == len(unseen) >= 50
    assert quick_result.details["unseen"]["accuracy"] == pytest.approx(right / len(unseen))
    # Seeds 1-8: 105-143 unseen videos, accuracy 0.963-1.000 on them.
    assert right / len(unseen) >= 0.9


def test_the_model_is_the_books(quick_result):
    model = quick_result.model
    assert model.architecture == "cnn_lstm" and model.units == 50
    assert model.architecture_options == {"frame_shape": [20, 20, 1]}
    # By hand: Conv2D(2, (2, 2)) 2*2*1*2 + 2 = 10; a 20 x 20 frame gives 19 x 19 x 2, pooled
    # 9 x 9 x 2 = 162 features; LSTM(50): 4*50*(162+50) + 8*50 = 42,800; Dense(4): 204.
    assert sum(p.numel() for p in model.module_.parameters()) == 10 + 42800 + 204
    assert (quick_result.problem, quick_result.metric, quick_result.epochs) == (
        "moving_square",
        "accuracy",
        5,
    )


def test_demo_prints_a_frame_and_the_books_lines(tmp_path, capsys):
    # A tiny run (one epoch on 16 videos) misses the target: the lines are what is tested.
    tiny = {"train_size": 16, "test_size": 40, "size": 10, "epochs": 1, "line": False}
    path = tmp_path / "videos.png"
    status = moving_square.demo(path, SEED, **tiny)
    out = capsys.readouterr().out
    assert status == 1
    assert re.search(r"^FAILED: accuracy \d+\.\d{2}% is below 95%", out, re.M)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rerun = moving_square.recipe(SEED, **tiny)  # the same videos; in this process, the same answers
    X_test, y_test = rerun.details["test"]
    # Frames 1 and 8 of the first fresh video, side by side, as show() draws them.
    first, last = moving_square.show(X_test[0, 0], 10), moving_square.show(X_test[0, -1], 10)
    both = "\n".join(a + "   " + b for a, b in zip(first.splitlines(), last.splitlines()))
    assert f"A fresh video moving {y_test[0]}, frames 1 and 8:\n{both}\n" in out
    lines = re.findall(r"^Expected: (\w+), Predicted: (\w+)$", out, re.M)
    assert [expected for expected, _ in lines] == y_test[:5].tolist()
    assert [answer for _, answer in lines] == rerun.details["predicted"][:5].tolist()
    assert re.search(r"^Accuracy: \d+\.\d{2}% on 40 fresh videos of the square$", out, re.M)


def test_the_books_line_is_reported_beside_the_square():
    result = moving_square.recipe(SEED, train_size=16, test_size=8, size=10, epochs=1, line=True)
    line = result.details["line"]
    assert sorted(line) == ["accuracy", "baseline", "epochs", "seconds"]
    assert line["baseline"] == 0.5  # 16 and 8 lines alternate left and right: 8 and 4 each
    assert 0.0 <= line["accuracy"] <= 1.0 and line["epochs"] == 1
