"""Experiment logging callbacks: TensorBoard and MLflow, each an optional extra.

Both log what the History records, once per epoch, under the same names (``loss``,
``val_loss``, ``accuracy``, ...), plus the learning rate of the first parameter group as
``lr`` (what a schedule changes). Steps are 0-based epochs, as Keras's ``TensorBoard``
callback writes them. The packages are imported when the callback is created, so a
missing one is reported before training starts, not after the first epoch.
"""

from __future__ import annotations

import os
from typing import Any

from lstmkit.errors import require_module
from lstmkit.training._callbacks import Callback


def _learning_rate(trainer: Any) -> dict[str, float]:
    """The first parameter group's learning rate, when the trainer has an optimizer."""
    optimizer = getattr(trainer, "optimizer", None)
    if optimizer is None or not optimizer.param_groups:
        return {}
    return {"lr": float(optimizer.param_groups[0]["lr"])}


class TensorBoardLogger(Callback):
    """Write each epoch's loss, metrics and learning rate as TensorBoard scalars.

    Needs the ``tensorboard`` package (``pip install 'lstmkit[tensorboard]'``); look at the
    run with ``tensorboard --logdir LOG_DIR``. Each ``fit`` opens one event file in
    ``log_dir`` and closes it when training ends.

    Args:
        log_dir: the folder for the event files (created when missing).

    Example:
        >>> import tempfile, lstmkit
        >>> from lstmkit.problems import echo
        >>> X, y = echo.make(16, random_state=0)
        >>> folder = tempfile.mkdtemp()
        >>> model = lstmkit.LSTMClassifier(
        ...     units=4, epochs=2, callbacks=[TensorBoardLogger(folder)], random_state=0
        ... ).fit(X, y)
        >>> any(name.startswith("events.out.tfevents") for name in os.listdir(folder))
        True
    """

    def __init__(self, log_dir: str | os.PathLike[str]) -> None:
        require_module("tensorboard", extra="tensorboard", purpose="TensorBoardLogger")
        self.log_dir = os.fspath(log_dir)
        self._writer: Any = None

    def on_train_begin(self) -> None:
        """Open an event file in ``log_dir``."""
        from torch.utils.tensorboard import SummaryWriter

        self._writer = SummaryWriter(log_dir=self.log_dir)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Add one scalar per logged value, at step ``epoch``."""
        for name, value in {**logs, **_learning_rate(self.trainer)}.items():
            self._writer.add_scalar(name, float(value), global_step=epoch)

    def on_train_end(self) -> None:
        """Flush and close the event file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __deepcopy__(self, memo: dict[int, Any]) -> TensorBoardLogger:
        # scikit-learn's clone deep-copies callbacks; an open writer cannot be copied and
        # must not be shared, so a copy starts closed.
        return TensorBoardLogger(self.log_dir)


class MLflowLogger(Callback):
    """Log each epoch's loss, metrics and learning rate to an MLflow run.

    Needs ``mlflow`` or ``mlflow-skinny`` (``pip install 'lstmkit[mlflow]'``). With no run
    active, each ``fit`` starts one (named ``run_name``) and ends it when training ends;
    inside ``with mlflow.start_run():`` it logs into that run and leaves it open.

    Args:
        tracking_uri: where runs are stored (``sqlite:///mlflow.db``, a server URL, a
            folder); ``None`` keeps MLflow's own setting (``MLFLOW_TRACKING_URI``).
        experiment: the experiment's name; ``None`` keeps the active one.
        run_name: the name of the run started by ``fit``.
        params: values logged once as the run's parameters (the estimator's settings).

    Example:
        >>> logger = MLflowLogger(run_name="echo", params={"units": 4})  # doctest: +SKIP
        >>> lstmkit.LSTMClassifier(units=4, callbacks=[logger]).fit(X, y)  # doctest: +SKIP
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        experiment: str | None = None,
        run_name: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        require_module("mlflow", extra="mlflow", purpose="MLflowLogger")
        self.tracking_uri = tracking_uri
        self.experiment = experiment
        self.run_name = run_name
        self.params = dict(params or {})
        self._started_run = False

    def on_train_begin(self) -> None:
        """Point MLflow at the store and start a run unless one is active."""
        import mlflow

        if self.tracking_uri is not None:
            mlflow.set_tracking_uri(self.tracking_uri)
        if self.experiment is not None:
            mlflow.set_experiment(self.experiment)
        self._started_run = mlflow.active_run() is None
        if self._started_run:
            mlflow.start_run(run_name=self.run_name)
        if self.params:
            mlflow.log_params({name: str(value) for name, value in self.params.items()})

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Log every value of the epoch at step ``epoch``."""
        import mlflow

        values = {name: float(value) for name, value in logs.items()}
        mlflow.log_metrics({**values, **_learning_rate(self.trainer)}, step=epoch)

    def on_train_end(self) -> None:
        """End the run this callback started (a run the caller opened stays open)."""
        import mlflow

        if self._started_run:
            mlflow.end_run()
            self._started_run = False
