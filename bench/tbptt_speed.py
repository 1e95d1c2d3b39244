"""TBPTT training speed: ``LSTMRegressor(tbptt=TBPTT(k1, k2))`` against a plain PyTorch loop.

The task: a 200,000-step noisy sine in 32 lanes (``batchify``), 1 layer of 64 units,
predicting the next value at every step (see ``_tbptt_common.py``). The plain loop is
pytorch/examples' word_language_model: forward 50 steps with ``nn.LSTM`` + ``Linear``,
loss, backward, optimizer step, detach the state, carry on.

Two targets (CONTRACTS §12):

1. TBPTT(50, 50): lstmkit's time steps per second at least 0.9x the plain loop's.
   Timed: one whole ``fit(epochs=1)`` call against the plain loop doing what ``fit``
   does: build the model and optimizer, one epoch with the loss summed on the device
   and read once, then one ordered pass without gradients for the end state of every
   lane (``fit`` computes ``state_`` that way). ``fit`` also accumulates its default
   training metric (MAE) on the device at every update; the plain loop does not, so the
   ratio is, if anything, unfavourable to lstmkit.
2. TBPTT(10, 50) costs at most 5.5x TBPTT(50, 50) per time step. Timed: lstmkit's
   training epoch alone (the public engine calls ``fit`` makes each epoch: lay the
   streams into lanes, ``run_tbptt_epoch``), since the work outside the epoch is the
   same for both schedules and would dilute the ratio. The whole-fit ratio and the
   plain loop's own TBPTT(10, 50) / TBPTT(50, 50) ratio are printed beside it.

Protocol: torch threads = 2; every run once as warm-up; then rounds in one process, each
timing all seven runs below with the same seed, in an order that flips round to round.
A ratio pairs two runs of the same round; the report gives the median over >= 10 rounds
and the interquartile range. Both sides start from the same weights (PyTorch's
initialisation from the same seed, lstmkit's ``init="torch"``) and use
``Adam(lr=1e-3, eps=1e-7)``, so their losses must agree; the script prints them.

    round r:  fit(50,50)  plain fit(50,50)  epoch(50,50)  plain epoch(50,50)
              fit(10,50)  epoch(10,50)      plain epoch(10,50)     (reversed when r is odd)

Run:
    .venv/bin/python bench/tbptt_speed.py                 # full run, about 3 minutes on 2 cores
    .venv/bin/python bench/tbptt_speed.py --quick         # smoke run, about 15 s, no verdict
    .venv/bin/python bench/tbptt_speed.py --device cuda   # both sides on the GPU (cuDNN)
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

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
PAIRS, MIN_PAIRS, QUICK_PAIRS = 15, 10, 3
BUDGET_SECONDS = 150.0  # after MIN_PAIRS rounds, no new round starts past this
LOSS_TOLERANCE = 1e-4  # relative; the same weights and data give the same losses


def make_runs(x: np.ndarray, y: np.ndarray, device: torch.device) -> dict:
    """The seven timed runs, each ``seed -> (seconds, loss)``."""

    def fit_run(fit, k1):
        return lambda seed: timed(lambda: fit(x, y, k1, K2, seed, device), device)

    def epoch_run(epoch):
        def run(seed):
            prepared = epoch.prepare(seed)  # model and optimizer, not timed
            return timed(lambda: epoch.run(prepared), device)

        return run

    return {
        "fit(50,50)": fit_run(lstmkit_fit, 50),
        "plain fit(50,50)": fit_run(plain_fit, 50),
        "epoch(50,50)": epoch_run(LstmkitEpoch(x, y, 50, K2, device)),
        "plain epoch(50,50)": epoch_run(PlainEpoch(x, y, 50, K2, device)),
        "fit(10,50)": fit_run(lstmkit_fit, 10),
        "epoch(10,50)": epoch_run(LstmkitEpoch(x, y, 10, K2, device)),
        "plain epoch(10,50)": epoch_run(PlainEpoch(x, y, 10, K2, device)),
    }


def ratio_line(label: str, ratio: dict, target: str = "") -> str:
    return (
        f"  {label:46s} median {ratio['median']:.3f}x  IQR [{ratio['q25']:.3f}, "
        f"{ratio['q75']:.3f}]{target}"
    )


def report(seconds: dict, losses: dict, steps: int, quick: bool) -> list[tuple[str, bool]]:
    """Print the figures; return each target's (name, met)."""
    rounds = len(seconds["fit(50,50)"])
    print(f"\n{rounds} rounds; median seconds and time steps per second of each run:")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(
            f"  {name:20s} {median:8.3f} s  {steps / median:10,.0f} steps/s   "
            f"loss {losses[name]:.6f}"
        )
    check_losses(losses)
    speed = pair_ratios(seconds["plain fit(50,50)"], seconds["fit(50,50)"])
    epoch_speed = pair_ratios(seconds["plain epoch(50,50)"], seconds["epoch(50,50)"])
    epoch_speed_10 = pair_ratios(seconds["plain epoch(10,50)"], seconds["epoch(10,50)"])
    cost = pair_ratios(seconds["epoch(10,50)"], seconds["epoch(50,50)"])
    fit_cost = pair_ratios(seconds["fit(10,50)"], seconds["fit(50,50)"])
    plain_cost = pair_ratios(seconds["plain epoch(10,50)"], seconds["plain epoch(50,50)"])
    print("\nTBPTT(50, 50): lstmkit steps/s over the plain loop's (pairs of the same round)")
    print(ratio_line("whole fit vs plain fit-equivalent", speed, f"   target >= {SPEED_TARGET}x"))
    print(ratio_line("training epoch only", epoch_speed))
    print(ratio_line("training epoch only, TBPTT(10, 50)", epoch_speed_10))
    print("\nTBPTT(10, 50) seconds per step over TBPTT(50, 50)'s")
    print(ratio_line("lstmkit training epoch", cost, f"   target <= {COST_TARGET}x"))
    print(ratio_line("lstmkit whole fit (same fixed work in both)", fit_cost))
    print(ratio_line("plain loop training epoch (the inherent cost)", plain_cost))
    print(f"\n  fit pair ratios: {' '.join(f'{r:.3f}' for r in speed['all'])}")
    print(f"  cost pair ratios: {' '.join(f'{r:.3f}' for r in cost['all'])}")
    print(f"  {load_line()} after the run")
    warn_disturbed(seconds)
    outcomes = [
        ("speed TBPTT(50,50)", speed["median"] >= SPEED_TARGET),
        ("cost TBPTT(10,50)", cost["median"] <= COST_TARGET),
    ]
    print()
    print(
        f"  {'PASS' if outcomes[0][1] else 'FAIL'}: lstmkit fit runs at {speed['median']:.3f}x "
        f"the plain loop's steps/s (target >= {SPEED_TARGET}x)"
    )
    print(
        f"  {'PASS' if outcomes[1][1] else 'FAIL'}: TBPTT(10, 50) costs {cost['median']:.3f}x "
        f"TBPTT(50, 50) per step (target <= {COST_TARGET}x)"
    )
    if quick:
        print("  (quick run: too few rounds and steps for a verdict; run without --quick)")
    return outcomes


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


