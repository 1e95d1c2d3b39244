"""Sampling with temperature, and generation from a seed by feeding predictions back.

The book's generative loop, made explicit: run the seed once, then repeatedly take the
last step's scores, turn them into the next input (a sampled character's one-hot, a
predicted point) and feed that one step, the state carrying everything drawn so far::

    seed x0 x1 x2 ─► scores ─► next_input ─► x3 ─► scores ─► next_input ─► x4 ...
                     (state carried from each call to the next)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

import torch
from torch import nn

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.models._state import State, require_unidirectional


def sample_next(
    scores: torch.Tensor, temperature: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Draw one class code per row from raw ``scores``.

    Temperature 0 picks the most likely class (greedy); otherwise a class is drawn from
    ``softmax(scores / temperature)``: below 1 sharpens, above 1 flattens the choice.

    Args:
        scores: ``(batch, classes)`` raw scores (logits).
        temperature: a finite number ≥ 0.
        generator: the random source of the draws (deterministic given its seed).

    Returns:
        ``(batch,)`` int64 class codes.

    Raises:
        ConfigError: a negative or non-finite temperature.
        ShapeError: scores that are not ``(batch, classes)``.

    Example:
        >>> scores = torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])
        >>> sample_next(scores, 0.0).tolist()
        [1, 0]
        >>> generator = torch.Generator().manual_seed(0)
        >>> tuple(sample_next(scores, 1.0, generator).shape)
        (2,)
    """
    _check_temperature(temperature)
    if scores.dim() != 2:
        raise ShapeError(
            f"scores must be (batch, classes), got shape {tuple(scores.shape)}: "
            "take one step's scores, e.g. outputs[:, -1]"
        )
    if temperature == 0:
        return scores.argmax(dim=-1)
    # Subtracting the row maximum first keeps a tiny temperature from overflowing to
    # inf - inf = NaN: the largest score becomes 0 and the others go towards -inf.
    shifted = scores - scores.max(dim=-1, keepdim=True).values
    probabilities = torch.softmax(shifted / temperature, dim=-1)
    return torch.multinomial(probabilities, 1, generator=generator).squeeze(-1)


def _check_temperature(temperature: float) -> None:
    """Raise unless ``temperature`` is a finite real number ≥ 0."""
    is_number = isinstance(temperature, Real) and not isinstance(temperature, bool)
    if not is_number or not math.isfinite(temperature) or temperature < 0:
        raise ConfigError(
            f"temperature must be a finite number >= 0, got {temperature!r}: "
            "use 0 for the most likely class, 1 to sample from the model's probabilities"
        )


def generate(
    module: nn.Module,
    seed: torch.Tensor,
    steps: int,
    next_input: Callable[[torch.Tensor], torch.Tensor],
    state: State | None = None,
) -> tuple[torch.Tensor, State]:
    """Run ``seed`` through ``module``, then generate ``steps`` steps by feeding back.

    The seed runs in one call. Then, ``steps`` times: the last output step's scores
    ``(batch, outputs)`` go to ``next_input``, whose ``(batch, features)`` answer is fed
    as one step, from the carried state. Runs without gradients and in eval mode (the
    module's training flag is restored afterwards).

    Args:
        module: a unidirectional module answering per step (``return_sequences=True``).
        seed: ``(batch, seed_steps, features)`` input, seed_steps ≥ 1.
        steps: how many steps to generate after the seed (≥ 0).
        next_input: turns one step's scores into the next step's input.
        state: the state to start the seed from (zeros when None).

    Returns:
        The ``(batch, steps, outputs)`` scores that follow each fed-back step, and the final
        state. The seed's own last scores (which chose the first generated step) are not
        among them: ``next_input`` sees every step's scores first, so record what you
        generate there; ``outputs[:, -1]`` scores the step after the last one generated.

    Raises:
        ConfigError: a bidirectional module, a module with no time axis in its output,
            a negative number of steps.
        ShapeError: a seed that is not 3-D with at least one step, or a ``next_input``
            answer that is not ``(batch, features)``.

    Example:
        >>> from lstmkit.models.generative import GenerativeLSTM, GenerativeConfig
        >>> model = GenerativeLSTM(GenerativeConfig(input_size=3, output_size=3, units=[8]))
        >>> def one_hot_of_best(scores):
        ...     return torch.nn.functional.one_hot(sample_next(scores, 0.0), 3).float()
        >>> outputs, state = generate(model, torch.zeros(2, 4, 3), 5, one_hot_of_best)
        >>> tuple(outputs.shape), tuple(state[0][0].shape)
        ((2, 5, 3), (2, 8))
    """
    require_unidirectional(module, "generate")
    _check_generate_arguments(seed, steps)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            outputs, state = module(seed, state)
            _require_time_axis(outputs, seed)
            scores = outputs[:, -1]  # (batch, outputs)
            produced = []
            for _ in range(steps):
                step_input = _as_step(next_input(scores), seed)  # (batch, 1, features)
                outputs, state = module(step_input, state)
                scores = outputs[:, -1]
                produced.append(scores)
    finally:
        module.train(was_training)
    if not produced:
        return seed.new_zeros(seed.shape[0], 0, scores.shape[-1]), state
    return torch.stack(produced, dim=1), state


def _check_generate_arguments(seed: torch.Tensor, steps: int) -> None:
    """Raise on a seed that is not ``(batch, seed_steps ≥ 1, features)`` or bad ``steps``."""
    if seed.dim() != 3 or seed.shape[1] < 1:
        raise ShapeError(
            "seed must be (batch, seed_steps, features) with at least one step, got shape "
            f"{tuple(seed.shape)}: add a batch axis with seed[None] for a single sequence"
        )
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ConfigError(f"steps must be an integer >= 0, got {steps!r}")


def _require_time_axis(outputs: torch.Tensor, seed: torch.Tensor) -> None:
    """Refuse a module that answers once per sequence: there is no next step to feed."""
    if outputs.dim() != 3 or outputs.shape[1] != seed.shape[1]:
        raise ConfigError(
            "generate needs a module that answers at every step, (batch, time, outputs); "
            f"it answered shape {tuple(outputs.shape)} for a seed of shape "
            f"{tuple(seed.shape)}: build it with return_sequences=True (e.g. the "
            "'generative' architecture)"
        )


def _as_step(answer: torch.Tensor, seed: torch.Tensor) -> torch.Tensor:
    """``next_input``'s ``(batch, features)`` answer as one input step ``(batch, 1, features)``."""
    answer = torch.as_tensor(answer, dtype=seed.dtype, device=seed.device)
    expected = (seed.shape[0], seed.shape[2])
    if tuple(answer.shape) != expected:
        raise ShapeError(
            f"next_input must return (batch, features) = {expected}, got shape "
            f"{tuple(answer.shape)}: one input step per sequence, like one step of the seed"
        )
    return answer.unsqueeze(1)
