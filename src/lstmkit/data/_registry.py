"""Rebuild any lstmkit transformer from its plain-JSON dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lstmkit.data._differencing import Differencer
from lstmkit.data._encoding import LabelEncoder, OneHotEncoder
from lstmkit.data._json import JsonTransformerMixin, check_transformer_dict
from lstmkit.data._scaling import MinMaxScaler, StandardScaler
from lstmkit.data._text import TextEncoder
from lstmkit.errors import unknown_option

TRANSFORMERS: dict[str, type[JsonTransformerMixin]] = {
    cls.__name__: cls
    for cls in (MinMaxScaler, StandardScaler, LabelEncoder, OneHotEncoder, TextEncoder, Differencer)
}


def transformer_from_dict(d: Mapping[str, Any]) -> JsonTransformerMixin:
    """Rebuild a transformer of any lstmkit type from ``to_dict()`` output.

    Args:
        d: a dict with ``"type"``, ``"version"``, ``"params"`` and ``"state"``.

    Returns:
        The transformer, fitted if the dict holds a state.

    Raises:
        ConfigError: ``"type"`` names no lstmkit transformer (with a did-you-mean).
        DataError: the dict is malformed or of another format version.

    Example:
        >>> scaler = MinMaxScaler().fit([0.0, 2.0])
        >>> transformer_from_dict(scaler.to_dict()).transform([1.0]).tolist()
        [0.5]
    """
    d = check_transformer_dict(d)
    if d["type"] not in TRANSFORMERS:
        raise unknown_option("transformer type", str(d["type"]), TRANSFORMERS)
    return TRANSFORMERS[d["type"]].from_dict(d)
