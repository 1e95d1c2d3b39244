"""What the classifier and the regressor share: fit, partial_fit, evaluate, predict.

An estimator composes three things: the input/target preparation (this layer),
a module from ``models/`` and the engine from ``training/``. Subclasses say how
targets are encoded and decoded; everything else lives here.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator

from lstmkit.errors import ConfigError, NotFittedError, ShapeError
from lstmkit.estimators._architecture import ArchitectureMixin
from lstmkit.estimators._inputs import PreparedInput, prepare_x
from lstmkit.estimators._params import (
    check_set_params,
    is_count,
    move_module,
    resolve_device,
    seed_from,
)
from lstmkit.estimators._state_api import StateMixin
from lstmkit.estimators._stream_training import StreamTrainingMixin
from lstmkit.estimators._streaming import StreamMixin
from lstmkit.estimators._targets import check_lengths_match
from lstmkit.training import (
    LOSSES,
    History,
    Loss,
    StreamData,
    TrainConfig,
    Trainer,
    WindowData,
    canonical_metric_name,
    make_optimizer,
    stream_end_states,
)


class LSTMEstimatorBase(
    ArchitectureMixin, StreamMixin, StreamTrainingMixin, StateMixin, BaseEstimator
):
    """Shared machinery of :class:`LSTMClassifier` and :class:`LSTMRegressor`.

    Not used directly. Subclasses implement ``_fit_targets`` (learn the target
    encoding and return the engine's targets), ``_apply_targets`` (encode with what
    was learned) and ``_default_metrics``; the regressor also overrides ``_transform_x``.
    """

    # ----------------------------------------------------------------- public API
    def fit(
        self,
        X: Any,
        y: Any,
        validation_data: tuple[Any, Any] | None = None,
        sample_weight: Any = None,
    ) -> LSTMEstimatorBase:
        """Train on ``X`` (``(samples, timesteps, features)``) and targets ``y``.

        With ``warm_start=True`` and a fitted model, training continues from the
        current weights and optimizer state; otherwise it starts afresh.

        Args:
            X: 3-D array, list of 2-D arrays (ragged), or padded array with ``mask_value``.
            y: targets (see the class docstring).
            validation_data: ``(X_val, y_val)``, evaluated after every epoch.
            sample_weight: ``(samples,)`` weights for the loss.

        Returns:
            self.
        """
        continuing = self.warm_start and self._is_fitted()
        return self._fit(X, y, validation_data, sample_weight, self.epochs, continuing)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> LSTMEstimatorBase:
        """Run one epoch over ``X, y``, continuing from the current weights if fitted.

        This is the book's manual loop (``for i in range(10000): model.fit(X, y, epochs=1)``).

        Example:
            >>> import numpy as np
            >>> from lstmkit import LSTMRegressor
            >>> model = LSTMRegressor(units=4, random_state=0)
            >>> for _ in range(2):
            ...     model = model.partial_fit(np.zeros((4, 3, 1)), np.zeros(4))
            >>> len(model.history_.epoch)
            2
        """
        return self._fit(X, y, None, sample_weight, 1, self._is_fitted(), carry_state=True)

    def evaluate(self, X: Any, y: Any, sample_weight: Any = None) -> dict[str, float]:
        """Return the loss and every metric on ``X, y``, like Keras's ``evaluate``.

        Returns:
            ``{"loss": ..., metric: ...}`` with the metric names given at construction.
        """
        self._check_fitted("evaluate")
        data = self._window_data(X, y, sample_weight, fitting=False)
        if self.stateful is True:  # the windows run as the one stream they were cut from
            return self._trainer().evaluate(self._streams(data))
        return self._trainer().evaluate(data.to(self._device()))

    def set_params(self, **params: Any) -> LSTMEstimatorBase:
        """Set constructor keywords (scikit-learn), with a did-you-mean for unknown names."""
        check_set_params(self, params)
        return super().set_params(**params)

    def summary(self, print_fn: Any = print) -> str:
        """Print and return a Keras-like summary of the fitted model."""
        from lstmkit.estimators._summary import summary_text

        self._check_fitted("summary")
        text = summary_text(self)
        if print_fn is not None:
            print_fn(text)
        return text

    def save(self, path: Any, include_state: bool = False) -> None:
        """Write the fitted model to one self-contained, safe file (see ``lstmkit.load_model``).

        ``include_state=True`` stores the carried state too (opt-in), so the loaded model
        continues a stream with ``predict(X, stateful=True)`` or ``stream()`` where this
        one stopped.
        """
        from lstmkit.estimators._persistence import save_estimator

        self._check_fitted("save")
        save_estimator(self, path, include_state)

    # ----------------------------------------------------------------- fitting
    def _fit(
        self, X, y, validation_data, sample_weight, epochs: int, continuing: bool, carry_state=False
    ):
        settings = self._validated_settings(epochs)
        if not continuing:
            self._reset_fitted_state()
        split = validation_data is None and bool(self.validation_split)
        if split:
            # Keras's rule: the last fraction, before any shuffling. Split before
            # anything is fitted, so scalers and class weights see training data only.
            X, y, sample_weight, validation_data = _split_last(
                X, y, sample_weight, self.validation_split
            )
        data = self._window_data(X, y, sample_weight, fitting=not continuing, training=True)
        validation = None
        if validation_data is not None:
            validation = self._window_data(*_pair(validation_data), None, fitting=False)
        if self._stream_trained():
            # A stateful split's validation windows continue the training stream.
            continues = data if split else None
            validation = None if validation is None else self._streams(validation, continues)
            data = self._streams(data)
            if carry_state and continuing:
                # partial_fit on a stream's next part continues from where the last call
                # stopped, as Keras's stateful fit does until reset_states().
                data.initial_state = self._state_for(len(data))
        device = self._device()
        seed = seed_from(self.random_state)
        # A continuing fit (warm_start, partial_fit) moves the seed on by the epochs done,
        # so its dropout masks and shuffles differ from the previous call's.
        offset = len(self.history_.epoch) if continuing else 0
        with _seeded(None if seed is None else seed + offset, device):
            if not continuing:
                self.module_ = self._build_module(data)
            move_module(self.module_, device)
            if not continuing:
                self.optimizer_ = make_optimizer(
                    self.optimizer, self.module_.parameters(), self.learning_rate, self.momentum
                )
                self.history_ = History()
            elif self.learning_rate is not None:
                for group in self.optimizer_.param_groups:  # set_params(learning_rate=...) applies
                    group["lr"] = float(self.learning_rate)
            generator = (
                None
                if seed is None
                else torch.Generator().manual_seed(seed + len(self.history_.epoch))
            )
            trainer = self._trainer(settings)
            trainer.fit(
                _on_device(data, device),
                None if validation is None else _on_device(validation, device),
                callbacks=list(self.callbacks or ()),
                history=self.history_,
                generator=generator,
                initial_epoch=len(self.history_.epoch),
            )
            if isinstance(data, StreamData):
                # CONTRACTS §3: the end state of each training stream, one ordered pass.
                self.state_ = stream_end_states(self.module_, data, device)
        return self

    def _validated_settings(self, epochs: int) -> TrainConfig:
        problems = []
        if not 0.0 <= float(self.validation_split) < 1.0:
            problems.append(f"validation_split must be in [0, 1), got {self.validation_split!r}")
        if not is_count(self.batch_size) or self.batch_size < 1:
            problems.append(f"batch_size must be a positive integer, got {self.batch_size!r}")
        problems += self._architecture_problems()
        if not is_count(epochs) or epochs < 0:
            problems.append(f"epochs must be a non-negative integer, got {epochs!r}")
        if self.loss != "auto" and self.loss not in LOSSES:
            problems.append(
                f"unknown loss {self.loss!r}: expected 'auto' or one of {', '.join(LOSSES)}"
            )
        problems += self._stream_problems()
        if problems:
            raise ConfigError(f"invalid {type(self).__name__} settings: " + "; ".join(problems))
        for name in self._metric_names():
            canonical_metric_name(name)
        return TrainConfig(
            int(epochs), int(self.batch_size), bool(self.shuffle), self.clipnorm, int(self.verbose)
        )

    def _window_data(
        self, X, y, sample_weight, fitting: bool, training: bool = False
    ) -> WindowData:
        context = "fitting" if training else "evaluating"
        prepared = prepare_x(self._as_sequences(X, fitting), self.mask_value, context=context)
        check_lengths_match(len(prepared.x), y)
        if fitting:
            self.n_features_in_ = prepared.x.shape[2]
            self.n_timesteps_in_ = prepared.x.shape[1]
            targets = self._fit_targets(y, prepared)
        else:
            self._check_features(prepared)
            targets = self._apply_targets(y, prepared)
        x = self._transform_x(prepared.x, fitting)
        weight = self._sample_weights(sample_weight, targets, len(prepared.x), training)
        return WindowData(
            torch.from_numpy(x),
            torch.from_numpy(targets),
            None if weight is None else torch.from_numpy(weight),
            None if prepared.lengths is None else torch.from_numpy(prepared.lengths),
            per_step=bool(self.return_sequences),
            complete=_targets_complete(targets),
        )

    def _sample_weights(self, sample_weight, targets, count, training: bool) -> np.ndarray | None:
        if sample_weight is None:
            return None
        weight = np.asarray(sample_weight, dtype=np.float32)
        if weight.shape != (count,):
            raise ShapeError(
                f"sample_weight must have shape ({count},), one weight per sample, got {weight.shape}"
            )
        if not np.isfinite(weight).all() or (weight < 0).any():
            raise ConfigError("sample_weight must hold finite, non-negative numbers")
        return weight

    def _trainer(self, settings: TrainConfig | None = None) -> Trainer:
        settings = settings or TrainConfig(1, self.batch_size, False, None, 0)
        # quantiles_: the pinball loss's levels (a quantile regressor's); None otherwise.
        loss = Loss(self.loss_, getattr(self, "quantiles_", None))
        return Trainer(self.module_, loss, self._metric_names(), self.optimizer_, settings)

    def _metric_names(self) -> list[str]:
        metrics = self._default_metrics() if self.metrics is None else self.metrics
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        return [canonical_metric_name(name) for name in names]

    # ----------------------------------------------------------------- predicting
    def _prepare_predict(self, X) -> tuple[PreparedInput, WindowData]:
        self._check_fitted("predict")
        prepared = prepare_x(self._as_sequences(X, False), self.mask_value, context="predicting")
        self._check_features(prepared)
        x = self._transform_x(prepared.x, fitting=False)
        lengths = None if prepared.lengths is None else torch.from_numpy(prepared.lengths)
        data = WindowData(
            torch.from_numpy(x), lengths=lengths, per_step=bool(self.return_sequences)
        )
        return prepared, data

    def _run_predict(self, data: WindowData, stateful: bool = False) -> np.ndarray:
        if self.stateful is True:
            return self._run_joined(data, carry=stateful)
        if stateful:
            return self._run_stateful(data)
        device = self._device()
        move_module(self.module_, device)
        outputs = self._trainer().predict(data.to(device))
        return outputs.detach().cpu().numpy()

    def _check_features(self, prepared: PreparedInput) -> None:
        features = prepared.x.shape[2]
        if features == self.n_features_in_:
            return
        hint = ""
        if prepared.x.shape[1] == self.n_features_in_ and features == self.n_timesteps_in_:
            hint = " Did you swap time and features? Use X.transpose(0, 2, 1)."
        raise ShapeError(
            f"X has {features} features, but {type(self).__name__} was fitted with "
            f"{self.n_features_in_} features: pass X of shape (samples, timesteps, "
            f"{self.n_features_in_}).{hint}"
        )

    # ----------------------------------------------------------------- state
    def _is_fitted(self) -> bool:
        return hasattr(self, "module_")

    def _check_fitted(self, action: str) -> None:
        if not self._is_fitted():
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit(X, y) before {action}."
            )

    def _reset_fitted_state(self) -> None:
        for name in [key for key in vars(self) if key.endswith("_") and not key.startswith("__")]:
            delattr(self, name)

    def _device(self) -> torch.device:
        return resolve_device(self.device)

    def _transform_x(self, x: np.ndarray, fitting: bool) -> np.ndarray:
        return x

    def __sklearn_is_fitted__(self) -> bool:
        return self._is_fitted()


def _pair(validation_data: Any) -> tuple[Any, Any]:
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ConfigError("validation_data must be a pair (X_val, y_val)")
    return validation_data[0], validation_data[1]


def _split_last(X: Any, y: Any, sample_weight: Any, fraction: float):
    """Keras's validation_split: train on the first ``floor(n * (1 - fraction))`` samples.

    Returns the training X, y, sample_weight and the ``(X_val, y_val)`` pair.
    """
    count = len(X)
    split_at = int(count * (1.0 - fraction))
    if split_at == 0 or split_at == count:
        raise ConfigError(
            f"validation_split={fraction} of {count} samples leaves "
            f"{'no training' if split_at == 0 else 'no validation'} samples: "
            "use a larger split, more data, or validation_split=0"
        )
    weight = None if sample_weight is None else np.asarray(sample_weight)[:split_at]
    return X[:split_at], y[:split_at], weight, (X[split_at:], y[split_at:])


def _targets_complete(targets: np.ndarray) -> bool:
    """True when no target is missing (NaN for values, -1 for class codes)."""
    if targets.dtype.kind == "f":
        return not bool(np.isnan(targets).any())
    return not bool((targets == -1).any())


def _on_device(data: WindowData | StreamData, device: torch.device) -> WindowData | StreamData:
    """Window data moves to the device once; streams are laid out (then moved) each epoch."""
    return data if isinstance(data, StreamData) else data.to(device)


@contextlib.contextmanager
def _seeded(seed: int | None, device: torch.device):
    """Seed torch inside, and leave the caller's random state as it was afterwards."""
    if seed is None:
        yield
        return
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
