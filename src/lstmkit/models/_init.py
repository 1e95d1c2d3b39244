"""Keras's default initialisation for LSTM and Dense layers, applied to torch modules.

Keras starts an LSTM with Glorot-uniform input weights, orthogonal recurrent
weights and a forget-gate bias of one; PyTorch draws everything from
U(-1/sqrt(hidden), 1/sqrt(hidden)). Users porting Keras lessons get Keras's
behaviour by default (``init="keras"``).
"""

from __future__ import annotations

import torch
from torch import nn


def keras_init_lstm(lstm: nn.LSTM) -> None:
    """Initialise ``lstm`` in place the way Keras initialises its LSTM layer.

    PyTorch's gate order is (input, forget, cell, output) and it keeps two bias
    vectors; the forget-gate part of ``bias_ih`` is set to 1 and ``bias_hh`` to 0,
    so their sum matches Keras's single bias with ``unit_forget_bias=True``.

    Example:
        >>> lstm = nn.LSTM(3, 4)
        >>> keras_init_lstm(lstm)
        >>> float((lstm.bias_ih_l0[4:8] + lstm.bias_hh_l0[4:8]).detach().sum())
        4.0
    """
    hidden = lstm.hidden_size
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("weight_ih"):
                # Keras's kernel is (input, 4*hidden): Glorot over that whole matrix.
                nn.init.xavier_uniform_(parameter)
            elif name.startswith("weight_hh"):
                # Keras's recurrent kernel is (hidden, 4*hidden), orthogonal as a whole.
                nn.init.orthogonal_(parameter)
            elif name.startswith("bias_ih"):
                parameter.zero_()
                parameter[hidden : 2 * hidden] = 1.0
            elif name.startswith("bias_hh"):
                parameter.zero_()


def keras_init_linear(linear: nn.Linear) -> None:
    """Initialise ``linear`` like Keras's Dense: Glorot-uniform weights, zero bias.

    Example:
        >>> layer = nn.Linear(4, 2)
        >>> keras_init_linear(layer)
        >>> float(layer.bias.detach().abs().sum())
        0.0
    """
    with torch.no_grad():
        nn.init.xavier_uniform_(linear.weight)
        if linear.bias is not None:
            linear.bias.zero_()
