"""Naive baselines beside a classifier or regressor: the majority class, the training mean.

A sequence classifier that scores 0.62 accuracy has learned something only if always
answering the most frequent training label scores less; a regressor's RMSE means little
until it is set beside the RMSE of always predicting the training targets' mean. Both
baselines are fitted on the training targets only and scored on the same held-out data
as the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ShapeError

SUPERVISED_BASELINES = ("majority_class", "training_mean")


def _labels(y: Any) -> np.ndarray:
    """Labels as a flat array: one-hot rows become their index; -1 (no target) is dropped."""
    array = np.asarray(y)
    one_hot = (
        array.ndim == 2
        and array.shape[1] > 1
        and np.issubdtype(array.dtype, np.floating)
        and np.allclose(array.sum(axis=1), 1.0)
    )
    flat = (array.argmax(axis=1) if one_hot else array).reshape(-1)
    return flat[flat != -1] if flat.dtype.kind in "iu" else flat


def _errors(predicted: Any, y: Any) -> np.ndarray:
    """Prediction errors where a target exists (NaN targets are steps without one)."""
    predicted, target = np.asarray(predicted, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if predicted.shape != target.shape:
        raise ShapeError(
            f"predictions of shape {predicted.shape} do not match targets of shape "
            f"{target.shape}: pass the targets the model was trained to predict"
        )
    errors = (predicted - target).reshape(-1)
    return errors[~np.isnan(errors)]


def _loses_to(table: pd.DataFrame, metric: str, lower_is_better: bool) -> list[str]:
    model = table.loc["LSTM", metric]
    better = table[metric] < model if lower_is_better else table[metric] > model
    return [str(name) for name in table.index[better] if name != "LSTM"]


def classifier_baseline(estimator: Any, y_train: Any, X: Any, y: Any) -> pd.DataFrame:
    """The classifier's error rate and accuracy on ``(X, y)`` beside the majority class.

    Args:
        estimator: a fitted classifier (its ``score`` is the accuracy).
        y_train: the training labels (or one-hot rows); the majority is counted there.
        X, y: the data both are scored on.

    Returns:
        A frame indexed by method (``LSTM``, ``majority_class``) with ``error_rate``,
        ``accuracy`` and ``loses_to`` (the baselines that beat the model, comma-separated).

    Example:
        >>> class Always:  # stands for a fitted classifier
        ...     def score(self, X, y): return 0.75
        >>> table = classifier_baseline(Always(), [0, 1, 1], None, [1, 1, 0, 0])
        >>> table["error_rate"].to_dict()
        {'LSTM': 0.25, 'majority_class': 0.5}
    """
    train_labels, labels = _labels(y_train), _labels(y)
    values, counts = np.unique(train_labels, return_counts=True)
    majority = values[counts.argmax()]
    accuracy = {
        "LSTM": float(estimator.score(X, y)),
        "majority_class": float(np.mean(labels == majority)),
    }
    table = pd.DataFrame(
        {"error_rate": {k: 1.0 - v for k, v in accuracy.items()}, "accuracy": accuracy}
    )
    table.index.name = "method"
    table["loses_to"] = ""
    table.loc["LSTM", "loses_to"] = ", ".join(_loses_to(table, "error_rate", True))
    return table


def regressor_baseline(estimator: Any, y_train: Any, X: Any, y: Any) -> pd.DataFrame:
    """The regressor's RMSE and MAE on ``(X, y)`` beside always predicting the training mean.

    The mean is taken per target (per output step and column) over the training targets,
    skipping NaN (steps without a target).

    Returns:
        A frame indexed by method (``LSTM``, ``training_mean``) with ``RMSE``, ``MAE`` and
        ``loses_to``.

    Example:
        >>> import numpy as np
        >>> class Halfway:  # stands for a fitted regressor
        ...     def predict(self, X): return np.array([0.5, 1.5])
        >>> regressor_baseline(Halfway(), [0.0, 2.0], None, [0.0, 2.0])["RMSE"].to_dict()
        {'LSTM': 0.5, 'training_mean': 1.0}
    """
    mean = np.nanmean(np.asarray(y_train, dtype=np.float64), axis=0)
    target = np.asarray(y, dtype=np.float64)
    errors = {
        "LSTM": _errors(estimator.predict(X), target),
        "training_mean": _errors(np.broadcast_to(mean, target.shape), target),
    }
    table = pd.DataFrame(
        {
            "RMSE": {k: float(np.sqrt(np.mean(e**2))) for k, e in errors.items()},
            "MAE": {k: float(np.mean(np.abs(e))) for k, e in errors.items()},
        }
    )
    table.index.name = "method"
    table["loses_to"] = ""
    table.loc["LSTM", "loses_to"] = ", ".join(_loses_to(table, "RMSE", True))
    return table
