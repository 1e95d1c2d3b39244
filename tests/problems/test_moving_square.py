"""The moving square and the book's moving line (chapter 8): motion, labels, framing."""

import re

import numpy as np
import pytest

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.problems import moving_square

# (row, column) change of the centre of mass per frame; rows count down the screen
MOTION = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}


def centres_of_mass(X, size):
    """(samples, frames, 2) row and column centre of the lit cells, from the reshaped video."""
    video = X.reshape(len(X), X.shape[1], size, size).astype(np.float64)
    mass = video.sum(axis=(2, 3))
    rows = (video.sum(axis=3) * np.arange(size)).sum(axis=2) / mass
    cols = (video.sum(axis=2) * np.arange(size)).sum(axis=2) / mass
    return np.stack([rows, cols], axis=2)


def test_shapes_dtypes_and_frame_layout():
    X, y = moving_square.make(8, size=10, frames=8, random_state=0)
    assert X.shape == (8, 8, 100) and X.dtype == np.float32
    assert y.shape == (8,) and y.dtype.kind == "U"
    assert moving_square.frame_shape(10) == [10, 10, 1]
    # channels last, flattened row by row: what video.reshape(n, frames, -1) gives
    video = X.reshape(8, 8, *moving_square.frame_shape(10))
    assert np.array_equal(video.reshape(8, 8, -1), X)
    assert set(np.unique(X).tolist()) == {0.0, 1.0}


def test_square_moves_one_cell_per_frame_in_the_labelled_direction():
    X, y = moving_square.make(200, size=10, frames=8, square_size=2, random_state=1)
    centres = centres_of_mass(X, 10)
    steps = np.diff(centres, axis=1)  # (samples, frames - 1, 2)
    for sample, label in enumerate(y):
        expected = np.broadcast_to(MOTION[label], (7, 2))
        np.testing.assert_allclose(steps[sample], expected, rtol=0, atol=1e-9)
    # the whole block is inside the grid in every frame: 2 x 2 = 4 cells lit
    assert np.array_equal(X.sum(axis=2), np.full((200, 8), 4.0, dtype=np.float32))


def test_square_starts_on_the_side_it_comes_from():
    # size 10, side 2, 8 frames: the block travels 7 cells, so one cell of slack
    X, y = moving_square.make(400, size=10, frames=8, square_size=2, random_state=2)
    first = centres_of_mass(X, 10)[:, 0]  # (samples, 2); a 2-block's centre is its corner + 0.5
    top, left = first[:, 0] - 0.5, first[:, 1] - 0.5
    assert set(left[y == "right"].tolist()) == {0.0, 1.0}
    assert set(left[y == "left"].tolist()) == {7.0, 8.0}
    assert set(top[y == "down"].tolist()) == {0.0, 1.0}
    assert set(top[y == "up"].tolist()) == {7.0, 8.0}
    # and anywhere along that side
    assert set(top[y == "right"].tolist()) == set(np.arange(9.0).tolist())


def test_square_that_exactly_fits_crosses_the_whole_grid():
    X, y = moving_square.make(4, size=5, frames=4, square_size=2, random_state=0)
    centres = centres_of_mass(X, 5)
    right = centres[y == "right"][0]
    np.testing.assert_allclose(right[:, 1], [0.5, 1.5, 2.5, 3.5], atol=1e-12)


def test_classes_are_balanced_and_shuffled():
    _, y = moving_square.make(10, random_state=0)
    counts = {label: int((y == label).sum()) for label in ("left", "right", "up", "down")}
    assert sorted(counts.values()) == [2, 2, 3, 3]
    _, y = moving_square.make(400, random_state=0)
    assert all(int((y == label).sum()) == 100 for label in MOTION)
    assert not np.array_equal(y, np.resize(["left", "right", "up", "down"], 400))


def test_chosen_directions_only():
    _, y = moving_square.make(6, directions=["up", "down"], random_state=0)
    assert sorted(y.tolist()) == ["down"] * 3 + ["up"] * 3


def test_the_books_line_is_drawn_one_column_per_frame():
    X, y = moving_square.make(60, size=6, shape="line", random_state=3)
    assert X.shape == (60, 6, 36)
    assert sorted(set(y.tolist())) == ["left", "right"] and int((y == "left").sum()) == 30
    video = X.reshape(60, 6, 6, 6)  # (samples, frames, rows, columns)
    for sample, label in enumerate(y):
        order = range(6) if label == "right" else range(5, -1, -1)
        rows = []
        for frame, column in enumerate(order):
            lit = video[sample, frame]
            assert lit.sum() == frame + 1  # one more cell per frame
            if frame:  # earlier cells stay lit
                assert np.all(lit >= video[sample, frame - 1])
            assert lit[:, column].sum() == 1  # the new cell is in the next column
            rows.append(int(np.argmax(lit[:, column])))
        assert np.all(np.abs(np.diff(rows)) <= 1)  # the row walks by -1, 0 or +1
    # all three moves occur across the sample
    moves = set()
    for sample, label in enumerate(y):
        last = video[sample, -1]
        columns = range(6) if label == "right" else range(5, -1, -1)
        rows = [int(np.argmax(last[:, column])) for column in columns]
        moves |= set(np.diff(rows).tolist())
    assert moves == {-1, 0, 1}


def test_show_renders_a_frame_as_text():
    frame = np.zeros((3, 3), dtype=np.float32)
    frame[1, 1:] = 1
    assert moving_square.show(frame.ravel(), 3) == "...\n.##\n..."
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "expected one frame of size * size = 16 values, got shape (9,): "
            "pass one frame (X[sample, frame]) and the grid's size"
        ),
    ):
        moving_square.show(frame.ravel(), 4)


def test_same_seed_repeats_and_other_seeds_differ():
    first, again, other = (moving_square.make(12, random_state=seed) for seed in (5, 5, 6))
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"shape": "sqare"},
            "unknown shape 'sqare': expected one of 'line', 'square'. Did you mean 'square'?",
        ),
        (
            {"shape": "line", "size": 6, "directions": ["left", "up"]},
            "unknown direction 'up': expected one of 'left', 'right'. (shape='line')",
        ),
        (
            {"shape": "line", "size": 6, "frames": 5},
            "shape='line' draws one column per frame, so frames must equal size (6), "
            "got frames=5: pass frames=6 or leave frames=None",
        ),
        (
            {"size": 10, "frames": 8, "square_size": 4},
            "a square of square_size=4 moving one cell per frame for frames=8 needs size >= "
            "square_size + frames - 1 = 11, got size=10: raise size or lower frames or square_size",
        ),
        (
            {"frames": 1, "square_size": 0},
            "frames must be an integer of at least 2, got 1; "
            "square_size must be an integer of at least 1, got 0",
        ),
        (
            {"directions": ["up", "up"]},
            "directions must name each class once and at least one, got ['up', 'up']",
        ),
        (
            {"directions": "left"},
            "directions must be a list of direction names, got the string 'left': pass ['left']",
        ),
    ],
)
def test_bad_settings_raise_exact_messages(options, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        moving_square.make(4, **options)
