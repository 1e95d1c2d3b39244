"""The Generative LSTM: predict the next step from the current one, then generate from a seed.

The book's shape-generation chapter: trained on per-step next-step targets (input step
t, target step t + 1), then run one step at a time, the state carrying what has been
drawn so far, each prediction fed back as the next input (``lstmkit.inference.generate``)::

    train:     x0  x1  x2  ...          generate:  seed ─► y ─► y' ─► y'' ...
    targets:   x1  x2  x3  ...                     (state carried between steps)

The module is the Stacked LSTM with ``return_sequences`` always True: a generative
model answers at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstmkit.models._common import build_config, check_common
from lstmkit.models._registry import register_architecture
from lstmkit.models.stacked import StackedConfig, StackedLSTM


@dataclass(frozen=True)
class GenerativeConfig(StackedConfig):
    """Shape and options of a :class:`GenerativeLSTM` (the Stacked LSTM's, answering per step).

    Example:
        >>> GenerativeConfig(input_size=2, output_size=2, units=[10]).return_sequences
        True
    """

    return_sequences: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.return_sequences is not True:
            problems.append(
                f"return_sequences must be True, got {self.return_sequences!r}: a generative "
                "model answers at every step (the next step's prediction); set "
                "return_sequences=True"
            )
        check_common(self, "generative", problems)


@register_architecture("generative")
class GenerativeLSTM(StackedLSTM):
    """LSTM layers answering at every step, for next-step training and generation.

    Everything but the configuration is :class:`~lstmkit.models.stacked.StackedLSTM`'s.

    Shape:
        x: ``(batch, time, input_size)``.
        y: ``(batch, time, output_size)``, raw scores for the next step.
        state: one ``(h, c)`` pair per layer, each ``(batch, units[layer])``.

    Example:
        >>> import torch
        >>> model = GenerativeLSTM(GenerativeConfig(input_size=2, output_size=2, units=[10]))
        >>> y, state = model(torch.zeros(3, 6, 2))
        >>> tuple(y.shape), model.architecture_name
        ((3, 6, 2), 'generative')
    """

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> GenerativeLSTM:
        """Build a fresh (untrained) model from :meth:`get_config`'s output.

        Example:
            >>> GenerativeLSTM.from_config({"input_size": 2, "output_size": 2}).config.units
            [32, 32]
        """
        return cls(build_config(GenerativeConfig, config, "generative"))
