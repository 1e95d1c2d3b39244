"""TBPTT memory: peak RSS beyond the input must not grow with the stream's length.

One epoch of ``LSTMRegressor(tbptt=TBPTT(50, 50)).fit`` on the noisy sine in 32 lanes
(1 x 64 units, next-value targets, see ``_tbptt_common.py``), at 200,000 and at
2,000,000 steps, each in its own subprocess (``sys.executable``, torch threads = 2).
The child reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after ``fit`` returns
and the bytes of the input arrays ``X`` and ``y`` it passed (float32, 8 bytes a step,
allocated separately and generated block by block, so nothing else of their size is
held). Target (CONTRACTS §12):

    (peak RSS - input bytes) at 2M steps  <=  1.1 x  (peak RSS - input bytes) at 200k

The fixed part (Python, torch, the model) is a few hundred MB; 1.1x of it leaves room
for about two more copies of the 2M-step input, so the figure catches any buffer that
grows with the stream: copies of the layout, kept outputs, autograd graphs.

The pair is measured four times (fresh processes each time) and the verdict takes the
worst ratio: how much of the freed memory glibc's heap hands back differs from run to
run (its mmap threshold moves with the allocations), and a user gets whichever run
they get. ``--quick`` measures once.

Run:
    .venv/bin/python bench/tbptt_memory.py           # full run, about 2 minutes on 2 cores
    .venv/bin/python bench/tbptt_memory.py --quick   # smoke run: 32,000 and 320,000 steps only
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from _tbptt_common import LANES, THREADS, UNITS, load_line, lstmkit_fit, noisy_sine_lanes

SIZES, QUICK_SIZES = (200_000, 2_000_000), (32_000, 320_000)
TARGET = 1.1
REPEATS = 4  # fresh-process pairs; the verdict takes the worst
MB = 1 << 20
BYTES_PER_STEP = 8  # one float32 input and one float32 target per step


def current_rss() -> int:
    """Resident bytes now (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def peak_rss() -> int:
    """Peak resident bytes so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(steps: int) -> None:
    """Fit one epoch on ``steps`` steps and print what was measured as one JSON line."""
    torch.set_num_threads(THREADS)
    x, y = noisy_sine_lanes(steps)
    before = {"rss_before_fit": current_rss(), "peak_before_fit": peak_rss()}
    started = time.perf_counter()
    loss, mae = lstmkit_fit(x, y, 50, 50, seed=1, device="cpu")
    seconds = time.perf_counter() - started
    result = {
        "steps": steps,
        "input_bytes": x.nbytes + y.nbytes,
        "peak_rss": peak_rss(),
        "fit_seconds": seconds,
        "loss": loss,
        "mae": mae,
        **before,
    }
    print(json.dumps(result))


def measure(steps: int) -> dict:
    """Run the child for ``steps`` in a fresh interpreter and parse its report."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(steps)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"the {steps:,}-step child failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def beyond_input(row: dict) -> int:
    """Peak RSS minus the input's bytes."""
    return row["peak_rss"] - row["input_bytes"]


def report(pairs: list[tuple[dict, dict]], quick: bool) -> bool:
    """Print every measurement and each repeat's ratio; return whether the worst one meets
    the target (the heap's layout differs from run to run, so one draw is not enough)."""
    print(
        f"\n  {'repeat':>6}  {'steps':>10}  {'input':>8}  {'RSS before fit':>14}  "
        f"{'peak RSS':>9}  {'peak - input':>12}  {'fit':>6}  {'ratio':>6}"
    )
    ratios = []
    for repeat, (small, large) in enumerate(pairs, start=1):
        ratios.append(beyond_input(large) / beyond_input(small))
        for row in (small, large):
            ratio = f"{ratios[-1]:6.3f}" if row is large else ""
            print(
                f"  {repeat:>6}  {row['steps']:>10,}  {row['input_bytes'] / MB:6.1f}MB  "
                f"{row['rss_before_fit'] / MB:12.1f}MB  {row['peak_rss'] / MB:7.1f}MB  "
                f"{beyond_input(row) / MB:10.1f}MB  {row['fit_seconds']:5.1f}s  {ratio}"
            )
    small, large = pairs[ratios.index(max(ratios))]
    growth = (beyond_input(large) - beyond_input(small)) / (large["steps"] - small["steps"])
    print(
        f"\n  worst repeat: {(beyond_input(large) - beyond_input(small)) / MB:.1f} MB more beyond "
        f"the input, {growth:.1f} bytes per extra step (the input is {BYTES_PER_STEP}: "
        f"{growth / BYTES_PER_STEP:.1f} input copies)"
    )
    worst, median = max(ratios), statistics.median(ratios)
    passed = worst <= TARGET
    print(
        f"\n  {'PASS' if passed else 'FAIL'}: (peak RSS - input) at {large['steps']:,} steps is "
        f"{worst:.3f}x that at {small['steps']:,} steps in the worst of {len(ratios)} repeats "
        f"(median {median:.3f}x; target <= {TARGET}x)"
    )
    if quick:
        print("  (quick run: smaller sizes than the target names; run without --quick)")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run at 32k and 320k steps")
    parser.add_argument("--child", type=int, metavar="STEPS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return 0
    sizes = QUICK_SIZES if args.quick else SIZES
    print(
        f"lstmkit TBPTT memory benchmark: torch {torch.__version__}, {THREADS} threads, cpu, "
        f"Python {sys.version.split()[0]}, {'quick smoke run' if args.quick else 'full run'}"
    )
    print(
        f"  one epoch of TBPTT(50, 50) fit, {LANES} lanes, 1 x {UNITS} units, each size in "
        f"its own subprocess; {load_line()}"
    )
    started = time.perf_counter()
    repeats = 1 if args.quick else REPEATS
    print(f"\nOne fit in a fresh process per size, {repeats} repeat(s):")
    passed = report([tuple(measure(n) for n in sizes) for _ in range(repeats)], args.quick)
    print(
        f"\nSummary ({time.perf_counter() - started:.0f} s): memory {'PASS' if passed else 'FAIL'}"
    )
    return 0  # a report, not a gate


if __name__ == "__main__":
    raise SystemExit(main())
