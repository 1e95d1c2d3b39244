"""Shared pieces of the TBPTT benchmarks: the noisy sine, both training loops, the protocol.

The task (the issue's): a noisy sine of ``steps + 1`` values, inputs ``s[t]``, targets
``s[t + 1]`` (predict the next value), cut into 32 equal consecutive pieces, one per
batch lane, exactly as ``batchify`` does in pytorch/examples' word_language_model:

    series  s0 s1 s2 … s(n-1)            lanes = 32, T = n / 32
    lane 0  s0      … s(T-1)             X: (32, T, 1)   inputs
    lane 1  sT      … s(2T-1)            Y: (32, T)      next values
    …

Both sides train ``nn.LSTM(1, 64, batch_first=True)`` → ``nn.Linear(64, 1)`` on every
step with MSE and ``Adam(lr=1e-3, eps=1e-7)`` (lstmkit's ``"adam"``), from the same
initial weights (PyTorch's initialisation, ``init="torch"``, drawn from the same seed),
and both report the epoch's loss and MAE (``fit``'s default metric), summed on the
device over each update's loss steps and read once per epoch. Their figures agree, and
the scripts check that they do. Every run returns ``(loss, mae)``.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lstmkit import TBPTT, LSTMRegressor
from lstmkit.models import VanillaConfig, VanillaLSTM
from lstmkit.training import (
    Loss,
    MetricAccumulator,
    StreamData,
    make_optimizer,
    run_tbptt_epoch,
)

LANES = 32
UNITS = 64
LEARNING_RATE = 1e-3
THREADS = 2
PERIOD = 100  # steps per sine cycle
NOISE = 0.1  # standard deviation of the added Gaussian noise
_BLOCK = 1 << 16  # values generated at a time: no full-length temporaries


# ----------------------------------------------------------------------------- data
def noisy_sine_lanes(steps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The series cut into ``LANES`` consecutive pieces: inputs and next-value targets.

    Written block by block into the two result arrays (no full-length temporaries),
    so the memory benchmark's peak RSS is not set by the data generation.

    Returns:
        ``X`` of shape ``(LANES, steps // LANES, 1)`` and ``Y`` of shape
        ``(LANES, steps // LANES)``, both float32 and separately allocated.
    """
    if steps % LANES:
        raise ValueError(f"steps must be a multiple of {LANES} lanes, got {steps}")
    rng = np.random.default_rng(seed)
    x = np.empty(steps, dtype=np.float32)
    y = np.empty(steps, dtype=np.float32)
    for start in range(0, steps + 1, _BLOCK):
        stop = min(start + _BLOCK, steps + 1)
        block = np.sin(np.arange(start, stop, dtype=np.float64) * (2 * math.pi / PERIOD))
        block += NOISE * rng.standard_normal(stop - start)
        values = block.astype(np.float32)  # s[start:stop]
        x[start : min(stop, steps)] = values[: min(stop, steps) - start]
        y[max(start - 1, 0) : stop - 1] = values[1 if start == 0 else 0 :]
    return x.reshape(LANES, -1, 1), y.reshape(LANES, -1)


# ----------------------------------------------------------------------------- plain loop
class PlainLSTM(nn.Module):
    """word_language_model's RNNModel for real values: LSTM, then a linear layer per step."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(1, UNITS, batch_first=True)
        self.head = nn.Linear(UNITS, 1)

    def forward(self, x: torch.Tensor, state=None):
        outputs, state = self.lstm(x, state)  # (lanes, time, hidden)
        return self.head(outputs), state  # (lanes, time, 1)


def plain_model(seed: int, device: torch.device) -> tuple[PlainLSTM, torch.optim.Optimizer]:
    """The plain model and optimizer; the same weights as lstmkit's with ``init="torch"``."""
    torch.manual_seed(seed)
    model = PlainLSTM().to(device)
    return model, torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)


