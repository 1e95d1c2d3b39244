"""``model.stream()``: one-step-at-a-time prediction on a fitted estimator (CONTRACTS §3, §11).

A :class:`Stream` copies the model's weights once into a NumPy float32 cell
(``_numpy_cell.NumpyLSTM``) and the fitted scalers into scale/offset arrays, so a
step makes no torch or scikit-learn call. Two modes:

    "state"  (stream-trained models: tbptt or stateful fits)
        x_0 ─► cell ─► y_0      the state is carried from step to step,
        x_1 ─► cell ─► y_1      as in training
        ...
    "window" (models trained on fixed windows of L steps)
        [x_{t-L+1} ... x_t] ─► cell from zeros ─► y_t      each step reruns the
                                                          last L inputs

A window-trained model never learned to carry state past L steps, so it is given
exactly what it was trained on: the last L inputs (fewer before L have arrived).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import torch

from lstmkit.data import MinMaxScaler, StandardScaler
from lstmkit.errors import ConfigError, DataError, ShapeError, unknown_option
from lstmkit.estimators._numpy_cell import ACTIVATIONS, NumpyLSTM
from lstmkit.models import StackedLSTM, VanillaLSTM

StreamMode = Literal["auto", "state", "window"]
MODES = ("auto", "state", "window")

BIDIRECTIONAL_MESSAGE = (
    "stream() needs a unidirectional model: a bidirectional LSTM reads each sequence "
    "backwards from its end, which a stream has not reached yet; predict whole sequences "
    "with predict(X) instead"
)


class Stream:
    """Predict one time step at a time from a fitted estimator; built by ``model.stream()``.

    ``step(x)`` returns what ``predict`` would return for that step: a float (or an
    array in ``predict``'s layout for one sample, when the model has several outputs)
    in the original units for a regressor, a label for a classifier. Inputs and
    outputs are scaled with the model's fitted ``scale_X`` / ``scale_y``, in float64
    at the edges as ``predict`` does; the LSTM itself runs in float32. Unlike
    ``predict``, a step does not warn about values outside a min-max scaler's range.

    The stream keeps its own state: it never reads or changes the estimator's
    ``state_``. Start it from a state with ``reset(state)``.

    Attributes:
        mode: ``"state"`` (the state is carried) or ``"window"`` (the last
            ``window_length`` inputs are rerun each step).
        window_length: L, the fit's time steps, in window mode; None in state mode.
        steps: inputs seen since the last ``reset``.

    Example:
        >>> import numpy as np, lstmkit
        >>> X = np.linspace(0, 1, 40, dtype="float32").reshape(4, 10, 1)
        >>> model = lstmkit.LSTMRegressor(units=4, epochs=1, random_state=0).fit(X, X[:, -1, 0])
        >>> stream = make_stream(model)
        >>> stream.mode, stream.window_length
        ('window', 10)
        >>> y = [stream.step(x) for x in X[0]]
        >>> bool(abs(y[-1] - model.predict(X[:1])[0]) < 1e-6)
        True
    """

    def __init__(self, estimator: Any, mode: StreamMode = "auto") -> None:
        estimator._check_fitted("stream")
        module = estimator.module_
        _check_streamable(module)
        self.mode = _resolve_mode(estimator, mode)
        self._cell = _numpy_cell(module)
        self._features = self._cell.input_size
        self._x_affine = _affine(getattr(estimator, "scaler_X_", None), inverse=False)
        self._x64 = np.empty(self._features)  # the scaled input, before float32
        self._decode = _decoder(estimator)
        self.window_length = int(estimator.n_timesteps_in_) if self.mode == "window" else None
        if self.window_length is not None:
            self._window = np.zeros((self.window_length, self._features), dtype=np.float32)
        self.steps = 0

    # ----------------------------------------------------------------- public API
    def step(self, x: Any) -> Any:
        """Feed one time step and return the prediction for it.

        Args:
            x: one step's features, ``(features,)`` or ``(1, features)``; a number
                when the model has one feature.

        Returns:
            Regressor: a float, or an array shaped like one sample of ``predict``
            (original units). Classifier: a label (an element of ``classes_``; a
            one-hot row if fitted on one-hot rows).

        Raises:
            ShapeError: ``x`` is not one step of the model's features.
            DataError: ``x`` holds NaN or inf (the feature is named).
        """
        return self._decode(self._advance(x))

    def reset(self, state: Any = None) -> None:
        """Start afresh: zero state and an empty window, or (state mode) from ``state``.

        Args:
            state: None for zeros, or one ``(h, c)`` pair per layer, each
                ``(1, hidden)`` (NumPy or torch), e.g. ``stream.state`` or, after
                fitting a single stream, ``model.get_state()``.

        Raises:
            ConfigError: a state given in window mode (each window starts from zeros).
            ShapeError: the state's layout is not one ``(1, hidden)`` pair per layer.
        """
        if state is not None and self.mode == "window":
            raise ConfigError(
                "a window-mode stream reruns each window from a zero state, so it cannot "
                "start from a given state: use model.stream(mode='state') to carry state"
            )
        self._cell.reset()
        if state is not None:
            self._cell.set_state(state)
        self.steps = 0

    @property
    def state(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """A copy of the state, one ``(h, c)`` pair per layer, each ``(1, hidden)`` (CONTRACTS §3).

        In window mode, the state at the end of the last window run.
        """
        return self._cell.state()

    def __repr__(self) -> str:
        cell = self._cell
        window = "" if self.window_length is None else f", window_length={self.window_length}"
        return (
            f"Stream(mode={self.mode!r}{window}, layers={cell.num_layers}, "
            f"units={cell.hidden_size if len(set(cell.widths)) == 1 else cell.widths}, "
            f"steps={self.steps})"
        )

    # ----------------------------------------------------------------- one step
    def _advance(self, x: Any) -> np.ndarray:
        """Validate and scale ``x``, run the model, return the head's raw output."""
        values = self._read(x)
        cell = self._cell
        target = cell.x if self.window_length is None else self._window[-1]
        if self.window_length is not None:
            self._window[:-1] = self._window[1:]  # shift left; numpy handles the overlap
        if self._x_affine is None:
            target[:] = values
        else:
            np.multiply(values, self._x_affine[0], out=self._x64)
            np.add(self._x64, self._x_affine[1], out=target)  # float64 → float32 once
        self.steps += 1
        if self.window_length is None:
            cell.advance()
        else:
            self._run_window()
        return cell.output()

    def _run_window(self) -> None:
        """Rerun the last min(steps, L) inputs from a zero state (window mode)."""
        cell = self._cell
        cell.reset()
        for row in self._window[-min(self.steps, self.window_length) :]:
            cell.x[:] = row
            cell.advance()

    def _read(self, x: Any) -> np.ndarray:
        """Return ``x`` as ``(features,)`` float32, or raise naming what was expected."""
        try:
            values = np.asarray(x, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"stream.step expects numbers, got {type(x).__name__} {x!r}: pass one step's "
                f"{self._features} feature value(s)"
            ) from exc
        if values.shape != (self._features,):
            values = self._reshaped(values)
        # One reduction catches NaN and inf (a sum of finite floats may overflow: then look closer).
        if not math.isfinite(float(np.add.reduce(values))):
            self._check_finite(x, values)
        return values

    def _reshaped(self, values: np.ndarray) -> np.ndarray:
        n = self._features
        if values.shape == (1, n) or (values.ndim == 0 and n == 1):
            return values.reshape(n)
        hint = ""
        if values.ndim == 2 and values.shape[0] > 1:
            hint = ": this looks like several steps; call step() once per row, or predict(X)"
        elif values.ndim == 1:
            hint = f": the model was fitted on {n} feature{'s' if n != 1 else ''}"
        raise ShapeError(
            f"stream.step expects one time step of shape ({n},) or (1, {n}), got shape "
            f"{values.shape}{hint}"
        )

    def _check_finite(self, x: Any, values: np.ndarray) -> None:
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size == 0:
            return  # finite values whose float32 sum overflowed
        feature = int(bad[0])
        original = np.asarray(x, dtype=np.float64).reshape(-1)[feature]
        if np.isfinite(original):
            problem = (
                f"{float(original)!r} at feature {feature}, beyond float32's range (about ±3.4e38)"
            )
            fix = "scale the data before streaming it"
        else:
            problem = f"{original} at feature {feature}".replace("nan", "NaN")
            fix = f"remove or {'impute missing' if np.isnan(original) else 'clip infinite'} values"
        raise DataError(
            f"stream.step got {problem} (input {self.steps} since the last reset): "
            f"{fix} before streaming"
        )


class ClassifierStream(Stream):
    """A :class:`Stream` of a classifier: ``step`` gives labels, ``step_proba`` probabilities.

    Example:
        >>> import numpy as np, lstmkit
        >>> X = np.random.default_rng(0).random((6, 4, 1)).astype("float32")
        >>> model = lstmkit.LSTMClassifier(units=4, epochs=1, random_state=0)
        >>> model = model.fit(X, ["a", "b", "c"] * 2)
        >>> stream = make_stream(model)
        >>> probabilities = [stream.step_proba(x) for x in X[0]][-1]
        >>> bool(np.allclose(probabilities, model.predict_proba(X[:1])[0], atol=1e-6))
        True
    """

    def step_proba(self, x: Any) -> np.ndarray:
        """Feed one time step and return the class probabilities, like ``predict_proba``.

        Returns:
            ``(classes,)`` probabilities in the order of ``classes_``.
        """
        return self._decode.probabilities(self._advance(x))


def make_stream(estimator: Any, mode: StreamMode = "auto") -> Stream:
    """Build a :class:`Stream` from a fitted classifier or regressor.

    Args:
        estimator: a fitted ``LSTMClassifier`` or ``LSTMRegressor``.
        mode: ``"auto"`` (``"state"`` for a stream-trained model, ``"window"``
            otherwise), ``"state"`` or ``"window"``.

    Raises:
        NotFittedError: the estimator is not fitted.
        ConfigError: an unknown mode, or a model that cannot stream (bidirectional).

    Example:
        >>> import numpy as np, lstmkit
        >>> X = np.zeros((4, 6, 1), dtype="float32")
        >>> model = lstmkit.LSTMRegressor(units=3, epochs=1, random_state=0).fit(X, np.zeros(4))
        >>> make_stream(model, mode="state")
        Stream(mode='state', layers=1, units=3, steps=0)
    """
    if hasattr(estimator, "classes_"):
        return ClassifierStream(estimator, mode)
    return Stream(estimator, mode)


class StreamMixin:
    """Adds ``stream()`` to the estimators."""

    def stream(self, mode: StreamMode = "auto") -> Stream:
        """Return a :class:`Stream` that predicts one time step at a time.

        On a stream-trained model (``tbptt`` or stateful) the stream carries the state
        from step to step; on a model trained on fixed windows of L steps it reruns the
        last L inputs at every step (fewer before L inputs have arrived). The weights
        are copied once into NumPy: later changes to the model do not reach the stream.

        Args:
            mode: ``"auto"``, ``"state"`` or ``"window"``.

        Example:
            >>> import numpy as np, lstmkit
            >>> X = [np.sin(np.arange(30, dtype="float32") / 3).reshape(-1, 1)]
            >>> model = lstmkit.LSTMRegressor(
            ...     units=4, return_sequences=True, tbptt=(5, 5), epochs=1, random_state=0
            ... ).fit(X, [x[:, 0] for x in X])
            >>> stream = model.stream()
            >>> outputs = [stream.step(x) for x in X[0][:5]]
            >>> stream
            Stream(mode='state', layers=1, units=4, steps=5)
            >>> bool(np.allclose(outputs, model.predict([X[0][:5]])[0], atol=1e-6))
            True
        """
        return make_stream(self, mode)


# --------------------------------------------------------------------- building
def _check_streamable(module: Any) -> None:
    """Only LSTM stacks with a dense head are copied into NumPy; refuse anything else."""
    lstm = getattr(module, "lstm", None)
    if getattr(module, "bidirectional", False) or getattr(lstm, "bidirectional", False):
        raise ConfigError(BIDIRECTIONAL_MESSAGE)
    streamable = (isinstance(module, VanillaLSTM) and not module.lstm.proj_size) or isinstance(
        module, StackedLSTM
    )
    if not streamable:
        raise ConfigError(
            f"stream() runs LSTM stacks with a dense head (the vanilla, stacked and generative "
            f"architectures); {type(module).__name__} is another architecture: predict step by "
            "step with predict(X, stateful=True), or whole sequences with predict(X)"
        )


def _numpy_cell(module: Any) -> NumpyLSTM:
    """Copy a vanilla or stacked module's weights into a :class:`NumpyLSTM`."""
    if isinstance(module, VanillaLSTM):
        return NumpyLSTM.from_torch(module.lstm, module.head)
    linears, pending = [], None
    for layer in module.head.hidden:
        if isinstance(layer, torch.nn.Linear):
            pending = layer
        elif isinstance(layer, torch.nn.Dropout):
            continue  # a no-op when predicting
        else:
            name = _ACTIVATION_NAMES.get(type(layer))
            if name is None:
                raise ConfigError(
                    f"stream() runs dense activations {', '.join(sorted(ACTIVATIONS))}; this "
                    f"model's head uses {type(layer).__name__}: predict with predict(X, "
                    "stateful=True) instead"
                )
            linears.append((pending, name))
    return NumpyLSTM.from_stack(list(module.layers), linears, module.head.output)


_ACTIVATION_NAMES = {
    torch.nn.ReLU: "relu",
    torch.nn.Tanh: "tanh",
    torch.nn.Sigmoid: "sigmoid",
    torch.nn.Identity: "linear",
}


def _resolve_mode(estimator: Any, mode: str) -> str:
    if mode not in MODES:
        raise unknown_option("stream mode", str(mode), MODES)
    if mode != "auto":
        return mode
    return "state" if estimator._stream_trained() else "window"


def _affine(scaler: Any, inverse: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The scaler as float64 ``(a, b)`` with ``scaled = x * a + b`` (or its inverse), copied."""
    if scaler is None:
        return None
    if isinstance(scaler, StandardScaler):  # (x - mean) / scale
        mean, scale = np.array(scaler.mean_, float), np.array(scaler.scale_, float)
        return (scale, mean) if inverse else (1.0 / scale, -mean / scale)
    if isinstance(scaler, MinMaxScaler) and not scaler.clip:  # x * scale + min
        scale, low = np.array(scaler.scale_, float), np.array(scaler.min_, float)
        return (1.0 / scale, -low / scale) if inverse else (scale, low)
    raise ConfigError(
        f"stream() applies StandardScaler and MinMaxScaler (without clip) as scale and offset; "
        f"got {scaler!r}: predict with predict(X) instead"
    )


def _decoder(estimator: Any) -> Any:
    if hasattr(estimator, "classes_"):
        return _LabelDecoder(estimator)
    return _ValueDecoder(estimator)


class _ValueDecoder:
    """Raw head output → a regressor's prediction in original units."""

    def __init__(self, estimator: Any) -> None:
        self.shape = tuple(estimator.y_shape_)
        affine = _affine(estimator.scaler_y_, inverse=True)
        self.columns = estimator._target_columns()
        self.affine = affine
        self.scalar = (1.0, 0.0) if affine is None else (float(affine[0][0]), float(affine[1][0]))

    def __call__(self, raw: np.ndarray) -> Any:
        if not self.shape:  # one output: plain float arithmetic is fastest
            return float(raw[0]) * self.scalar[0] + self.scalar[1]
        values = raw.astype(np.float64).reshape(-1, self.columns)  # (rows, target columns)
        if self.affine is not None:
            values = values * self.affine[0] + self.affine[1]
        return values.reshape(self.shape)


class _LabelDecoder:
    """Raw logits → a classifier's label or probabilities (as ``predict``/``predict_proba``)."""

    def __init__(self, estimator: Any) -> None:
        self.classes = estimator.classes_
        self.one_hot = bool(estimator.one_hot_)
        self.binary = estimator.loss_ == "binary_crossentropy"

    def probabilities(self, raw: np.ndarray) -> np.ndarray:
        if self.binary:
            positive = 1.0 / (1.0 + np.exp(-raw.astype(np.float64)))
            return np.array([1.0 - positive[0], positive[0]], dtype=np.float32)
        shifted = np.exp(raw.astype(np.float64) - raw.max())
        return (shifted / shifted.sum()).astype(np.float32)

    def __call__(self, raw: np.ndarray) -> Any:
        code = int(np.argmax(self.probabilities(raw)))
        return np.eye(len(self.classes))[code] if self.one_hot else self.classes[code]
