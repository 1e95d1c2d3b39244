"""``LSTMForecaster``: from a time series to dated multi-step forecasts in original units.

sktime's shape (CONTRACTS §6): ``fit(y)`` learns from a Series or DataFrame with a
DatetimeIndex; ``predict(horizon)`` forecasts from the end of the data seen so far and
answers with a DataFrame indexed by the future timestamps. Differencing and scaling
are fitted on the training span only and inverted automatically.

Strategies (the lessons' three):

- ``"direct"``: one model answers all H steps as one vector (the book's damped sine).
- ``"recursive"``: a one-step model fed its own predictions H times.
- ``"seq2seq"``: an encoder-decoder answers H output steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ConfigError, DataError, NotFittedError, ShapeError, unknown_option
from lstmkit.estimators._params import is_count, suggest_unknown_keywords

STRATEGIES = ("direct", "recursive", "seq2seq")


@suggest_unknown_keywords
class LSTMForecaster(BaseEstimator):
    """An LSTM that forecasts a (multivariate) time series ``horizon`` steps ahead.

    Args:
        lookback: past steps the model reads (L).
        horizon: steps it forecasts (H).
        strategy: ``"direct"``, ``"recursive"`` or ``"seq2seq"`` (see the module).
        difference: lags to difference by, in order (``[1]``, ``[12]``, ``[1, 12]``).
        scale: ``"standard"`` (default), ``"minmax"`` or None; fitted on the training span.
        architecture, architecture_options, units, num_layers, dropout: the model (any
            architecture of the suite; ``"seq2seq"`` uses the encoder-decoder).
        epochs, batch_size, learning_rate, optimizer, loss, random_state, device, verbose:
            training, as for :class:`LSTMRegressor`.

    Example:
        >>> import pandas as pd, numpy as np
        >>> index = pd.date_range("2000-01", periods=48, freq="MS")
        >>> y = pd.Series(np.sin(np.arange(48) / 3.0), index=index, name="wave")
        >>> model = LSTMForecaster(lookback=6, horizon=3, epochs=2, random_state=0).fit(y)
        >>> forecast = model.predict()
        >>> forecast.index[0], list(forecast.columns)
        (Timestamp('2004-01-01 00:00:00'), ['wave'])
    """

    def __init__(
        self,
        lookback: int = 12,
        horizon: int = 1,
        strategy: str = "direct",
        difference: Any = (),
        scale: str | None = "standard",
        architecture: Any = "vanilla",
        architecture_options: dict[str, Any] | None = None,
        units: Any = 32,
        num_layers: int = 1,
        dropout: float = 0.0,
        epochs: int = 100,
        batch_size: int = 32,
        learning_rate: float | None = None,
        optimizer: Any = "adam",
        loss: str = "mse",
        random_state: Any = None,
        device: str = "auto",
        verbose: int = 0,
    ) -> None:
        self.lookback = lookback
        self.horizon = horizon
        self.strategy = strategy
        self.difference = difference
        self.scale = scale
        self.architecture = architecture
        self.architecture_options = architecture_options
        self.units = units
        self.num_layers = num_layers
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.loss = loss
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ----------------------------------------------------------------- public API
    def fit(self, y: Any, X: Any = None) -> LSTMForecaster:
        """Learn from the series ``y`` (a Series or DataFrame with a DatetimeIndex).

        Raises:
            ConfigError: bad settings, or covariates (not supported yet).
            DataError: a non-numeric or all-NaN column, missing values, a series too short.
            ShapeError: no DatetimeIndex, or an index without a frequency.
        """
        if X is not None:
            raise ConfigError(
                "covariates (X) are not supported yet: forecast the target columns alone, "
                "or add the covariates as target columns of y"
            )
        self._check_settings()
        frame = _as_frame(y)
        self.columns_ = [str(name) for name in frame.columns]
        self.freq_ = _frequency(frame.index)
        values = frame.to_numpy(dtype=np.float64)
        _check_length(len(values), self._lookback(), self._horizon(), self._transform())
        self.transform_ = self._transform().fit(values)
        X_windows, y_windows = self._windows(self.transform_.transform(values))
        self.model_ = self._regressor().fit(X_windows, y_windows)
        self.history_ = self.model_.history_
        self.values_ = values  # the data seen so far: forecasts start after its last step
        self.index_ = frame.index
        return self

    def predict(self, horizon: int | None = None) -> pd.DataFrame:
        """Forecast ``horizon`` steps (default: the fitted horizon) after the data seen so far.

        Returns:
            A DataFrame indexed by the future timestamps, one column per target, in
            original units.
        """
        self._check_fitted("predict")
        steps = self._horizon() if horizon is None else horizon
        if not is_count(steps) or steps < 1:
            raise ConfigError(f"horizon must be a positive integer, got {horizon!r}")
        if self.strategy != "recursive" and steps > self._horizon():
            raise ConfigError(
                f"a {self.strategy} model forecasts at most the horizon it was fitted with "
                f"({self._horizon()} steps), got horizon={steps}: refit with horizon={steps}, "
                "or use strategy='recursive'"
            )
        forecast = self._forecast(self.values_, int(steps))
        index = pd.date_range(self.index_[-1], periods=steps + 1, freq=self.freq_)[1:]
        return pd.DataFrame(forecast, index=index, columns=self.columns_)

    # ----------------------------------------------------------------- internals
    def _forecast(self, history: np.ndarray, steps: int) -> np.ndarray:
        """Forecast ``steps`` in original units after ``history`` (``(time, columns)``)."""
        transformed = self.transform_.transform(history)
        window = transformed[-self._lookback() :][None].astype(np.float32)  # (1, L, k)
        if self.strategy == "recursive":
            produced = []
            for _ in range(steps):
                step = np.asarray(self.model_.predict(window)).reshape(1, 1, -1)
                produced.append(step[0, 0])
                window = np.concatenate([window[:, 1:], step.astype(np.float32)], axis=1)
            scaled = np.stack(produced)
        else:
            columns = len(self.columns_)
            scaled = np.asarray(self.model_.predict(window)).reshape(-1, columns)[:steps]
        return self.transform_.inverse(scaled, history)

    def _windows(self, transformed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every window of L inputs and the next H (recursive: 1) targets."""
        lookback = self._lookback()
        ahead = 1 if self.strategy == "recursive" else self._horizon()
        count = len(transformed) - lookback - ahead + 1
        starts = np.arange(count)
        inputs = np.stack([transformed[start : start + lookback] for start in starts])
        targets = np.stack(
            [transformed[start + lookback : start + lookback + ahead] for start in starts]
        )
        if self.strategy == "recursive":
            targets = targets[:, 0]  # (n, columns): one step
        return inputs.astype(np.float32), targets.astype(np.float32)

    def _regressor(self) -> Any:
        from lstmkit.estimators._regressor import LSTMRegressor

        architecture = "encoder_decoder" if self.strategy == "seq2seq" else self.architecture
        return LSTMRegressor(
            units=self.units,
            num_layers=self.num_layers,
            dropout=self.dropout,
            architecture=architecture,
            architecture_options=self.architecture_options,
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            optimizer=self.optimizer,
            loss=self.loss,
            random_state=self.random_state,
            device=self.device,
            verbose=self.verbose,
        )

    def _transform(self) -> SeriesTransform:
        lags = [self.difference] if is_count(self.difference) else list(self.difference or ())
        return SeriesTransform(lags, self.scale)

    def _check_settings(self) -> None:
        problems = []
        for name in ("lookback", "horizon"):
            value = getattr(self, name)
            if not is_count(value) or value < 1:
                problems.append(f"{name} must be a positive integer, got {value!r}")
        if self.strategy not in STRATEGIES:
            problems.append(str(unknown_option("strategy", str(self.strategy), STRATEGIES)))
        if problems:
            raise ConfigError("invalid LSTMForecaster settings: " + "; ".join(problems))

    def _lookback(self) -> int:
        return int(self.lookback)

    def _horizon(self) -> int:
        return int(self.horizon)

    def _check_fitted(self, action: str) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"This LSTMForecaster is not fitted yet: call fit(y) before {action}."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")


