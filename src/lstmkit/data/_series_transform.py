"""The forecaster's target transform: a power transform, differencing (any lags, in order), scaling.

Fitted on the training span only (no leakage: Box-Cox's λ and the scaler see the
training values alone); the inverse turns forecasts made in the transformed space
back into original units, continuing from the history they follow:

```
levels:   x ──log / box-cox──► p ──diff lag 1──► d1 ──diff lag 12──► d2 ──scale──► model's space
invert:   forecast ─unscale─► d2 ─► d1 (from d1's last 12) ─► p (from p's last 1) ─inverse power─► x
```

The differences are integrated from the *power-transformed* history (``p``), so a
log transform followed by differencing models growth rates, as the lessons do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.special
import scipy.stats

from lstmkit.data._json import require_fitted
from lstmkit.data._scaling import MinMaxScaler, StandardScaler
from lstmkit.errors import ConfigError, DataError

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}
POWERS = ("log", "box-cox")


class SeriesTransform:
    """Power-transform (``power``), difference by ``lags`` in turn, then scale.

    Args:
        lags: lags to difference by, in order (``[1]``, ``[12]``, ``[1, 12]``).
        scale: ``"standard"``, ``"minmax"`` or None (no scaling); fitted on the
            differenced training values.
        power: ``"log"``, ``"box-cox"`` (λ per column, fitted by maximum likelihood on
            the training values) or None. Both need positive values.

    Example:
        >>> values = np.arange(1.0, 11.0)[:, None] ** 2     # 1, 4, 9, ..., 100
        >>> transform = SeriesTransform(lags=[1], scale=None).fit(values)
        >>> transform.transform(values)[:3, 0].tolist()      # first differences
        [3.0, 5.0, 7.0]
        >>> transform.inverse(np.array([[21.0], [23.0]]), values)[:, 0].tolist()
        [121.0, 144.0]
        >>> logged = SeriesTransform(lags=[1], scale=None, power="log").fit(values)
        >>> np.round(logged.transform(values)[:2, 0], 4).tolist()   # log(4/1), log(9/4)
        [1.3863, 0.8109]
    """

    def __init__(
        self, lags: Sequence[int] = (), scale: str | None = "standard", power: str | None = None
    ) -> None:
        bad = [lag for lag in lags if isinstance(lag, bool) or not isinstance(lag, int) or lag < 1]
        if bad:
            raise ConfigError(f"difference lags must be positive integers, got {list(lags)!r}")
        if scale is not None and scale not in SCALERS:
            raise ConfigError(
                f"scale must be 'standard', 'minmax' or None (no scaling), got {scale!r}"
            )
        if power is not None and power not in POWERS:
            raise ConfigError(
                f"power must be 'log', 'box-cox' or None (no power transform), got {power!r}: "
                "e.g. power='log'"
            )
        self.lags = [int(lag) for lag in lags]
        self.scale = scale
        self.power = power

    @property
    def lost_steps(self) -> int:
        """Steps at the start that differencing consumes."""
        return sum(self.lags)

    def fit(self, values: np.ndarray) -> SeriesTransform:
        """Fit λ on the training ``values`` ``(time, columns)``, then the scaler on them differenced."""
        values = np.asarray(values, dtype=np.float64)
        self.lambdas_ = _fit_lambdas(values) if self.power == "box-cox" else None
        differenced = self._differenced(values)
        self.scaler_ = None
        if self.scale is not None:
            # NaN marks a missing step (a gap the policy left): ignored when fitting, kept after.
            self.scaler_ = SCALERS[self.scale]().fit(differenced, allow_nan=True)
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        """``values`` ``(time, columns)`` → ``(time - lost_steps, columns)`` in the model's space."""
        differenced = self._differenced(values)
        if self.scaler_ is None:
            return differenced
        return np.asarray(self.scaler_.transform(differenced, allow_nan=True), dtype=np.float64)

    def inverse(self, forecast: np.ndarray, history: np.ndarray) -> np.ndarray:
        """Forecast ``(steps, columns)`` in the model's space → original units after ``history``.

        ``history`` is every original value up to the forecast origin, oldest first; only
        its last ``lost_steps`` (per level) are read. A Box-Cox forecast beyond the
        transform's range (``λ·y + 1 ≤ 0``) has no original value and comes back NaN.
        """
        values = np.asarray(forecast, dtype=np.float64)
        if self.scaler_ is not None:
            values = np.asarray(self.scaler_.inverse_transform(values), dtype=np.float64)
        levels = self._levels(self._powered(history))
        for lag, level in zip(reversed(self.lags), reversed(levels[:-1])):
            values = _integrate(values, level[-lag:], lag)
        return self._unpowered(values)

    def _powered(self, values: np.ndarray) -> np.ndarray:
        """The power transform of original ``values`` (a float64 copy when there is none)."""
        values = np.asarray(values, dtype=np.float64)
        if self.power is None:
            return values
        _check_positive(values, self.power)
        if self.power == "log":
            return np.log(values)
        return scipy.special.boxcox(values, self._lambdas())

    def _unpowered(self, values: np.ndarray) -> np.ndarray:
        if self.power == "log":
            return np.exp(values)
        if self.power == "box-cox":
            return scipy.special.inv_boxcox(values, self._lambdas())
        return values

    def _lambdas(self) -> np.ndarray:
        require_fitted(self, "lambdas_", "transform or inverse")
        return self.lambdas_

    def _differenced(self, values: np.ndarray) -> np.ndarray:
        return self._levels(self._powered(values))[-1]

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
        """JSON-ready state (for model files), λ included.

        Example:
            >>> SeriesTransform([1], None).fit(np.ones((3, 1))).to_dict()["lags"]
            [1]
        """
        lambdas = getattr(self, "lambdas_", None)
        return {
            "lags": self.lags,
            "scale": self.scale,
            "power": self.power,
            "lambdas": None if lambdas is None else [float(value) for value in lambdas],
            "scaler": None if getattr(self, "scaler_", None) is None else self.scaler_.to_dict(),
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> SeriesTransform:
        """Rebuild from :meth:`to_dict` (dicts written before ``power`` existed load too).

        Example:
            >>> SeriesTransform.from_dict({"lags": [12], "scale": None, "scaler": None}).lags
            [12]
        """
        from lstmkit.data import transformer_from_dict

        transform = cls(state["lags"], state["scale"], state.get("power"))
        scaler, lambdas = state["scaler"], state.get("lambdas")
        transform.scaler_ = None if scaler is None else transformer_from_dict(scaler)
        if lambdas is not None:
            transform.lambdas_ = np.asarray(lambdas, dtype=np.float64)
        return transform


def _columns(values: np.ndarray) -> np.ndarray:
    """``(time, columns)`` (or ``(time,)``, one column) as ``(columns, time)``."""
    return values.reshape(len(values), -1).T


def _check_positive(values: np.ndarray, power: str) -> None:
    for column, series in enumerate(_columns(values)):
        observed = series[~np.isnan(series)]
        if len(observed) and observed.min() <= 0:
            raise DataError(
                f"power={power!r} needs positive values, but column {column} has "
                f"{observed.min():g} as its smallest value: shift the series to be positive, "
                "or use power=None"
            )


def _fit_lambdas(values: np.ndarray) -> np.ndarray:
    """λ per column by scipy.stats.boxcox's maximum likelihood, NaN ignored.

    scipy directly rather than sklearn's PowerTransformer(method="box-cox",
    standardize=False): that calls the same scipy optimiser (the same λ), but adds a
    fitted-estimator wrapper whose forward and inverse we would then route through,
    while scaling already happens here, after differencing.
    """
    _check_positive(values, "box-cox")
    lambdas = []
    for column, series in enumerate(_columns(values)):
        observed = series[~np.isnan(series)]
        if len(observed) < 2 or np.all(observed == observed[0]):
            raise DataError(
                f"power='box-cox' cannot fit lambda on column {column}: its training values are "
                f"constant ({len(observed)} observed): use power='log' or power=None"
            )
        lambdas.append(scipy.stats.boxcox(observed)[1])
    return np.asarray(lambdas, dtype=np.float64)


def _integrate(differences: np.ndarray, start: np.ndarray, lag: int) -> np.ndarray:
    """Undo one differencing: ``x[t] = x[t - lag] + d[t]``, from the ``lag`` values before."""
    extended = np.concatenate([start, np.zeros_like(differences)])
    for step in range(len(differences)):
        extended[lag + step] = extended[step] + differences[step]
    return extended[lag:]
