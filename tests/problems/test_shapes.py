"""The rectangles of the generative lesson (chapter 11): corners, framing, validity."""

import re

import numpy as np
import pytest

from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.problems import shapes

GOOD = {
    "the book's order": [[0, 0], [0.6, 0], [0.6, 0.3], [0, 0.3]],
    "clockwise": [[0, 0], [0.6, 0], [0.6, -0.3], [0, -0.3]],
    "starting elsewhere, leftwards first": [[0.9, 0.5], [0.2, 0.5], [0.2, 0.9], [0.9, 0.9]],
    "wobbles within the tolerance": [[0, 0], [0.5, 0.04], [0.53, 0.4], [-0.03, 0.36]],
}
BAD = {
    "first edge vertical": [[0, 0], [0, 0.3], [0.6, 0.3], [0.6, 0]],
    "a diamond": [[0.5, 0], [1, 0.5], [0.5, 1], [0, 0.5]],
    "a bow tie": [[0, 0], [1, 0], [0, 1], [1, 1]],
    "a trapezoid": [[0, 0], [1, 0], [0.8, 0.5], [0.2, 0.5]],
    "too flat": [[0, 0], [0.6, 0], [0.6, 0.04], [0, 0.04]],
    "not closed": [[0, 0], [0.6, 0], [0.6, 0.3], [0.2, 0.3]],
    "one corner off by more than the tolerance": [[0, 0], [0.5, 0.06], [0.5, 0.4], [0, 0.4]],
}


def test_random_rectangle_is_the_books():
    corners = shapes.random_rectangle(np.random.default_rng(0))
    width, height = corners[2]
    assert 0 <= width < 1 and 0 <= height < 1
    # drawn counter-clockwise from the origin: bottom left, bottom right, top right, top left
    np.testing.assert_array_equal(corners, [[0, 0], [width, 0], [width, height], [0, height]])


def test_make_frames_each_rectangle_as_next_corner_pairs():
    X, y = shapes.make(50, random_state=1)
    assert X.shape == (50, 3, 2) and y.shape == (50, 3, 2)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert np.array_equal(X[:, 1:], y[:, :2])  # each target is the next step's input
    rectangles = np.concatenate([X[:, :1], y], axis=1)  # (50, 4, 2)
    np.testing.assert_array_equal(rectangles[:, 0], np.zeros((50, 2)))
    widths, heights = rectangles[:, 2, 0], rectangles[:, 2, 1]
    np.testing.assert_array_equal(rectangles[:, 1], np.stack([widths, np.zeros(50)], axis=1))
    np.testing.assert_array_equal(rectangles[:, 3], np.stack([np.zeros(50), heights], axis=1))
    assert len(set(widths.tolist())) == 50  # a fresh width for every rectangle


def test_sizes_spread_over_the_unit_interval():
    X, _ = shapes.make(2000, random_state=2)
    sizes = X[:, 2]  # (width, height) of each rectangle
    assert sizes.min() >= 0 and sizes.max() < 1
    np.testing.assert_allclose(sizes.mean(axis=0), [0.5, 0.5], atol=0.03)  # uniform: mean 1/2


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_rectangles_pass(name):
    assert shapes.is_rectangle(GOOD[name], tolerance=0.05) is True


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_quadrilaterals_fail(name):
    assert shapes.is_rectangle(BAD[name], tolerance=0.05) is False


def test_tolerance_decides_the_wobbly_one():
    assert shapes.is_rectangle(GOOD["wobbles within the tolerance"], tolerance=0.02) is False


def test_valid_share_by_hand():
    mixed = [GOOD["the book's order"], BAD["a diamond"], GOOD["clockwise"], BAD["too flat"]]
    assert shapes.valid_share(mixed, tolerance=0.05) == 0.5
    X, y = shapes.make(20, random_state=3)
    generated = np.concatenate([X[:, :1], y], axis=1)
    expected = np.mean([min(r[2, 0], r[2, 1]) > 0.05 for r in generated])  # all else is exact
    assert shapes.valid_share(generated, tolerance=0.05) == pytest.approx(expected, abs=1e-12)


def test_valid_share_of_the_books_rectangles_is_about_ninety_percent():
    X, y = shapes.make(4000, random_state=7)
    generated = np.concatenate([X[:, :1], y], axis=1)
    # both sides must exceed 0.05: 0.95 * 0.95 = 0.9025; standard error 0.005
    assert shapes.valid_share(generated, tolerance=0.05) == pytest.approx(0.9025, abs=0.025)


def test_persistence_next_repeats_the_current_point():
    X, y = shapes.make(5, random_state=4)
    baseline = shapes.persistence_next(X)
    assert baseline.dtype == np.float32 and np.array_equal(baseline, X)
    assert baseline is not X


def test_same_seed_repeats_and_other_seeds_differ():
    first, again, other = (shapes.make(6, random_state=seed) for seed in (5, 5, 6))
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_plot_writes_a_png(tmp_path):
    X, y = shapes.make(7, random_state=0)
    drawn = list(np.concatenate([X[:, :1], y], axis=1)) + [np.array(BAD["a diamond"])]
    path = shapes.plot(drawn, tmp_path / "shapes.png", columns=3)
    assert path == tmp_path / "shapes.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


def test_bad_arguments_raise_exact_messages():
    with pytest.raises(
        ShapeError, match=re.escape("expected 4 points of (x, y), shape (4, 2), got (3, 2)")
    ):
        shapes.is_rectangle([[0, 0], [1, 0], [1, 1]])
    with pytest.raises(
        ConfigError, match=re.escape("tolerance must be a finite number >= 0, got -0.1")
    ):
        shapes.is_rectangle(GOOD["clockwise"], tolerance=-0.1)
    with pytest.raises(
        ConfigError, match=re.escape("n_samples must be a positive integer (1 or more), got 0")
    ):
        shapes.make(0)
    with pytest.raises(
        DataError, match=re.escape("valid_share needs at least one shape, got none")
    ):
        shapes.valid_share([])
    with pytest.raises(
        ShapeError, match=re.escape("expected X of shape (samples, steps, 2), got (3, 2)")
    ):
        shapes.persistence_next(np.zeros((3, 2)))