def _as_frame(y: Any) -> pd.DataFrame:
    """``y`` as a float DataFrame with a DatetimeIndex; clear errors for what cannot be."""
    if isinstance(y, pd.Series):
        frame = y.to_frame(name=y.name if y.name is not None else "y")
    elif isinstance(y, pd.DataFrame):
        frame = y
    else:
        raise ShapeError(
            f"y must be a pandas Series or DataFrame with a DatetimeIndex, got "
            f"{type(y).__name__}: e.g. pd.Series(values, index=pd.date_range(...))"
        )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ShapeError(
            f"y must have a DatetimeIndex, got {type(frame.index).__name__}: set one with "
            "y.index = pd.to_datetime(...) or y.set_index('time column')"
        )
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(
            frame[column]
        ):
            raise DataError(
                f"column {column!r} of y is not numeric (dtype {frame[column].dtype}): "
                "forecast numeric columns only"
            )
        missing = frame[column].isna()
        if missing.all():
            raise DataError(f"column {column!r} of y holds no values (all NaN): drop it")
        if missing.any():
            raise DataError(
                f"column {column!r} of y has {int(missing.sum())} missing values, the first "
                f"at {frame.index[missing.to_numpy().argmax()]}: fill them first (missing-step "
                "policies come with the forecasting guide)"
            )
    return frame


def _frequency(index: pd.DatetimeIndex) -> Any:
    """The index's frequency, given or inferred; an error when it has none."""
    if index.freq is not None:
        return index.freq
    inferred = pd.infer_freq(index) if len(index) >= 3 else None
    if inferred is None:
        raise ShapeError(
            "y's DatetimeIndex has no regular frequency (unsorted, duplicate or irregular "
            "timestamps): sort it, remove duplicates, or resample with y.resample(rule)"
        )
    return pd.tseries.frequencies.to_offset(inferred)


def _check_length(length: int, lookback: int, horizon: int, transform: SeriesTransform) -> None:
    needed = lookback + horizon + transform.lost_steps
    if length < needed:
        raise DataError(
            f"y has {length} steps, fewer than lookback + horizon"
            + (f" + differencing ({transform.lost_steps})" if transform.lost_steps else "")
            + f" = {needed}: give a longer series or a shorter lookback/horizon"
        )
