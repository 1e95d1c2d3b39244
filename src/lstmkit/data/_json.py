"""Plain-JSON persistence shared by every fitted transformer.

A model file stores its preprocessing as JSON, never as a pickle. Each
transformer turns into::

    {"type": "MinMaxScaler", "version": 1,
     "params": {...constructor arguments...},
     "state": {...learned numbers, vocabularies, classes...} or null}

``state`` is ``null`` for a transformer that was never fitted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

from lstmkit.errors import DataError, NotFittedError

FORMAT_VERSION = 1
_KEYS = ("type", "version", "params", "state")

T = TypeVar("T", bound="JsonTransformerMixin")


def to_plain(value: Any) -> Any:
    """Turn NumPy scalars and arrays, tuples and nested containers into plain JSON values.

    Example:
        >>> to_plain({"a": np.arange(2), "b": (np.float64(0.5), None)})
        {'a': [0, 1], 'b': [0.5, None]}
    """
    if isinstance(value, np.ndarray):
        return [to_plain(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    return value


def require_fitted(estimator: Any, attribute: str, action: str) -> None:
    """Raise ``NotFittedError`` unless ``estimator`` has the learned ``attribute``.

    Example:
        >>> class Thing:
        ...     pass
        >>> require_fitted(Thing(), "classes_", "transform")
        Traceback (most recent call last):
        ...
        lstmkit.errors.NotFittedError: this Thing is not fitted yet: call fit before transform.
    """
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"this {type(estimator).__name__} is not fitted yet: call fit before {action}."
        )


def check_transformer_dict(d: Any, expected_type: str | None = None) -> Mapping[str, Any]:
    """Validate the envelope of a transformer dict and return it.

    Raises:
        DataError: not a mapping, keys missing, unknown version, or another type.

    Example:
        >>> check_transformer_dict({"type": "X", "version": 2, "params": {}, "state": None})
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: transformer dict has version 2, but this lstmkit reads version 1: upgrade lstmkit to load it.
    """
    if not isinstance(d, Mapping):
        raise DataError(
            f"expected a transformer dict with keys {', '.join(_KEYS)}, got {type(d).__name__}."
        )
    missing = [key for key in _KEYS if key not in d]
    if missing:
        raise DataError(
            f"transformer dict is missing {', '.join(repr(k) for k in missing)}: expected keys "
            f"{', '.join(_KEYS)}, as written by to_dict()."
        )
    if d["version"] != FORMAT_VERSION:
        raise DataError(
            f"transformer dict has version {d['version']!r}, but this lstmkit reads version "
            f"{FORMAT_VERSION}: upgrade lstmkit to load it."
        )
    if expected_type is not None and d["type"] != expected_type:
        raise DataError(
            f"cannot build a {expected_type} from a dict of type {d['type']!r}: use "
            "lstmkit.data.transformer_from_dict(d), which picks the class from 'type'."
        )
    return d


class JsonTransformerMixin:
    """Adds ``to_dict`` / ``from_dict``; subclasses define the state hooks.

    Subclasses set ``_fitted_attribute`` (a learned attribute present once fitted)
    and implement ``_get_state()`` and ``_set_state(state)``.
    """

    _fitted_attribute: str = ""

    def _get_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def _set_state(self, state: Mapping[str, Any]) -> None:
        raise NotImplementedError

    @classmethod
    def _params_from_json(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        return dict(params)

    def to_dict(self) -> dict[str, Any]:
        """Return the transformer as a JSON-serialisable dict.

        Returns:
            ``{"type", "version", "params", "state"}``; ``state`` is ``None`` before fit.

        Raises:
            DataError: a parameter or label cannot be written as JSON.
        """
        fitted = hasattr(self, self._fitted_attribute)
        d = {
            "type": type(self).__name__,
            "version": FORMAT_VERSION,
            "params": to_plain(self.get_params(deep=False)),  # type: ignore[attr-defined]
            "state": to_plain(self._get_state()) if fitted else None,
        }
        try:
            json.dumps(d, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"cannot store this {type(self).__name__} as JSON: {exc}. Use labels and "
                "parameters that are strings, numbers, booleans or None."
            ) from exc
        return d

    @classmethod
    def from_dict(cls: type[T], d: Mapping[str, Any]) -> T:
        """Rebuild a transformer from :meth:`to_dict` output (fitted if it was).

        Args:
            d: the dict, possibly after a JSON round trip.

        Returns:
            A transformer that transforms exactly as the one that wrote ``d``.

        Raises:
            DataError: the dict is malformed, of another type or another version.
        """
        d = check_transformer_dict(d, cls.__name__)
        try:
            transformer = cls(**cls._params_from_json(d["params"]))
            if d["state"] is not None:
                transformer._set_state(d["state"])
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"malformed {cls.__name__} dict: {exc!r}.") from exc
        return transformer
