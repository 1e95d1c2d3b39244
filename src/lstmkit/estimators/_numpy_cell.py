"""A stacked LSTM and its dense head in NumPy float32, one time step at a time (batch 1).

``stream()`` runs on this: the weights are copied out of torch once, and a step
costs a dozen NumPy calls per layer into preallocated buffers, with no torch call,
no allocation and no Python arithmetic on arrays.

Every layer's input and hidden state live side by side in one buffer, so each layer
is one matrix-vector product over a contiguous slice and nothing is copied:

    z = [ x (input_size) | h_0 (width 0) | h_1 (width 1) | ... | h_{L-1} ]
          └─ layer 0 reads [x, h_0] ─┘
                           └─ layer 1 reads [h_0, h_1] ─┘

A layer writes its new h in place: the next layer reads it as its input, and the
layer itself reads it back as its recurrent input at the next step.

Gates (PyTorch's order i, f, g, o) use one ``tanh`` call for all four:
sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, and the rows of i, f and o in the weights and
biases are halved once at build time (an exact operation in floating point).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit.errors import ShapeError

_F32 = np.float32


class NumpyLSTM:
    """A unidirectional stacked LSTM plus a dense head, stepped in NumPy float32.

    Args:
        layers: per layer ``(weight_ih, weight_hh, bias)`` as PyTorch lays them out:
            ``(4 * width, input)``, ``(4 * width, width)``, and ``(4 * width,)``
            (``bias_ih + bias_hh``), gates in the order i, f, g, o; widths may differ.
        head_weight: ``(outputs, width)``; ``head_bias``: ``(outputs,)``.
        dense: hidden dense layers before the head, ``(weight, bias, activation)`` each,
            activation one of :data:`ACTIVATIONS`.

    Attributes:
        x: ``(input_size,)`` view where the caller writes the next step's input.

    Example:
        >>> w_ih, w_hh = np.ones((8, 1)), np.zeros((8, 2))
        >>> cell = NumpyLSTM([(w_ih, w_hh, np.zeros(8))], np.ones((1, 2)), np.zeros(1))
        >>> cell.x[:] = 1.0
        >>> cell.advance()
        >>> float(cell.output()[0]) == 2 * float(cell.state()[0][0][0, 0])
        True
    """

    def __init__(
        self,
        layers: list[tuple[Any, Any, Any]],
        head_weight: Any,
        head_bias: Any,
        dense: list[tuple[Any, Any, str]] = (),
    ):
        self.widths = [int(np.shape(weights[1])[1]) for weights in layers]
        self.input_size = int(np.shape(layers[0][0])[1])
        self.hidden_size = self.widths[-1]
        self.num_layers = len(layers)
        self._offsets = np.cumsum([self.input_size, *self.widths]).tolist()  # where each h ends
        self._z = np.zeros(self._offsets[-1], dtype=_F32)
        self.x = self._z[: self.input_size]
        self._layers = [self._layer(number, *weights) for number, weights in enumerate(layers)]
        self._top = self._z[self._offsets[-2] :]
        self._dense = [_dense_layer(weight, bias, activation) for weight, bias, activation in dense]
        self._head_t = np.ascontiguousarray(np.asarray(head_weight, dtype=_F32).T)  # (width, out)
        self._head_bias = np.asarray(head_bias, dtype=_F32).reshape(-1)
        self._out = np.empty(self._head_bias.shape, dtype=_F32)

    @classmethod
    def from_torch(cls, lstm: Any, head: Any) -> NumpyLSTM:
        """Copy the weights of an ``nn.LSTM`` (unidirectional) and an ``nn.Linear`` head.

        Example:
            >>> from torch import nn
            >>> cell = NumpyLSTM.from_torch(nn.LSTM(3, 4, num_layers=2), nn.Linear(4, 1))
            >>> cell.input_size, cell.hidden_size, cell.num_layers
            (3, 4, 2)
        """
        return cls(_lstm_layers(lstm), _array(head.weight), _array(head.bias))

    @classmethod
    def from_stack(cls, lstms: list[Any], linears: list[tuple[Any, str]], head: Any) -> NumpyLSTM:
        """Copy single- or multi-layer ``nn.LSTM`` modules in order, hidden dense layers
        ``(nn.Linear, activation)`` and the output ``nn.Linear``.

        Example:
            >>> from torch import nn
            >>> cell = NumpyLSTM.from_stack([nn.LSTM(3, 8), nn.LSTM(8, 4)],
            ...                             [(nn.Linear(4, 5), "relu")], nn.Linear(5, 2))
            >>> cell.widths, cell.output().shape
            ([8, 4], (2,))
        """
        layers = [layer for lstm in lstms for layer in _lstm_layers(lstm)]
        dense = [(_array(linear.weight), _array(linear.bias), name) for linear, name in linears]
        return cls(layers, _array(head.weight), _array(head.bias), dense)

    def _layer(self, number: int, weight_ih: Any, weight_hh: Any, bias: Any) -> tuple:
        """Precompute one layer: the stacked, gate-scaled weight and the buffers it uses."""
        width = self.widths[number]
        # sigmoid(z) = 0.5 * tanh(z / 2) + 0.5 on i, f and o; tanh(z) on g.
        half = np.r_[np.full(2 * width, 0.5), np.ones(width), np.full(width, 0.5)]
        scale, shift = half.astype(_F32), np.where(half == 0.5, 0.5, 0.0).astype(_F32)
        stacked = np.concatenate([np.asarray(weight_ih), np.asarray(weight_hh)], axis=1)
        weight_t = np.ascontiguousarray((stacked * half[:, None]).T, dtype=_F32)  # (in + w, 4w)
        bias = (np.asarray(bias, dtype=np.float64) * half).astype(_F32)  # halving is exact
        start = 0 if number == 0 else self._offsets[number - 1]
        reads = self._z[start : self._offsets[number + 1]]  # [input, h] of this layer
        own = self._z[self._offsets[number] : self._offsets[number + 1]]  # its h
        gates = np.empty(4 * width, dtype=_F32)
        parts = [gates[k * width : (k + 1) * width] for k in range(4)]  # i, f, g, o
        cell, tmp = np.zeros(width, dtype=_F32), np.empty(width, dtype=_F32)
        return (weight_t, bias, reads, gates, scale, shift, tmp, *parts, cell, own)

    def advance(self) -> None:
        """Run every layer one step on the input in :attr:`x`; the state moves on."""
        dot, add, multiply, tanh = np.dot, np.add, np.multiply, np.tanh
        for weight_t, bias, reads, gates, scale, shift, tmp, i, f, cand, o, c, h in self._layers:
            dot(reads, weight_t, out=gates)  # (4w,) = [x, h] @ [W_ih W_hh]^T
            add(gates, bias, out=gates)
            tanh(gates, out=gates)
            multiply(gates, scale, out=gates)  # i, f, o: 0.5 * tanh(z / 2) + 0.5
            add(gates, shift, out=gates)
            multiply(c, f, out=c)  # c = f * c + i * g
            multiply(i, cand, out=tmp)
            add(c, tmp, out=c)
            tanh(c, out=tmp)  # h = o * tanh(c), written where the next layer reads it
            multiply(o, tmp, out=h)

    def output(self) -> np.ndarray:
        """Return the head's output on the top layer's h: ``(outputs,)``, reused each call."""
        features = self._top
        for weight_t, bias, activation, buffer in self._dense:
            np.dot(features, weight_t, out=buffer)
            np.add(buffer, bias, out=buffer)
            activation(buffer)
            features = buffer
        np.dot(features, self._head_t, out=self._out)
        np.add(self._out, self._head_bias, out=self._out)
        return self._out

    def reset(self) -> None:
        """Zero every layer's h and c."""
        self._z[self.input_size :] = 0.0
        for *_, c, _h in self._layers:
            c[:] = 0.0

    def state(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """Return a copy of the state: one ``(h, c)`` pair per layer, each ``(1, hidden)``."""
        return tuple(
            (h.reshape(1, -1).copy(), c.reshape(1, -1).copy()) for *_, c, h in self._layers
        )

    def set_state(self, state: Any) -> None:
        """Start from ``state``: one ``(h, c)`` pair per layer, each ``(1, hidden)``.

        Raises:
            ShapeError: the wrong number of layers or a shape other than ``(1, hidden)``.
        """
        pairs = list(state) if isinstance(state, (tuple, list)) else []
        if len(pairs) != self.num_layers or any(len(pair) != 2 for pair in pairs):
            raise ShapeError(
                f"a stream's state is one (h, c) pair per LSTM layer ({self.num_layers} here), "
                f"got {len(pairs) if pairs else type(state).__name__}: pass the value "
                "stream.state or model.get_state() returns"
            )
        values = []
        for number, pair in enumerate(pairs):
            for name, value in zip("hc", pair):
                array = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
                if array.shape != (1, self.widths[number]):
                    raise ShapeError(
                        f"layer {number}'s {name} has shape {array.shape}, expected "
                        f"(1, {self.widths[number]}): a stream is one sequence (batch 1); take "
                        f"one row of a batch's state with [(h[i:i+1], c[i:i+1]) for h, c in state]"
                    )
                values.append(array.reshape(-1))
        for number, (*_, c, h) in enumerate(self._layers):
            h[:], c[:] = values[2 * number], values[2 * number + 1]


def _array(tensor: Any) -> np.ndarray:
    return tensor.detach().cpu().double().numpy()


def _lstm_layers(lstm: Any) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(weight_ih, weight_hh, bias_ih + bias_hh)`` of every layer of an ``nn.LSTM``."""
    layers = []
    for k in range(lstm.num_layers):
        w_ih = _array(getattr(lstm, f"weight_ih_l{k}"))  # (4h, input)
        w_hh = _array(getattr(lstm, f"weight_hh_l{k}"))  # (4h, h)
        bias = np.zeros(w_ih.shape[0])
        if lstm.bias:
            bias = _array(getattr(lstm, f"bias_ih_l{k}")) + _array(getattr(lstm, f"bias_hh_l{k}"))
        layers.append((w_ih, w_hh, bias))
    return layers


def _relu(values: np.ndarray) -> None:
    np.maximum(values, 0.0, out=values)


def _sigmoid(values: np.ndarray) -> None:
    np.multiply(values, 0.5, out=values)  # sigmoid(v) = 0.5 * tanh(v / 2) + 0.5
    np.tanh(values, out=values)
    np.multiply(values, 0.5, out=values)
    np.add(values, 0.5, out=values)


# In-place activations of the dense head that stream() can run.
ACTIVATIONS = {
    "relu": _relu,
    "tanh": lambda values: np.tanh(values, out=values),
    "sigmoid": _sigmoid,
    "linear": lambda values: None,
}


def _dense_layer(weight: Any, bias: Any, activation: str) -> tuple:
    weight_t = np.ascontiguousarray(np.asarray(weight, dtype=_F32).T)  # (in, out)
    bias = np.asarray(bias, dtype=_F32).reshape(-1)
    return weight_t, bias, ACTIVATIONS[activation], np.empty(bias.shape, dtype=_F32)
