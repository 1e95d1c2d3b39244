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

:func:`recipe` trains the book's generative model and draws new shapes from two
seed corners (:func:`draw`, :func:`seed_corners`) and the book's one shape from
(0, 0) (:func:`book_shape`); :func:`demo` prints and plots them.

Example:
    >>> X, y = make(2, random_state=0)
    >>> X.shape, y.shape, X.dtype
    ((2, 3, 2), (2, 3, 2), dtype('float32'))
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.problems._recipe import RecipeResult
from lstmkit.problems._shapes_runs import (
    VALID_MARGIN,
    book_shape,
    draw,
    format_points,
    import_optimizers,
    passes,
    seed_corners,
)


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


#: lstmkit's recipe: data, training and scoring (``recipe(**overrides)`` changes any of them).
#: The book's model: one LSTM layer of 10 units and a linear output of 2, mean absolute error.
RECIPE_SETTINGS: dict[str, Any] = {
    "train_size": 1000,
    "test_size": 1000,
    "n_generated": 1000,
    "tolerance": 0.05,
    "units": 10,
    "num_layers": 1,
    "loss": "mae",
    "epochs": 20,
    "batch_size": 32,
    "learning_rate": 0.01,
    "device": "cpu",  # a tiny model: on a GPU each step's kernel launches cost more than they save
}
#: A cut-down recipe (a few seconds) for smoke runs and the learning test.
QUICK_SETTINGS: dict[str, Any] = {
    "train_size": 400,
    "test_size": 300,
    "n_generated": 300,
    "epochs": 20,
}
_RUN_KEYS = ("train_size", "test_size", "n_generated", "tolerance")


def recipe(random_state: int = 1, **overrides: Any) -> RecipeResult:
    """Train the generative LSTM on rectangles, then draw new ones from two seed corners.

    The book's model (LSTM(10), a linear output of 2, loss mae, Adam) with one
    rectangle per sequence (``X (n, 3, 2)`` corners 0-2, ``y`` corners 1-3, no
    scaling: the module works in drawing units); Adam with learning rate 0.01 in
    batches of 32 for 20 epochs over 1,000 rectangles, about a second on one CPU core,
    replaces the book's one-rectangle updates at Keras's default learning rate.

    Scores, on fresh data (seeds ``random_state + 1000`` and ``+ 2000``): the
    next-point MAE beside persistence's (the next corner equals the current one), and
    the share of shapes drawn from two seed corners (origin and (w, 0)) that
    :func:`is_rectangle` accepts, beside the ceiling: the share of the generator's own
    rectangles that pass (about 90% at tolerance 0.05: some sides are shorter than
    the tolerance). The seed does not tell the height, so the model draws its typical
    height, never a short one: its share can pass the ceiling.

    Args:
        random_state: seeds the training data and the model; plus 1000 the test
            rectangles, plus 2000 the seed widths.
        overrides: replace entries of :data:`RECIPE_SETTINGS` (``train_size``,
            ``test_size``, ``n_generated``, ``tolerance``) or pass any
            ``LSTMRegressor`` keyword.

    Returns:
        Next-point MAE beside persistence's. ``details``: ``valid share``,
        ``ceiling``, ``tolerance``, ``MAE per step``, ``persistence MAE per step``,
        ``generated`` (``(n_generated, 4, 2)``), ``book shape`` (``(4, 2)``, drawn from
        (0, 0) alone), ``drawn heights`` (mean and standard deviation).

    Example:
        >>> result = recipe(train_size=20, test_size=10, n_generated=5, epochs=1)
        >>> result.metric, result.details["generated"].shape, result.details["book shape"].shape
        ('next-point MAE', (5, 4, 2), (4, 2))
    """
    from lstmkit.estimators import LSTMRegressor

    settings = {**RECIPE_SETTINGS, **overrides}
    run = {key: settings.pop(key) for key in _RUN_KEYS}
    X, y = make(run["train_size"], random_state)
    X_test, y_test = make(run["test_size"], random_state + 1000)
    model = LSTMRegressor(
        architecture="generative", return_sequences=True, random_state=random_state, **settings
    )
    import_optimizers()
    started = time.perf_counter()
    model.fit(X, y)
    predicted = model.predict(X_test)  # (test_size, 3, 2): the next corner at each step
    generated = draw(model, seed_corners(run["n_generated"], random_state + 2000), steps=2)
    book = book_shape(model)
    seconds = time.perf_counter() - started
    errors = np.abs(predicted - y_test)  # (test_size, 3, 2)
    naive_errors = np.abs(persistence_next(X_test) - y_test)
    heights = generated[:, 2, 1] - generated[:, 1, 1]  # corner 2 above corner 1
    rectangles = np.concatenate([X_test[:, :1], y_test], axis=1)  # (test_size, 4, 2)
    details = {
        "valid share": valid_share(generated, run["tolerance"]),
        "ceiling": valid_share(rectangles, run["tolerance"]),
        "tolerance": run["tolerance"],
        "MAE per step": errors.mean(axis=(0, 2)).tolist(),
        "persistence MAE per step": naive_errors.mean(axis=(0, 2)).tolist(),
        "generated": generated,
        "book shape": book,
        "drawn heights": (float(heights.mean()), float(heights.std())),
    }
    return RecipeResult(
        "shapes",
        "generative",
        "next-point MAE",
        float(errors.mean()),
        float(naive_errors.mean()),
        "persistence",
        False,
        int(settings["epochs"]),
        seconds,
        model,
        details,
    )


