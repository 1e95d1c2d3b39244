"""The addition strings against the book's lengths, alphabet and padding (chapter 9)."""

import math
import re

import numpy as np
import pytest

from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.problems import addition


def test_the_books_lengths_worked_by_hand():
    # input:  n_terms * ceil(log10(largest + 1)) + n_terms - 1
    #         n_terms=2, largest=10: 2 * ceil(log10(11)) + 1 = 2 * 2 + 1 = 5   ("10+10")
    #         n_terms=3, largest=10: 3 * ceil(log10(11)) + 2 = 3 * 2 + 2 = 8   ("10+10+10")
    # output: ceil(log10(n_terms * (largest + 1)))
    #         n_terms=2: ceil(log10(22)) = 2;  n_terms=3: ceil(log10(33)) = 2   (at most "30")
    assert addition.lengths(2, 10) == (5, 2)
    assert addition.lengths(3, 10) == (8, 2)
    # more by hand: 2 terms up to 99: "99+99" is 5, the sum 198 is 3 = ceil(log10(200))
    assert addition.lengths(2, 99) == (5, 3)
    # one-digit terms: 4 terms up to 9: "9+9+9+9" is 7, the sum 36 is 2 = ceil(log10(40))
    assert addition.lengths(4, 9) == (7, 2)


def test_lengths_equal_the_books_float_formulas_on_a_grid():
    for n_terms in range(1, 7):
        for largest in [*range(1, 120), 999, 1000, 1001, 9999, 10_000]:
            book_in = n_terms * math.ceil(math.log10(largest + 1)) + n_terms - 1
            book_out = math.ceil(math.log10(n_terms * (largest + 1)))
            assert addition.lengths(n_terms, largest) == (book_in, book_out), (n_terms, largest)
            assert book_out >= len(str(n_terms * largest))  # the largest sum fits


def test_alphabet_is_the_books():
    assert addition.ALPHABET == "0123456789+ " and len(addition.ALPHABET) == 12


def test_strings_are_right_justified_sums_of_terms_in_range():
    inputs, outputs = addition.make_strings(500, n_terms=3, largest=10, random_state=0)
    terms_seen = set()
    for text, answer in zip(inputs, outputs):
        assert len(text) == 8 and len(answer) == 2
        assert text == text.strip().rjust(8) and answer == answer.strip().rjust(2)
        terms = [int(term) for term in text.strip().split("+")]
        assert len(terms) == 3 and all(1 <= term <= 10 for term in terms)
        assert int(answer) == sum(terms)
        terms_seen.update(terms)
    assert terms_seen == set(range(1, 11))  # uniform over 1..largest, both ends included


def test_one_hot_input_and_character_labels():
    X, y = addition.make(50, random_state=1)
    inputs, outputs = addition.make_strings(50, random_state=1)
    assert X.shape == (50, 5, 12) and X.dtype == np.float32
    assert np.array_equal(X.sum(axis=2), np.ones((50, 5), dtype=np.float32))
    assert y.shape == (50, 2) and y.dtype == np.dtype("<U1")
    assert addition.decode(X) == inputs and addition.decode(y) == outputs
    assert addition.decode(y.tolist()) == outputs  # lists of characters, as a classifier may return
    # ' 10+6' hand-encoded: the space is code 11, '+' code 10
    codes = np.argmax(addition.encode([" 10+6"])[0], axis=1).tolist()
    assert codes == [11, 1, 0, 10, 6]


def test_exact_match_by_hand():
    assert addition.exact_match([" 8", "11", "15", " 2"], [" 8", "11", "14", " 2"]) == 0.75
    assert addition.exact_match(["8 "], [" 8"]) == 0.0  # padding is part of the string


def test_same_seed_repeats_and_other_seeds_differ():
    assert addition.make_strings(20, random_state=4) == addition.make_strings(20, random_state=4)
    assert addition.make_strings(20, random_state=4) != addition.make_strings(20, random_state=5)
    X, y = addition.make(20, random_state=np.random.default_rng(4))
    assert addition.decode(X) == addition.make_strings(20, random_state=4)[0]


def test_bad_arguments_raise_exact_messages():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "n_samples must be a positive integer (1 or more), got -1; "
            "largest must be a positive integer (1 or more), got 0"
        ),
    ):
        addition.make(-1, largest=0)
    with pytest.raises(
        ConfigError, match=re.escape("n_terms must be a positive integer (1 or more), got 2.0")
    ):
        addition.lengths(2.0, 10)
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "predicted_strings has 1 strings but expected_strings has 2: "
            "pass one prediction per expected string"
        ),
    ):
        addition.exact_match(["1"], ["1", "2"])
    with pytest.raises(
        DataError, match=re.escape("characters outside the alphabet '0123456789+ ': ['-']")
    ):
        addition.encode(["1-2"])
    with pytest.raises(
        DataError, match=re.escape("strings to encode must all have one length, got lengths [3, 4]")
    ):
        addition.encode(["1+2", "10+2"])
