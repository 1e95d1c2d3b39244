"""The moving-square recipe: the book's CNN-LSTM, trained and scored on fresh videos.

Kept apart from ``moving_square`` so that generating videos never imports torch.

    train  make(train_size, seed stream 0)  ->  fit
    test   make(test_size,  seed stream 1)  ->  accuracy, and the majority class's
    line   the book's line, streams 2 and 3 ->  the same, when ``line=True``
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.problems._recipe import RecipeResult
from lstmkit.problems.moving_square import (
    DIRECTIONS,
    RECIPE_SETTINGS,
    TARGET_ACCURACY,
    frame_shape,
    make,
    show,
)

#: The book's model in lstmkit's keywords (its convolution defaults are the book's:
#: 2 filters of 2 x 2, relu, then 2 x 2 max-pooling); ``frame_shape`` is added per grid.
BOOK_MODEL: dict[str, Any] = {"architecture": "cnn_lstm", "units": 50}
#: What the line changes: Adam's default rate (the book's); 0.01 diverged to chance.
LINE_MODEL: dict[str, Any] = {"learning_rate": 0.001}
# A tiny model runs fastest on the CPU: a GPU's kernel launches cost more than they save.
_DEVICE = {"device": "cpu"}
_DATA_KEYS = ("train_size", "test_size", "size", "line")
_EXAMPLES = 5  # "Expected / Predicted" lines printed by the demo


def run_recipe(random_state: int, overrides: dict[str, Any]) -> RecipeResult:
    """``moving_square.recipe``: the square, and the book's line when asked."""
    settings = {**RECIPE_SETTINGS, **overrides}
    data = {key: settings.pop(key) for key in _DATA_KEYS}
    streams = np.random.SeedSequence(random_state).spawn(4)  # square train/test, line train/test
    run = _train_and_score("square", data, streams[:2], random_state, settings)
    details: dict[str, Any] = {
        "target": f"accuracy >= {TARGET_ACCURACY:.0%}",
        "target_met": run["accuracy"] >= TARGET_ACCURACY,
        "train": run["train"],
        "test": run["test"],
        "predicted": run["predicted"],
        "size": data["size"],
        "unseen": _unseen_score(run),
    }
    if data["line"]:
        line = _train_and_score("line", data, streams[2:], random_state, {**settings, **LINE_MODEL})
        details["line"] = {key: line[key] for key in ("accuracy", "baseline", "seconds", "epochs")}
    return RecipeResult(
        problem="moving_square",
        architecture="cnn_lstm",
        metric="accuracy",
        skill=run["accuracy"],
        baseline=run["baseline"],
        baseline_name="majority class",
        higher_is_better=True,
        epochs=run["epochs"],
        seconds=run["seconds"],
        model=run["model"],
        details=details,
    )


def _train_and_score(
    shape: str, data: dict[str, Any], streams: list, random_state: int, settings: dict[str, Any]
) -> dict[str, Any]:
    """Fit the book's model on one shape's videos and score it on fresh ones."""
    from lstmkit.estimators import LSTMClassifier

    size = data["size"]
    options = {"frame_shape": frame_shape(size)}
    keywords = {**BOOK_MODEL, **_DEVICE, **settings}
    model = LSTMClassifier(architecture_options=options, random_state=random_state, **keywords)
    X, y = make(
        data["train_size"], size=size, shape=shape, random_state=np.random.default_rng(streams[0])
    )
    X_test, y_test = make(
        data["test_size"], size=size, shape=shape, random_state=np.random.default_rng(streams[1])
    )
    started = time.perf_counter()
    model.fit(X, y)
    predicted = model.predict(X_test)
    seconds = time.perf_counter() - started
    return {
        "accuracy": float(np.mean(predicted == y_test)),
        "baseline": majority_accuracy(y, y_test),
        "seconds": seconds,
        "epochs": int(model.epochs),
        "model": model,
        "train": (X, y),
        "test": (X_test, y_test),
        "predicted": predicted,
    }


def _unseen_score(run: dict[str, Any]) -> dict[str, Any]:
    """How many fresh videos the training set lacks, and the accuracy on those."""
    (X, _), (X_test, y_test) = run["train"], run["test"]
    unseen = unseen_mask(X, X_test)
    accuracy = float(np.mean(run["predicted"][unseen] == y_test[unseen])) if unseen.any() else None
    return {"count": int(unseen.sum()), "accuracy": accuracy}


