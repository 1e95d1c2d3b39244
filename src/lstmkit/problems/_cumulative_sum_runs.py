"""The cumulative-sum recipe: the book's bidirectional LSTM beside one-way LSTMs.

Kept apart from ``cumulative_sum`` so that generating data never imports torch.

    train  make(train_size, seed stream 0)  ->  fit each variant (same data, same seed)
    test   make(test_size,  seed stream 1)  ->  per-step accuracy of each, and the baseline's
    book   make(250,        seed stream 2)  ->  the book's training, one sequence per update
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from lstmkit.problems._recipe import RecipeResult
from lstmkit.problems.cumulative_sum import (
    RECIPE_SETTINGS,
    TARGET_ACCURACY,
    VARIANTS,
    majority_baseline,
    make,
)

#: The book's model in lstmkit's keywords: Bidirectional(LSTM(50, return_sequences=True))
#: then TimeDistributed(Dense(1, sigmoid)); ``architecture_options`` pick the variant.
BOOK_MODEL: dict[str, Any] = {
    "architecture": "bidirectional",
    "units": 50,
    "return_sequences": True,
}
#: The book's training: 250 fresh sequences, one per update, at Adam's default rate.
BOOK_TRAINING: dict[str, Any] = {
    "train_size": 250,
    "epochs": 1,
    "batch_size": 1,
    "learning_rate": None,
}
#: What each variant is, as the demo's table names it.
LABELS: dict[str, str] = {
    "forward": "LSTM, forward only",
    "backward": "LSTM, backward only (Keras's go_backwards=True)",
    "concat": "Bidirectional, merge_mode=concat",
    "sum": "Bidirectional, merge_mode=sum",
    "mul": "Bidirectional, merge_mode=mul",
    "ave": "Bidirectional, merge_mode=ave",
    "book": "Bidirectional concat, the book's training (250 x 1 sequence, Adam 0.001)",
}
#: What the table shows, printed under it.
LESSON = (
    "A step's label depends only on the values up to it: an LSTM reading forwards can "
    "learn it, one reading backwards cannot see them and stays near the baseline; both "
    "directions together learn it fastest (the book's plot: training loss by epoch)."
)
_MAIN = "concat"  # the recipe's model: Keras's default merge mode, the book's
# A tiny model runs fastest on the CPU: a GPU's kernel launches cost more than they save.
_DEVICE = {"device": "cpu"}
_DATA_KEYS = ("train_size", "test_size", "compare", "book_training")
_EXAMPLES = 3  # sequences the demo prints


def run_recipe(random_state: int, overrides: dict[str, Any]) -> RecipeResult:
    """``cumulative_sum.recipe``: the bidirectional model, then the comparisons asked for."""
    settings = {**RECIPE_SETTINGS, **overrides}
    data = {key: settings.pop(key) for key in _DATA_KEYS}
    train_stream, test_stream, book_stream = np.random.SeedSequence(random_state).spawn(3)
    train = make(data["train_size"], random_state=np.random.default_rng(train_stream))
    test = make(data["test_size"], random_state=np.random.default_rng(test_stream))
    names = list(VARIANTS) if data["compare"] else [_MAIN]
    runs = {name: _train_and_score(name, train, test, random_state, settings) for name in names}
    if data["book_training"]:
        book = make(BOOK_TRAINING["train_size"], random_state=np.random.default_rng(book_stream))
        book_settings = {
            **settings,
            **{k: v for k, v in BOOK_TRAINING.items() if k != "train_size"},
        }
        runs["book"] = _train_and_score("book", book, test, random_state, book_settings)
    main = runs[_MAIN]
    return RecipeResult(
        problem="cumulative_sum",
        architecture="bidirectional",
        metric="accuracy",
        skill=main["accuracy"],
        baseline=majority_baseline(train[1], test[1]),
        baseline_name="per-position majority",
        higher_is_better=True,
        epochs=main["epochs"],
        seconds=main["seconds"],
        model=main.pop("model"),
        details={
            "target": f"accuracy >= {TARGET_ACCURACY:.0%}",
            "target_met": main["accuracy"] >= TARGET_ACCURACY,
            "train": train,
            "test": test,
            "predicted": main.pop("predicted"),
            "variants": [_summary(run) for run in runs.values()],
        },
    )


def _train_and_score(
    name: str, train: tuple, test: tuple, random_state: int, settings: dict[str, Any]
) -> dict[str, Any]:
    """Fit one variant on ``train``; its per-step accuracy on ``test``."""
    from lstmkit.estimators import LSTMClassifier

    options = VARIANTS["concat" if name == "book" else name]
    keywords = {**BOOK_MODEL, **_DEVICE, **settings}
    model = LSTMClassifier(architecture_options=options, random_state=random_state, **keywords)
    started = time.perf_counter()
    model.fit(*train)
    predicted = model.predict(test[0])  # (samples, steps) labels
    seconds = time.perf_counter() - started
    return {
        "name": name,
        "label": LABELS[name],
        "accuracy": float(np.mean(predicted == test[1])),
        "seconds": seconds,
        "loss": [float(value) for value in model.history_.history["loss"]],
        "epochs": int(model.epochs),
        "model": model,
        "predicted": predicted,
    }


def _summary(run: dict[str, Any]) -> dict[str, Any]:
    return {key: run[key] for key in ("name", "label", "accuracy", "seconds", "loss")}


def run_demo(output: str | Path | None, random_state: int, overrides: dict[str, Any]) -> int:
    """``cumulative_sum.demo``: the comparison table and the book's answer lines."""
    result = run_recipe(random_state, overrides)
    X_test, y_test = result.details["test"]
    predicted = result.details["predicted"]
    result.model.summary()
    print(result.summary_line())
    print(f"Per-step accuracy on {len(y_test):,} fresh sequences of {y_test.shape[1]} steps:")
    print(comparison_table(result.baseline_name, result.baseline, result.details["variants"]))
    if len(result.details["variants"]) > 1:
        print(LESSON)
    for values, expected, answer in zip(X_test[:_EXAMPLES, :, 0], y_test, predicted):
        print("Values: [" + ", ".join(f"{value:.2f}" for value in values) + "]")
        print(f"Expected: {expected.tolist()} Predicted: {answer.tolist()}")
    if output is not None:
        # The book's training is one epoch of 250 updates: no curve on an epoch axis.
        curves = [run for run in result.details["variants"] if run["name"] != "book"]
        path = plot_losses(curves, output)
        print(f"Saved the training loss of each model to {path}")
    if not result.details["target_met"]:
        print(
            f"FAILED: the bidirectional model's per-step accuracy {result.skill:.2%} is below "
            f"{TARGET_ACCURACY:.0%}: train longer (epochs=...) or on more sequences"
        )
        return 1
    return 0


