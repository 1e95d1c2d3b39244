"""Drawing with a trained generative model: seed corners in, one new corner at a time.

Every rectangle starts at (0, 0), so a deterministic model seeded with the origin
alone draws one and the same shape (the book shows exactly that, :func:`book_shape`).
Seeded with the first two corners, origin and (w, 0) for a random width w, it draws
shapes of varied widths::

    seed  (0,0) (w,0) ─► corner 2 ─► corner 3        each new corner is fed back
                          (state carried from each call to the next)

The seed says nothing of the height (drawn independently of the width), so the best
a model can draw is its typical height: the shapes vary in width only.

Nothing here imports ``lstmkit.problems.shapes``: that module imports this one.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.problems._recipe import RecipeResult

#: The demo passes when the drawn shapes' valid share is at most this far below the
#: ceiling (the generator's own rectangles) and the next-point MAE beats persistence.
VALID_MARGIN = 0.05


def draw(model: Any, seed_points: Any, steps: int) -> np.ndarray:
    """Feed the seed points, then draw ``steps`` points, each prediction fed back.

    Runs ``model.predict(seed, stateful=True)`` from a reset state, takes the last
    step's prediction as the next point, and feeds each point back as one step
    (``predict(point[:, None], stateful=True)``), the carried state holding what has
    been drawn. The carried state is reset again at the end.

    Args:
        model: a fitted ``LSTMRegressor`` that answers per step
            (``architecture="generative"``), trained to predict the next point.
        seed_points: ``(shapes, seed_steps, 2)`` points, seed_steps >= 1.
        steps: points to draw after the seed (>= 1).

    Returns:
        float32 ``(shapes, seed_steps + steps, 2)``: the seed, then the drawn points.

    Raises:
        ShapeError: seed points that are not ``(shapes, seed_steps, 2)``.
        ConfigError: ``steps`` that is not a positive integer.

    Example:
        >>> import lstmkit
        >>> from lstmkit.problems import shapes
        >>> X, y = shapes.make(20, random_state=0)
        >>> model = lstmkit.LSTMRegressor(architecture="generative", return_sequences=True,
        ...                               units=4, num_layers=1, epochs=1, random_state=0)
        >>> draw(model.fit(X, y), np.zeros((3, 1, 2)), steps=3).shape
        (3, 4, 2)
    """
    seed = np.asarray(seed_points, dtype=np.float32)
    if seed.ndim != 3 or seed.shape[1] < 1 or seed.shape[2] != 2:
        raise ShapeError(
            f"seed_points must be (shapes, seed_steps, 2) with at least one step, got "
            f"{seed.shape}: a single point is np.zeros((1, 1, 2))"
        )
    if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1:
        raise ConfigError(f"steps must be a positive integer (1 or more), got {steps!r}")
    model.reset_state()
    point = model.predict(seed, stateful=True)[:, -1]  # (shapes, 2): the next point
    drawn = [point]
    for _ in range(steps - 1):
        point = model.predict(point[:, None, :], stateful=True)[:, -1]
        drawn.append(point)
    model.reset_state()
    return np.concatenate([seed, np.stack(drawn, axis=1)], axis=1).astype(np.float32)


def seed_corners(
    n_shapes: int, random_state: int | np.random.Generator | None = None
) -> np.ndarray:
    """The first two corners of ``n_shapes`` rectangles: the origin and (w, 0), w uniform in [0, 1).

    Returns:
        float32 ``(n_shapes, 2, 2)``.

    Example:
        >>> seeds = seed_corners(3, random_state=0)
        >>> seeds.shape, seeds[:, 0].tolist(), bool((seeds[:, 1, 1] == 0).all())
        ((3, 2, 2), [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], True)
    """
    if isinstance(n_shapes, bool) or not isinstance(n_shapes, Integral) or n_shapes < 1:
        raise ConfigError(f"n_shapes must be a positive integer (1 or more), got {n_shapes!r}")
    widths = np.random.default_rng(random_state).random(n_shapes)  # as the book draws widths
    seeds = np.zeros((n_shapes, 2, 2), dtype=np.float32)
    seeds[:, 1, 0] = widths
    return seeds


def book_shape(model: Any) -> np.ndarray:
    """The book's generation: from (0, 0) alone, three more corners, ``(4, 2)``.

    A deterministic model seeded with the one point every rectangle starts from can
    draw only one shape: its idea of a typical rectangle.

    Example:
        >>> import lstmkit
        >>> from lstmkit.problems import shapes
        >>> model = lstmkit.LSTMRegressor(architecture="generative", return_sequences=True,
        ...                               units=4, num_layers=1, epochs=1, random_state=0)
        >>> corners = book_shape(model.fit(*shapes.make(20, random_state=0)))
        >>> corners.shape, corners[0].tolist()
        ((4, 2), [0.0, 0.0])
    """
    return draw(model, np.zeros((1, 1, 2), dtype=np.float32), steps=3)[0]


def passes(result: RecipeResult) -> bool:
    """The demo's bar: valid share within :data:`VALID_MARGIN` of the ceiling, and MAE below persistence's.

    Example:
        >>> result = RecipeResult("shapes", "generative", "next-point MAE", 0.09, 0.25,
        ...                       "persistence", False, 20, 1.0,
        ...                       details={"valid share": 0.86, "ceiling": 0.9})
        >>> passes(result)
        True
    """
    close_to_ceiling = result.details["valid share"] >= result.details["ceiling"] - VALID_MARGIN
    return close_to_ceiling and result.beats_baseline


def import_optimizers() -> None:
    """Build a throwaway Adam: the first optimizer of a process imports torch's compiler.

    That one-off import takes seconds; doing it before the clock starts keeps the
    recipe's time about training, comparable from the first recipe of a process on.

    Example:
        >>> import_optimizers()  # seconds the first time in a process, then microseconds
    """
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def format_points(points: Any) -> str:
    """Points as the demo prints them: ``(0.00, 0.00) (0.52, -0.01)``.

    Example:
        >>> format_points([[0, 0], [0.517, -0.004]])
        '(0.00, 0.00) (0.52, -0.00)'
    """
    return " ".join(f"({x:.2f}, {y:.2f})" for x, y in np.asarray(points, dtype=np.float64))


__all__ = [
    "VALID_MARGIN",
    "book_shape",
    "draw",
    "format_points",
    "import_optimizers",
    "passes",
    "seed_corners",
]
