"""transformer_from_dict and the dict envelope shared by every transformer."""

import json
import re

import numpy as np
import pytest

from lstmkit.data import (
    Differencer,
    LabelEncoder,
    MinMaxScaler,
    OneHotEncoder,
    StandardScaler,
    TextEncoder,
    transformer_from_dict,
)
from lstmkit.errors import ConfigError, DataError

FITTED = [
    MinMaxScaler().fit([1.0, 3.0]),
    StandardScaler().fit([1.0, 3.0]),
    LabelEncoder().fit(["a", "b"]),
    OneHotEncoder().fit(["a", "b"]),
    TextEncoder().fit("ab"),
    Differencer().fit([1, 2, 3]),
]


@pytest.mark.parametrize("transformer", FITTED, ids=lambda t: type(t).__name__)
def test_every_transformer_round_trips_through_json(transformer):
    text = json.dumps(transformer.to_dict(), allow_nan=False)
    d = json.loads(text)
    assert set(d) == {"type", "version", "params", "state"} and d["version"] == 1
    rebuilt = transformer_from_dict(d)
    assert type(rebuilt) is type(transformer)
    assert json.dumps(rebuilt.to_dict(), allow_nan=False) == text


def test_unknown_type_suggests_the_closest():
    d = {"type": "MinMaxScalar", "version": 1, "params": {}, "state": None}
    with pytest.raises(ConfigError, match=re.escape("unknown transformer type 'MinMaxScalar'")):
        transformer_from_dict(d)
    with pytest.raises(ConfigError, match=re.escape("Did you mean 'MinMaxScaler'?")):
        transformer_from_dict(d)


def test_malformed_dicts():
    with pytest.raises(DataError, match=re.escape("transformer dict is missing 'state'")):
        transformer_from_dict({"type": "MinMaxScaler", "version": 1, "params": {}})
    with pytest.raises(DataError, match="has version 7, but this lstmkit reads version 1"):
        transformer_from_dict({"type": "MinMaxScaler", "version": 7, "params": {}, "state": None})
    d = MinMaxScaler().fit([1.0, 2.0]).to_dict()
    with pytest.raises(
        DataError,
        match=re.escape("cannot build a StandardScaler from a dict of type 'MinMaxScaler'"),
    ):
        StandardScaler.from_dict(d)
    d["state"]["scale"] = [1.0, 2.0]
    with pytest.raises(DataError, match=re.escape("'scale' must hold 1 number (one per feature)")):
        transformer_from_dict(d)
    d = MinMaxScaler().fit([1.0, 2.0]).to_dict()
    d["state"] = {key: value for key, value in d["state"].items() if key != "min"}
    with pytest.raises(DataError, match=re.escape("malformed MinMaxScaler dict: KeyError('min')")):
        MinMaxScaler.from_dict(d)
    with pytest.raises(DataError, match="expected a transformer dict"):
        transformer_from_dict([1, 2])


def test_unfitted_transformers_come_back_unfitted():
    d = OneHotEncoder(unknown="?").to_dict()
    assert d["state"] is None
    rebuilt = transformer_from_dict(d)
    assert rebuilt.get_params() == {"unknown": "?"} and not hasattr(rebuilt, "classes_")
    assert np.isfinite(
        StandardScaler.from_dict(StandardScaler().fit([2.4e169] * 3).to_dict()).transform([2.4e169])
    ).all()
