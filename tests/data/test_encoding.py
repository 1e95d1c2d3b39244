"""LabelEncoder and OneHotEncoder: listings 3.7/3.8, sklearn parity, unseen labels, JSON."""

import json
import re

import numpy as np
import pandas as pd
import pytest
import sklearn.preprocessing as skp
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.data import LabelEncoder, OneHotEncoder, transformer_from_dict
from lstmkit.errors import DataError, NotFittedError, ShapeError

TEMPERATURES = ["cold", "cold", "warm", "cold", "hot", "hot", "warm", "cold", "warm", "hot"]


def test_listing_3_7_prints_listing_3_8():
    values = np.array(TEMPERATURES)
    label_encoder = LabelEncoder()
    integer_encoded = label_encoder.fit_transform(values)
    assert str(integer_encoded) == "[0 0 2 0 1 1 2 0 2 1]"
    onehot_encoded = OneHotEncoder().fit_transform(integer_encoded)
    expected = [
        [1, 0, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0],
        [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0],
    ]  # fmt: skip
    np.testing.assert_array_equal(onehot_encoded, expected)
    inverted = label_encoder.inverse_transform([np.argmax(onehot_encoded[0, :])])
    assert str(inverted) == "['cold']"


def test_one_hot_straight_from_labels_and_back():
    encoder = OneHotEncoder()
    onehot = encoder.fit_transform(TEMPERATURES)
    assert onehot.shape == (10, 3) and onehot.dtype == np.float32
    assert encoder.classes_.tolist() == ["cold", "hot", "warm"]
    assert encoder.inverse_transform(onehot).tolist() == TEMPERATURES


@pytest.mark.parametrize(
    "labels", [TEMPERATURES, [3, 1, 2, 3, 10], [2.5, -1.0, 2.5], pd.Series(TEMPERATURES)]
)
def test_label_encoder_matches_sklearn(labels):
    ours = LabelEncoder().fit(labels)
    theirs = skp.LabelEncoder().fit(labels)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.transform(labels), theirs.transform(labels))
    np.testing.assert_array_equal(ours.inverse_transform([0, 1]), theirs.inverse_transform([0, 1]))


def test_one_hot_matches_sklearn_dense_output():
    labels = np.array(TEMPERATURES).reshape(-1, 1)
    theirs = skp.OneHotEncoder(sparse_output=False).fit_transform(labels)
    np.testing.assert_array_equal(OneHotEncoder().fit_transform(TEMPERATURES), theirs)


def test_one_hot_token_sequences_give_3d():
    sequences = np.array([["a", "b", "a"], ["c", "c", "b"]])
    encoder = OneHotEncoder().fit(sequences)
    onehot = encoder.transform(sequences)
    assert onehot.shape == (2, 3, 3)  # (samples, timesteps, classes)
    np.testing.assert_array_equal(onehot[1, 0], [0, 0, 1])
    np.testing.assert_array_equal(encoder.inverse_transform(onehot), sequences)


def test_one_hot_integer_sequences_and_ragged_lists():
    encoder = OneHotEncoder().fit([[0, 1, 2], [3, 0]])
    ragged = encoder.transform([[0, 1, 2], [3, 0]])
    assert isinstance(ragged, list) and [r.shape for r in ragged] == [(3, 4), (2, 4)]
    assert [r.tolist() for r in encoder.inverse_transform(ragged)] == [[0, 1, 2], [3, 0]]
    assert encoder.transform(np.array([[3, 3]])).shape == (1, 2, 4)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["x", "y", "z", "w"]), min_size=1, max_size=20))
def test_inverse_of_transform_is_identity_for_labels(labels):
    label_encoder = LabelEncoder().fit(labels)
    assert label_encoder.inverse_transform(label_encoder.transform(labels)).tolist() == labels
    onehot = OneHotEncoder().fit(labels)
    assert onehot.inverse_transform(onehot.transform(labels)).tolist() == labels


@pytest.mark.parametrize("encoder", [LabelEncoder(), OneHotEncoder()])
def test_unseen_label_names_it_and_the_fix(encoder):
    encoder.fit(["a", "b"])
    noun = "label" if isinstance(encoder, LabelEncoder) else "token"
    message = (
        f"unseen {noun} 'c': the encoder was fitted on 'a', 'b'. Refit on data that includes "
        "it, or set unknown=... to map unseen values to an unknown token."
    )
    with pytest.raises(DataError, match=re.escape(message)):
        encoder.transform(["a", "c"])