def plain_epoch(
    model: PlainLSTM,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    k1: int,
    k2: int,
) -> tuple[float, float]:
    """One epoch of TBPTT(k1, k2) written by hand; returns the mean loss and MAE (read once).

    k1 = k2 is word_language_model's loop: run k1 steps from the carried state, loss,
    backward, step, detach, carry on. k1 < k2 (k2 a multiple of k1) reruns the last
    k2 steps from the state saved k2 steps back, with the loss on the newest k1 steps
    (CONTRACTS §4); the state carried on comes from that update's forward pass.

    Shape:
        x: ``(lanes, T, 1)``; y: ``(lanes, T, 1)``; T a multiple of k1.
    """
    if k2 % k1 or x.shape[1] % k1:
        raise ValueError("the plain loop needs k2 and the lane length to be multiples of k1")
    model.train()
    saved = {0: None}  # detached states at update ends, by position
    total = torch.zeros((), device=x.device)
    error = torch.zeros((), device=x.device)
    for end in range(k1, x.shape[1] + 1, k1):
        start = max(0, end - k2)
        optimizer.zero_grad(set_to_none=True)
        output, state = model(x[:, start:end], saved[start])  # (lanes, end - start, 1)
        prediction, target = output[:, -k1:], y[:, end - k1 : end]
        loss = F.mse_loss(prediction, target)
        loss.backward()
        optimizer.step()
        saved[end] = tuple(part.detach() for part in state)
        saved.pop(end - k2, None)  # no later window starts there
        total = total + loss.detach()  # every update has lanes * k1 targets
        error = error + (prediction.detach() - target).abs().sum()
    return float(total) / (x.shape[1] // k1), float(error) / y.numel()


def plain_fit(
    x_np: np.ndarray, y_np: np.ndarray, k1: int, k2: int, seed: int, device
) -> tuple[float, float]:
    """What ``fit(epochs=1)`` does, by hand: model, optimizer, one epoch, then one ordered
    pass without gradients for the end state of every lane (lstmkit's ``state_``).

    The end-state pass runs k1 steps at a time, carrying the state, as word_language_model's
    ``evaluate`` does (faster here than one call over the whole lane: 0.16 s against 0.20 s
    at 200,000 steps, best of 12); it needs the LSTM's state only, not the linear layer.
    """
    model, optimizer = plain_model(seed, device)
    x = torch.from_numpy(x_np).to(device)
    y = torch.from_numpy(y_np).to(device).unsqueeze(-1)  # (lanes, T, 1)
    figures = plain_epoch(model, optimizer, x, y, k1, k2)
    model.eval()
    state = None
    with torch.no_grad():
        for start in range(0, x.shape[1], k1):
            _, state = model.lstm(x[:, start : start + k1], state)
    _ = tuple(part.cpu() for part in state)  # lstmkit's state_ lives on the CPU
    return figures


# ----------------------------------------------------------------------------- lstmkit
def lstmkit_fit(
    x: np.ndarray, y: np.ndarray, k1: int, k2: int, seed: int, device
) -> tuple[float, float]:
    """``LSTMRegressor.fit`` for one epoch of TBPTT(k1, k2) over the 32 streams."""
    model = LSTMRegressor(
        units=UNITS,
        return_sequences=True,
        tbptt=TBPTT(k1, k2),
        batch_size=LANES,
        epochs=1,
        learning_rate=LEARNING_RATE,
        shuffle=False,  # word_language_model keeps lane i on piece i
        verbose=0,
        random_state=seed,
        device=str(device),
        init="torch",
    ).fit(x, y)
    history = model.history_.history
    return history["loss"][-1], history["mae"][-1]


class LstmkitEpoch:
    """lstmkit's training epoch alone, through the public engine, as ``fit`` runs it.

    ``Trainer`` calls ``train_stream_epoch`` once per epoch: reset the metrics, lay the
    streams into lanes (``StreamData.layout``, moved to the device, ``entry``), run
    ``run_tbptt_epoch`` with the metrics, read loss and metrics. Only that is timed;
    building the module and optimizer is not (nor is it for the plain epoch).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, k1: int, k2: int, device) -> None:
        streams = list(torch.from_numpy(x))  # one (T, 1) tensor per lane
        targets = [row.unsqueeze(-1) for row in torch.from_numpy(y)]  # (T, 1) each
        self.data = StreamData(streams, targets, TBPTT(k1, k2), LANES)
        self.device = torch.device(device)

    def prepare(self, seed: int):
        torch.manual_seed(seed)
        config = VanillaConfig(1, UNITS, 1, return_sequences=True, init="torch")
        module = VanillaLSTM(config).to(self.device)
        return module, make_optimizer("adam", module.parameters(), LEARNING_RATE)

    def run(self, prepared) -> tuple[float, float]:
        module, optimizer = prepared
        module.train()
        metric = MetricAccumulator("mae")
        metric.reset()
        layout, state = self.data.entry(self.data.layout(None, self.device))
        epoch = run_tbptt_epoch(
            module, Loss("mse"), optimizer, self.data.tbptt, layout, state=state, metrics=[metric]
        )
        return epoch.loss, metric.result()


class PlainEpoch:
    """The plain loop's training epoch alone (data already on the device)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, k1: int, k2: int, device) -> None:
        self.device = torch.device(device)
        self.x = torch.from_numpy(x).to(self.device)
        self.y = torch.from_numpy(y).to(self.device).unsqueeze(-1)
        self.k1, self.k2 = k1, k2

    def prepare(self, seed: int):
        return plain_model(seed, self.device)

    def run(self, prepared) -> tuple[float, float]:
        return plain_epoch(*prepared, self.x, self.y, self.k1, self.k2)


# ----------------------------------------------------------------------------- protocol
def timed(run: Callable[[], tuple], device) -> tuple[float, tuple]:
    """Wall seconds of ``run()`` (the GPU drained before and after) and its figures."""
    cuda = torch.device(device).type == "cuda"
    if cuda:
        torch.cuda.synchronize()
    started = time.perf_counter()
    figures = run()
    if cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - started
    if not all(math.isfinite(value) for value in figures):
        raise RuntimeError(f"a benchmark run ended with non-finite figures {figures}")
    return elapsed, figures


def interleaved(
    runs: dict[str, Callable[[int], tuple[float, tuple]]],
    pairs: int,
    min_pairs: int,
    budget_seconds: float,
) -> tuple[dict[str, list[float]], dict[str, tuple]]:
    """Warm every run up once, then time them in rounds whose order flips round to round.

    Each ``runs[name](seed)`` returns ``(seconds, figures)``. After ``min_pairs`` rounds no
    new round starts once ``budget_seconds`` have passed. Returns the seconds per name
    (one per round, so ratios pair runs of the same round) and each name's last figures.
    """
    names = list(runs)
    for name in names:
        runs[name](0)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    losses: dict[str, tuple] = {}
    started = time.perf_counter()
    for pair in range(pairs):
        if pair >= min_pairs and time.perf_counter() - started > budget_seconds:
            break
        for name in names if pair % 2 == 0 else reversed(names):
            elapsed, losses[name] = runs[name](pair + 1)
            seconds[name].append(elapsed)
        spent = sum(values[-1] for values in seconds.values())
        print(f"  round {pair + 1}: {spent:.1f} s timed; {load_line()}", flush=True)
    return seconds, losses


def pair_ratios(numerators: list[float], denominators: list[float]) -> dict[str, object]:
    """The ratios of runs of the same round: their median and interquartile range."""
    ratios = [a / b for a, b in zip(numerators, denominators)]
    q25, q75 = np.percentile(ratios, [25, 75])
    return {
        "median": statistics.median(ratios),
        "q25": float(q25),
        "q75": float(q75),
        "all": ratios,
    }


def load_line() -> str:
    """The load average, to judge whether other work disturbed the figures."""
    values = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"load average {values} ({os.cpu_count()} CPUs)"
