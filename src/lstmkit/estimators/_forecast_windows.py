"""From the forecaster's filled frame to the model's windows, and back for forecasting.

Each input step of a window is one row of features:

```
past rows   (lookback of them):  [targets | past covariates | mask indicators | future cov. | 0]
ahead rows  (horizon, if known-future covariates exist):
                                 [   0    |        0        |        0        | future cov. | 1]
```

Targets are differenced and scaled (``SeriesTransform``); covariates are standardised.
Both are fitted on the training span only. The ahead rows let every strategy read the
known-future covariates of the steps it forecasts; the last column tells them apart.
A window is used only when all its input rows are present and all its target rows
are present and observed (a masked target is made up, so it is never learnt).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstmkit.data._scaling import StandardScaler
from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import DataError


@dataclass
class EncodedSeries:
    """The frame in the model's space, on the transformed timeline.

    ``past``: ``(n, past width)``; ``future``: ``(n, future width)``; ``targets``:
    ``(n, targets)``; ``observed``: one flag per row, False where a target was made up
    by a mask; ``offset``: rows of the frame that differencing consumed before row 0.
    """

    past: np.ndarray
    future: np.ndarray
    targets: np.ndarray
    observed: np.ndarray
    offset: int


class ForecastEncoder:
    """Fit the target transform and the covariate scaler on a span; encode any span.

    Example:
        >>> index = pd.date_range("2000-01", periods=6, freq="MS")
        >>> frame = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "m": [1.0, 2, 1, 2, 1, 2]}, index)
        >>> encoder = ForecastEncoder(["y"], [], [], ["m"], SeriesTransform([1], None))
        >>> encoded = encoder.fit(frame).encode(frame)
        >>> encoded.targets[:, 0].tolist(), encoded.offset
        ([1.0, 1.0, 1.0, 1.0, 1.0], 1)
    """

    def __init__(
        self,
        targets: list[str],
        past: list[str],
        indicators: list[str],
        future: list[str],
        transform: SeriesTransform,
        target_indicators: list[str] | None = None,
    ) -> None:
        self.targets = targets
        self.past = past
        self.indicators = indicators
        self.future = future
        self.transform = transform
        self.target_indicators = list(target_indicators or [])

    @property
    def past_width(self) -> int:
        """Features of a past row before the future covariates."""
        return len(self.targets) + len(self.past) + len(self.indicators)

    @property
    def width(self) -> int:
        """Features per input step."""
        return self.past_width + len(self.future) + (1 if self.future else 0)

    def fit(self, frame: pd.DataFrame) -> ForecastEncoder:
        """Fit the target transform and the covariate scaler on ``frame`` (the training span)."""
        self.transform.fit(frame[self.targets].to_numpy(np.float64))
        covariates = [*self.past, *self.future]
        self.scaler_ = None
        if covariates:
            values = frame[covariates].to_numpy(np.float64)
            self.scaler_ = StandardScaler().fit(values, allow_nan=True)
        return self

    def encode(self, frame: pd.DataFrame) -> EncodedSeries:
        """``frame`` in the model's space; NaN stays NaN (a missing step)."""
        offset = self.transform.lost_steps
        targets = self.transform.transform(frame[self.targets].to_numpy(np.float64))
        scaled = self.scale_covariates(frame)
        past_scaled = scaled[offset:, : len(self.past)]
        future = scaled[offset:, len(self.past) :]
        indicators = frame[self.indicators].to_numpy(np.float64)[offset:]
        masked = frame[self.target_indicators].to_numpy(np.float64)[offset:]
        observed = ~(masked > 0).any(axis=1)
        past = np.concatenate([targets, past_scaled, indicators], axis=1)
        return EncodedSeries(past, future, targets, observed, offset)

    def scale_covariates(self, frame: pd.DataFrame) -> np.ndarray:
        """The past then future covariates of ``frame``, standardised, ``(rows, k)``."""
        if self.scaler_ is None:
            return np.zeros((len(frame), 0))
        values = frame[[*self.past, *self.future]].to_numpy(np.float64)
        return np.asarray(self.scaler_.transform(values, allow_nan=True), dtype=np.float64)

    def scale_future(self, values: np.ndarray) -> np.ndarray:
        """Known-future covariates ``(steps, future)`` in the model's space."""
        padded = np.concatenate([np.zeros((len(values), len(self.past))), values], axis=1)
        scaled = np.asarray(self.scaler_.transform(padded, allow_nan=True), dtype=np.float64)
        return scaled[:, len(self.past) :]


def model_input(past_rows: np.ndarray, future_past: np.ndarray, ahead: np.ndarray | None):
    """One window ``(lookback + ahead, width)``: past rows, then the known-future rows.

    Example:
        >>> model_input(np.ones((2, 1)), np.full((2, 1), 5.0), np.full((1, 1), 7.0)).tolist()
        [[1.0, 5.0, 0.0], [1.0, 5.0, 0.0], [0.0, 7.0, 1.0]]
    """
    if future_past.shape[1] == 0:
        return past_rows
    rows = np.concatenate([past_rows, future_past, np.zeros((len(past_rows), 1))], axis=1)
    if ahead is None or len(ahead) == 0:
        return rows
    blank = np.zeros((len(ahead), past_rows.shape[1]))
    ahead_rows = np.concatenate([blank, ahead, np.ones((len(ahead), 1))], axis=1)
    return np.concatenate([rows, ahead_rows], axis=0)


def clean_starts(present: np.ndarray, learnable: np.ndarray, lookback: int, ahead: int):
    """Window starts whose ``lookback`` inputs are present and ``ahead`` targets learnable.

    Example:
        >>> present = np.array([1, 1, 1, 0, 1, 1, 1, 1], bool)
        >>> clean_starts(present, present, 2, 1).tolist()
        [0, 4, 5]
    """
    count = len(present) - lookback - ahead + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    bad_in = np.concatenate([[0], np.cumsum(~present)])
    bad_out = np.concatenate([[0], np.cumsum(~learnable)])
    starts = np.arange(count)
    inputs_ok = bad_in[starts + lookback] == bad_in[starts]
    targets_ok = bad_out[starts + lookback + ahead] == bad_out[starts + lookback]
    return starts[inputs_ok & targets_ok]


def training_windows(encoded: EncodedSeries, lookback: int, ahead: int, known_ahead: bool):
    """Every clean window and its ``ahead`` target steps: ``X (n, L[+ahead], width)``, ``y``.

    Returns:
        ``(X, y, starts)``: ``y`` is ``(n, ahead, targets)``; ``starts`` index the
        transformed timeline (add ``encoded.offset`` for the frame's rows).
    """
    present = np.isfinite(encoded.past).all(axis=1) & np.isfinite(encoded.future).all(axis=1)
    learnable = present & encoded.observed
    starts = clean_starts(present, learnable, lookback, ahead)
    if len(starts) == 0:
        raise DataError(
            f"no training window of lookback + horizon = {lookback + ahead} steps without a "
            f"gap: the series has {int((~present).sum())} missing steps left after the "
            "missing-steps policy. Fill more (missing='interpolate' with a larger limit, "
            "or 'mask'), or shorten lookback or horizon"
        )
    inputs = []
    for start in starts:
        span = slice(start, start + lookback)
        after = slice(start + lookback, start + lookback + ahead)
        upcoming = encoded.future[after] if known_ahead else None
        inputs.append(model_input(encoded.past[span], encoded.future[span], upcoming))
    targets = np.stack([encoded.targets[s + lookback : s + lookback + ahead] for s in starts])
    return np.stack(inputs).astype(np.float32), targets.astype(np.float32), starts
