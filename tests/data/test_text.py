"""TextEncoder: character and word vocabularies, round trips, unknown tokens, JSON."""

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import TextEncoder, transformer_from_dict
from lstmkit.errors import ConfigError, DataError

RHYME = "Sing a song of sixpence, A pocket full of rye."


def test_char_vocabulary_is_the_books_sorted_set():
    encoder = TextEncoder().fit(RHYME)
    chars = sorted(set(RHYME))  # the book: chars = sorted(list(set(raw_text)))
    assert encoder.vocabulary_ == {c: i for i, c in enumerate(chars)}
    assert encoder.tokens_ == chars
    codes = encoder.transform(RHYME)
    assert codes.dtype == np.int64 and codes.shape == (len(RHYME),)
    assert encoder.inverse_transform(codes) == RHYME


def test_word_level_lower_and_lists_of_texts():
    encoder = TextEncoder(level="word", lower=True).fit(["The cat sat", "the dog sat"])
    assert encoder.vocabulary_ == {"cat": 0, "dog": 1, "sat": 2, "the": 3}
    codes = encoder.transform(["THE  dog", "cat"])
    assert [c.tolist() for c in codes] == [[3, 1], [0]]
    assert encoder.inverse_transform(codes) == ["the dog", "cat"]
    assert encoder.inverse_transform(np.array([[3, 1], [0, 2]])) == ["the dog", "cat sat"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abc xyz\n", max_size=15), min_size=1, max_size=5))
def test_char_inverse_of_transform_is_identity(texts):
    if not "".join(texts):
        return
    encoder = TextEncoder().fit(texts)
    assert encoder.inverse_transform(encoder.transform(texts)) == texts


def test_unseen_character_and_word():
    message = (
        "unseen character 'z': the encoder was fitted on 'a', 'b'. Refit on data that "
        "includes it, or set unknown_token=... to map unseen values to an unknown token."
    )
    with pytest.raises(DataError, match=re.escape(message)):
        TextEncoder().fit("ab").transform("abz")
    with pytest.raises(DataError, match=re.escape("unseen words 'dog', 'eats': the encoder")):
        TextEncoder(level="word").fit("a cat").transform("dog eats a cat")


def test_unknown_token_is_appended_and_used():
    encoder = TextEncoder(level="word", unknown_token="<unk>").fit("a cat")
    assert encoder.vocabulary_ == {"a": 0, "cat": 1, "<unk>": 2}
    assert encoder.transform("a dog").tolist() == [0, 2]
    assert encoder.inverse_transform([0, 2]) == "a <unk>"


def test_bad_level_and_bad_texts():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "unknown level 'words': expected one of 'char', 'word'. Did you mean 'word'?"
        ),
    ):
        TextEncoder(level="words").fit("a b")
    with pytest.raises(DataError, match=re.escape("text 1 is None (NoneType), expected a string")):
        TextEncoder().fit(["ab", None])
    with pytest.raises(DataError, match="TextEncoder found no tokens to fit"):
        TextEncoder(level="word").fit(["  ", ""])
    with pytest.raises(
        DataError, match=re.escape("index 9 is outside the vocabulary of 2 characters")
    ):
        TextEncoder().fit("ab").inverse_transform([0, 9])


def test_json_round_trip():
    encoder = TextEncoder(level="word", unknown_token="?", lower=True).fit(
        ["Hello world", "hello you"]
    )
    d = json.loads(json.dumps(encoder.to_dict(), allow_nan=False))
    assert d["state"] == {"tokens": ["hello", "world", "you"]}
    assert d["params"] == {"level": "word", "lower": True, "unknown_token": "?"}
    rebuilt = transformer_from_dict(d)
    assert rebuilt.vocabulary_ == encoder.vocabulary_
    assert rebuilt.transform("hello there").tolist() == encoder.transform("hello there").tolist()