def unseen_mask(X_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    """True for each video of ``X_test`` that no video of ``X_train`` equals exactly.

    Example:
        >>> X = np.zeros((2, 3, 4), dtype=np.float32)
        >>> X[1, 0, 0] = 1.0
        >>> unseen_mask(X[:1], X).tolist()
        [False, True]
    """
    seen = {video.tobytes() for video in np.ascontiguousarray(X_train)}
    return np.array([video.tobytes() not in seen for video in np.ascontiguousarray(X_test)])


def majority_accuracy(y_train: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy on ``y_test`` of always answering ``y_train``'s most common label.

    Ties go to the label that sorts first.

    Example:
        >>> majority_accuracy(np.array(["up", "up", "down"]), np.array(["up", "left"]))
        0.5
    """
    labels, counts = np.unique(y_train, return_counts=True)
    return float(np.mean(y_test == labels[np.argmax(counts)]))


def run_demo(output: str | Path | None, random_state: int, overrides: dict[str, Any]) -> int:
    """``moving_square.demo``: figures, a fresh video's frames, the book's answer lines."""
    result = run_recipe(random_state, overrides)
    X_test, y_test = result.details["test"]
    predicted = result.details["predicted"]
    size = result.details["size"]
    result.model.summary()
    print(result.summary_line())
    print(f"Accuracy: {result.skill * 100:.2f}% on {len(y_test):,} fresh videos of the square")
    unseen = result.details["unseen"]
    if unseen["count"]:
        print(
            f"Of them {unseen['count']:,} were never seen in training: accuracy "
            f"{unseen['accuracy'] * 100:.2f}%"
        )
    if "line" in result.details:
        line = result.details["line"]
        print(
            f"The book's line (left or right, {size} x {size}, {size} frames): accuracy "
            f"{line['accuracy'] * 100:.2f}% vs majority class {line['baseline'] * 100:.2f}% - "
            f"{line['epochs']} epochs, {line['seconds']:.1f} s"
        )
    frames = X_test.shape[1]
    print(f"A fresh video moving {y_test[0]}, frames 1 and {frames}:")
    print(side_by_side([show(X_test[0, 0], size), show(X_test[0, -1], size)]))
    for expected, answer in zip(y_test[:_EXAMPLES], predicted[:_EXAMPLES]):
        print(f"Expected: {expected}, Predicted: {answer}")
    if output is not None:
        path = plot_videos(X_test, y_test, predicted, size, output)
        print(f"Saved the frames of one fresh video per direction to {path}")
    if not result.details["target_met"]:
        print(
            f"FAILED: accuracy {result.skill:.2%} is below {TARGET_ACCURACY:.0%}: "
            "train longer (epochs=...) or on more videos"
        )
        return 1
    return 0


def side_by_side(blocks: list[str], gap: str = "   ") -> str:
    """Join equally tall text blocks line by line, ``gap`` between them.

    Example:
        >>> print(side_by_side(["#.\\n..", ".#\\n.."]))
        #.   .#
        ..   ..
    """
    rows = zip(*(block.splitlines() for block in blocks), strict=True)
    return "\n".join(gap.join(row) for row in rows)


def plot_videos(
    X: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, size: int, path: str | Path
) -> Path:
    """Draw every frame of the first video of each direction, one video per row.

    Example:
        >>> import tempfile, os
        >>> X, y = make(4, random_state=0)
        >>> out = plot_videos(X, y, y, 10, os.path.join(tempfile.mkdtemp(), "videos.png"))
        >>> out.stat().st_size > 0
        True
    """
    from matplotlib.figure import Figure  # lazily: plotting is optional; Figure uses Agg

    firsts = [
        int(np.flatnonzero(y_true == label)[0]) for label in DIRECTIONS["square"] if label in y_true
    ]
    frames = X.shape[1]
    figure = Figure(figsize=(1.1 * frames, 1.3 * len(firsts)), layout="constrained")
    axes = figure.subplots(len(firsts), frames, squeeze=False)
    for row, index in enumerate(firsts):
        for frame, ax in enumerate(axes[row]):
            ax.imshow(X[index, frame].reshape(size, size), cmap="Greys", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row, 0].set_title(
            f"expected {y_true[index]}, predicted {y_pred[index]}", loc="left", fontsize="small"
        )
    path = Path(path)
    figure.savefig(path)
    return path
