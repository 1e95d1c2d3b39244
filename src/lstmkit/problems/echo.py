"""The echo problem: remember the value at one position of a random sequence.

From the book's Vanilla LSTM lesson: given a sequence of random integers
(one-hot encoded), output the value at a fixed, unstated position
(``out_index``). A many-to-one sequence classification problem.

    sequence  [7, 0, 2, 6, 7]      out_index = 2
    expected  2
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lstmkit.errors import ConfigError

#: The book's configuration: 5 steps of 10 values, echo the third.
BOOK_SETTINGS = {"length": 5, "n_features": 10, "out_index": 2}


def make(
    n_samples: int,
    length: int = 5,
    n_features: int = 10,
    out_index: int = 2,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate echo sequences.

    Args:
        n_samples: number of sequences.
        length: time steps per sequence.
        n_features: distinct values (the one-hot width).
        out_index: the position whose value is the label.
        random_state: seed or NumPy Generator.

    Returns:
        X one-hot float32 ``(n_samples, length, n_features)`` and y int64 labels ``(n_samples,)``.

    Raises:
        ConfigError: sizes that are not positive, or ``out_index`` outside the sequence.

    Example:
        >>> X, y = make(2, random_state=0)
        >>> X.shape, y.shape, bool((X[np.arange(2), 2].argmax(axis=1) == y).all())
        ((2, 5, 10), (2,), True)
    """
    for name, value in (("n_samples", n_samples), ("length", length), ("n_features", n_features)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    if not 0 <= out_index < length:
        raise ConfigError(
            f"out_index must be a position in the sequence (0 to {length - 1}), got {out_index}"
        )
    rng = np.random.default_rng(random_state)
    values = rng.integers(0, n_features, size=(n_samples, length))
    X = np.eye(n_features, dtype=np.float32)[values]  # (samples, length, features)
    return X, values[:, out_index].astype(np.int64)


def decode(X: np.ndarray) -> list[list[int]]:
    """Turn one-hot sequences back into lists of integers (the book's ``one_hot_decode``).

    Example:
        >>> X, _ = make(1, random_state=0)
        >>> len(decode(X)[0])
        5
    """
    return np.argmax(X, axis=-1).tolist()


def recipe(random_state: int = 1):
    """Return the canonical estimator for the book's echo problem (not yet fitted).

    One LSTM layer of 25 units and a softmax over 10 values, as in the book; Adam
    with a learning rate of 0.01 on 6,000 sequences in batches of 32 replaces the
    book's 10,000 single-sequence updates.

    Example:
        >>> recipe().units
        25
    """
    from lstmkit.estimators import LSTMClassifier

    return LSTMClassifier(
        units=25, epochs=12, batch_size=32, learning_rate=0.01, random_state=random_state
    )


TRAIN_SIZE = 6000


def demo(output: str | Path | None = None, random_state: int = 1, check_reload: bool = True) -> int:
    """Train, evaluate, show, save and reload the book's echo model; return 0 on success.

    Prints the model summary, the accuracy on 1,000 fresh sequences, a few
    "Sequence / Expected / Predicted" lines as the book does, and whether a fresh
    process that loads the saved file predicts identically.

    Example:
        >>> # lstmkit demo echo   (or: python -c "from lstmkit.problems.echo import demo; demo()")
    """
    X, y = make(TRAIN_SIZE, random_state=random_state, **BOOK_SETTINGS)
    X_test, y_test = make(1000, random_state=random_state + 1000, **BOOK_SETTINGS)
    model = recipe(random_state)
    started = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - started
    model.summary()
    accuracy = float((model.predict(X_test) == y_test).mean())
    print(f"Trained on {TRAIN_SIZE} sequences in {seconds:.1f} s")
    print(f"Accuracy: {accuracy * 100:f}  (1,000 fresh sequences)")
    for sequence, expected, predicted in zip(
        decode(X_test[:3]), y_test[:3], model.predict(X_test[:3])
    ):
        print(f"Sequence: {[sequence]}")
        print(f"Expected: [{expected}]")
        print(f"Predicted: [{predicted}]")
    folder = Path(output).parent if output else Path(tempfile.mkdtemp(prefix="lstmkit-echo-"))
    path = Path(output) if output else folder / "echo.safetensors"
    model.save(path)
    print(f"Saved the model to {path}")
    if check_reload and not _reloads_identically(model, path, X_test):
        print("FAILED: the reloaded model predicts differently")
        return 1
    return 0 if accuracy == 1.0 else 1


def _reloads_identically(model, path: Path, X_test: np.ndarray) -> bool:
    """Load the file in a fresh Python process and compare its probabilities bitwise."""
    inputs = path.with_suffix(".check.npy")
    outputs = path.with_suffix(".reloaded.npy")
    np.save(inputs, X_test)
    code = (
        "import numpy, lstmkit, sys; "
        "m = lstmkit.load_model(sys.argv[1]); "
        "numpy.save(sys.argv[3], m.predict_proba(numpy.load(sys.argv[2], allow_pickle=False)))"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(inputs), str(outputs)], check=True)
    reloaded = np.load(outputs, allow_pickle=False)
    identical = bool(np.array_equal(reloaded, model.predict_proba(X_test)))
    print(f"Reloaded in a fresh process: predictions {'identical' if identical else 'DIFFERENT'}")
    inputs.unlink()
    outputs.unlink()
    return identical
