"""Streaming latency: ``model.stream().step(x)`` against a plain ``nn.LSTM`` call per step.

CONTRACTS §11: one step of a 2-layer × 64-unit LSTM (batch 1, 1 input feature,
1 output) costs at most 50 µs median in model units, and at most 60 µs end to end
in raw units with ``scale_X`` / ``scale_y``, over 10^5 steps. The stream runs on a
NumPy float32 copy of the weights; the reference is what a PyTorch user writes by
hand: the same ``nn.LSTM`` and ``nn.Linear``, one call per step with batch 1,
carrying ``(h, c)`` under ``torch.no_grad()``, the output read with ``.item()``.

    stream:     x ─► step(x) ─► float                 (NumPy, state carried inside)
    reference:  x ─► tensor ─► lstm(x, (h, c)) ─► head ─► .item()

The rolling-window mode (models trained on fixed windows of L steps reruns the
last L inputs each step) is timed separately against ``lstm(window)`` per step.

Protocol (CONTRACTS §12): torch threads = 2, warm-up of both sides, then pairs of
blocks interleaved in one process (the order alternates inside each pair). Every
step is timed on its own; a pair's ratio is the median step time of the stream's
block over the reference's. The report gives the median over all steps, the
median pair ratio and the interquartile range of the pair ratios.

Run:
    .venv/bin/python bench/stream_latency.py            # 10^5 steps per side, about 30 s quiet
    .venv/bin/python bench/stream_latency.py --quick    # 10^4 steps, a few seconds
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from lstmkit import LSTMRegressor

THREADS = 2
UNITS, LAYERS = 64, 2
TARGET_MODEL_US, TARGET_RAW_US = 50.0, 60.0
STEPS, QUICK_STEPS = 100_000, 10_000
WINDOW, WINDOW_STEPS = 20, 10_000  # window mode: L and steps timed
PAIRS = 20  # blocks per side; each of the stream's blocks is steps / PAIRS steps
REFERENCE_BLOCK = 2_000  # at most, per reference block: on shared cores torch's threads stall,
REFERENCE_SECONDS = 1.0  # so a reference block also ends after this long (10 steps at least)
QUICK_REFERENCE_SECONDS = 0.1
WARMUP = 2_000


def fitted_models() -> tuple[LSTMRegressor, LSTMRegressor, LSTMRegressor]:
    """Briefly fitted regressors: stream-trained (unscaled and scaled) and window-trained."""
    rng = np.random.default_rng(0)
    streams = [
        np.cumsum(rng.standard_normal((200, 1)), axis=0).astype(np.float32) for _ in range(4)
    ]
    targets = [np.roll(s[:, 0], 1) * 0.5 + 3.0 for s in streams]
    settings = dict(units=UNITS, num_layers=LAYERS, epochs=1, random_state=0, device="cpu")
    stream_trained = dict(settings, return_sequences=True, tbptt=(20, 20), batch_size=4)
    plain = LSTMRegressor(**stream_trained).fit(streams, targets)
    scaled = LSTMRegressor(**stream_trained, scale_X="standard", scale_y="standard")
    windows = rng.standard_normal((128, WINDOW, 1)).astype(np.float32)
    window_model = LSTMRegressor(**settings).fit(windows, windows[:, -1, 0])
    return plain, scaled.fit(streams, targets), window_model


def reference_step(model: LSTMRegressor) -> Callable[[np.ndarray], float]:
    """A hand-written per-step loop with the model's weights in a plain nn.LSTM."""
    lstm = nn.LSTM(1, UNITS, num_layers=LAYERS, batch_first=True)
    head = nn.Linear(UNITS, 1)
    lstm.load_state_dict(model.module_.lstm.state_dict())
    head.load_state_dict(model.module_.head.state_dict())
    state = None

    def step(x: np.ndarray) -> float:
        nonlocal state
        with torch.no_grad():
            out, state = lstm(torch.as_tensor(x, dtype=torch.float32).view(1, 1, -1), state)
            return head(out[:, -1]).item()

    return step


def reference_window_step(model: LSTMRegressor) -> Callable[[np.ndarray], float]:
    """Per step: shift a NumPy window, run the whole window through nn.LSTM from zeros."""
    lstm, head = model.module_.lstm, model.module_.head
    window = np.zeros((WINDOW, 1), dtype=np.float32)
    seen = 0

    def step(x: np.ndarray) -> float:
        nonlocal seen
        window[:-1] = window[1:]
        window[-1] = x
        seen += 1
        with torch.no_grad():
            out, _ = lstm(torch.from_numpy(window[-min(seen, WINDOW) :])[None])
            return head(out[:, -1]).item()

    return step


def timed_block(
    step: Callable[[np.ndarray], object], inputs: np.ndarray, seconds: float = np.inf
) -> np.ndarray:
    """Time every step of a block on its own; return the times in µs.

    Stops early (after 10 steps at least) once the steps have taken ``seconds``.
    """
    clock = time.perf_counter
    times = np.empty(len(inputs))
    spent = 0.0
    for k, x in enumerate(inputs):
        started = clock()
        step(x)
        times[k] = clock() - started
        spent += times[k]
        if spent > seconds and k >= 9:
            return times[: k + 1] * 1e6
    return times * 1e6


