"""Per-feature scalers for series, tables and (samples, timesteps, features) arrays.

scikit-learn's scalers do the arithmetic; these wrappers add what sequence data
needs: 1-D series (one feature) and 3-D arrays (per feature across samples and
time), warnings for values outside the fitted range, finite output for constant
features of any size, messages that name the bad sample, and plain-JSON state.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.preprocessing import MinMaxScaler as _SkMinMaxScaler
from sklearn.preprocessing import StandardScaler as _SkStandardScaler

from lstmkit.data._scaler_base import FeatureScaler, floats, sample_count
from lstmkit.data._warnings import OutOfRangeWarning
from lstmkit.errors import ConfigError, DataError

# Above this magnitude sklearn's variance overflows; such features are fitted on
# data divided by a power of two (an exact operation) and the statistics scaled back.
_HUGE = 1e100


class MinMaxScaler(FeatureScaler):
    """Rescale each feature to ``feature_range`` (normalisation).

    Args:
        feature_range: the ``(min, max)`` the training data is mapped to.
        clip: clip transformed values to ``feature_range``; otherwise values outside
            the fitted range warn with :class:`OutOfRangeWarning`.

    Attributes:
        data_min_, data_max_, data_range_: per-feature statistics of the training data.
        scale_, min_: the transform is ``X * scale_ + min_``.
        scaler_: the underlying ``sklearn.preprocessing.MinMaxScaler``.

    Example:
        >>> scaler = MinMaxScaler().fit([10.0, 20.0, 30.0])
        >>> scaler.transform([10.0, 25.0]).tolist()
        [0.0, 0.75]
        >>> scaler.inverse_transform([0.75]).tolist()
        [25.0]
    """

    def __init__(self, feature_range: tuple[float, float] = (0, 1), clip: bool = False) -> None:
        self.feature_range = feature_range
        self.clip = clip

    @property
    def _fill_value(self) -> float:  # type: ignore[override]
        return float(self.feature_range[0])

    def _validate_params(self) -> None:
        bounds = self.feature_range
        ok = (
            isinstance(bounds, (tuple, list))
            and len(bounds) == 2
            and all(isinstance(b, numbers.Real) and np.isfinite(b) for b in bounds)
            and bounds[0] < bounds[1]
        )
        if not ok:
            raise ConfigError(
                f"feature_range must be (min, max) with min < max, got {bounds!r}: "
                "e.g. feature_range=(0, 1) or (-1, 1)."
            )
        if not isinstance(self.clip, (bool, np.bool_)):
            raise ConfigError(f"clip must be True or False, got {self.clip!r}.")

    def _fit_table(self, table: np.ndarray) -> None:
        scaler = _SkMinMaxScaler(feature_range=tuple(self.feature_range), clip=bool(self.clip))
        with np.errstate(over="ignore", invalid="ignore"):
            scaler.fit(table)
        wide = np.flatnonzero(~np.isfinite(scaler.data_range_))
        if len(wide):
            j = wide[0]
            raise DataError(
                f"feature {j} spans from {scaler.data_min_[j]:g} to {scaler.data_max_[j]:g}, "
                "a range too wide for float64: divide the data by a constant before scaling."
            )
        self._adopt(scaler)

    def _adopt(self, scaler: _SkMinMaxScaler) -> None:
        self.scaler_ = scaler
        self.data_min_ = scaler.data_min_
        self.data_max_ = scaler.data_max_
        self.data_range_ = scaler.data_range_
        self.scale_ = scaler.scale_
        self.min_ = scaler.min_
        self.n_samples_seen_ = sample_count(scaler.n_samples_seen_)

    def _before_transform(self, table: np.ndarray) -> None:
        if self.clip or table.shape[0] == 0:
            return
        low, high = np.fmin.reduce(table, axis=0), np.fmax.reduce(table, axis=0)
        parts = []
        for j in range(table.shape[1]):
            where = []
            if high[j] > self.data_max_[j]:
                where.append(
                    f"to {high[j]:g} ({high[j] - self.data_max_[j]:g} above the fitted "
                    f"maximum {self.data_max_[j]:g})"
                )
            if low[j] < self.data_min_[j]:
                where.append(
                    f"to {low[j]:g} ({self.data_min_[j] - low[j]:g} below the fitted "
                    f"minimum {self.data_min_[j]:g})"
                )
            if where:
                parts.append(f"feature {j} goes " + " and ".join(where))
        if parts:
            lo, hi = self.feature_range
            warnings.warn(
                f"values outside the range the scaler was fitted on: {'; '.join(parts)}. "
                f"The scaled values fall outside feature_range ({lo:g}, {hi:g}); set "
                "clip=True to clip them, or refit on data that covers this range.",
                OutOfRangeWarning,
                stacklevel=3,
            )

    @classmethod
    def _params_from_json(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        params = dict(params)
        if isinstance(params.get("feature_range"), list):
            params["feature_range"] = tuple(params["feature_range"])
        return params

    def _get_state(self) -> dict[str, Any]:
        return {
            **self._common_state(),
            "data_min": self.data_min_,
            "data_max": self.data_max_,
            "data_range": self.data_range_,
            "scale": self.scale_,
            "min": self.min_,
        }

    def _set_state(self, state: Mapping[str, Any]) -> None:
        count = int(state["n_features_in"])
        scaler = _SkMinMaxScaler(feature_range=tuple(self.feature_range), clip=bool(self.clip))
        for key in ("data_min", "data_max", "data_range", "scale", "min"):
            setattr(scaler, f"{key}_", floats(state[key], count, key))
        self.scaler_ = scaler
        self._set_common_state(state)
        self._adopt(scaler)


class StandardScaler(FeatureScaler):
    """Rescale each feature to mean 0 and standard deviation 1 (standardisation).

    A constant feature maps to exactly 0, whatever its value (even 2.4e169).

    Attributes:
        mean_, var_, std_: per-feature mean, variance and standard deviation.
        scale_: the divisor, ``std_`` except 1 for a constant feature; the transform
            is ``(X - mean_) / scale_``.
        scaler_: the underlying ``sklearn.preprocessing.StandardScaler``.

    Example:
        >>> scaler = StandardScaler().fit([1.0, 2.0, 3.0])
        >>> scaler.transform([2.0, 3.0]).round(4).tolist()
        [0.0, 1.2247]
    """

    def __init__(self) -> None:
        pass

    def _fit_table(self, table: np.ndarray) -> None:
        # Exactly constant features are detected before any arithmetic can round.
        low, high = np.fmin.reduce(table, axis=0), np.fmax.reduce(table, axis=0)
        constant = low == high
        biggest = np.maximum(np.abs(low), np.abs(high)).astype(np.float64)
        exponent = np.frexp(biggest)[1]  # 2**(exponent - 1) <= biggest < 2**exponent
        factor = np.where(biggest > _HUGE, np.ldexp(1.0, exponent - 1), 1.0)
        scaler = _SkStandardScaler()
        with np.errstate(over="ignore", invalid="ignore"):
            scaler.fit(table / factor)
            scaler.mean_ = np.where(constant, low, scaler.mean_ * factor)
            std = np.where(constant, 0.0, np.sqrt(scaler.var_) * factor)
            scaler.var_ = np.where(constant, 0.0, scaler.var_ * factor**2)
            scaler.scale_ = np.where(constant, 1.0, scaler.scale_ * factor)
        self._adopt(scaler, std)

    def _adopt(self, scaler: _SkStandardScaler, std: np.ndarray) -> None:
        self.scaler_ = scaler
        self.mean_ = scaler.mean_
        self.var_ = scaler.var_
        self.scale_ = scaler.scale_
        self.n_samples_seen_ = sample_count(scaler.n_samples_seen_)
        self.std_ = std

    def _get_state(self) -> dict[str, Any]:
        # The standard deviation is stored rather than the variance: it never overflows.
        return {**self._common_state(), "mean": self.mean_, "std": self.std_, "scale": self.scale_}

    def _set_state(self, state: Mapping[str, Any]) -> None:
        count = int(state["n_features_in"])
        scaler = _SkStandardScaler()
        scaler.mean_ = floats(state["mean"], count, "mean")
        scaler.scale_ = floats(state["scale"], count, "scale")
        std = floats(state["std"], count, "std")
        with np.errstate(over="ignore"):
            scaler.var_ = std**2
        self.scaler_ = scaler
        self._set_common_state(state)
        self._adopt(scaler, std)
