"""The forecaster's target transform: differencing (any lags, in order), then scaling.

Fitted on the training span only (no leakage); the inverse turns forecasts made in the
transformed space back into original units, continuing from the history they follow:

```
levels:   x (original) ──diff lag 1──► d1 ──diff lag 12──► d2 ──scale──► model's space
invert:   forecast in model space ─unscale─► d2 ─► d1 (from d1's last 12) ─► x (from x's last 1)
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lstmkit.data._scaling import MinMaxScaler, StandardScaler
from lstmkit.errors import ConfigError, DataError

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


class SeriesTransform:
    """Difference by ``lags`` in turn, then scale (``"standard"``, ``"minmax"`` or None).

    Example:
        >>> values = np.arange(1.0, 11.0)[:, None] ** 2     # 1, 4, 9, ..., 100
        >>> transform = SeriesTransform(lags=[1], scale=None).fit(values)
        >>> transform.transform(values)[:3, 0].tolist()      # first differences
        [3.0, 5.0, 7.0]
        >>> transform.inverse(np.array([[21.0], [23.0]]), values)[:, 0].tolist()
        [121.0, 144.0]
    """

    def __init__(self, lags: Sequence[int] = (), scale: str | None = "standard") -> None:
        bad = [lag for lag in lags if isinstance(lag, bool) or not isinstance(lag, int) or lag < 1]
        if bad:
            raise ConfigError(f"difference lags must be positive integers, got {list(lags)!r}")
        if scale is not None and scale not in SCALERS:
            raise ConfigError(
                f"scale must be 'standard', 'minmax' or None (no scaling), got {scale!r}"
            )
        self.lags = [int(lag) for lag in lags]
        self.scale = scale

    @property
    def lost_steps(self) -> int:
        """Steps at the start that differencing consumes."""
        return sum(self.lags)

    def fit(self, values: np.ndarray) -> SeriesTransform:
        """Fit the scaler on the differenced training ``values`` ``(time, columns)``."""
        differenced = self._differenced(values)
        self.scaler_ = None
        if self.scale is not None:
            self.scaler_ = SCALERS[self.scale]().fit(differenced)
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        """``values`` ``(time, columns)`` → ``(time - lost_steps, columns)`` in the model's space."""
        differenced = self._differenced(values)
        if self.scaler_ is None:
            return differenced
        return np.asarray(self.scaler_.transform(differenced), dtype=np.float64)

    def inverse(self, forecast: np.ndarray, history: np.ndarray) -> np.ndarray:
        """Forecast ``(steps, columns)`` in the model's space → original units after ``history``.

        ``history`` is every original value up to the forecast origin, oldest first; only
        its last ``lost_steps`` (per level) are read.
        """
        values = np.asarray(forecast, dtype=np.float64)
        if self.scaler_ is not None:
            values = np.asarray(self.scaler_.inverse_transform(values), dtype=np.float64)
        levels = self._levels(np.asarray(history, dtype=np.float64))
        for lag, level in zip(reversed(self.lags), reversed(levels[:-1])):
            values = _integrate(values, level[-lag:], lag)
        return values

    def _differenced(self, values: np.ndarray) -> np.ndarray:
        return self._levels(np.asarray(values, dtype=np.float64))[-1]

    def _levels(self, values: np.ndarray) -> list[np.ndarray]:
        """The series before each differencing and after the last one."""
        levels = [values]
        for lag in self.lags:
            previous = levels[-1]
            if len(previous) <= lag:
                raise DataError(
                    f"differencing with lag {lag} needs more than {lag} steps, got "
                    f"{len(previous)}: give a longer series or fewer/smaller lags"
                )
            levels.append(previous[lag:] - previous[:-lag])
        return levels

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state (for model files).

        Example:
            >>> SeriesTransform([1], None).fit(np.ones((3, 1))).to_dict()["lags"]
            [1]
        """
        return {
            "lags": self.lags,
            "scale": self.scale,
            "scaler": None if getattr(self, "scaler_", None) is None else self.scaler_.to_dict(),
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> SeriesTransform:
        """Rebuild from :meth:`to_dict`.

        Example:
            >>> SeriesTransform.from_dict({"lags": [12], "scale": None, "scaler": None}).lags
            [12]
        """
        from lstmkit.data import transformer_from_dict

        transform = cls(state["lags"], state["scale"])
        scaler = state["scaler"]
        transform.scaler_ = None if scaler is None else transformer_from_dict(scaler)
        return transform


def _integrate(differences: np.ndarray, start: np.ndarray, lag: int) -> np.ndarray:
    """Undo one differencing: ``x[t] = x[t - lag] + d[t]``, from the ``lag`` values before."""
    extended = np.concatenate([start, np.zeros_like(differences)])
    for step in range(len(differences)):
        extended[lag + step] = extended[step] + differences[step]
    return extended[lag:]
