"""The damped sine recipe: the book's stacked LSTM, trained and scored against persistence.

Kept apart from ``damped_sine`` so that generating data never imports torch.

    train  make(train_size, seed stream 0)  ->  fit
    test   make(test_size,  seed stream 1)  ->  MAE of the model, MAE of persistence
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.problems._recipe import RecipeResult
from lstmkit.problems.damped_sine import (
    RECIPE_SETTINGS,
    TARGET_RATIO,
    make,
    persistence,
    plot,
)

#: The book's model in lstmkit's keywords: LSTM(20, return_sequences=True) -> LSTM(20) -> Dense(5).
BOOK_MODEL: dict[str, Any] = {"architecture": "stacked", "units": [20, 20], "loss": "mae"}
# Values live in a narrow band around 0.5: standardised, the model leaves the constant
# forecast early in its one epoch (unscaled it lingers there: MAE 0.021 against 0.004,
# seed 1). A tiny model runs fastest on the CPU: a GPU's kernel launches cost more than
# they save here.
_LSTMKIT_MODEL: dict[str, Any] = {"scale_X": "standard", "scale_y": "standard", "device": "cpu"}
_DATA_KEYS = ("train_size", "test_size")
_EXAMPLES = 3  # series printed by the demo
_PLOTTED = 5  # series drawn by the demo


def run_recipe(random_state: int, overrides: dict[str, Any]) -> RecipeResult:
    """``damped_sine.recipe``: fit on fresh training series, score on independent ones."""
    from lstmkit.estimators import LSTMRegressor

    settings = {**RECIPE_SETTINGS, **overrides}
    sizes = {key: settings.pop(key) for key in _DATA_KEYS}
    model = LSTMRegressor(random_state=random_state, **{**BOOK_MODEL, **_LSTMKIT_MODEL, **settings})
    train_stream, test_stream = np.random.SeedSequence(random_state).spawn(2)
    X, y = make(sizes["train_size"], random_state=np.random.default_rng(train_stream))
    X_test, y_test = make(sizes["test_size"], random_state=np.random.default_rng(test_stream))
    started = time.perf_counter()
    model.fit(X, y)
    predicted = model.predict(X_test)  # (test_size, output_steps)
    seconds = time.perf_counter() - started
    skill = _mae(predicted, y_test)
    baseline = _mae(persistence(X_test, y_test.shape[1]), y_test)
    return RecipeResult(
        problem="damped_sine",
        architecture="stacked",
        metric="MAE",
        skill=skill,
        baseline=baseline,
        baseline_name="persistence",
        higher_is_better=False,
        epochs=int(model.epochs),
        seconds=seconds,
        model=model,
        details={
            "target": f"MAE <= {TARGET_RATIO:g} x persistence's",
            "target_met": skill <= TARGET_RATIO * baseline,
            "train": (X, y),
            "test": (X_test, y_test),
            "predicted": predicted,
        },
    )


def run_demo(output: str | Path | None, random_state: int, overrides: dict[str, Any]) -> int:
    """``damped_sine.demo``: print the recipe's figures and forecasts, save the plot."""
    result = run_recipe(random_state, overrides)
    X_test, y_test = result.details["test"]
    predicted = result.details["predicted"]
    result.model.summary()
    print(result.summary_line())
    print(
        f"MAE: {result.skill:f} on {len(y_test):,} fresh series "
        f"(persistence: {result.baseline:f}; ratio {result.skill / result.baseline:.3f})"
    )
    for expected, forecast in zip(y_test[:_EXAMPLES], predicted[:_EXAMPLES]):
        print(f"Expected: {format_values(expected)}")
        print(f"Predicted: {format_values(forecast)}")
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="lstmkit-damped-sine-")) / "damped_sine.png"
    path = plot(X_test, y_test, predicted, output, count=_PLOTTED)
    print(f"Saved the plot of {min(_PLOTTED, len(y_test))} fresh series to {path}")
    if not result.details["target_met"]:
        print(
            f"FAILED: MAE {result.skill:.4f} is above {TARGET_RATIO:g} x persistence's "
            f"({TARGET_RATIO * result.baseline:.4f}): train longer (epochs=...) or on more series"
        )
        return 1
    return 0


def format_values(values: Sequence[float] | np.ndarray) -> str:
    """Values with three decimals in brackets, as the demo prints a forecast.

    Example:
        >>> format_values([0.5, 0.61234])
        '[0.500, 0.612]'
    """
    return "[" + ", ".join(f"{float(value):.3f}" for value in values) + "]"


def _mae(predicted: np.ndarray, expected: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(predicted, dtype=np.float64) - expected)))
