"""Training throughput: ``LSTMRegressor.fit`` against a hand-written PyTorch loop.

Both sides train the same model (``nn.LSTM(batch_first=True)`` → ``nn.Linear`` on
the last step) on the same in-memory data with the same batch size, epochs and
optimizer (``Adam(lr=1e-3, eps=1e-7)``, lstmkit's default). The plain loop does
what ``fit`` does (CONTRACTS §12): a ``torch.randperm`` shuffle cut into index
slices of in-memory tensors (no DataLoader), MSE loss, the per-epoch loss and one
metric (MAE) summed on the device and read once per epoch. lstmkit runs with
``verbose=0`` and no callbacks; its input checks are inside the timed call, since
the user pays for them too.

Protocol: torch threads = 2, one warm-up fit of each, then pairs interleaved in
one process (the order alternates inside each pair so drift favours neither).
A pair's ratio is lstmkit's seconds per epoch over the plain loop's; the report
is the median ratio over the pairs with their interquartile range.

    pair 1:  lstmkit ─► plain       ratio_1 = t_lstmkit / t_plain
    pair 2:  plain   ─► lstmkit     ratio_2 = ...
    ...                             report median(ratio), IQR(ratio)

Run:
    .venv/bin/python bench/throughput.py            # full run, about 3 minutes on 2 cores
    .venv/bin/python bench/throughput.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lstmkit import LSTMRegressor

TARGET_RATIO = 1.1
THREADS = 2
LEARNING_RATE = 1e-3
N_FEATURES = 4


@dataclass(frozen=True)
class Setting:
    """One benchmark configuration."""

    name: str
    num_layers: int
    units: int
    timesteps: int
    batch_size: int
    samples: int
    epochs: int


SETTINGS = (
    Setting("small", num_layers=1, units=32, timesteps=20, batch_size=32, samples=2048, epochs=3),
    Setting("large", num_layers=2, units=128, timesteps=100, batch_size=64, samples=512, epochs=2),
)
PAIRS = 25  # at most; fewer when the time budget runs out, never fewer than MIN_PAIRS
MIN_PAIRS = 10
BUDGET_SECONDS = 90.0  # per configuration, measured pairs only
QUICK_PAIRS = 3


def make_data(setting: Setting, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A learnable regression task: y is a noisy mean of the first feature over time."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((setting.samples, setting.timesteps, N_FEATURES)).astype(np.float32)
    y = x[:, :, 0].mean(axis=1) + 0.1 * rng.standard_normal(setting.samples)
    return x, y.astype(np.float32)


class PlainLSTM(nn.Module):
    """What a user writes by hand: LSTM layers, then a linear layer on the last step."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.lstm(x)  # (batch, time, hidden)
        return self.head(outputs[:, -1])  # (batch, 1)