def comparison_table(baseline_name: str, baseline: float, variants: list[dict[str, Any]]) -> str:
    """A markdown table: the baseline's accuracy, then each model's, with its seconds.

    Example:
        >>> runs = [{"label": "LSTM, forward only", "accuracy": 0.97, "seconds": 2.0}]
        >>> print(comparison_table("majority", 0.891, runs))
        | model | per-step accuracy | seconds |
        |---|---|---|
        | majority (baseline) | 89.10% | |
        | LSTM, forward only | 97.00% | 2.0 |
    """
    lines = [
        "| model | per-step accuracy | seconds |",
        "|---|---|---|",
        f"| {baseline_name} (baseline) | {baseline * 100:.2f}% | |",
    ]
    lines += [
        f"| {run['label']} | {run['accuracy'] * 100:.2f}% | {run['seconds']:.1f} |"
        for run in variants
    ]
    return "\n".join(lines)


def plot_losses(variants: list[dict[str, Any]], path: str | Path) -> Path:
    """The book's comparison plot: each model's training loss, epoch by epoch.

    Example:
        >>> import tempfile, os
        >>> runs = [{"label": "a", "loss": [0.7, 0.3]}, {"label": "b", "loss": [0.6]}]
        >>> plot_losses(runs, os.path.join(tempfile.mkdtemp(), "loss.png")).stat().st_size > 0
        True
    """
    from matplotlib.figure import Figure  # lazily: plotting is optional; Figure uses Agg

    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = figure.subplots()
    for run in variants:
        epochs = np.arange(1, len(run["loss"]) + 1)
        ax.plot(epochs, run["loss"], marker="o", label=run["label"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (binary cross-entropy)")
    ax.legend(fontsize="small")
    path = Path(path)
    figure.savefig(path)
    return path
