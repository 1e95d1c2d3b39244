"""TBPTT training speed: ``LSTMRegressor(tbptt=TBPTT(k1, k2))`` against a plain PyTorch loop.

The task: a 200,000-step noisy sine in 32 lanes (``batchify``), 1 layer of 64 units,
predicting the next value at every step (see ``_tbptt_common.py``). The plain loop is
pytorch/examples' word_language_model: forward 50 steps with ``nn.LSTM`` + ``Linear``,
loss, backward, optimizer step, detach the state, carry on.

Two targets (CONTRACTS §12), each measured in its own set of interleaved rounds:

1. TBPTT(50, 50): lstmkit's time steps per second at least 0.9x the plain loop's.
   Timed: one whole ``fit(epochs=1)`` call against the plain loop doing what ``fit``
   does: build the model and optimizer, one epoch with the loss and one metric (MAE,
   ``fit``'s default) summed on the device and read once, then one ordered pass without
   gradients for the end state of every lane (``fit`` computes ``state_`` that way).
   The training epochs alone are timed too (lstmkit through the public engine, as
   ``fit`` runs each epoch), which separates the engine from the work around it.
2. TBPTT(10, 50) costs at most 5.5x TBPTT(50, 50) per time step. Timed: lstmkit's
   training epoch alone, since the work outside the epoch is the same for both
   schedules and would dilute the ratio. The plain loop's own TBPTT(10, 50) /
   TBPTT(50, 50) ratio, the inherent cost, is printed beside it.

Protocol: torch threads = 2; every run once as warm-up; then rounds in one process, each
timing its runs with the same seed, in an order that flips round to round. A ratio
pairs two runs of the same round; the report gives the median over >= 10 rounds and the
interquartile range. Both sides start from the same weights (PyTorch's initialisation
from the same seed, lstmkit's ``init="torch"``) and use ``Adam(lr=1e-3, eps=1e-7)``, so
their losses and MAEs must agree; the script checks that they do.

    speed round r: fit(50,50)  plain fit(50,50)  epoch(50,50)  plain epoch(50,50)
    cost round r:  epoch(10,50)  epoch(50,50)  plain epoch(10,50)  plain epoch(50,50)
                   (each reversed when r is odd)

Run:
    .venv/bin/python bench/tbptt_speed.py                 # full run, about 4 minutes on 2 cores
    .venv/bin/python bench/tbptt_speed.py --quick         # smoke run, about 15 s, no verdict
    .venv/bin/python bench/tbptt_speed.py --device cuda   # both sides on the GPU (cuDNN)
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch
from _tbptt_common import (
    LANES,
    THREADS,
    UNITS,
    LstmkitEpoch,
    PlainEpoch,
    interleaved,
    load_line,
    lstmkit_fit,
    noisy_sine_lanes,
    pair_ratios,
    plain_fit,
    timed,
)

STEPS, QUICK_STEPS = 200_000, 32_000
K2 = 50
SPEED_TARGET = 0.9  # lstmkit steps/s over the plain loop's, at least
COST_TARGET = 5.5  # TBPTT(10, 50) seconds per step over TBPTT(50, 50)'s, at most
MIN_PAIRS, QUICK_PAIRS = 10, 3
FIGURE_TOLERANCE = 1e-4  # relative; the same weights and data give the same loss and MAE


@dataclass(frozen=True)
class Rounds:
    """How many interleaved rounds one measurement takes."""

    most: int  # rounds at most
    least: int  # rounds at least
    budget: float  # seconds: after ``least`` rounds, no new round starts past this


SPEED_ROUNDS = Rounds(most=25, least=MIN_PAIRS, budget=90.0)  # about 5 s a round
COST_ROUNDS = Rounds(most=15, least=MIN_PAIRS, budget=120.0)  # about 13 s a round


def fit_run(fit, x, y, k1: int, device):
    """``seed -> (seconds, (loss, mae))`` for a whole fit."""
    return lambda seed: timed(lambda: fit(x, y, k1, K2, seed, device), device)


def epoch_run(epoch):
    """``seed -> (seconds, (loss, mae))`` for a training epoch; model and optimizer untimed."""

    def run(seed):
        prepared = epoch.prepare(seed)
        return timed(lambda: epoch.run(prepared), device=epoch.device)

    return run


def speed_runs(x: np.ndarray, y: np.ndarray, device: torch.device) -> dict:
    return {
        "fit(50,50)": fit_run(lstmkit_fit, x, y, 50, device),
        "plain fit(50,50)": fit_run(plain_fit, x, y, 50, device),
        "epoch(50,50)": epoch_run(LstmkitEpoch(x, y, 50, K2, device)),
        "plain epoch(50,50)": epoch_run(PlainEpoch(x, y, 50, K2, device)),
    }


def cost_runs(x: np.ndarray, y: np.ndarray, device: torch.device) -> dict:
    return {
        "epoch(10,50)": epoch_run(LstmkitEpoch(x, y, 10, K2, device)),
        "epoch(50,50)": epoch_run(LstmkitEpoch(x, y, 50, K2, device)),
        "plain epoch(10,50)": epoch_run(PlainEpoch(x, y, 10, K2, device)),
        "plain epoch(50,50)": epoch_run(PlainEpoch(x, y, 50, K2, device)),
    }


def measure(runs: dict, rounds: Rounds, steps: int) -> tuple[dict, dict]:
    """Time ``runs`` in interleaved rounds; print the medians and check the figures."""
    seconds, figures = interleaved(runs, rounds.most, rounds.least, rounds.budget)
    print(f"  {len(next(iter(seconds.values())))} rounds; median of each run:")
    for name, values in seconds.items():
        median = statistics.median(values)
        loss, mae = figures[name]
        print(
            f"    {name:20s} {median:8.3f} s  {steps / median:10,.0f} steps/s   "
            f"loss {loss:.6f}  mae {mae:.6f}"
        )
    check_figures(figures)
    warn_disturbed(seconds)
    return seconds, figures


def ratio_line(label: str, ratio: dict, target: str = "") -> str:
    return (
        f"  {label:46s} median {ratio['median']:.3f}x  IQR [{ratio['q25']:.3f}, "
        f"{ratio['q75']:.3f}]{target}"
    )


def report_speed(seconds: dict) -> bool:
    speed = pair_ratios(seconds["plain fit(50,50)"], seconds["fit(50,50)"])
    epoch_speed = pair_ratios(seconds["plain epoch(50,50)"], seconds["epoch(50,50)"])
    print("  lstmkit steps/s over the plain loop's (pairs of the same round):")
    print(ratio_line("whole fit vs plain fit-equivalent", speed, f"   target >= {SPEED_TARGET}x"))
    print(ratio_line("training epoch only", epoch_speed))
    print(f"  pair ratios (whole fit): {' '.join(f'{r:.3f}' for r in speed['all'])}")
    passed = speed["median"] >= SPEED_TARGET
    print(
        f"  {'PASS' if passed else 'FAIL'}: lstmkit fit runs at {speed['median']:.3f}x "
        f"the plain loop's steps/s (target >= {SPEED_TARGET}x)"
    )
    return passed


def report_cost(seconds: dict) -> bool:
    cost = pair_ratios(seconds["epoch(10,50)"], seconds["epoch(50,50)"])
    plain_cost = pair_ratios(seconds["plain epoch(10,50)"], seconds["plain epoch(50,50)"])
    speed_10 = pair_ratios(seconds["plain epoch(10,50)"], seconds["epoch(10,50)"])
    print("  TBPTT(10, 50) seconds per step over TBPTT(50, 50)'s (pairs of the same round):")
    print(ratio_line("lstmkit training epoch", cost, f"   target <= {COST_TARGET}x"))
    print(ratio_line("plain loop training epoch (the inherent cost)", plain_cost))
    print(ratio_line("lstmkit steps/s over plain's at TBPTT(10, 50)", speed_10))
    print(f"  pair ratios (lstmkit): {' '.join(f'{r:.3f}' for r in cost['all'])}")
    passed = cost["median"] <= COST_TARGET
    print(
        f"  {'PASS' if passed else 'FAIL'}: TBPTT(10, 50) costs {cost['median']:.3f}x "
        f"TBPTT(50, 50) per step (target <= {COST_TARGET}x)"
    )
    return passed


def warn_disturbed(seconds: dict) -> None:
    """Name the rounds that took over twice the median round: another process held a core."""
    totals = [sum(run) for run in zip(*seconds.values())]
    typical = statistics.median(totals)
    slow = [index + 1 for index, total in enumerate(totals) if total > 2 * typical]
    if slow:
        print(
            f"  WARNING: round(s) {', '.join(map(str, slow))} took over 2x the median round "
            f"({typical:.1f} s): the machine was busy; rerun for clean figures"
        )


def check_figures(figures: dict) -> None:
    """Runs of one schedule start from the same weights and data: loss and MAE must agree."""
    for k1 in (50, 10):
        group = [value for name, value in figures.items() if name.endswith(f"({k1},50)")]
        if not group:
            continue
        spread = max(
            abs(value[i] - group[0][i]) / abs(group[0][i]) for value in group for i in (0, 1)
        )
        verdict = "agree" if spread <= FIGURE_TOLERANCE else "DIFFER: the sides do different work"
        print(
            f"  loss and MAE of the TBPTT({k1}, 50) runs {verdict} (relative spread {spread:.1e})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 32,000 steps, 3 rounds")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print(
            "--device cuda: CUDA is not available on this machine (torch "
            f"{torch.__version__}); nothing was run."
        )
        return 0
    torch.set_num_threads(THREADS)
    device = torch.device(args.device)
    steps = QUICK_STEPS if args.quick else STEPS
    quick = Rounds(QUICK_PAIRS, QUICK_PAIRS, 0.0)
    name = torch.cuda.get_device_name() if device.type == "cuda" else platform.machine()
    print(
        f"lstmkit TBPTT speed benchmark: torch {torch.__version__}, {torch.get_num_threads()} "
        f"threads, {args.device} ({name}), Python {sys.version.split()[0]}, "
        f"{'quick smoke run' if args.quick else 'full run'}"
    )
    print(
        f"  {steps:,}-step noisy sine in {LANES} lanes of {steps // LANES:,} steps, "
        f"1 x {UNITS} units, next-value targets, Adam(1e-3), one epoch per run; "
        f"{load_line()} before"
    )
    started = time.perf_counter()
    x, y = noisy_sine_lanes(steps)
    print("\n[speed] TBPTT(50, 50), lstmkit against the plain loop")
    seconds, _ = measure(speed_runs(x, y, device), quick if args.quick else SPEED_ROUNDS, steps)
    outcomes = [("speed TBPTT(50,50)", report_speed(seconds))]
    print("\n[cost] TBPTT(10, 50) against TBPTT(50, 50)")
    seconds, _ = measure(cost_runs(x, y, device), quick if args.quick else COST_ROUNDS, steps)
    outcomes.append(("cost TBPTT(10,50)", report_cost(seconds)))
    print(f"\n  {load_line()} after the run")
    if args.quick:
        print("  (quick run: too few rounds and steps for a verdict; run without --quick)")
    print(
        f"\nSummary ({time.perf_counter() - started:.0f} s): "
        + ", ".join(f"{name} {'PASS' if met else 'FAIL'}" for name, met in outcomes)
    )
    return 0  # a report, not a gate


if __name__ == "__main__":
    raise SystemExit(main())
