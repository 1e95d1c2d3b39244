"""Drawing rectangles: predict the next corner of a shape from the corners so far.

From the book's Generative LSTM lesson (chapter 11). A rectangle of random width
and height, each uniform in [0, 1) (the book's ``random()``), is drawn
counter-clockwise from the origin:

    (0,h) p3 +--------+ p2 (w,h)        X = p0 p1 p2    (what is drawn so far)
             |        |                 y = p1 p2 p3    (the next corner, each step)
    (0,0) p0 +--------+ p1 (w,0)

A generated shape counts as a rectangle when :func:`is_rectangle` accepts it;
:func:`valid_share` scores many.

Where we differ from the book: the book frames each corner as its own sample of
one time step, ``X (3, 1, 2)`` per rectangle, so its LSTM sees one corner at a
time; here one rectangle is one sequence of three steps, ``X (n, 3, 2)`` and
``y (n, 3, 2)`` (many-to-many), so the network can carry the width it has seen
to later corners. The first step cannot be predicted well by anyone (the width
is random); :func:`persistence_next` gives the naive next-point baseline.

Example:
    >>> X, y = make(2, random_state=0)
    >>> X.shape, y.shape, X.dtype
    ((2, 3, 2), (2, 3, 2), dtype('float32'))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, DataError, ShapeError


def random_rectangle(rng: int | np.random.Generator | None = None) -> np.ndarray:
    """Return one rectangle's corners ``[[0, 0], [w, 0], [w, h], [0, h]]`` (the book's).

    Args:
        rng: a NumPy Generator (or a seed, or None).

    Returns:
        float64 ``(4, 2)``: x and y of each corner, counter-clockwise from the origin.

    Example:
        >>> corners = random_rectangle(np.random.default_rng(0))
        >>> corners.shape, corners[0].tolist(), bool(is_rectangle(corners))
        ((4, 2), [0.0, 0.0], True)
    """
    rng = np.random.default_rng(rng)
    width, height = rng.random(), rng.random()
    return _corners(np.array([width]), np.array([height]))[0]


def make(
    n_samples: int, random_state: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Generate rectangles as (corner so far, next corner) sequences.

    Args:
        n_samples: number of rectangles.
        random_state: seed or NumPy Generator.

    Shape:
        X: ``(n_samples, 3, 2)`` float32, corners 0-2; y: ``(n_samples, 3, 2)``
        float32, corners 1-3. ``np.concatenate([X[:, :1], y], axis=1)`` is the
        ``(n_samples, 4, 2)`` rectangles.

    Raises:
        ConfigError: ``n_samples`` is not a positive integer.

    Example:
        >>> X, y = make(1, random_state=0)
        >>> bool(np.array_equal(X[:, 1:], y[:, :2]))
        True
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, Integral) or n_samples < 1:
        raise ConfigError(f"n_samples must be a positive integer (1 or more), got {n_samples!r}")
    rng = np.random.default_rng(random_state)
    sizes = rng.random((n_samples, 2))  # width, height per rectangle, as the book draws them
    corners = _corners(sizes[:, 0], sizes[:, 1]).astype(np.float32)  # (n, 4, 2)
    return corners[:, :3].copy(), corners[:, 1:].copy()


def is_rectangle(points: Any, tolerance: float = 0.05) -> bool:
    """Whether four points draw an axis-aligned rectangle, in order, from any start.

    The edges p0->p1 and p2->p3 must be horizontal and p1->p2 and p3->p0 vertical
    (each within ``tolerance`` in the other coordinate), and both sides longer
    than ``tolerance``. Either turning direction is accepted.

    Args:
        points: ``(4, 2)`` corners, x then y.
        tolerance: how far, in drawing units, an edge may stray from its axis.

    Raises:
        ShapeError: ``points`` is not ``(4, 2)``.
        ConfigError: ``tolerance`` is negative or not finite.

    Example:
        >>> is_rectangle([[0, 0], [0.5, 0.01], [0.5, 0.3], [0.02, 0.3]])
        True
        >>> is_rectangle([[0, 0], [0.5, 0.2], [0.5, 0.3], [0, 0.3]])
        False
    """
    _check_tolerance(tolerance)
    corners = np.asarray(points, dtype=np.float64)
    if corners.shape != (4, 2):
        raise ShapeError(f"expected 4 points of (x, y), shape (4, 2), got {corners.shape}")
    edges = np.roll(corners, -1, axis=0) - corners  # (4, 2): p0->p1, p1->p2, p2->p3, p3->p0
    along_axis = (
        abs(edges[0, 1]) <= tolerance  # p0->p1 horizontal
        and abs(edges[1, 0]) <= tolerance  # p1->p2 vertical
        and abs(edges[2, 1]) <= tolerance  # p2->p3 horizontal
        and abs(edges[3, 0]) <= tolerance  # p3->p0 vertical
    )
    width = min(abs(edges[0, 0]), abs(edges[2, 0]))
    height = min(abs(edges[1, 1]), abs(edges[3, 1]))
    return bool(along_axis and width > tolerance and height > tolerance)


def valid_share(shapes: Any, tolerance: float = 0.05) -> float:
    """The share of shapes that :func:`is_rectangle` accepts.

    The book's own rectangles pass only when both sides exceed ``tolerance``: at
    0.05 that is about 0.95 * 0.95 = 90% of them, the score of a perfect copy.

    Args:
        shapes: ``(n, 4, 2)`` corners, or a sequence of ``(4, 2)`` arrays.
        tolerance: passed to :func:`is_rectangle`.

    Raises:
        DataError: there are no shapes.

    Example:
        >>> valid_share([random_rectangle(0), [[0, 0], [1, 1], [0, 1], [1, 0]]])
        0.5
    """
    shapes = list(shapes)
    if not shapes:
        raise DataError("valid_share needs at least one shape, got none")
    return sum(is_rectangle(shape, tolerance) for shape in shapes) / len(shapes)


def persistence_next(X: Any) -> np.ndarray:
    """The naive next-point forecast: each next corner equals the current one.

    Returns:
        float32 array shaped like ``X``, ``(samples, steps, 2)``.

    Example:
        >>> X, y = make(3, random_state=0)
        >>> bool(np.array_equal(persistence_next(X), X))
        True
    """
    values = np.asarray(X)
    if values.ndim != 3 or values.shape[2] != 2:
        raise ShapeError(f"expected X of shape (samples, steps, 2), got {values.shape}")
    return values.astype(np.float32, copy=True)


def plot(shapes: Sequence[Any] | np.ndarray, path: str | Path, columns: int = 5) -> Path:
    """Draw each shape as a closed polygon, one small square panel each, in a grid.

    Args:
        shapes: ``(n, points, 2)`` corners, or a sequence of ``(points, 2)`` arrays.
        path: where to save the figure (the suffix picks the format, e.g. ``.png``).
        columns: panels per row.

    Returns:
        ``path`` as a ``Path``.

    Example:
        >>> import tempfile, os
        >>> X, y = make(3, random_state=0)
        >>> rectangles = np.concatenate([X[:, :1], y], axis=1)
        >>> plot(rectangles, os.path.join(tempfile.mkdtemp(), "r.png")).stat().st_size > 0
        True
    """
    from matplotlib.figure import Figure  # lazily: plotting is optional; Figure uses Agg

    if isinstance(columns, bool) or not isinstance(columns, Integral) or columns < 1:
        raise ConfigError(f"columns must be a positive integer (1 or more), got {columns!r}")
    polygons = [np.asarray(shape, dtype=np.float64) for shape in shapes]
    if not polygons:
        raise DataError("plot needs at least one shape, got none")
    columns = min(columns, len(polygons))
    rows = math.ceil(len(polygons) / columns)
    figure = Figure(figsize=(1.6 * columns, 1.6 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, polygon in zip(axes, polygons):
        closed = np.vstack([polygon, polygon[:1]])  # back to the first point
        ax.plot(closed[:, 0], closed[:, 1], "-o", markersize=3)
        # the unit square, widened for a generated shape that strays outside it
        low = min(-0.1, float(polygon.min()) - 0.1)
        high = max(1.1, float(polygon.max()) + 0.1)
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(polygons) :]:
        ax.set_axis_off()
    path = Path(path)
    figure.savefig(path)
    return path


def _corners(width: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Corners ``(n, 4, 2)``: origin, bottom right, top right, top left."""
    zero = np.zeros_like(width)
    xs = np.stack([zero, width, width, zero], axis=1)  # (n, 4)
    ys = np.stack([zero, zero, height, height], axis=1)
    return np.stack([xs, ys], axis=2)


def _check_tolerance(tolerance: Any) -> None:
    valid = isinstance(tolerance, Real) and not isinstance(tolerance, bool)
    if not valid or not math.isfinite(tolerance) or tolerance < 0:
        raise ConfigError(f"tolerance must be a finite number >= 0, got {tolerance!r}")


__all__ = [
    "is_rectangle",
    "make",
    "persistence_next",
    "plot",
    "random_rectangle",
    "valid_share",
]