def plain_fit(
    x_np: np.ndarray, y_np: np.ndarray, setting: Setting, seed: int
) -> list[tuple[float, float]]:
    """Train with a hand-written loop that does what ``fit`` does; return (loss, mae) per epoch."""
    torch.manual_seed(seed)
    x = torch.from_numpy(x_np)
    y = torch.from_numpy(y_np).view(-1, 1)  # (samples, 1)
    model = PlainLSTM(N_FEATURES, setting.units, setting.num_layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
    generator = torch.Generator().manual_seed(seed)
    count = len(x)
    history = []
    for _ in range(setting.epochs):
        model.train()
        total_loss = torch.zeros(())
        total_error = torch.zeros(())
        for index in torch.randperm(count, generator=generator).split(setting.batch_size):
            x_batch, y_batch = x[index], y[index]
            optimizer.zero_grad(set_to_none=True)
            prediction = model(x_batch)
            loss = F.mse_loss(prediction, y_batch)
            loss.backward()
            optimizer.step()
            # Summed on the device, read once per epoch (as fit does).
            total_loss = total_loss + loss.detach() * len(index)
            total_error = total_error + (prediction.detach() - y_batch).abs().sum()
        history.append((float(total_loss) / count, float(total_error) / count))
    return history


def lstmkit_fit(
    x: np.ndarray, y: np.ndarray, setting: Setting, seed: int
) -> list[tuple[float, float]]:
    """Train through the estimator; return (loss, mae) per epoch."""
    model = LSTMRegressor(
        units=setting.units,
        num_layers=setting.num_layers,
        epochs=setting.epochs,
        batch_size=setting.batch_size,
        learning_rate=LEARNING_RATE,
        verbose=0,
        random_state=seed,
        device="cpu",
    ).fit(x, y)
    return list(zip(model.history_.history["loss"], model.history_.history["mae"]))


def timed_fit(run, x, y, setting: Setting, seed: int) -> tuple[float, tuple[float, float]]:
    """Return the wall time of one whole fit call divided by the epochs, and the last (loss, mae)."""
    started = time.perf_counter()
    history = run(x, y, setting, seed)
    elapsed = time.perf_counter() - started
    if len(history) != setting.epochs or not all(np.isfinite(history[-1])):
        raise RuntimeError(
            f"{run.__name__} did not train {setting.epochs} finite epochs: {history}"
        )
    return elapsed / setting.epochs, history[-1]


def quartiles(values: list[float]) -> tuple[float, float]:
    """The 25th and 75th percentiles (linear interpolation, as numpy's default)."""
    q25, q75 = np.percentile(values, [25, 75])
    return float(q25), float(q75)


def measure(setting: Setting, pairs: int, min_pairs: int) -> dict[str, object]:
    """Warm up both sides, then time up to ``pairs`` interleaved pairs.

    After ``min_pairs`` pairs, stops early once ``BUDGET_SECONDS`` have passed
    (the machine is shared, and contention can stretch a run several-fold).
    """
    x, y = make_data(setting)
    timed_fit(lstmkit_fit, x, y, setting, seed=0)
    timed_fit(plain_fit, x, y, setting, seed=0)
    ours, plain, ratios, last = [], [], [], {}
    started = time.perf_counter()
    for pair in range(pairs):
        if pair >= min_pairs and time.perf_counter() - started > BUDGET_SECONDS:
            break
        seed = pair + 1
        if pair % 2 == 0:
            a, last["lstmkit"] = timed_fit(lstmkit_fit, x, y, setting, seed)
            b, last["plain"] = timed_fit(plain_fit, x, y, setting, seed)
        else:
            b, last["plain"] = timed_fit(plain_fit, x, y, setting, seed)
            a, last["lstmkit"] = timed_fit(lstmkit_fit, x, y, setting, seed)
        ours.append(a)
        plain.append(b)
        ratios.append(a / b)
    return {"ours": ours, "plain": plain, "ratios": ratios, "last": last}


def report(setting: Setting, result: dict[str, object]) -> bool:
    """Print one configuration's figures; return whether it meets the target."""
    ratios = result["ratios"]
    median = statistics.median(ratios)
    q25, q75 = quartiles(ratios)
    passed = median <= TARGET_RATIO
    print(
        f"\n[{setting.name}] {setting.num_layers} layer(s) x {setting.units} units, "
        f"{setting.timesteps} steps x {N_FEATURES} features, batch {setting.batch_size}, "
        f"{setting.samples} samples, {setting.epochs} epochs per fit, {len(ratios)} pairs"
    )
    for side, key in (("lstmkit fit", "ours"), ("plain loop", "plain")):
        loss, mae = result["last"]["lstmkit" if key == "ours" else "plain"]
        print(
            f"  {side:12s}  median {statistics.median(result[key]):.4f} s/epoch"
            f"   (last fit's final epoch: loss {loss:.4f}, mae {mae:.4f})"
        )
    print(f"  ratio lstmkit/plain  median {median:.3f}x  IQR [{q25:.3f}, {q75:.3f}]")
    print(f"  pair ratios: {' '.join(f'{r:.3f}' for r in ratios)}")
    print(
        f"  load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)"
    )
    print(
        f"  {'PASS' if passed else 'MISS'}: median ratio {median:.3f}x (target <= {TARGET_RATIO}x)"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a short smoke run (3 pairs, fewer samples)"
    )
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    settings = SETTINGS
    pairs, min_pairs = PAIRS, MIN_PAIRS
    if args.quick:
        settings = tuple(
            Setting(s.name, s.num_layers, s.units, s.timesteps, s.batch_size, s.samples // 8, 1)
            for s in SETTINGS
        )
        pairs = min_pairs = QUICK_PAIRS
    print(
        f"lstmkit throughput benchmark: torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{platform.machine()}, {'quick smoke run' if args.quick else 'full run'}"
    )
    started = time.perf_counter()
    outcomes = []
    for setting in settings:
        outcomes.append((setting.name, report(setting, measure(setting, pairs, min_pairs))))
    print(
        f"\nSummary ({time.perf_counter() - started:.0f} s): "
        + ", ".join(f"{name} {'PASS' if passed else 'MISS'}" for name, passed in outcomes)
    )
    if args.quick:
        print("(quick run: too few pairs and epochs for a verdict; run without --quick)")
    return 0  # a report, not a gate


if __name__ == "__main__":
    raise SystemExit(main())
