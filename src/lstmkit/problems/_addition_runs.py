"""How far the addition recipe scales: more terms, larger numbers, the same recipe.

:func:`scaling` reruns :func:`lstmkit.problems.addition.recipe` on harder settings and
returns one row per setting and decoder. Each setting's training set grows with the
characters a sum makes the model read and write (input length times output length),
relative to the recipe's 2 terms up to 10 (5 characters in, 2 out)::

    n_terms  largest   in  out   sums    budget            distinct sums
    2        10        5   2     1,000   1x  (the recipe)  100
    3        10        8   2     1,600   1.6x              1,000
    4        10        11  2     2,200   2.2x              10,000
    2        100       7   3     2,100   2.1x              10,000
    2        1000      9   4     3,600   3.6x              1,000,000

Epochs, batch size, learning rate and the model stay the recipe's. With 2 terms up to
10 every test sum was seen in training; from 4 terms or numbers up to 100 most were
not, so the exact match there measures generalisation (``unseen share`` says how much).
A measurement to report, not a test: about a minute and a half on one CPU core.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lstmkit.problems.addition import DECODERS, RECIPE_SETTINGS, lengths, recipe

#: ``(n_terms, largest)`` settings :func:`scaling` tries, the recipe's first.
SCALING_SETTINGS: tuple[tuple[int, int], ...] = ((2, 10), (3, 10), (4, 10), (2, 100), (2, 1000))
_BASE_CHARACTERS = 5 * 2  # the recipe's input length times output length


def scaled_train_size(n_terms: int, largest: int) -> int:
    """The recipe's training sums scaled by the characters read times written per sum.

    Example:
        >>> scaled_train_size(2, 10), scaled_train_size(3, 10), scaled_train_size(2, 1000)
        (1000, 1600, 3600)
    """
    in_len, out_len = lengths(n_terms, largest)
    return round(RECIPE_SETTINGS["train_size"] * in_len * out_len / _BASE_CHARACTERS)


def scaling(
    random_state: int = 1,
    settings: Iterable[tuple[int, int]] = SCALING_SETTINGS,
    decoders: Iterable[str] = tuple(DECODERS),
    **overrides: Any,
) -> list[dict[str, Any]]:
    """Run the recipe on each ``(n_terms, largest)`` setting with each decoder.

    Args:
        random_state: passed to the recipe (the same seed for every setting).
        settings: ``(n_terms, largest)`` pairs.
        decoders: keys of ``addition.DECODERS``.
        overrides: passed to the recipe for every setting (``train_size`` replaces
            the scaled size).

    Returns:
        One row per setting and decoder: ``n_terms``, ``largest``, ``in_len``,
        ``out_len``, ``train_size``, ``epochs``, ``decoder``, ``exact match``,
        ``character accuracy``, ``baseline`` (most frequent sum), ``unseen share``,
        ``seconds``.

    Example:
        >>> rows = scaling(settings=[(3, 10)], decoders=["repeat"], train_size=30,
        ...                test_size=10, epochs=1)
        >>> [(row["n_terms"], row["in_len"], row["decoder"]) for row in rows]
        [(3, 8, 'repeat')]
    """
    rows = []
    for n_terms, largest in settings:
        in_len, out_len = lengths(n_terms, largest)
        budget = {"train_size": scaled_train_size(n_terms, largest), **overrides}
        for decoder in decoders:
            result = recipe(random_state, decoder, n_terms=n_terms, largest=largest, **budget)
            rows.append(
                {
                    "n_terms": n_terms,
                    "largest": largest,
                    "in_len": in_len,
                    "out_len": out_len,
                    "train_size": result.details["train_size"],
                    "epochs": result.epochs,
                    "decoder": decoder,
                    "exact match": result.skill,
                    "character accuracy": result.details["character accuracy"],
                    "baseline": result.baseline,
                    "unseen share": result.details["unseen share"],
                    "seconds": result.seconds,
                }
            )
    return rows


def scaling_table(rows: Iterable[dict[str, Any]]) -> str:
    """Format :func:`scaling`'s rows as a markdown table.

    Example:
        >>> row = {"n_terms": 2, "largest": 10, "in_len": 5, "out_len": 2, "train_size": 1000,
        ...        "epochs": 15, "decoder": "repeat", "exact match": 1.0,
        ...        "character accuracy": 1.0, "baseline": 0.082, "unseen share": 0.0,
        ...        "seconds": 4.61}
        >>> print(scaling_table([row]))
        | terms | largest | in | out | train sums | epochs | decoder | exact match | characters | most frequent sum | unseen | seconds |
        |---|---|---|---|---|---|---|---|---|---|---|---|
        | 2 | 10 | 5 | 2 | 1000 | 15 | repeat | 1.000 | 1.000 | 0.082 | 0.00 | 4.6 |
    """
    lines = [
        "| terms | largest | in | out | train sums | epochs | decoder | exact match | characters "
        "| most frequent sum | unseen | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['n_terms']} | {row['largest']} | {row['in_len']} | {row['out_len']} "
            f"| {row['train_size']} | {row['epochs']} | {row['decoder']} "
            f"| {row['exact match']:.3f} | {row['character accuracy']:.3f} "
            f"| {row['baseline']:.3f} | {row['unseen share']:.2f} | {row['seconds']:.1f} |"
        )
    return "\n".join(lines)


__all__ = ["SCALING_SETTINGS", "scaled_train_size", "scaling", "scaling_table"]