def check_losses(losses: dict) -> None:
    """Runs of one schedule start from the same weights and data: their losses must agree."""
    for k1 in (50, 10):
        group = {name: value for name, value in losses.items() if name.endswith(f"({k1},50)")}
        reference = next(iter(group.values()))
        spread = max(abs(value - reference) for value in group.values()) / abs(reference)
        verdict = "agree" if spread <= LOSS_TOLERANCE else "DIFFER: the sides do different work"
        print(f"  losses of the TBPTT({k1}, 50) runs {verdict} (relative spread {spread:.1e})")


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
    pairs, min_pairs = (QUICK_PAIRS, QUICK_PAIRS) if args.quick else (PAIRS, MIN_PAIRS)
    name = torch.cuda.get_device_name() if device.type == "cuda" else platform.machine()
    print(
        f"lstmkit TBPTT speed benchmark: torch {torch.__version__}, {torch.get_num_threads()} "
        f"threads, {args.device} ({name}), Python {sys.version.split()[0]}, "
        f"{'quick smoke run' if args.quick else 'full run'}"
    )
    print(
        f"  {steps:,}-step noisy sine in {LANES} lanes of {steps // LANES:,} steps, 1 x {UNITS} "
        f"units, next-value targets, Adam(1e-3), one epoch per run; {load_line()} before"
    )
    started = time.perf_counter()
    x, y = noisy_sine_lanes(steps)
    seconds, losses = interleaved(make_runs(x, y, device), pairs, min_pairs, BUDGET_SECONDS)
    outcomes = report(seconds, losses, steps, args.quick)
    print(
        f"\nSummary ({time.perf_counter() - started:.0f} s): "
        + ", ".join(f"{name} {'PASS' if met else 'FAIL'}" for name, met in outcomes)
    )
    return 0  # a report, not a gate


if __name__ == "__main__":
    raise SystemExit(main())
