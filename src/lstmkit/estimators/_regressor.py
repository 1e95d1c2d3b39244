"""``LSTMRegressor``: real-valued outputs per sequence, per horizon step or per time step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.estimators._base import LSTMEstimatorBase
from lstmkit.estimators._inputs import PreparedInput, restore_positions
from lstmkit.estimators._params import suggest_unknown_keywords
from lstmkit.estimators._per_step import (
    align_per_step_targets,
    as_target_array,
    output_steps_of,
    split_per_sequence,
)
from lstmkit.estimators._scaling import make_scaler
from lstmkit.estimators._targets import check_regression_targets
from lstmkit.training import DEFAULT_QUANTILES, check_quantiles


@suggest_unknown_keywords
class LSTMRegressor(RegressorMixin, LSTMEstimatorBase):
    """An LSTM that predicts real values from sequences.

    Targets ``y``: ``(samples,)``, ``(samples, k)`` (k outputs, or a k-step direct
    forecast) or ``(samples, horizon, targets)``; with ``return_sequences=True``
    ``(samples, timesteps)`` or ``(samples, timesteps, targets)``. NaN marks a
    missing target (masked out of the loss). ``predict`` answers in the same layout.

    Scaling happens only when asked: ``scale_X`` / ``scale_y`` set to ``"standard"``
    or ``"minmax"`` (``True`` means ``"standard"``), fitted on the training data,
    inverted in ``predict`` and stored in the model file. The history's loss and
    metrics are in the scaled units the model trains in; ``evaluate``'s metrics
    (not its loss) and ``score`` are in the original units of ``y``.

    ``loss="quantile"`` trains the pinball loss for ``quantiles`` (default (0.1, 0.5,
    0.9); distinct, in (0, 1), sorted into ``quantiles_``) with a Q times wider output.
    ``predict`` answers the target layout plus a trailing axis of the Q levels:
    ``(samples, Q)``, ``(samples, k, Q)``, ``(samples, horizon, targets, Q)``; per step
    ``(samples, timesteps[, targets], Q)``. Levels are sorted per prediction, so they
    never cross (rearrangement: Chernozhukov, Fernández-Val and Galichon, 2010). No
    separate ``predict_quantiles``: ``predict`` already returns every level; the point
    prediction is ``predict(X)[..., quantiles_.index(0.5)]``. ``score`` is R² of the 0.5
    quantile (an error without 0.5); ``evaluate`` gives the pinball loss only, and no
    training metrics are recorded (they compare one value per target).

    Args:
        The same as :class:`LSTMClassifier` (without ``class_weight``), plus
        ``scale_X``, ``scale_y`` and ``quantiles``. ``loss`` is ``"auto"`` (mse),
        ``"mse"``, ``"mae"`` or ``"quantile"``; ``metrics`` default to ``["mae"]``
        (none with ``"quantile"``).

    Example:
        >>> import numpy as np
        >>> X = np.linspace(0, 1, 60, dtype="float32").reshape(20, 3, 1)
        >>> model = LSTMRegressor(units=8, epochs=3, random_state=0).fit(X, X[:, -1, 0])
        >>> model.predict(X).shape
        (20,)
        >>> quantile = LSTMRegressor(units=8, epochs=3, loss="quantile", random_state=0)
        >>> quantile.fit(X, X[:, -1, 0]).predict(X).shape, quantile.quantiles_
        ((20, 3), (0.1, 0.5, 0.9))
    """

    def __init__(
        self,
        units: int = 32,
        num_layers: int = 1,
        dropout: float = 0.0,
        return_sequences: bool = False,
        architecture: Any = "vanilla",
        architecture_options: dict[str, Any] | None = None,
        input_dropout: float = 0.0,
        dense_units: Any = (),
        dense_activation: str = "relu",
        optimizer: Any = "adam",
        learning_rate: float | None = None,
        momentum: float = 0.0,
        loss: str = "auto",
        metrics: Any = None,
        epochs: int = 10,
        batch_size: int = 32,
        shuffle: bool = True,
        validation_split: float = 0.0,
        callbacks: Any = None,
        clipnorm: float | None = None,
        verbose: int = 0,
        random_state: Any = None,
        device: str = "auto",
        init: str = "keras",
        mask_value: float | None = None,
        warm_start: bool = False,
        tbptt: Any = None,
        stateful: bool = False,
        scale_X: Any = False,
        scale_y: Any = False,
        quantiles: Any = None,
    ) -> None:
        self.units = units
        self.num_layers = num_layers
        self.dropout = dropout
        self.return_sequences = return_sequences
        self.architecture = architecture
        self.architecture_options = architecture_options
        self.input_dropout = input_dropout
        self.dense_units = dense_units
        self.dense_activation = dense_activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.validation_split = validation_split
        self.callbacks = callbacks
        self.clipnorm = clipnorm
        self.verbose = verbose
        self.random_state = random_state
        self.device = device
        self.init = init
        self.mask_value = mask_value
        self.warm_start = warm_start
        self.tbptt = tbptt
        self.stateful = stateful
        self.scale_X = scale_X
        self.scale_y = scale_y
        self.quantiles = quantiles

    def predict(self, X: Any, stateful: bool = False) -> Any:
        """Return predictions in the target layout seen at fit, in the original units.

        ``stateful=True`` continues from the carried state (see ``get_state``) and keeps
        the new end state; otherwise the state is neither read nor changed. A
        ``loss="quantile"`` model adds a trailing axis of its ``quantiles_`` (sorted).
        """
        prepared, data = self._prepare_predict(X)
        values = self._unscaled_predictions(self._run_predict(data, stateful), prepared)
        return split_per_sequence(values, prepared, self.return_sequences, X)

    def evaluate(self, X: Any, y: Any, sample_weight: Any = None) -> dict[str, float]:
        """Return the loss (training units) and every metric (original units of ``y``).

        With ``loss="quantile"`` this is ``{"loss": mean pinball loss}`` alone.
        """
        results = super().evaluate(X, y, sample_weight)
        if self.scaler_y_ is None or not {"mae", "rmse"} & set(results):
            return results
        predicted, expected = self._compared(X, y)
        difference = predicted - expected
        if "mae" in results:
            results["mae"] = float(np.abs(difference).mean())
        if "rmse" in results:
            results["rmse"] = float(np.sqrt(np.square(difference).mean()))
        return results

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of the predictions over every present target, in original units.

        With one target per sequence and none missing, this is scikit-learn's
        ``r2_score`` (``sample_weight`` honoured); otherwise R² over every present value.
        A ``loss="quantile"`` model is scored on its 0.5 quantile (the median).

        Raises:
            ConfigError: a quantile model without 0.5 among its ``quantiles_``.
        """
        prepared, data = self._prepare_predict(X)
        predicted = self._point_predictions(self._run_predict(data), prepared)
        expected = self._original_targets(y, prepared)
        missing = np.isnan(expected) | np.isnan(predicted)
        if not missing.any() and expected.ndim <= 2 and not self.return_sequences:
            return float(r2_score(expected, predicted, sample_weight=sample_weight))
        return float(r2_score(expected[~missing], predicted[~missing]))

    def _compared(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Predictions and targets in original units, at the positions where both exist."""
        prepared, data = self._prepare_predict(X)
        predicted = self._point_predictions(self._run_predict(data), prepared)
        expected = self._original_targets(y, prepared)
        present = ~(np.isnan(expected) | np.isnan(predicted))
        return predicted[present], expected[present]

    def stream(self, mode: str = "auto") -> Any:
        """Return a one-step-at-a-time :class:`~lstmkit.estimators.Stream` (see ``StreamMixin``).

        Raises:
            ConfigError: a ``loss="quantile"`` model (a stream answers one value per target).

        Example:
            >>> import numpy as np
            >>> X = np.zeros((4, 3, 1), dtype="float32")
            >>> model = LSTMRegressor(units=2, epochs=1, random_state=0).fit(X, np.zeros(4))
            >>> model.stream().mode
            'window'
        """
        if self._levels() is not None:
            raise ConfigError(
                "stream() answers one value per target, but this model was trained with "
                "loss='quantile' and answers one per quantile: predict whole sequences with "
                "predict(X) instead"
            )
        return super().stream(mode)

    def _point_predictions(self, raw: np.ndarray, prepared: PreparedInput) -> np.ndarray:
        """Predictions in original units, one per target: a quantile model's median."""
        values = self._unscaled_predictions(raw, prepared)
        return values if self._levels() is None else values[..., self._median_position()]

    def _levels(self) -> tuple[float, ...] | None:
        """The fitted quantile levels, or None for a point (mse/mae) model."""
        return getattr(self, "quantiles_", None)

    def _median_position(self) -> int:
        levels = list(self._levels())
        if 0.5 not in levels:
            raise ConfigError(
                f"score() judges a quantile model's 0.5 quantile (the median), but its "
                f"quantiles are {levels}: refit with 0.5 among the quantiles, or score one "
                "level of predict(X) yourself"
            )
        return levels.index(0.5)

    def _unscaled_predictions(self, raw: np.ndarray, prepared: PreparedInput) -> np.ndarray:
        if self._levels() is not None:
            return self._unscaled_quantiles(raw, prepared, len(self._levels()))
        if self.return_sequences:
            values = self._inverse_y(restore_positions(raw, prepared))  # (samples, time, columns)
            return values[..., 0] if not self.y_shape_ else values
        columns = raw.reshape((raw.shape[0], -1, self._target_columns()))
        return self._inverse_y(columns).reshape((raw.shape[0],) + tuple(self.y_shape_))

    def _unscaled_quantiles(self, raw: np.ndarray, prepared: PreparedInput, count: int):
        """Quantile outputs in original units: the target layout, then Q sorted levels.

        The module answers the Q levels of a target value side by side:
        ``(..., columns · Q)`` is ``(..., columns, Q)``.
        """
        columns = self._target_columns()
        if self.return_sequences:
            restored = restore_positions(raw, prepared)  # (samples, time, columns · Q)
            values = self._inverse_levels(restored.reshape(restored.shape[:2] + (columns, count)))
            values = values if self.y_shape_ else values[:, :, 0]
        else:
            values = self._inverse_levels(raw.reshape((raw.shape[0], -1, columns, count)))
            values = values.reshape((raw.shape[0], *self.y_shape_, count))
        # Rearrangement: sorting the levels of each prediction undoes any crossing and
        # never moves them further from the true quantiles (Chernozhukov et al., 2010).
        return np.sort(values, axis=-1)

    def _inverse_levels(self, values: np.ndarray) -> np.ndarray:
        """``(..., columns, Q)`` from the scaled space to original units, level by level."""
        moved = np.ascontiguousarray(np.moveaxis(values, -1, -2))  # (..., Q, columns)
        return np.moveaxis(self._inverse_y(moved), -1, -2)

    # ----------------------------------------------------------------- targets
    # y_shape_ is the layout of one sample's targets without the time axis:
    # [] or [k] or [horizon, targets] per sequence; [] or [targets] per step.
    def _fit_targets(self, y: Any, prepared: PreparedInput) -> np.ndarray:
        values = check_regression_targets(
            as_target_array(y, prepared, self.return_sequences, np.nan)
        )
        self._check_target_rank(values)
        if self._sequence_output():
            self.output_steps_ = output_steps_of(values, "values")
        self.y_shape_ = list(values.shape[2:] if self.return_sequences else values.shape[1:])
        self.loss_ = self._choose_loss()
        self.quantiles_ = self._choose_quantiles()
        self.scaler_X_ = make_scaler(self.scale_X, "scale_X")
        if self.scaler_X_ is not None:
            self.scaler_X_.fit(self._valid_steps(prepared))
        aligned = self._aligned_columns(values, prepared)
        self.scaler_y_ = make_scaler(self.scale_y, "scale_y")
        if self.scaler_y_ is not None:
            # Fitted on aligned targets: masked and padded steps are NaN and ignored.
            self.scaler_y_.fit(aligned.reshape(-1, aligned.shape[-1]), allow_nan=True)
        columns = self._target_columns()
        per_answer = self._step_targets()  # one output row per input step or per output step
        self.output_size_ = columns if per_answer else int(np.prod(self.y_shape_ or [1]))
        self.output_size_ *= 1 if self.quantiles_ is None else len(self.quantiles_)
        return self._engine_targets(aligned)

    def _apply_targets(self, y: Any, prepared: PreparedInput) -> np.ndarray:
        values = self._checked_values(y, prepared)
        return self._engine_targets(self._aligned_columns(values, prepared))

    def _checked_values(self, y: Any, prepared: PreparedInput) -> np.ndarray:
        values = check_regression_targets(
            as_target_array(y, prepared, self.return_sequences, np.nan)
        )
        tail = list(values.shape[2:] if self.return_sequences else values.shape[1:])
        if tail != list(self.y_shape_):
            fitted = ", ".join(
                ["samples"]
                + (["timesteps"] if self.return_sequences else [])
                + [str(n) for n in self.y_shape_]
            )
            raise ShapeError(
                f"y has shape {values.shape}, but the model was fitted on targets of shape ({fitted})"
            )
        return values

    def _original_targets(self, y: Any, prepared: PreparedInput) -> np.ndarray:
        return self._checked_values(y, prepared).astype(np.float64)

    def _target_columns(self) -> int:
        """How many target columns the scaler sees (the last axis of the targets)."""
        if self._sequence_output():  # y_shape_ is [output_steps] or [output_steps, targets]
            return self.y_shape_[1] if len(self.y_shape_) == 2 else 1
        if self.return_sequences or len(self.y_shape_) == 2:
            return self.y_shape_[-1] if self.y_shape_ else 1
        return self.y_shape_[0] if self.y_shape_ else 1

    def _aligned_columns(self, values: np.ndarray, prepared: PreparedInput) -> np.ndarray:
        """Targets with a trailing column axis, per-step ones aligned with the prepared input."""
        columns = values.astype(np.float32)
        if self.return_sequences:
            columns = columns if self.y_shape_ else columns[..., None]  # (samples, time, columns)
            return align_per_step_targets(columns, prepared, True, np.nan)
        return columns.reshape((len(columns), -1, self._target_columns()))

    def _engine_targets(self, aligned: np.ndarray) -> np.ndarray:
        if self.scaler_y_ is not None:
            flat = self.scaler_y_.transform(aligned.reshape(-1, aligned.shape[-1]), allow_nan=True)
            aligned = flat.reshape(aligned.shape)
        if not self._step_targets():
            aligned = aligned.reshape(len(aligned), -1)  # (samples, outputs)
        return aligned.astype(np.float32)

    def _check_target_rank(self, values: np.ndarray) -> None:
        allowed = (2, 3) if self.return_sequences else (1, 2, 3)
        if values.ndim not in allowed:
            layouts = (
                "(samples, timesteps) or (samples, timesteps, targets)"
                if self.return_sequences
                else "(samples,), (samples, k) or (samples, horizon, targets)"
            )
            raise ShapeError(
                f"expected regression targets y of shape {layouts}, got shape {values.shape}"
            )

    def _choose_loss(self) -> str:
        if self.loss == "auto":
            return "mse"
        if self.loss not in ("mse", "mae", "quantile"):
            raise ConfigError(
                f"LSTMRegressor cannot train with loss={self.loss!r}: use 'auto', 'mse', 'mae' "
                "or 'quantile' (or LSTMClassifier for cross-entropy)"
            )
        return self.loss

    def _choose_quantiles(self) -> tuple[float, ...] | None:
        """The sorted pinball-loss levels for ``loss="quantile"``; None for other losses."""
        if self.loss != "quantile":
            if self.quantiles is not None:
                raise ConfigError(
                    f"quantiles={self.quantiles!r} are the levels of loss='quantile', but "
                    f"loss={self.loss!r}: set loss='quantile' or leave quantiles out"
                )
            return None
        levels = check_quantiles(DEFAULT_QUANTILES if self.quantiles is None else self.quantiles)
        if self.metrics is not None and self._metric_names():
            raise ConfigError(
                f"loss='quantile' records the pinball loss only, but metrics="
                f"{self.metrics!r} compare one value per target: leave metrics out "
                "(score() gives R² of the 0.5 quantile)"
            )
        if (self.architecture_options or {}).get("decoder") == "teacher":
            raise ConfigError(
                "loss='quantile' cannot train the 'teacher' decoder: it reads back one value "
                "per target at each output step, and a quantile model answers one per "
                "quantile; use the default decoder='repeat'"
            )
        return levels

    def _valid_steps(self, prepared: PreparedInput) -> np.ndarray:
        if prepared.lengths is None:
            return prepared.x.reshape(-1, prepared.x.shape[2])
        steps = np.arange(prepared.x.shape[1])[None, :]
        return prepared.x[steps < prepared.lengths[:, None]]

    def _transform_x(self, x: np.ndarray, fitting: bool) -> np.ndarray:
        if getattr(self, "scaler_X_", None) is None:
            return x
        flat = self.scaler_X_.transform(x.reshape(-1, x.shape[2]))
        return flat.reshape(x.shape).astype(np.float32)

    def _inverse_y(self, values: np.ndarray) -> np.ndarray:
        if self.scaler_y_ is None:
            return values
        flat = values.reshape(-1, values.shape[-1])
        return self.scaler_y_.inverse_transform(flat).reshape(values.shape)

    def _default_metrics(self) -> list[str]:
        # Training metrics compare one value per target: none for a quantile model.
        return [] if getattr(self, "loss_", self.loss) == "quantile" else ["mae"]
