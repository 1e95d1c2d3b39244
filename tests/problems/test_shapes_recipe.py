"""The shapes recipe: the generative LSTM draws rectangles from seed corners.

The full recipe (1,000 rectangles, 20 epochs) draws valid rectangles 94-96% of the time
on seeds 1-10 (ceiling 88-92%); the cut-down version here (400 rectangles) drew
0.87-0.96 on seeds 0-9, with a next-point MAE of 0.084-0.095 against persistence's 0.24-0.26.
"""

import re

import numpy as np
import pytest

import lstmkit
from lstmkit.errors import ConfigError, ShapeError
from lstmkit.problems import shapes
from lstmkit.problems._recipe import RecipeResult
from lstmkit.problems._shapes_runs import format_points

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CUT_DOWN = shapes.QUICK_SETTINGS
TINY = {"train_size": 20, "test_size": 10, "n_generated": 12, "epochs": 1}
POINT = r"\(-?\d+\.\d\d, -?\d+\.\d\d\)"


@pytest.fixture(scope="module")
def trained(one_torch_thread):
    """A cut-down recipe's result, shared by the tests that need a model that learnt."""
    return shapes.recipe(1, **CUT_DOWN)


def test_a_cut_down_recipe_draws_rectangles(trained):
    details = trained.details
    assert details["valid share"] >= 0.8, trained.summary_line()  # seeds 0-9: at least 0.87
    assert trained.skill <= 0.5 * trained.baseline  # next-point MAE vs persistence
    assert shapes.passes(trained)
    # the last corner follows from the ones before: almost exact, unlike the first two
    assert details["MAE per step"][2] <= 0.03 < details["MAE per step"][0]


def test_drawn_shapes_start_from_their_seeds_and_book_shape_from_the_origin(trained):
    generated = trained.details["generated"]
    seeds = shapes.seed_corners(300, random_state=1 + 2000)
    assert generated.shape == (300, 4, 2)
    assert np.array_equal(generated[:, :2], seeds)
    assert trained.details["book shape"][0].tolist() == [0.0, 0.0]


def test_drawing_step_by_step_equals_one_pass_over_the_drawn_points(trained):
    # Reference: the stateless model run once over seed + drawn points predicts, at each
    # step, the point that was drawn next (the carried state changes nothing but speed).
    model = trained.model
    drawn = shapes.draw(model, shapes.seed_corners(7, random_state=5), steps=3)  # (7, 5, 2)
    one_pass = model.predict(drawn[:, :-1])  # (7, 4, 2): the next point after each step
    assert np.abs(one_pass[:, 1:] - drawn[:, 2:]).max() <= 1e-6
    assert model.get_state() is None  # draw resets the carried state when done
    book = shapes.book_shape(model)
    assert np.abs(model.predict(book[None, :-1])[0] - book[1:]).max() <= 1e-6


def test_ceiling_and_persistence_worked_out_from_the_sizes():
    result = shapes.recipe(2, **TINY)
    X_test, y_test = shapes.make(10, random_state=2 + 1000)
    widths, heights = X_test[:, 1, 0], y_test[:, 1, 1]
    # a true rectangle passes when both sides exceed the tolerance
    ceiling = np.mean((widths > 0.05) & (heights > 0.05))
    assert abs(result.details["ceiling"] - ceiling) <= 1e-12
    # persistence misses by (w, 0), then (0, h), then (w, 0): the MAE over x and y halves them
    per_step = [np.mean(widths) / 2, np.mean(heights) / 2, np.mean(widths) / 2]
    assert np.allclose(result.details["persistence MAE per step"], per_step, atol=1e-6, rtol=0)
    assert abs(result.baseline - np.mean(per_step)) <= 1e-6
    assert result.metric == "next-point MAE" and not result.higher_is_better


def test_seed_corners_are_origin_then_a_width_along_x():
    seeds = shapes.seed_corners(50, random_state=0)
    widths = np.random.default_rng(0).random(50)
    assert seeds.shape == (50, 2, 2) and seeds.dtype == np.float32
    assert not seeds[:, 0].any() and not seeds[:, 1, 1].any()
    assert np.allclose(seeds[:, 1, 0], widths, atol=1e-7, rtol=0)


def test_draw_rejects_bad_seeds_and_steps():
    model = lstmkit.LSTMRegressor(
        architecture="generative", return_sequences=True, units=2, num_layers=1, epochs=1
    ).fit(*shapes.make(4, random_state=0))
    message = (
        "seed_points must be (shapes, seed_steps, 2) with at least one step, got (2, 2): "
        "a single point is np.zeros((1, 1, 2))"
    )
    with pytest.raises(ShapeError, match=re.escape(message)):
        shapes.draw(model, np.zeros((2, 2)), steps=2)
    with pytest.raises(
        ConfigError, match=re.escape("steps must be a positive integer (1 or more), got 0")
    ):
        shapes.draw(model, np.zeros((1, 1, 2)), steps=0)
    with pytest.raises(
        ConfigError, match=re.escape("n_shapes must be a positive integer (1 or more), got 0")
    ):
        shapes.seed_corners(0)


def test_passes_needs_both_the_share_and_the_baseline():
    def result(share, ceiling, mae):
        details = {"valid share": share, "ceiling": ceiling}
        return RecipeResult(
            "shapes",
            "generative",
            "next-point MAE",
            mae,
            0.25,
            "persistence",
            False,
            1,
            1.0,
            details=details,
        )

    assert shapes.passes(result(0.85, 0.9, 0.1))  # 0.05 below the ceiling: still in
    assert not shapes.passes(result(0.84, 0.9, 0.1))
    assert not shapes.passes(result(0.95, 0.9, 0.3))  # worse than persistence


def test_format_points_by_hand():
    assert format_points([[0, 0], [0.517, -0.25]]) == "(0.00, 0.00) (0.52, -0.25)"


def test_demo_prints_and_plots(capsys, tmp_path):
    path = tmp_path / "shapes.png"
    status = shapes.demo(output=path, **TINY)
    lines = capsys.readouterr().out.splitlines()
    assert path.stat().st_size > 0
    assert lines[0].startswith("shapes (generative): next-point MAE ")
    assert re.fullmatch(rf"The book's shape, from \(0, 0\) alone: (?:{POINT} ?){{4}}", lines[2])
    assert re.fullmatch(rf"Seed {POINT} {POINT} -> drew {POINT} {POINT}", lines[3])
    assert re.fullmatch(
        r"Valid rectangles \(tolerance 0\.05\): \d+\.\d% of 12 drawn shapes; "
        r"ceiling \d+\.\d% \(the generator's own\)",
        lines[6],
    )
    assert lines[8] == f"Saved the plot to {path} (first: the book's shape from (0, 0))"
    assert status == (1 if lines[-1].startswith("FAILED: ") else 0)
