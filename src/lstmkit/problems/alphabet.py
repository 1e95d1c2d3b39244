"""The alphabet: what an LSTM's state does (the blog "Understanding Stateful LSTM
Recurrent Neural Networks in Python with Keras").

Given a letter, or a few, predict the next letter of the alphabet. Six framings of
the same problem show where context comes from: the input window (as features or
as time steps), the batch (it does not: samples in a batch do not share state),
the state carried from one sample to the next (``stateful=True``), and ragged
input of any length. ``demo()`` runs them all; docs/guide/alphabet.md explains.

    stateful:  A -> B -> C -> ... -> Y -> Z      one stream, state carried across samples
    cold 'K':  K -> B                            a reset state is the stream's start

Example:
    >>> X, y = make(1)
    >>> X.shape, pairs(X, y)[0]
    ((25, 1, 1), 'A -> B')
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from lstmkit.problems._alphabet_data import (
    ALPHABET,
    as_input,
    char_to_int,
    decode,
    encode,
    every_run,
    int_to_char,
    make,
    make_variable,
    pairs,
)
from lstmkit.problems._alphabet_runs import (
    BLOG_ACCURACY,
    BLOG_SETTINGS,
    RECIPES,
    Result,
    StatefulResult,
    chain,
    generate,
    naive,
    recipe,
    stateful,
    variable_length,
    window_features,
    window_timesteps,
    within_batch,
)

#: The experiments in the blog's order: (function, title, input).
EXPERIMENTS: tuple[tuple[Callable[..., Result], str, str], ...] = (
    (naive, "Naive LSTM, one char -> one char", "X (25, 1, 1)"),
    (window_features, "Three-char window as features -> one char", "X (23, 1, 3)"),
    (window_timesteps, "Three-char window as time steps -> one char", "X (23, 3, 1)"),
    (within_batch, "LSTM state within a batch, one char -> one char", "X (25, 1, 1)"),
    (stateful, "Stateful LSTM, one char -> one char", "X (25, 1, 1), one stream"),
    (variable_length, "Variable-length input -> one char", "1,000 ragged runs of 1-5"),
)

#: The one-line explanation the demo prints after the cold start (``str.format`` fields:
#: ``cold``, the answer to 'K' from a reset state, and ``warm``, after 'A' to 'J').
COLD_START_LESSON = (
    "Why K -> {cold}: the model learnt the alphabet as one stream, so its state, not the "
    "letter, says where it is; a reset state is the stream's start, where it answers "
    "{cold}. Warmed up on A-J, the same model continues K -> {warm}."
)


def demo(random_state: int = 7, verbose: bool = False, threads: int | None = 1) -> int:
    """Run the six alphabet experiments and print each accuracy beside the blog's.

    For the stateful model also prints the alphabet it generates from 'A' (each
    prediction fed back), its cold start from 'K' (the blog's "New start", K -> B)
    and a warm start from 'K' after 'A' to 'J'. About 15 s on a quiet CPU core.

    Args:
        random_state: the models' seed (the blog's is 7).
        verbose: also print every prediction, as the blog does.
        threads: torch threads while it runs (restored afterwards); None leaves
            torch's setting. These models are tiny: more threads only add overhead,
            and next to another busy process two threads run many times slower.

    Returns:
        0 when the stateful model learnt the whole alphabet, 1 otherwise.

    Example:
        >>> # lstmkit demo alphabet   (or: python -c "from lstmkit.problems import alphabet; alphabet.demo()")
    """
    with _torch_for_tiny_models(threads):
        return _run_demo(random_state, verbose)


def _run_demo(random_state: int, verbose: bool) -> int:
    started = time.perf_counter()
    print(f"The alphabet lessons: what state does (random_state={random_state})")
    learnt = False
    for number, (run, title, shape) in enumerate(EXPERIMENTS, 1):
        result = run(random_state)
        print(f"\n{number}. {title}: {shape}; {_settings(result.name)}")
        blog = BLOG_ACCURACY[result.name] * 100
        print(
            f"Model Accuracy: {result.accuracy * 100:.2f}%  "
            f"(blog: {blog:.2f}%; trained in {result.seconds:.1f} s)"
        )
        for line in result.predictions if verbose else ():
            print(line)
        if result.mistakes and not verbose:
            print("wrong: " + ", ".join(result.mistakes))
        if isinstance(result, StatefulResult):
            learnt = result.accuracy == 1.0 and result.generated == ALPHABET[1:]
            _print_stateful(result)
        else:
            _print_scores(result)
    print(f"\nAll six in {time.perf_counter() - started:.1f} s")
    if not learnt:
        print("FAILED: the stateful model did not learn the whole alphabet")
        return 1
    return 0


@contextlib.contextmanager
def _torch_for_tiny_models(threads: int | None):
    import torch

    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    # The first optimizer a process builds imports torch's compiler (seconds); do it
    # here, so that the first experiment's training time is comparable with the rest.
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _settings(name: str) -> str:
    settings = RECIPES[name]
    words = [f"{key}={settings[key]}" for key in ("stateful", "shuffle") if key in settings]
    words += [
        f"units={settings['units']}",
        f"batch_size={settings['batch_size']}",
        f"{settings['epochs']} epochs",
        f"Adam lr={settings['learning_rate']}",
    ]
    return ", ".join(words)


def _print_stateful(result: StatefulResult) -> None:
    print(f"From A, each prediction fed back: A -> {result.generated}")
    print("New start: K, after reset_state(): " + ", ".join(chain("K", result.cold_start)))
    print("Warm start: K, after A-J:          " + ", ".join(chain("K", result.warm_start)))
    print(COLD_START_LESSON.format(cold=result.cold_start[:1], warm=result.warm_start[:1]))


def _print_scores(result: Result) -> None:
    scores = dict(result.scores)
    if "agreement with shuffle=True" in scores:
        print(
            f"With shuffle=True: {scores['shuffle=True'] * 100:.2f}%, the same letter for "
            f"{scores['agreement with shuffle=True'] * 100:.0f}% of the patterns: samples in "
            "a batch do not share state"
        )
    if "random patterns" in scores:
        line = f"The blog's test of 20 random patterns: {scores['random patterns'] * 100:.2f}%"
        if "every run" in scores:
            line += f"; every run of 1-5 letters (115): {scores['every run'] * 100:.2f}%"
        print(line)


__all__ = [
    "ALPHABET",
    "BLOG_ACCURACY",
    "BLOG_SETTINGS",
    "COLD_START_LESSON",
    "EXPERIMENTS",
    "RECIPES",
    "Result",
    "StatefulResult",
    "as_input",
    "chain",
    "char_to_int",
    "decode",
    "demo",
    "encode",
    "every_run",
    "generate",
    "int_to_char",
    "make",
    "make_variable",
    "naive",
    "pairs",
    "recipe",
    "stateful",
    "variable_length",
    "window_features",
    "window_timesteps",
    "within_batch",
]