def reference_block(
    step: Callable[[np.ndarray], object], inputs: np.ndarray, seconds: float
) -> np.ndarray:
    """The reference's share of a block: its first steps, bounded in count and time."""
    return timed_block(step, inputs[:REFERENCE_BLOCK], seconds)


def measure(ours, reference, steps: int, seconds: float = REFERENCE_SECONDS) -> dict[str, object]:
    """Warm up both sides, then time ``PAIRS`` interleaved pairs of blocks.

    The stream runs all ``steps`` (``steps / PAIRS`` per block); the reference runs the
    first ``REFERENCE_BLOCK`` steps of each block, or fewer after ``seconds``
    (the ratio compares block medians).
    """
    inputs = np.random.default_rng(1).standard_normal((steps, 1))
    timed_block(ours, inputs[: min(WARMUP, steps // PAIRS)])
    reference_block(reference, inputs[: min(WARMUP, steps // PAIRS)], seconds)
    ours_times, reference_times, ratios = [], [], []
    for pair, block in enumerate(np.array_split(inputs, PAIRS)):
        if pair % 2 == 0:
            a, b = timed_block(ours, block), reference_block(reference, block, seconds)
        else:
            b, a = reference_block(reference, block, seconds), timed_block(ours, block)
        ours_times.append(a)
        reference_times.append(b)
        ratios.append(float(np.median(a) / np.median(b)))
    return {
        "ours": np.concatenate(ours_times),
        "reference": np.concatenate(reference_times),
        "ratios": ratios,
    }


def agreement(model: LSTMRegressor, steps: int = 300) -> float:
    """Largest |stream - predict| over the first steps of a fresh stream (a sanity check)."""
    x = np.random.default_rng(2).standard_normal((steps, 1)).astype(np.float32)
    stream = model.stream()
    stepped = np.array([stream.step(row) for row in x])
    batch = model.predict([x]) if stream.mode == "state" else model.predict(_windows(x))
    return float(np.abs(stepped - np.asarray(batch).reshape(-1)).max())


def _windows(x: np.ndarray) -> list[np.ndarray]:
    return [x[max(0, t - WINDOW + 1) : t + 1] for t in range(len(x))]


def report(title: str, result: dict[str, object], target: float | None, error: float) -> bool:
    """Print one measurement; return whether it meets its target (True without one)."""
    ours, reference, ratios = result["ours"], result["reference"], result["ratios"]
    median = float(np.median(ours))
    q25, q75 = np.percentile(ours, [25, 75])
    r25, r75 = np.percentile(ratios, [25, 75])
    print(
        f"\n[{title}] {len(ours)} stream steps, {len(reference)} reference steps, "
        f"{len(ratios)} interleaved pairs of blocks"
    )
    print(f"  lstmkit stream.step  median {median:7.2f} µs/step  IQR [{q25:.2f}, {q75:.2f}]")
    print(f"  plain nn.LSTM        median {float(np.median(reference)):7.2f} µs/step")
    ratio = statistics.median(ratios)
    print(f"  ratio lstmkit/plain  median {ratio:.3f}x  IQR [{r25:.3f}, {r75:.3f}]")
    print(f"  largest |stream - predict| over 300 steps: {error:.2e}")
    if target is None:
        print("  (no target: reported only)")
        return True
    passed = median <= target
    print(f"  {'PASS' if passed else 'FAIL'}: median {median:.2f} µs (target <= {target:.0f} µs)")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of 10^4 steps")
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    steps = QUICK_STEPS if args.quick else STEPS
    window_steps = WINDOW_STEPS // 10 if args.quick else WINDOW_STEPS
    seconds = QUICK_REFERENCE_SECONDS if args.quick else REFERENCE_SECONDS
    print(
        f"lstmkit stream latency: torch {torch.__version__}, numpy {np.__version__}, "
        f"{torch.get_num_threads()} threads, {platform.machine()}, "
        f"{LAYERS} layers x {UNITS} units, batch 1, 1 feature, 1 output"
    )
    started = time.perf_counter()
    torch.set_num_threads(
        1
    )  # fitting is set-up, not timed; one thread never stalls on shared cores
    plain, scaled, window_model = fitted_models()
    torch.set_num_threads(THREADS)
    outcomes = []
    for name, model, target in (
        ("state mode, model units", plain, TARGET_MODEL_US),
        ("state mode, raw units with scale_X/scale_y", scaled, TARGET_RAW_US),
    ):
        result = measure(model.stream().step, reference_step(model), steps, seconds)
        outcomes.append((name, report(name, result, target, agreement(model))))
    stream = window_model.stream()
    result = measure(stream.step, reference_window_step(window_model), window_steps, seconds)
    title = f"window mode, L = {WINDOW} (reruns the window each step)"
    report(title, result, None, agreement(window_model))
    print(
        f"\n  load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)"
    )
    print(
        f"\nSummary ({time.perf_counter() - started:.0f} s): "
        + ", ".join(f"{name} {'PASS' if passed else 'FAIL'}" for name, passed in outcomes)
    )
    if args.quick:
        print("(quick run: 10^4 steps; the targets are stated over 10^5, run without --quick)")
    return 0  # a report, not a gate


if __name__ == "__main__":
    raise SystemExit(main())
