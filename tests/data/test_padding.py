"""pad_sequences: the book's listings 3.9-3.16 and Keras's semantics on hand-worked cases."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import pad_sequences
from lstmkit.errors import ConfigError, DataError, ShapeError

BOOK = [[1, 2, 3, 4], [1, 2, 3], [1]]


# --- The book's listings ---------------------------------------------------------------------


def test_listing_3_9_pre_padding_prints_listing_3_10():
    padded = pad_sequences(BOOK)
    assert str(padded) == "[[1 2 3 4]\n [0 1 2 3]\n [0 0 0 1]]"
    assert padded.dtype == np.int32


def test_listing_3_11_post_padding_prints_listing_3_12():
    assert str(pad_sequences(BOOK, padding="post")) == "[[1 2 3 4]\n [1 2 3 0]\n [1 0 0 0]]"


def test_listing_3_13_pre_truncation_prints_listing_3_14():
    assert str(pad_sequences(BOOK, maxlen=2)) == "[[3 4]\n [2 3]\n [0 1]]"


def test_listing_3_15_post_truncation_prints_listing_3_16():
    assert str(pad_sequences(BOOK, maxlen=2, truncating="post")) == "[[1 2]\n [1 2]\n [0 1]]"


# --- Keras's documented examples and hand-worked cases ---------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, [[0, 0, 1], [0, 2, 3], [4, 5, 6]]),
        ({"value": -1}, [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]),
        ({"padding": "post"}, [[1, 0, 0], [2, 3, 0], [4, 5, 6]]),
        ({"maxlen": 2}, [[0, 1], [2, 3], [5, 6]]),
        ({"maxlen": 2, "padding": "post", "truncating": "post"}, [[1, 0], [2, 3], [4, 5]]),
        ({"maxlen": 4, "padding": "post"}, [[1, 0, 0, 0], [2, 3, 0, 0], [4, 5, 6, 0]]),
    ],
)
def test_keras_docstring_examples(kwargs, expected):
    assert pad_sequences([[1], [2, 3], [4, 5, 6]], **kwargs).tolist() == expected


def test_feature_vectors_pad_with_whole_steps():
    sequences = [[[1, 2], [3, 4], [5, 6]], [[7, 8]]]
    padded = pad_sequences(sequences, dtype="float32", value=-9.0)
    assert padded.shape == (2, 3, 2) and padded.dtype == np.float32
    np.testing.assert_array_equal(padded[1], [[-9, -9], [-9, -9], [7, 8]])
    truncated = pad_sequences(sequences, maxlen=2, truncating="post", padding="post")
    np.testing.assert_array_equal(truncated[0], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(truncated[1], [[7, 8], [0, 0]])


def test_empty_sequences_become_padding():
    padded, lengths = pad_sequences([[], [5, 6], []], return_lengths=True)
    assert padded.tolist() == [[0, 0], [5, 6], [0, 0]]
    assert lengths.tolist() == [0, 2, 0]


def test_edge_lengths():
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([], maxlen=3).shape == (0, 3)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert pad_sequences(np.array([[1, 2], [3, 4]]), maxlen=3).tolist() == [[0, 1, 2], [0, 3, 4]]


def test_float_dtype_keeps_fractions_and_object_dtype_pads_strings():
    assert pad_sequences([[0.5, 1.5], [2.5]], dtype="float32").tolist() == [[0.5, 1.5], [0.0, 2.5]]
    padded = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert padded.tolist() == [["a", "b"], ["<pad>", "c"]]


def test_return_lengths_gives_the_kept_lengths_as_int64():
    padded, lengths = pad_sequences(BOOK, maxlen=2, return_lengths=True)
    assert lengths.dtype == np.int64 and lengths.tolist() == [2, 2, 1]
    assert padded.tolist() == [[3, 4], [2, 3], [0, 1]]


def _reference(sequences, maxlen, padding, truncating, value):
    """Keras's rule, one sequence at a time, in plain Python."""
    rows = []
    for seq in sequences:
        kept = (
            seq[len(seq) - maxlen :] if truncating == "pre" and len(seq) > maxlen else seq[:maxlen]
        )
        pad = [value] * (maxlen - len(kept))
        rows.append(pad + list(kept) if padding == "pre" else list(kept) + pad)
    return rows


@settings(max_examples=80, deadline=None)
@given(
    sequences=st.lists(st.lists(st.integers(-50, 50), max_size=7), min_size=1, max_size=6),
    maxlen=st.one_of(st.none(), st.integers(0, 8)),
    padding=st.sampled_from(["pre", "post"]),
    truncating=st.sampled_from(["pre", "post"]),
    value=st.integers(-3, 3),
)
def test_matches_the_keras_rule(sequences, maxlen, padding, truncating, value):
    padded, lengths = pad_sequences(
        sequences,
        maxlen=maxlen,
        padding=padding,
        truncating=truncating,
        value=value,
        return_lengths=True,
    )
    width = max(len(s) for s in sequences) if maxlen is None else maxlen
    assert padded.shape == (len(sequences), width)
    assert padded.tolist() == _reference(sequences, width, padding, truncating, value)
    assert lengths.tolist() == [min(len(s), width) for s in sequences]


# --- Errors ----------------------------------------------------------------------------------


def test_invalid_padding_and_truncating_suggest_the_right_word():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "unknown padding 'pots': expected one of 'post', 'pre'. Did you mean 'post'?"
        ),
    ):
        pad_sequences(BOOK, padding="pots")
    with pytest.raises(
        ConfigError, match=re.escape("unknown truncating 'begin': expected one of 'post', 'pre'.")
    ):
        pad_sequences(BOOK, truncating="begin")


def test_non_integral_floats_into_an_integer_dtype_are_refused():
    message = (
        "sequence 1 has non-integral values (0.5 at step 1) that dtype='int32' would "
        'truncate: pass dtype="float32" to keep them.'
    )
    with pytest.raises(DataError, match=re.escape(message)):
        pad_sequences([[1.0, 2.0], [3.0, 0.5]])
    assert pad_sequences([[1.0, 2.0]]).tolist() == [[1, 2]]  # integral floats cast fine
    with pytest.raises(
        DataError, match=re.escape("value=0.5 is not an integer, but dtype='int32'")
    ):
        pad_sequences(BOOK, value=0.5)
    with pytest.raises(DataError, match="values outside the range of int8"):
        pad_sequences([[300]], dtype="int8")


def test_shape_errors():
    with pytest.raises(
        ShapeError, match=re.escape("sequence 1 has steps of shape (3,), but the first")
    ):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])
    with pytest.raises(ShapeError, match=re.escape("sequence 0 is not a sequence: got 5")):
        pad_sequences([5, [1]])
    with pytest.raises(ShapeError, match=re.escape("sequence 0 is the string 'abc'")):
        pad_sequences(["abc"])
    with pytest.raises(ConfigError, match="maxlen must be a non-negative integer or None, got -1"):
        pad_sequences(BOOK, maxlen=-1)
    with pytest.raises(ConfigError, match="value='x' is a string, but dtype='int32' is numeric"):
        pad_sequences(BOOK, value="x")
