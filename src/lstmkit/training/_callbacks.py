"""Callbacks with Keras's names and meanings: early stopping and learning-rate schedules."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any, Literal


class Callback:
    """Base class: override the hooks you need.

    ``trainer`` is set before ``on_train_begin``; a callback may set
    ``trainer.stop_training = True`` to end training after the current epoch.

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, epoch, logs):
        ...         print(epoch, round(logs["loss"], 2))
    """

    trainer: Any = None

    def on_train_begin(self) -> None:
        """Called once before the first epoch."""

    def on_epoch_begin(self, epoch: int) -> None:
        """Called before each epoch (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Called after each epoch with its loss and metrics."""

    def on_train_end(self) -> None:
        """Called once after the last epoch."""


class EarlyStopping(Callback):
    """Stop when a monitored value has stopped improving, as Keras's ``EarlyStopping``.

    Args:
        monitor: the history key to watch (``"val_loss"`` by default).
        patience: epochs without improvement before stopping.
        min_delta: the smallest change that counts as improvement.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracy, else min).
        restore_best_weights: at the end, put back the weights of the best epoch.

    Example:
        >>> stopper = EarlyStopping(monitor="loss", patience=2)
        >>> stopper.patience
        2
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: Literal["auto", "min", "max"] = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self) -> None:
        self.best = math.inf
        self.wait = 0
        self.best_epoch: int | None = None
        self.best_weights: dict[str, Any] | None = None
        self.stopped_epoch: int | None = None
        self._sign = (
            -1.0 if self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor) else 1.0
        )

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.monitor not in logs:
            from lstmkit.errors import unknown_option

            raise unknown_option("EarlyStopping monitor", self.monitor, logs)
        value = self._sign * logs[self.monitor]
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = copy.deepcopy(self.trainer.module.state_dict())
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.trainer.module.load_state_dict(self.best_weights)


class LearningRateScheduler(Callback):
    """Set the learning rate before each epoch from ``schedule(epoch, lr)``, as in Keras.

    Example:
        >>> halve = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch >= 10 else lr)
        >>> halve.schedule(10, 0.1)
        0.05
    """

    def __init__(self, schedule: Callable[[int, float], float]) -> None:
        self.schedule = schedule

    def on_epoch_begin(self, epoch: int) -> None:
        for group in self.trainer.optimizer.param_groups:
            group["lr"] = float(self.schedule(epoch, group["lr"]))
