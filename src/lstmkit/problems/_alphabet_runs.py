"""The blog's alphabet experiments, each a function that trains and reports one model.

Every stateless experiment trains on all its patterns in one batch per epoch (Adam,
learning rate 0.01): without ``stateful`` every sample starts from a zero state
whatever the batch size, so the batch size only changes the optimiser's noise,
and one full batch is the fastest way to train. ``BLOG_SETTINGS`` holds the blog's
own settings (``recipe(name, blog=True)``), which take minutes instead of seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lstmkit.errors import unknown_option
from lstmkit.problems._alphabet_data import (
    ALPHABET,
    as_input,
    every_run,
    make,
    make_variable,
    pairs,
)

_FULL_BATCH = {"units": 32, "batch_size": 32, "epochs": 200, "learning_rate": 0.01}

#: lstmkit's settings for each experiment (a few seconds each on one CPU core).
RECIPES: dict[str, dict[str, Any]] = {
    "naive": dict(_FULL_BATCH),
    "window_features": dict(_FULL_BATCH),
    "window_timesteps": dict(_FULL_BATCH),
    # The blog's 5,000 epochs, not the batch, made this one work: 3x naive's epochs here.
    "within_batch": {
        "units": 16,
        "batch_size": 25,
        "epochs": 600,
        "learning_rate": 0.01,
        "shuffle": False,
    },
    # One update per letter, as Keras's stateful loop; robust over seeds 0-29 (measured).
    "stateful": {
        "units": 50,
        "batch_size": 1,
        "epochs": 100,
        "learning_rate": 0.01,
        "stateful": True,
    },
    "variable_length": {"units": 32, "batch_size": 32, "epochs": 100, "learning_rate": 0.01},
}

_BLOG_ONE_BY_ONE = {"units": 32, "batch_size": 1, "epochs": 500, "learning_rate": None}

#: The blog's settings (Keras's Adam default learning rate, 0.001).
BLOG_SETTINGS: dict[str, dict[str, Any]] = {
    "naive": dict(_BLOG_ONE_BY_ONE),
    "window_features": dict(_BLOG_ONE_BY_ONE),
    "window_timesteps": dict(_BLOG_ONE_BY_ONE),
    "within_batch": {
        "units": 16,
        "batch_size": 25,
        "epochs": 5000,
        "learning_rate": None,
        "shuffle": False,
    },
    "stateful": {
        "units": 50,
        "batch_size": 1,
        "epochs": 300,
        "learning_rate": None,
        "stateful": True,
    },
    "variable_length": dict(_BLOG_ONE_BY_ONE),
}

#: The accuracy the blog reports for each experiment (its Aug/2018 version).
BLOG_ACCURACY: dict[str, float] = {
    "naive": 0.84,
    "window_features": 0.8696,
    "window_timesteps": 1.0,
    "within_batch": 1.0,
    "stateful": 1.0,
    "variable_length": 0.989,
}


@dataclass(frozen=True)
class Result:
    """What one experiment measured.

    Attributes:
        name: the experiment (a key of ``RECIPES``).
        accuracy: on the training patterns (the blog's "Model Accuracy").
        predictions: the model's answers as the blog prints them, ``"ABC -> D"``.
        mistakes: the wrong answers, ``"U -> W (expected V)"``.
        seconds: training time (wall clock).
        scores: further accuracies by name, e.g. ``"random patterns"``.
        model: the fitted ``LSTMClassifier``.

    Example:
        >>> Result("naive", 0.5, ("A -> B",), (), 1.0).accuracy
        0.5
    """

    name: str
    accuracy: float
    predictions: tuple[str, ...]
    mistakes: tuple[str, ...]
    seconds: float
    scores: Mapping[str, float] = field(default_factory=dict)
    model: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class StatefulResult(Result):
    """A ``Result`` plus what the stateful model says when it runs on its own.

    Attributes:
        generated: the letters predicted from 'A', each prediction fed back in.
        cold_start: five letters from 'K' after ``reset_state()`` (the blog's "New start").
        warm_start: five letters from 'K' after feeding 'A' to 'J' first.

    Example:
        >>> StatefulResult("stateful", 1.0, (), (), 1.0, cold_start="BCDEF").cold_start
        'BCDEF'
    """

    generated: str = ""
    cold_start: str = ""
    warm_start: str = ""


def recipe(name: str, random_state: int = 7, blog: bool = False, **settings: Any):
    """Return the (unfitted) ``LSTMClassifier`` of one experiment.

    Args:
        name: a key of ``RECIPES``.
        random_state: the model's seed.
        blog: use ``BLOG_SETTINGS`` (slow: minutes) instead of ``RECIPES``.
        settings: keywords that override the recipe's, e.g. ``epochs=300``.

    Raises:
        ConfigError: an unknown experiment name.

    Example:
        >>> model = recipe("stateful")
        >>> model.stateful, model.batch_size, model.units
        (True, 1, 50)
    """
    from lstmkit.estimators import LSTMClassifier

    table = BLOG_SETTINGS if blog else RECIPES
    if name not in table:
        raise unknown_option("alphabet experiment", name, table)
    # A tiny model: on a GPU each step's kernel launches cost more than they save.
    keywords = {"device": "cpu", **table[name], **settings}
    return LSTMClassifier(random_state=random_state, **keywords)


def generate(model: Any, start: str = "A", steps: int = 25, warm_up: str = "") -> str:
    """Let a stateful model run on its own: each predicted letter is its next input.

    Resets the carried state, runs ``warm_up`` through the model as one stream (the
    state it reaches, not its predictions, is kept), then predicts ``steps`` letters
    from ``start`` one at a time with ``predict(x, stateful=True)``. The carried
    state is left where the run ends.

    Returns:
        The ``steps`` predicted letters, e.g. ``"BCDEF"`` from ``start="A", steps=5``.

    Example:
        >>> X, y = make(1)
        >>> model = recipe("stateful", epochs=1).fit(X, y)
        >>> len(generate(model, "A", steps=3))
        3
    """
    model.reset_state()
    if warm_up:
        model.predict(as_input(warm_up).reshape(-1, 1, 1), stateful=True)  # one letter per window
    letter, letters = start, []
    for _ in range(steps):
        letter = str(model.predict(as_input(letter), stateful=True)[0])
        letters.append(letter)
    return "".join(letters)


def chain(start: str, letters: str) -> list[str]:
    """The blog's lines for a self-fed run: ``chain("K", "BC")`` is ``["K -> B", "B -> C"]``.

    Example:
        >>> chain("A", "BCD")
        ['A -> B', 'B -> C', 'C -> D']
    """
    return [f"{given} -> {said}" for given, said in zip(start + letters, letters)]


# ----------------------------------------------------------------- the experiments
def naive(random_state: int = 7, **settings: Any) -> Result:
    """One letter -> the next, stateless (the blog got 84.00%). X ``(25, 1, 1)``.

    Example:
        >>> result = naive(epochs=1)
        >>> len(result.predictions), result.predictions[0][:5]
        (25, 'A -> ')
    """
    return _stateless("naive", *make(1), random_state, settings)


def window_features(random_state: int = 7, **settings: Any) -> Result:
    """Three letters as three features of one step -> the next (blog: 86.96%). X ``(23, 1, 3)``.

    Example:
        >>> model = window_features(epochs=1).model
        >>> model.n_timesteps_in_, model.n_features_in_
        (1, 3)
    """
    return _stateless("window_features", *make(3, "features"), random_state, settings)


def window_timesteps(random_state: int = 7, **settings: Any) -> Result:
    """Three letters as three time steps -> the next (blog: 100.00%). X ``(23, 3, 1)``.

    Example:
        >>> model = window_timesteps(epochs=1).model
        >>> model.n_timesteps_in_, model.n_features_in_
        (3, 1)
    """
    return _stateless("window_timesteps", *make(3), random_state, settings)


def within_batch(random_state: int = 7, **settings: Any) -> Result:
    """The blog's "LSTM state within a batch": all 25 patterns in one batch, in order.

    Trains the recipe (``shuffle=False``, as the blog) and a twin with
    ``shuffle=True``. Samples in a batch do not share state, so the order cannot
    matter: ``scores`` holds the twin's accuracy and the share of letters on which
    the two agree, and the blog's test of 20 random patterns, each predicted alone.

    Example:
        >>> sorted(within_batch(epochs=1).scores)
        ['agreement with shuffle=True', 'random patterns', 'shuffle=True']
    """
    X, y = make(1)
    result = _stateless("within_batch", X, y, random_state, settings)
    twin = recipe("within_batch", random_state, **{**settings, "shuffle": True}).fit(X, y)
    picks = np.random.RandomState(random_state).randint(len(X), size=20)
    alone = [result.model.predict(X[index : index + 1])[0] for index in picks]  # each alone
    scores = {
        "random patterns": float(np.mean(np.array(alone) == y[picks])),
        "shuffle=True": float(twin.score(X, y)),
        "agreement with shuffle=True": float(np.mean(twin.predict(X) == result.model.predict(X))),
    }
    return replace(result, scores=scores)


def stateful(random_state: int = 7, **settings: Any) -> StatefulResult:
    """One letter -> the next, ``stateful=True``: the 25 letters are one stream in order.

    The state carries from each letter to the next and resets at each epoch's start
    (Keras's stateful loop without the loop). Reports the accuracy over the stream
    from a zero state, the alphabet generated from 'A', and the continuations from
    'K' after a reset (cold) and after feeding 'A' to 'J' (warm).

    Example:
        >>> len(stateful(epochs=1).generated)
        25
    """
    X, y = make(1)
    model, seconds = _fitted("stateful", X, y, random_state, settings)
    predictions, mistakes = _answers(model, X, y)  # the 25 letters as one stream
    generated = generate(model, "A", len(ALPHABET) - 1)
    right = np.array(list(generated)) == np.array(list(ALPHABET[1:]))
    return StatefulResult(
        "stateful",
        float(model.score(X, y)),
        predictions,
        mistakes,
        seconds,
        {"generated from A": float(right.mean())},
        model,
        generated=generated,
        cold_start=generate(model, "K", 5),
        warm_start=generate(model, "K", 5, warm_up=ALPHABET[: ALPHABET.index("K")]),
    )


def variable_length(random_state: int = 7, **settings: Any) -> Result:
    """Runs of 1-5 letters -> the next letter (blog: 98.90%), ragged input.

    Trains on the blog's 1,000 patterns (``make_variable()``, seed 7) as a list of
    ``(T_i, 1)`` arrays. ``predictions`` are the blog's test: 20 patterns drawn at
    random from the training set; ``scores`` adds every run of 1-5 letters (115).

    Example:
        >>> result = variable_length(epochs=1, batch_size=1000)
        >>> len(result.predictions), sorted(result.scores)
        (20, ['every run', 'random patterns'])
    """
    X, y = make_variable()
    model, seconds = _fitted("variable_length", X, y, random_state, settings)
    picks = np.random.RandomState(random_state).randint(len(X), size=20)
    tests = [X[index] for index in picks]
    predictions, mistakes = _answers(model, tests, y[picks])
    runs, labels = every_run(5)
    scores = {
        "random patterns": 1.0 - len(mistakes) / len(tests),
        "every run": float(np.mean(model.predict(runs) == labels)),
    }
    return Result(
        "variable_length", float(model.score(X, y)), predictions, mistakes, seconds, scores, model
    )


# ----------------------------------------------------------------- helpers
def _stateless(name: str, X, y, random_state: int, settings: dict) -> Result:
    model, seconds = _fitted(name, X, y, random_state, settings)
    predictions, mistakes = _answers(model, X, y)
    return Result(name, float(model.score(X, y)), predictions, mistakes, seconds, {}, model)


def _fitted(name: str, X, y, random_state: int, settings: dict):
    model = recipe(name, random_state, **settings)
    started = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - started


def _answers(model: Any, X, y) -> tuple[tuple[str, ...], tuple[str, ...]]:
    said = model.predict(X)
    lines = pairs(X, said)
    wrong = tuple(
        f"{line} (expected {label})"
        for line, guess, label in zip(lines, said, y, strict=True)
        if guess != label
    )
    return tuple(lines), wrong
