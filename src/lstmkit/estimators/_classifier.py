"""``LSTMClassifier``: sequence classification (one label per sequence or per step)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight

from lstmkit.errors import ConfigError
from lstmkit.estimators._base import LSTMEstimatorBase
from lstmkit.estimators._inputs import PreparedInput, restore_positions
from lstmkit.estimators._params import suggest_unknown_keywords
from lstmkit.estimators._per_step import (
    align_per_step_targets,
    as_target_array,
    check_output_steps,
    output_steps_of,
    split_per_sequence,
)
from lstmkit.estimators._targets import LabelTargets, apply_labels, encode_labels


@suggest_unknown_keywords
class LSTMClassifier(ClassifierMixin, LSTMEstimatorBase):
    """An LSTM that classifies sequences, with the Keras lessons' vocabulary.

    Keras's ``compile`` arguments (``optimizer``, ``loss``, ``metrics``) and ``fit``
    arguments (``epochs``, ``batch_size``, ``validation_split``, ``verbose``,
    ``shuffle``) are constructor keywords; everything is stored unchanged and
    validated in ``fit`` (scikit-learn's rule, so ``clone`` and grid search work).

    Targets ``y``: labels of any sortable type (strings, integers) or one-hot rows,
    one per sequence; with ``return_sequences=True`` one label per step
    (``(samples, timesteps)``, -1 = no label at that step). Two classes use a
    single sigmoid output (binary cross-entropy), more use softmax.

    Args:
        units: LSTM units per layer, or a list with each layer's width (``[64, 32]``).
        num_layers: stacked LSTM layers (1 is the Vanilla LSTM).
        dropout: dropout on each LSTM layer's output (and between dense head layers).
        return_sequences: one prediction per time step instead of one per sequence.
        architecture: ``"vanilla"``, ``"stacked"``, ``"cnn_lstm"``, ``"encoder_decoder"``,
            ``"bidirectional"``, ``"generative"``, another registered name, or your own
            ``nn.Module`` class (see the model-suite guide).
        architecture_options: the architecture's own options, e.g. ``{"merge_mode":
            "sum"}`` (bidirectional) or ``{"decoder": "teacher"}`` (encoder-decoder).
        input_dropout: dropout on the input features (stacked and later architectures).
        dense_units: widths of dense layers between the LSTM and the output layer.
        dense_activation: their activation (``"relu"``, ``"tanh"``, ...).
        optimizer: ``"adam"``, ``"sgd"``, ``"rmsprop"``, ``"adagrad"`` or an optimizer factory.
        learning_rate: None takes Keras's default for the optimizer.
        momentum: for ``"sgd"`` and ``"rmsprop"``.
        loss: ``"auto"``, ``"binary_crossentropy"`` or ``"categorical_crossentropy"``.
        metrics: metric names (default ``["accuracy"]``).
        epochs, batch_size, shuffle, validation_split, verbose: as Keras's ``fit``.
        callbacks: e.g. ``[EarlyStopping(patience=5, restore_best_weights=True)]``.
        clipnorm: clip the gradient norm to this value.
        random_state: an integer makes two CPU fits bitwise identical.
        device: ``"auto"`` (GPU when present), ``"cpu"`` or ``"cuda"``.
        init: ``"keras"`` (Glorot/orthogonal/forget bias 1) or ``"torch"``.
        mask_value: padded input: steps whose features all equal it are skipped.
        warm_start: ``fit`` continues from the current weights.
        tbptt: ``TBPTT(k1, k2)`` (or ``(k1, k2)``) trains each sequence as one stream
            with truncated BPTT and carried state; needs ``return_sequences=True``;
            ``batch_size`` is then the number of lanes. None: full BPTT per sample.
        stateful: the samples of ``X`` are consecutive windows of one stream, in time
            order (Keras's ``stateful=True`` with batch size 1): the state carries from
            each window to the next, resets at each epoch's start, one update per window
            (``TBPTT(T, T)``) unless ``tbptt`` is given; needs ``batch_size=1``.
            ``predict(X)`` then runs ``X`` as one stream from a zero state and
            ``predict(X, stateful=True)`` continues from the carried state.
        class_weight: ``{label: weight}`` or ``"balanced"``.

    Example:
        >>> from lstmkit.problems import echo
        >>> X, y = echo.make(200, random_state=1)
        >>> model = LSTMClassifier(units=25, epochs=2, random_state=1).fit(X, y)
        >>> model.predict(X[:3]).shape
        (3,)
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
        class_weight: Any = None,
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
        self.class_weight = class_weight

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None):
        """Run one epoch over ``X, y``, continuing from the current weights if fitted.

        Args:
            classes: every label the model will ever see, needed on the first call when
                the first batch does not contain them all (scikit-learn's convention).

        Example:
            >>> import numpy as np
            >>> model = LSTMClassifier(units=4, random_state=0)
            >>> model = model.partial_fit(np.zeros((2, 3, 1)), [0, 0], classes=[0, 1])
            >>> model.classes_.tolist()
            [0, 1]
        """
        self._declared_classes = (
            None if self._is_fitted() or classes is None else np.asarray(classes)
        )
        try:
            return super().partial_fit(X, y, sample_weight=sample_weight)
        finally:
            self._declared_classes = None

    # ----------------------------------------------------------------- prediction
    def predict(self, X: Any, stateful: bool = False) -> Any:
        """Return labels (one-hot rows if fitted on one-hot rows); per step with ``return_sequences``.

        For ragged (list) input with ``return_sequences``, a list of per-sequence arrays.
        Steps with no input (masked padding) get no label: -1 for numeric classes,
        None for others, a row of NaN for one-hot output. ``stateful=True`` continues
        from the carried state and keeps the new one (see ``get_state``).
        """
        prepared, data = self._prepare_predict(X)
        probabilities = self._probabilities(self._run_predict(data, stateful), prepared)
        codes = np.argmax(np.nan_to_num(probabilities, nan=-1.0), axis=-1)
        labels = np.eye(len(self.classes_))[codes] if self.one_hot_ else self.classes_[codes]
        no_input = np.isnan(probabilities).any(axis=-1)
        if no_input.any():
            labels = _without_labels(labels, no_input, self.one_hot_)
        return split_per_sequence(labels, prepared, self.return_sequences, X)

    def predict_proba(self, X: Any, stateful: bool = False) -> Any:
        """Return class probabilities, ``(samples, classes)`` or ``(samples, timesteps, classes)``.

        This is what Keras's ``model.predict`` returns for a softmax output.
        """
        prepared, data = self._prepare_predict(X)
        probabilities = self._probabilities(self._run_predict(data, stateful), prepared)
        return split_per_sequence(probabilities, prepared, self.return_sequences, X)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy over every valid target (per step with ``return_sequences``)."""
        prepared, data = self._prepare_predict(X)
        probabilities = self._probabilities(self._run_predict(data), prepared)
        codes = self._apply_targets(y, prepared, aligned=False)
        predicted = np.argmax(np.nan_to_num(probabilities, nan=-1.0), axis=-1)
        # Steps with no target, and masked steps (no input, so no prediction), do not count.
        valid = (codes != -1) & ~np.isnan(probabilities).any(axis=-1)
        weights = (
            np.ones(codes.shape)
            if sample_weight is None
            else np.broadcast_to(
                np.asarray(sample_weight, dtype=float).reshape((-1,) + (1,) * (codes.ndim - 1)),
                codes.shape,
            )
        )
        return float(((predicted == codes) * weights)[valid].sum() / weights[valid].sum())

    def _probabilities(self, raw: np.ndarray, prepared: PreparedInput) -> np.ndarray:
        logits = torch.from_numpy(raw)
        if self.loss_ == "binary_crossentropy":
            positive = torch.sigmoid(logits)
            probabilities = torch.cat([1.0 - positive, positive], dim=-1).numpy()
        else:
            probabilities = torch.softmax(logits, dim=-1).numpy()
        if self.return_sequences:
            probabilities = restore_positions(probabilities, prepared)
        return probabilities

    # ----------------------------------------------------------------- targets
    def _fit_targets(self, y: Any, prepared: PreparedInput) -> np.ndarray:
        labels = as_target_array(y, prepared, self.return_sequences, fill=-1)
        if self._sequence_output():
            self.output_steps_ = output_steps_of(labels, "labels")
        declared = getattr(self, "_declared_classes", None)
        if declared is not None:
            declared = np.unique(declared)
            codes = apply_labels(labels, declared, False, per_step=self._step_targets())
            encoded = LabelTargets(codes, declared)
        else:
            encoded = encode_labels(labels, per_step=self._step_targets())
        self.classes_, self.one_hot_ = encoded.classes, encoded.one_hot
        self.loss_ = self._choose_loss(len(self.classes_))
        self.output_size_ = 1 if self.loss_ == "binary_crossentropy" else len(self.classes_)
        return align_per_step_targets(encoded.codes, prepared, self.return_sequences, fill=-1)

    def _apply_targets(self, y: Any, prepared: PreparedInput, aligned: bool = True) -> np.ndarray:
        labels = as_target_array(y, prepared, self.return_sequences, fill=-1)
        if self._sequence_output():
            check_output_steps(labels, self.output_steps_)
        codes = apply_labels(labels, self.classes_, self.one_hot_, self._step_targets())
        return (
            align_per_step_targets(codes, prepared, self.return_sequences, fill=-1)
            if aligned
            else codes
        )

    def _choose_loss(self, class_count: int) -> str:
        if self.loss == "auto":
            return (
                "binary_crossentropy"
                if class_count == 2 and not self._one_hot_fit()
                else "categorical_crossentropy"
            )
        if self.loss == "binary_crossentropy" and class_count != 2:
            raise ConfigError(
                f"loss='binary_crossentropy' needs exactly two classes, y has {class_count}: "
                "use loss='categorical_crossentropy' or loss='auto'"
            )
        if self.loss not in ("binary_crossentropy", "categorical_crossentropy"):
            raise ConfigError(
                f"LSTMClassifier cannot train with loss={self.loss!r}: use 'auto', "
                "'binary_crossentropy' or 'categorical_crossentropy' (or LSTMRegressor for mse/mae/quantile)"
            )
        return self.loss

    def _one_hot_fit(self) -> bool:
        return bool(getattr(self, "one_hot_", False))

    def _sample_weights(self, sample_weight, targets, count, training: bool) -> np.ndarray | None:
        weight = super()._sample_weights(sample_weight, targets, count, training)
        if self.class_weight is None or not training:
            return weight  # as in Keras, class weights shape the training loss only
        if not hasattr(self, "class_weight_"):
            # Fixed at the first fit, so partial_fit batches that lack a class still work.
            self.class_weight_ = self._per_class_weights(targets[targets != -1])
        # Per-step labels get per-step weights (0 where a step has no label).
        class_weight = np.where(targets == -1, 0.0, self.class_weight_[targets]).astype(np.float32)
        if weight is None:
            return class_weight
        return weight.reshape(weight.shape + (1,) * (class_weight.ndim - 1)) * class_weight

    def _per_class_weights(self, codes: np.ndarray) -> np.ndarray:
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            present = np.unique(codes)
            weights = np.ones(len(self.classes_))
            weights[present] = compute_class_weight("balanced", classes=present, y=codes)
            return weights
        return self._class_weight_from_dict()

    def _class_weight_from_dict(self) -> np.ndarray:
        if not isinstance(self.class_weight, dict):
            raise ConfigError(
                f"class_weight must be None, 'balanced' or a {{label: weight}} dict, got {self.class_weight!r}"
            )
        unknown = [label for label in self.class_weight if label not in self.classes_.tolist()]
        if unknown:
            raise ConfigError(
                f"class_weight names labels not in y: {unknown}; the classes are {self.classes_.tolist()}"
            )
        return np.array(
            [float(self.class_weight.get(label, 1.0)) for label in self.classes_.tolist()]
        )

    def _default_metrics(self) -> list[str]:
        return ["accuracy"]


def _without_labels(labels: np.ndarray, no_input: np.ndarray, one_hot: bool) -> np.ndarray:
    """Blank the labels at steps that had no input (see ``predict``)."""
    if one_hot:
        labels = labels.astype(np.float64, copy=True)
        labels[no_input] = np.nan
        return labels
    if labels.dtype.kind in "iu":
        labels = labels.astype(np.int64, copy=True)
        labels[no_input] = -1
        return labels
    if labels.dtype.kind == "f":
        labels = labels.copy()
        labels[no_input] = -1
        return labels
    labels = labels.astype(object)
    labels[no_input] = None
    return labels