def demo(output: str | Path | None = None, random_state: int = 1, **overrides: Any) -> int:
    """Train, draw and plot rectangles; print the valid share beside the ceiling.

    Prints the next-point MAE beside persistence's (per step too), the book's single
    shape drawn from (0, 0), a few shapes drawn from two seed corners, and the share
    of drawn shapes that are rectangles beside the ceiling. Saves a plot of the
    book's shape and nine drawn ones.

    Args:
        output: the plot's path (``.png``); None saves it in a new temporary folder.
        random_state: passed to :func:`recipe`.
        overrides: passed to :func:`recipe` (e.g. ``epochs=1`` for a quick look).

    Returns:
        0 when :func:`passes`, else 1 (after printing FAILED and why).

    Example:
        >>> # lstmkit demo shapes   (or: python -c "from lstmkit.problems import shapes; shapes.demo()")
    """
    result = recipe(random_state, **overrides)
    details = result.details
    print(result.summary_line())
    model_steps = " ".join(f"{error:.3f}" for error in details["MAE per step"])
    naive_steps = " ".join(f"{error:.3f}" for error in details["persistence MAE per step"])
    print(f"Next-point MAE for corners 1, 2, 3: {model_steps} (persistence {naive_steps})")
    print(f"The book's shape, from (0, 0) alone: {format_points(details['book shape'])}")
    for shape in details["generated"][:3]:
        print(f"Seed {format_points(shape[:2])} -> drew {format_points(shape[2:])}")
    count = len(details["generated"])
    print(
        f"Valid rectangles (tolerance {details['tolerance']}): {details['valid share']:.1%} "
        f"of {count} drawn shapes; ceiling {details['ceiling']:.1%} (the generator's own)"
    )
    mean, spread = details["drawn heights"]
    print(
        f"Drawn heights: mean {mean:.2f}, standard deviation {spread:.2f}: two corners do not "
        "tell the height, so the model draws a typical one"
    )
    path = (
        Path(output) if output else Path(tempfile.mkdtemp(prefix="lstmkit-shapes-")) / "shapes.png"
    )
    plot([details["book shape"], *details["generated"][:9]], path)
    print(f"Saved the plot to {path} (first: the book's shape from (0, 0))")
    if not passes(result):
        print(
            f"FAILED: valid share {details['valid share']:.1%} vs ceiling "
            f"{details['ceiling']:.1%} (at most {VALID_MARGIN:.0%} below), next-point MAE "
            f"{result.skill:.4f} vs persistence {result.baseline:.4f}"
        )
        return 1
    return 0


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
    "RECIPE_SETTINGS",
    "VALID_MARGIN",
    "book_shape",
    "demo",
    "draw",
    "is_rectangle",
    "make",
    "passes",
    "persistence_next",
    "plot",
    "random_rectangle",
    "recipe",
    "seed_corners",
    "valid_share",
]
