"""Writing predictions to ``.npy`` or ``.csv``: atomically, and never over a file unasked.

A CSV gets one row per sample: 1-D predictions go in a column ``prediction``; 2-D in
``prediction_0 ...`` (or the names given, e.g. ``proba_<class>``); higher ranks are
flattened per sample in C order (``prediction_<step>_<target>``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from lstmkit.cli._common import refuse_to_replace
from lstmkit.errors import DataError, did_you_mean

__all__ = ["check_output", "save_predictions"]

_PREDICTION_SUFFIXES = (".npy", ".csv")


def save_predictions(
    path: str | Path,
    predictions: np.ndarray,
    *,
    force: bool = False,
    columns: list[str] | None = None,
) -> Path:
    """Write predictions to ``.npy`` or ``.csv`` atomically, never replacing a file unasked.

    A CSV gets one row per sample: 1-D predictions go in a column ``prediction``; 2-D in
    ``prediction_0 ...`` (or ``columns``); higher ranks are flattened per sample in C order
    (``prediction_<step>_<target>``).

    Args:
        path: the output file, ending in ``.npy`` or ``.csv``.
        predictions: one entry per sample.
        force: replace an existing file.
        columns: CSV column names for 2-D predictions (e.g. one per class).

    Returns:
        The path written.

    Raises:
        DataError: unknown extension, or the file exists and ``force`` is False.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
        >>> _ = save_predictions(out, np.array([0.5, 1.5]))
        >>> out.read_text().splitlines()
        ['prediction', '0.5', '1.5']
    """
    path = Path(path)
    check_output(path, force=force)
    predictions = np.asarray(predictions)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            if path.suffix.lower() == ".npy":
                np.save(handle, predictions, allow_pickle=False)
            else:
                _prediction_frame(predictions, columns).to_csv(handle, index=False)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(name, path)
        else:
            _link_new(name, path)
    finally:
        if os.path.exists(name):
            os.unlink(name)
    return path


def check_output(path: str | Path, *, force: bool = False) -> None:
    """Refuse an output path with an unknown extension, or one that exists (unless ``force``).

    Example:
        >>> check_output("predictions.txt")
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: cannot write predictions to 'predictions.txt': expected a file ending in .npy or .csv.
    """
    path = Path(path)
    if path.suffix.lower() not in _PREDICTION_SUFFIXES:
        hint = did_you_mean(path.suffix.lower(), _PREDICTION_SUFFIXES)
        raise DataError(
            f"cannot write predictions to '{path}': expected a file ending in .npy or .csv.{hint}"
        )
    refuse_to_replace(path, force, DataError)


def _link_new(temporary: str, path: Path) -> None:
    """Move a finished file into place only if nothing appeared there meanwhile."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise DataError(
            f"'{path}' appeared while predicting and was left untouched: pass --force to replace it"
        ) from None
    except OSError:  # file systems without hard links
        if path.exists():
            raise DataError(f"'{path}' already exists: pass --force to replace it") from None
        os.replace(temporary, path)


def _prediction_frame(predictions: np.ndarray, columns: list[str] | None) -> pd.DataFrame:
    if predictions.ndim == 1:
        return pd.DataFrame({"prediction": predictions})
    if predictions.ndim == 2:
        names = columns or [f"prediction_{j}" for j in range(predictions.shape[1])]
        return pd.DataFrame(predictions, columns=names)
    names = [
        "prediction_" + "_".join(str(i) for i in index)
        for index in np.ndindex(*predictions.shape[1:])
    ]
    return pd.DataFrame(predictions.reshape(len(predictions), -1), columns=names)
