"""The training loop: epochs of mini-batches, validation, callbacks, progress.

Written so that truncated BPTT and stateful streams (a different batch layout
and step schedule) plug in beside the window layout, and so the training step
never reads a value back to the host: losses and metrics are summed on the
device and read once per epoch (or a few times a second for a live bar).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from lstmkit.errors import ConfigError, TrainingError
from lstmkit.training._callbacks import Callback
from lstmkit.training._history import History
from lstmkit.training._losses import Loss
from lstmkit.training._metrics import MetricAccumulator
from lstmkit.training._progress import EpochProgress
from lstmkit.training._streams import StreamData, evaluate_streams, train_stream_epoch
from lstmkit.training._windows import WindowData, batch_indices


@dataclass(frozen=True)
class TrainConfig:
    """How to run the loop.

    Example:
        >>> TrainConfig(epochs=5, batch_size=16).shuffle
        True
    """

    epochs: int = 10
    batch_size: int = 32
    shuffle: bool = True
    clipnorm: float | None = None
    verbose: int = 0

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.epochs, int) or self.epochs < 0:
            problems.append(f"epochs must be a non-negative integer, got {self.epochs!r}")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            problems.append(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if self.clipnorm is not None and not self.clipnorm > 0:
            problems.append(f"clipnorm must be positive or None, got {self.clipnorm!r}")
        if self.verbose not in (0, 1, 2):
            problems.append(
                f"verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), got {self.verbose!r}"
            )
        if problems:
            raise ConfigError("invalid training settings: " + "; ".join(problems))


class Trainer:
    """Fits a module that follows the lstmkit contract on :class:`WindowData`.

    Args:
        module: ``forward(x, state=None, lengths=None) -> (y, state)``.
        loss: the training loss.
        metric_names: metrics to record beside the loss.
        optimizer: a torch optimizer over ``module``'s parameters.
        config: loop settings.

    Example:
        >>> from lstmkit.models import VanillaLSTM, VanillaConfig
        >>> module = VanillaLSTM(VanillaConfig(1, 4, 1))
        >>> trainer = Trainer(module, Loss("mse"), [], torch.optim.SGD(module.parameters(), 0.1),
        ...                   TrainConfig(epochs=2, batch_size=4))
        >>> history = trainer.fit(WindowData(torch.zeros(8, 3, 1), torch.zeros(8, 1)))
        >>> len(history.history["loss"])
        2
    """

    def __init__(
        self,
        module: nn.Module,
        loss: Loss,
        metric_names: Sequence[str],
        optimizer: torch.optim.Optimizer,
        config: TrainConfig,
    ) -> None:
        self.module = module
        self.loss = loss
        binary = loss.name == "binary_crossentropy"
        self.metrics = [MetricAccumulator(name, binary=binary) for name in metric_names]
        self.optimizer = optimizer
        self.config = config
        self.stop_training = False
        self._first_epoch = 0
        # A module whose class says ``uses_targets`` (a teacher-forced decoder) is given
        # the batch's targets in training steps; evaluation and prediction never are.
        self._feeds_targets = bool(getattr(type(module), "uses_targets", False))

    @property
    def device(self) -> torch.device:
        """Where the module's parameters live."""
        return next(self.module.parameters()).device

    def fit(
        self,
        train: WindowData,
        validation: WindowData | None = None,
        callbacks: Sequence[Callback] = (),
        history: History | None = None,
        generator: torch.Generator | None = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``config.epochs`` epochs and return the (extended) history.

        Raises:
            TrainingError: the loss became NaN or infinite; the weights are put
                back to the end of the last good epoch.
        """
        history = history if history is not None else History()
        self.stop_training = False
        self._first_epoch = initial_epoch
        for callback in callbacks:
            callback.trainer = self
            callback.on_train_begin()
        try:
            self._run_epochs(train, validation, callbacks, history, generator, initial_epoch)
        finally:
            for callback in callbacks:
                callback.on_train_end()
        return history

    def _run_epochs(self, train, validation, callbacks, history, generator, initial_epoch) -> None:
        last_good = self._snapshot()
        for epoch in range(initial_epoch, initial_epoch + self.config.epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            started = time.perf_counter()
            logs = self._train_epoch(train, generator, epoch)
            if not (math.isfinite(logs["loss"]) and self._weights_finite()):
                self._restore(last_good)
                raise TrainingError(
                    f"the training loss became {logs['loss']} in epoch {epoch + 1}; the weights "
                    f"were restored to the end of epoch {epoch}. Lower the learning rate, set "
                    "clipnorm, or check the data for extreme values."
                )
            if validation is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(validation).items()})
            last_good = self._snapshot()
            history.append(epoch, logs)
            self._report_epoch(epoch, logs, time.perf_counter() - started)
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break

    def _snapshot(self) -> tuple[dict, dict]:
        """Weights and optimizer state (Adam's moments too), to undo a diverged epoch."""
        return copy.deepcopy(self.module.state_dict()), copy.deepcopy(self.optimizer.state_dict())

    def _restore(self, snapshot: tuple[dict, dict]) -> None:
        self.module.load_state_dict(snapshot[0])
        self.optimizer.load_state_dict(snapshot[1])

    def _weights_finite(self) -> bool:
        # One read per epoch: the last step of an epoch can diverge with a finite epoch loss.
        return bool(
            torch.stack([p.detach().isfinite().all() for p in self.module.parameters()]).all()
        )

    def _train_epoch(
        self, train: WindowData | StreamData, generator, epoch: int
    ) -> dict[str, float]:
        if isinstance(train, StreamData):
            # TBPTT over streams: metrics over each update's loss steps, as Keras reports
            # them for the batches of an epoch.
            loss = train_stream_epoch(
                self.module,
                self.loss,
                self.optimizer,
                train,
                self.device,
                generator,
                self.config.shuffle,
                self.config.clipnorm,
                self.metrics,
            )
            return {"loss": loss, **{metric.name: metric.result() for metric in self.metrics}}
        self.module.train()
        for metric in self.metrics:
            metric.reset()
        total_loss = torch.zeros((), device=train.x.device)
        total_samples = 0
        batches = list(batch_indices(train, self.config.batch_size, self.config.shuffle, generator))
        progress = EpochProgress(
            epoch - self._first_epoch, self.config.epochs, len(batches), self.config.verbose
        )
        for index in batches:
            batch = train.batch(index)
            loss = self._train_step(batch)
            size = len(index)
            # Summed on the device: no host synchronisation inside the epoch.
            total_loss = total_loss + loss.detach() * size
            total_samples += size
            progress.advance(total_loss, total_samples)
        progress.close()
        logs = {"loss": float(total_loss) / max(total_samples, 1)}
        logs.update({metric.name: metric.result() for metric in self.metrics})
        return logs

    def _train_step(self, batch: WindowData) -> torch.Tensor:
        self.optimizer.zero_grad(set_to_none=True)
        if self._feeds_targets:
            # Teacher forcing: the decoder reads the previous target, in training only.
            prediction, _ = self.module(batch.x, lengths=batch.lengths, targets=batch.y)
        else:
            prediction, _ = self.module(batch.x, lengths=batch.lengths)
        loss = self.loss(prediction, batch.y, batch.weight, batch.complete)
        loss.backward()
        if self.config.clipnorm is not None:
            nn.utils.clip_grad_norm_(self.module.parameters(), self.config.clipnorm)
        self.optimizer.step()
        for metric in self.metrics:
            metric.update(prediction.detach(), batch.y, batch.complete)
        return loss

    @torch.no_grad()
    def evaluate(
        self, data: WindowData | StreamData, batch_size: int | None = None
    ) -> dict[str, float]:
        """Return the loss and every metric on ``data``, in evaluation mode.

        The loss is the sample-weighted mean over batches, like Keras's ``evaluate``;
        streams run whole, each from a zero state.
        """
        self.module.eval()
        metrics = [MetricAccumulator(m.name, m.binary) for m in self.metrics]
        if isinstance(data, StreamData):
            return evaluate_streams(self.module, self.loss, metrics, data, self.device)
        total_loss = torch.zeros((), device=data.x.device)
        for index in batch_indices(data, batch_size or self.config.batch_size, shuffle=False):
            batch = data.batch(index)
            prediction, _ = self.module(batch.x, lengths=batch.lengths)
            total_loss = total_loss + self.loss(
                prediction, batch.y, batch.weight, batch.complete
            ) * len(index)
            for metric in metrics:
                metric.update(prediction, batch.y, batch.complete)
        results = {"loss": float(total_loss) / max(len(data), 1)}
        results.update({metric.name: metric.result() for metric in metrics})
        return results

    @torch.no_grad()
    def predict(self, data: WindowData, batch_size: int | None = None) -> torch.Tensor:
        """Return the raw module outputs for every sample, in input order.

        Shape:
            ``(samples, out)`` or, for per-step outputs, ``(samples, time, out)``
            with steps past a sample's length set to NaN.
        """
        self.module.eval()
        outputs: list[tuple[torch.Tensor, torch.Tensor]] = []
        for index in batch_indices(data, batch_size or self.config.batch_size, shuffle=False):
            batch = data.batch(index)
            prediction, _ = self.module(batch.x, lengths=batch.lengths)
            outputs.append((index, prediction))
        return _reassemble(outputs, data)

    def _report_epoch(self, epoch: int, logs: dict[str, float], seconds: float) -> None:
        if self.config.verbose == 2:
            values = " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())
            number = epoch - self._first_epoch + 1  # counted within this call, as Keras does
            print(f"Epoch {number}/{self.config.epochs} - {seconds:.1f}s - {values}")


def _reassemble(outputs: list[tuple[torch.Tensor, torch.Tensor]], data: WindowData) -> torch.Tensor:
    """Put per-batch outputs back in sample order; pad trimmed time axes with NaN."""
    first = outputs[0][1]
    if first.dim() == 2 or not data.per_step:
        result = first.new_empty((len(data),) + tuple(first.shape[1:]))
        for index, prediction in outputs:
            result[index.to(result.device)] = prediction
        return result
    result = first.new_full((len(data), data.x.shape[1], first.shape[-1]), float("nan"))
    for index, prediction in outputs:
        result[index.to(result.device), : prediction.shape[1]] = prediction
    return result
