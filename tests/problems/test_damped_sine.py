"""The damped sine generator against the book's formula and settings (chapter 7)."""

import math
import re

import numpy as np
import pytest

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.problems import damped_sine


def test_book_shapes_and_dtypes():
    X, y = damped_sine.make(4, random_state=0)
    assert X.shape == (4, 50, 1) and y.shape == (4, 5)  # the book's length=50, output=5
    assert X.dtype == np.float32 and y.dtype == np.float32


def test_series_follow_the_book_formula_recomputed_by_hand():
    X, y, params = damped_sine.make(
        3, length=12, output_steps=4, random_state=7, return_params=True
    )
    for sample in range(3):
        period, decay = int(params["period"][sample]), float(params["decay"][sample])
        expected = [
            0.5 + 0.5 * math.sin(2 * math.pi * t / period) * math.exp(-decay * t) for t in range(16)
        ]
        got = np.concatenate([X[sample, :, 0], y[sample]])  # input, then its continuation
        # float32 rounding of values in [0, 1] is below 6e-8
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-7)


def test_hand_values_of_the_formula():
    # period 4, no decay: sin at quarter turns is 0, 1, 0, -1
    np.testing.assert_allclose(
        damped_sine.damped_sine(6, 4, 0.0), [0.5, 1, 0.5, 0, 0.5, 1], atol=1e-12
    )
    # decay ln 2 halves the swing each step: t=1 gives 0.5 + 0.5 * 1 * 0.5
    assert damped_sine.damped_sine(2, 4, math.log(2))[1] == pytest.approx(0.75, abs=1e-12)


def test_periods_are_integers_10_to_20_and_decays_in_range():
    _, _, params = damped_sine.make(
        2000, length=2, output_steps=1, random_state=1, return_params=True
    )
    assert params["period"].dtype == np.int64
    assert set(params["period"].tolist()) == set(range(10, 21))  # randint(10, 20) is inclusive
    assert params["decay"].min() >= 0.01 and params["decay"].max() <= 0.1
    assert params["decay"].min() < 0.02 and params["decay"].max() > 0.09  # spread over the range


def test_same_seed_repeats_and_other_seeds_differ():
    first, again, other = (damped_sine.make(5, random_state=seed) for seed in (3, 3, 4))
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    generator = np.random.default_rng(3)
    assert np.array_equal(damped_sine.make(5, random_state=generator)[0], first[0])


def test_persistence_repeats_the_last_input():
    X = np.array([[[0.1], [0.2], [0.9]], [[0.3], [0.4], [0.25]]], dtype=np.float32)
    baseline = damped_sine.persistence(X, 2)
    assert baseline.dtype == np.float32
    np.testing.assert_array_equal(baseline, np.array([[0.9, 0.9], [0.25, 0.25]], dtype=np.float32))
    np.testing.assert_array_equal(damped_sine.persistence(X[:, :, 0], 2), baseline)


def test_persistence_rejects_several_features():
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "expected X of shape (samples, length, 1) or (samples, length) with length >= 1, "
            "got (2, 3, 2): the damped sine has one feature per step"
        ),
    ):
        damped_sine.persistence(np.zeros((2, 3, 2)), 1)


def test_bad_counts_are_reported_together():
    message = (
        "n_samples must be a positive integer (1 or more), got 0; "
        "output_steps must be a positive integer (1 or more), got 2.5"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        damped_sine.make(0, output_steps=2.5)
    with pytest.raises(
        ConfigError, match=re.escape("length must be a positive integer (1 or more), got True")
    ):
        damped_sine.make(1, length=True)


def test_plot_writes_a_png(tmp_path):
    X, y = damped_sine.make(3, random_state=0)
    path = damped_sine.plot(X, y, damped_sine.persistence(X, 5), tmp_path / "sine.png", count=2)
    assert path == tmp_path / "sine.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000
    assert damped_sine.plot(X, y, None, tmp_path / "data.png").stat().st_size > 1000
