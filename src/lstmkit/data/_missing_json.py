"""Missing-steps policies to and from plain JSON, for model files (no pickle).

The envelope is the transformers' one (:mod:`lstmkit.data._json`)::

    {"type": "SeasonalFill", "version": 1,
     "params": {"season": 12, "n_seasons": 3, ...},       constructor arguments
     "state": {"freq_": "MS", "columns_": ["y"], "season_": 12, "limit_": null,
               "history_": {"index": ["1958-01-01T00:00:00", ...],
                            "values": [[340.1, null, ...]], ...}}}   or null before fit

Values are stored per column, in the order of ``columns_`` (JSON object keys are
always strings, so a dict keyed by column would turn a column ``0`` into ``"0"``);
NaN is written as null. A rebuilt policy transforms exactly as the one that wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._json import FORMAT_VERSION, check_transformer_dict, to_plain
from lstmkit.errors import DataError, unknown_option

# Fitted attributes in the order they are written; a policy has those it learns.
_STATE = ("freq_", "columns_", "limit_", "season_", "fill_values_", "history_")


class GapPolicyJsonMixin:
    """Gives every missing-steps policy ``to_dict``; :func:`gap_policy_from_dict` reverses it."""

    def to_dict(self) -> dict[str, Any]:
        """The policy as a JSON-safe dict: its type, constructor params and fitted state.

        Returns:
            ``{"type", "version", "params", "state"}``; ``state`` is None before fit.

        Raises:
            DataError: a column name or parameter cannot be written as JSON.

        Example:
            >>> from lstmkit.data import DropGaps
            >>> DropGaps(freq="D").to_dict()
            {'type': 'DropGaps', 'version': 1, 'params': {'freq': 'D'}, 'state': None}
        """
        params = self.get_params(deep=False)  # type: ignore[attr-defined]
        d = {
            "type": type(self).__name__,
            "version": FORMAT_VERSION,
            "params": to_plain({name: _plain_param(value) for name, value in params.items()}),
            "state": _state(self) if hasattr(self, "freq_") else None,
        }
        try:
            json.dumps(d, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"cannot store this {type(self).__name__} as JSON: {exc}. Use column names and "
                "parameters that are strings, numbers, booleans or None."
            ) from exc
        return d


def _gap_policies() -> dict[str, type]:
    """The policies a dict may name: lstmkit's own, never a class named by the file."""
    # Imported here: lstmkit.data._missing imports this module for the mixin.
    from lstmkit.data._missing import DropGaps, InterpolateGaps, MaskGaps, SeasonalFill

    return {cls.__name__: cls for cls in (InterpolateGaps, SeasonalFill, MaskGaps, DropGaps)}


def gap_policy_from_dict(d: Mapping[str, Any]) -> Any:
    """Rebuild a missing-steps policy (fitted if it was) from its ``to_dict()`` output.

    Args:
        d: the dict, possibly after a JSON round trip.

    Returns:
        A policy whose ``transform`` gives the same frame as the one that wrote ``d``.

    Raises:
        ConfigError: ``"type"`` names no policy (the known ones are listed).
        DataError: the dict is malformed or of another format version.

    Example:
        >>> from lstmkit.data import MaskGaps
        >>> series = pd.Series([1.0, np.nan, 3.0],
        ...                    index=pd.date_range("2020-01-01", periods=3, freq="D"))
        >>> policy = MaskGaps(fill_value="mean").fit(series)
        >>> restored = gap_policy_from_dict(json.loads(json.dumps(policy.to_dict())))
        >>> restored.fill_values_, restored.transform(series)["value_missing"].tolist()
        ({'value': 2.0}, [0.0, 1.0, 0.0])
    """
    d = check_transformer_dict(d)
    known = _gap_policies()
    if d["type"] not in known:
        raise unknown_option("missing-steps policy type", str(d["type"]), known)
    cls = known[d["type"]]
    try:
        policy = cls(**d["params"])
        if d["state"] is not None:
            _set_state(policy, d["state"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"malformed {cls.__name__} dict: {exc!r}.") from exc
    return policy


def _plain_param(value: Any) -> Any:
    """A pandas frequency or a duration as the text that rebuilds it ('D', 'P0DT6H0M0S')."""
    if isinstance(value, pd.offsets.BaseOffset):
        return value.freqstr
    if isinstance(value, (timedelta, np.timedelta64)):
        return pd.Timedelta(value).isoformat()
    return value


def _state(policy: Any) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for name in _STATE:
        if not hasattr(policy, name):
            continue
        value = getattr(policy, name)
        if name == "fill_values_":
            value = [value[column] for column in policy.columns_]
        elif name == "history_":
            value = frame_to_json(value)
        state[name] = to_plain(value)
    return state


def _set_state(policy: Any, state: Mapping[str, Any]) -> None:
    for name, value in state.items():
        if name not in _STATE:
            raise DataError(f"unknown fitted attribute {name!r}: expected some of {_STATE}.")
        if name == "fill_values_":
            value = {column: float(fill) for column, fill in zip(state["columns_"], value)}
        elif name == "history_":
            value = frame_from_json(value, state["columns_"])
        setattr(policy, name, value)


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    """ISO timestamps and per-column values, NaN as None.

    A zoned index is written in UTC with its zone's name apart: local wall times repeat
    when clocks go back, UTC instants never do.
    """
    index = frame.index
    tz = None if index.tz is None else str(index.tz)
    instants = index if index.tz is None else index.tz_convert("UTC").tz_localize(None)
    values = frame.to_numpy(dtype=np.float64).T
    return {
        "index": [stamp.isoformat() for stamp in instants],
        "index_name": index.name,
        "tz": tz,
        "unit": index.unit,
        "values": [[None if np.isnan(v) else float(v) for v in column] for column in values],
    }


def frame_from_json(d: Mapping[str, Any], columns: list[Any]) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(d["index"]), name=d["index_name"]).as_unit(d["unit"])
    if d["tz"] is not None:
        index = index.tz_localize("UTC").tz_convert(d["tz"])
    values = np.array(
        [[np.nan if v is None else v for v in column] for column in d["values"]], dtype=np.float64
    ).reshape(len(columns), len(index))
    return pd.DataFrame(values.T, index=index, columns=pd.Index(columns))
