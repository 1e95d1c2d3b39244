"""The alphabet data sets of the blog's state lessons, and the letters <-> inputs encoding.

Each letter is its index (A = 0 ... Z = 25) divided by 26, one scalar per step: the
blog's normalised integer input. A window of ``seq_length`` letters predicts the
letter after it; the layout says whether the window's letters are time steps or
features of one step:

    alphabet   A B C D E F ... X Y Z
    window     [A B C] -> D     "timesteps": X[0] = [[A], [B], [C]]   (samples, 3, 1)
               [B C D] -> E     "features":  X[0] = [[A, B, C]]       (samples, 1, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from lstmkit.errors import ConfigError, did_you_mean

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: The blog's ``char_to_int`` and ``int_to_char``.
char_to_int: dict[str, int] = {char: code for code, char in enumerate(ALPHABET)}
int_to_char: dict[int, str] = dict(enumerate(ALPHABET))

Layout = Literal["timesteps", "features"]


def encode(text: str) -> np.ndarray:
    """Return the blog's normalised inputs of ``text``: each letter's index / 26.

    Raises:
        ConfigError: a character that is not an uppercase letter A-Z.

    Example:
        >>> values = encode("ABZ")
        >>> values.dtype, (values * 26).round().tolist()
        (dtype('float32'), [0.0, 1.0, 25.0])
    """
    unknown = sorted({char for char in text if char not in char_to_int})
    if unknown:
        raise ConfigError(
            f"the alphabet problem knows the letters A-Z only, got {unknown} in {text!r}: "
            "use uppercase letters"
        )
    return np.array([char_to_int[char] for char in text], dtype=np.float32) / np.float32(26)


def decode(values: Any) -> str:
    """Turn normalised inputs back into letters (negative values are padding, skipped).

    Example:
        >>> decode(encode("KLM"))
        'KLM'
    """
    codes = np.rint(np.asarray(values, dtype=np.float64).ravel() * 26).astype(np.int64)
    return "".join(int_to_char[int(code)] for code in codes if code >= 0)


def as_input(text: str, layout: Layout = "timesteps") -> np.ndarray:
    """One sample for ``predict``: ``text`` as ``(1, len, 1)`` or, as features, ``(1, 1, len)``.

    Example:
        >>> as_input("ABC").shape, as_input("ABC", layout="features").shape
        ((1, 3, 1), (1, 1, 3))
    """
    values = encode(text)
    _check_layout(layout)
    return values.reshape(1, -1, 1) if layout == "timesteps" else values.reshape(1, 1, -1)


def make(seq_length: int = 1, layout: Layout = "timesteps") -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``seq_length`` letters and the letter after it, in alphabet order.

    Args:
        seq_length: letters per window (the blog's ``seq_length``), 1 to 25.
        layout: ``"timesteps"`` (one letter per step) or ``"features"`` (one step).

    Shape:
        X: ``(26 - seq_length, seq_length, 1)`` for time steps,
        ``(26 - seq_length, 1, seq_length)`` for features, float32.
        y: ``(26 - seq_length,)`` letters (strings).

    Raises:
        ConfigError: ``seq_length`` outside 1-25, or an unknown layout.

    Example:
        >>> X, y = make(3)
        >>> X.shape, pairs(X, y)[:2]
        ((23, 3, 1), ['ABC -> D', 'BCD -> E'])
    """
    if not isinstance(seq_length, (int, np.integer)) or not 1 <= seq_length <= 25:
        raise ConfigError(f"seq_length must be an integer from 1 to 25, got {seq_length!r}")
    _check_layout(layout)
    starts = np.arange(26 - seq_length)
    windows = starts[:, None] + np.arange(seq_length)[None, :]  # (samples, seq_length)
    X = windows.astype(np.float32) / np.float32(26)
    X = X[:, :, None] if layout == "timesteps" else X[:, None, :]
    y = np.array([int_to_char[int(code)] for code in starts + seq_length])
    return X, y


def make_variable(
    num_inputs: int = 1000, max_len: int = 5, random_state: int = 7
) -> tuple[list[np.ndarray], np.ndarray]:
    """Random runs of 1 to ``max_len`` letters and the letter after each (the blog's code).

    Drawn as the blog draws them, with NumPy's legacy generator, so the default seed 7
    gives the blog's printed patterns ("PQRST -> U", "W -> X", "O -> P", ...).

    Args:
        num_inputs: number of patterns.
        max_len: the longest run, 1 to 25.
        random_state: seed of ``numpy.random.RandomState``.

    Shape:
        X: a list of ``(T_i, 1)`` float32 arrays, ``1 <= T_i <= max_len`` (ragged input;
        ``lstmkit.data.pad_sequences(X, maxlen=max_len, dtype="float32", value=-1.0)``
        with ``mask_value=-1.0`` is the padded equivalent).
        y: ``(num_inputs,)`` letters.

    Example:
        >>> X, y = make_variable(3)
        >>> pairs(X, y)
        ['PQRST -> U', 'W -> X', 'O -> P']
    """
    if not isinstance(max_len, (int, np.integer)) or not 1 <= max_len <= 25:
        raise ConfigError(f"max_len must be an integer from 1 to 25, got {max_len!r}")
    if not isinstance(num_inputs, (int, np.integer)) or num_inputs < 1:
        raise ConfigError(f"num_inputs must be a positive integer, got {num_inputs!r}")
    rng = np.random.RandomState(random_state)
    X, y = [], []
    for _ in range(num_inputs):
        start = rng.randint(len(ALPHABET) - 2)
        end = rng.randint(start, min(start + max_len, len(ALPHABET) - 1))
        X.append(encode(ALPHABET[start : end + 1]).reshape(-1, 1))  # (T_i, 1)
        y.append(ALPHABET[end + 1])
    return X, np.array(y)


def every_run(max_len: int = 5) -> tuple[list[np.ndarray], np.ndarray]:
    """Every run of 1 to ``max_len`` consecutive letters before 'Z', and the next letter.

    The complete test set for ``make_variable``'s problem (115 runs for ``max_len=5``).

    Example:
        >>> X, y = every_run(2)
        >>> len(X), pairs(X, y)[24:26]
        (49, ['Y -> Z', 'AB -> C'])
    """
    X, y = [], []
    for length in range(1, max_len + 1):
        windows, labels = make(length)
        X += list(windows)
        y += labels.tolist()
    return X, np.array(y)


def pairs(X: Any, y: Sequence[Any]) -> list[str]:
    """The blog's printed pairs: ``"ABC -> D"`` for each input and its label (or prediction).

    Args:
        X: a 3-D array in either layout, or a list of 2-D arrays (ragged).
        y: one letter per sample.

    Example:
        >>> X, y = make(1)
        >>> pairs(X[:2], y[:2])
        ['A -> B', 'B -> C']
    """
    return [f"{decode(sample)} -> {label}" for sample, label in zip(X, y, strict=True)]


def _check_layout(layout: str) -> None:
    if layout not in ("timesteps", "features"):
        raise ConfigError(
            f"unknown layout {layout!r}: expected 'timesteps' or 'features'."
            + did_you_mean(str(layout), ["timesteps", "features"])
        )
