"""The echo generator against the book's listings (1.11–1.12, 1.19–1.20)."""

import numpy as np
import pytest

from lstmkit.errors import ConfigError
from lstmkit.problems import DEMOS, echo


def test_book_example_shapes():
    X, y = echo.make(1, length=25, n_features=100, out_index=2, random_state=0)
    assert X.shape == (1, 25, 100)  # Listing 1.12 prints (1, 25, 100)
    assert X.dtype == np.float32 and y.dtype == np.int64


def test_label_is_the_value_at_out_index_and_rows_are_one_hot():
    X, y = echo.make(500, random_state=3)
    assert np.array_equal(X.sum(axis=2), np.ones((500, 5)))
    assert np.array_equal(np.argmax(X[:, 2], axis=1), y)
    assert set(np.unique(y)) == set(range(10))


def test_seeded_generation_repeats():
    assert np.array_equal(echo.make(10, random_state=5)[0], echo.make(10, random_state=5)[0])


def test_out_index_outside_the_sequence():
    with pytest.raises(
        ConfigError, match=r"out_index must be a position in the sequence \(0 to 4\), got 5"
    ):
        echo.make(3, out_index=5)


def test_demo_is_registered():
    assert "echo" in DEMOS


@pytest.mark.slow
def test_demo_prints_the_book_lines_and_succeeds(tmp_path, capsys):
    assert echo.demo(output=tmp_path / "echo.safetensors") == 0
    out = capsys.readouterr().out
    assert "Accuracy: 100.000000" in out
    assert out.count("Sequence: [[") == 3 and "Expected: [" in out and "Predicted: [" in out
    assert "predictions identical" in out