def test_several_unseen_labels_are_listed_once_each():
    encoder = LabelEncoder().fit(["a", "b"])
    with pytest.raises(DataError, match=re.escape("unseen labels 'c', 'd': the encoder")):
        encoder.transform(["c", "d", "c", "a"])
    many = LabelEncoder().fit([f"k{i:02d}" for i in range(12)])
    with pytest.raises(DataError, match=re.escape("'k08', 'k09', ... (12 in all). Refit")):
        many.transform(["zz"])


def test_unknown_token_maps_unseen_values_and_comes_last():
    encoder = LabelEncoder(unknown="<unk>").fit(["b", "a"])
    assert encoder.classes_.tolist() == ["a", "b", "<unk>"]
    assert encoder.transform(["b", "zzz", "a"]).tolist() == [1, 2, 0]
    onehot = OneHotEncoder(unknown="a").fit(["b", "a"])  # a seen label as the unknown one
    assert onehot.classes_.tolist() == ["a", "b"]
    np.testing.assert_array_equal(onehot.transform(["q"]), [[1, 0]])


def test_bad_labels_are_reported():
    with pytest.raises(
        DataError, match=re.escape("labels contain a missing value (None) at position 1")
    ):
        LabelEncoder().fit(["a", None])
    with pytest.raises(
        DataError, match=re.escape("labels mix types that cannot be ordered (int, str)")
    ):
        LabelEncoder().fit([1, "a"])
    with pytest.raises(DataError, match="LabelEncoder got 0 labels"):
        LabelEncoder().fit([])
    with pytest.raises(
        ShapeError, match=re.escape("expects 1-D labels of shape (n,), got shape (2, 2)")
    ):
        LabelEncoder().fit(np.zeros((2, 2)))
    with pytest.raises(ShapeError, match="got a mix of labels and sequences"):
        OneHotEncoder().fit(["a", ["b"]])
    with pytest.raises(NotFittedError, match="this OneHotEncoder is not fitted yet"):
        OneHotEncoder().transform(["a"])


def test_inverse_errors():
    encoder = OneHotEncoder().fit(["a", "b", "c"])
    with pytest.raises(ShapeError, match=re.escape("with k=3 classes, got shape (2, 2)")):
        encoder.inverse_transform(np.zeros((2, 2)))
    with pytest.raises(DataError, match=re.escape("index 5 is outside the vocabulary of 3 labels")):
        LabelEncoder().fit(["a", "b", "c"]).inverse_transform([5])


def test_label_encoder_accepts_a_column_vector_and_pandas_strings():
    column = np.array(TEMPERATURES).reshape(-1, 1)
    assert LabelEncoder().fit_transform(column).tolist() == [0, 0, 2, 0, 1, 1, 2, 0, 2, 1]
    series = pd.Series(TEMPERATURES, dtype="str")  # pandas 3's default string dtype
    assert LabelEncoder().fit(series).classes_.tolist() == ["cold", "hot", "warm"]


@pytest.mark.parametrize(
    ("encoder", "data"),
    [
        (LabelEncoder(unknown="?"), TEMPERATURES),
        (LabelEncoder(), [3, 1, 2]),
        (OneHotEncoder(), [["a", "b"], ["c", "a"]]),
        (OneHotEncoder(unknown=-1), [5, 7, 9]),
    ],
)
def test_json_round_trip(encoder, data):
    encoder.fit(data)
    d = json.loads(json.dumps(encoder.to_dict(), allow_nan=False))
    rebuilt = transformer_from_dict(d)
    assert type(rebuilt) is type(encoder)
    np.testing.assert_array_equal(rebuilt.classes_, encoder.classes_)
    np.testing.assert_array_equal(rebuilt.transform(data), encoder.transform(data))


def test_to_dict_format_of_a_label_encoder():
    d = LabelEncoder(unknown="?").fit(["b", "a"]).to_dict()
    assert d == {
        "type": "LabelEncoder",
        "version": 1,
        "params": {"unknown": "?"},
        "state": {"classes": ["a", "b"]},
    }


def test_labels_that_json_cannot_hold_are_refused():
    encoder = LabelEncoder().fit(np.array([b"a", b"b"]))  # bytes are labels, not JSON
    with pytest.raises(DataError, match="cannot store this LabelEncoder as JSON"):
        encoder.to_dict()


def test_inverse_of_a_list_of_equal_length_sequences_is_an_array():
    encoder = OneHotEncoder().fit([["a", "b"], ["b", "a"]])
    onehot = list(encoder.transform([["a", "b"], ["b", "a"]]))  # two (2, 2) arrays
    assert encoder.inverse_transform(onehot).tolist() == [["a", "b"], ["b", "a"]]
