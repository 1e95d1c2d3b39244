"""Skill: every demonstration recipe's score on fresh data beside its baseline, in one table.

Each problem module of ``lstmkit.problems`` with a ``recipe(random_state, **overrides)``
returning a ``RecipeResult`` trains the book's architecture on its problem and scores
it on freshly drawn data beside a naive baseline on the same data. This script runs
them all in one process (the book's chapters in order, then any other such module)
and writes a markdown table: problem, architecture, metric, the skill reached, the
baseline's name and value, whether the model beats it, epochs, and the seconds the
recipe spent training and evaluating that model on this machine.

    lstmkit.problems.<name>.recipe(seed)  ->  RecipeResult  ->  one row of the table

``--quick`` passes each module's ``QUICK_SETTINGS`` (a cut-down recipe: seconds,
no verdict); a module without them runs in full and the table says so. A module
without ``recipe`` is skipped with a note. ``echo`` and ``alphabet`` are left out:
their ``recipe`` is an older API (``lstmkit demo echo`` / ``lstmkit demo alphabet``
report their skill).

Run:
    .venv/bin/python bench/skill.py                  # full recipes, about 30 s quiet at 1 thread
    .venv/bin/python bench/skill.py --quick          # cut-down recipes, about 10 s
    .venv/bin/python bench/skill.py --threads 1 --seed 2 --output /tmp/skill.md
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import pkgutil
import platform
import time
from pathlib import Path
from typing import Any

import torch

import lstmkit.problems

#: The book's chapters in order: these rows come first, in this order.
CHAPTERS = ("damped_sine", "moving_square", "addition", "cumulative_sum", "shapes")
#: Modules whose ``recipe`` is an older API (it returns an estimator or needs a name).
LEGACY = ("echo", "alphabet")
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "skill.md"
COLUMNS = (
    "problem",
    "architecture",
    "metric",
    "skill reached",
    "baseline",
    "beats baseline",
    "epochs",
    "wall time (s)",
    "also measured",
)
#: Extra rows: the same recipe with other settings (the teacher-forced decoder).
VARIANTS = {"addition": ({"decoder": "teacher"},)}


def problem_names() -> list[str]:
    """The chapters' modules, then every other public problem module, legacy ones left out."""
    found = {
        info.name
        for info in pkgutil.iter_modules(lstmkit.problems.__path__)
        if not info.name.startswith("_") and info.name not in LEGACY
    }
    return [name for name in CHAPTERS if name in found] + sorted(found - set(CHAPTERS))


def run_one(name: str, seed: int, quick: bool) -> tuple[list[Any], str | None]:
    """Run one module's recipe (and its :data:`VARIANTS`); return ``(results, note)``."""
    module = importlib.import_module(f"lstmkit.problems.{name}")
    if not callable(getattr(module, "recipe", None)):
        return [], f"{name}: no recipe() yet, skipped"
    note = None
    overrides: dict[str, Any] = {}
    if quick:
        overrides = dict(getattr(module, "QUICK_SETTINGS", None) or {})
        if not overrides:
            note = f"{name}: no QUICK_SETTINGS, ran the full recipe"
    results = [module.recipe(seed, **overrides)]
    results += [module.recipe(seed, **overrides, **extra) for extra in VARIANTS.get(name, ())]
    return results, note


def also_measured(result: Any) -> str:
    """What else the recipe measured that the table should show (variants, valid shapes).

    Example:
        >>> from lstmkit.problems._recipe import RecipeResult
        >>> also_measured(RecipeResult("s", "g", "MAE", 0.1, 0.2, "p", False, 1, 1.0,
        ...                            details={"valid share": 0.96, "ceiling": 0.89}))
        'valid rectangles 96.0% (ceiling 89.0%)'
    """
    details = result.details
    if "valid share" in details:
        return f"valid rectangles {details['valid share']:.1%} (ceiling {details['ceiling']:.1%})"
    if "line" in details:  # the moving square's book variant: a line drawn across
        return f"the book's line {details['line']['accuracy']:.1%}"
    if "variants" in details:
        return "; ".join(
            f"{variant['name']} {variant['accuracy']:.1%}" for variant in details["variants"]
        )
    return ""


def row(result: Any) -> list[str]:
    """One table row of a ``RecipeResult``."""
    return [
        result.problem,
        result.architecture,
        result.metric,
        f"{result.skill:.4f}",
        f"{result.baseline_name} {result.baseline:.4f}",
        "yes" if result.beats_baseline else "**no**",
        str(result.epochs),
        f"{result.seconds:.1f}",
        also_measured(result),
    ]


def markdown_table(rows: list[list[str]]) -> str:
    """A markdown table with :data:`COLUMNS` as its header.

    Example:
        >>> print(markdown_table([["p", "a", "MAE", "0.1", "b 0.2", "yes", "3", "1.0", ""]]).splitlines()[2])
        | p | a | MAE | 0.1 | b 0.2 | yes | 3 | 1.0 |  |
    """
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def header(seed: int, quick: bool) -> str:
    """The report's first line: date, torch, threads, machine, settings."""
    threads = torch.get_num_threads()
    return (
        f"Skill of the demonstration recipes, {datetime.date.today().isoformat()}: "
        f"torch {torch.__version__}, {threads} thread{'' if threads == 1 else 's'}, "
        f"{platform.machine()} "
        f"({os.cpu_count()} CPUs), seed {seed}, "
        f"{'quick (cut-down) settings: no verdict' if quick else 'full recipes'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each module's QUICK_SETTINGS")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="every recipe's random_state")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"markdown file ({DEFAULT_OUTPUT})"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    # The first optimizer a process builds imports torch's compiler (seconds): do it
    # before any recipe, so that the first row's time is comparable with the rest.
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    started = time.perf_counter()
    rows, notes = [], []
    for name in problem_names():
        results, note = run_one(name, args.seed, args.quick)
        notes += [note] if note else []
        for result in results:
            rows.append(row(result))
            print(f"  {result.summary_line()}", flush=True)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    report = [header(args.seed, args.quick), "", markdown_table(rows), ""]
    report += [f"- {note}" for note in notes]
    report.append(
        f"- whole run {time.perf_counter() - started:.0f} s; load average after: {load}. "
        "Wall time is the recipe's training and evaluation of the model in the row."
    )
    text = "\n".join(report) + "\n"
    print("\n" + text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"(written to {args.output})")
    return 0  # a report, not a gate


if __name__ == "__main__":
    raise SystemExit(main())
