"""A tuning worker for the PostgreSQL test: joins a shared study and runs slow fake trials.

Run as ``python _worker.py URL STUDY_NAME N_TRIALS SEED``, the way a second machine runs
``lstmkit tune --storage URL``: it calls :func:`lstmkit.tune.tune` on the shared study.
Each trial sleeps ``SECONDS_PER_EPOCH`` per epoch and reports its validation loss after
every epoch, so the test can see a trial in progress and kill its worker mid-trial.
"""

import sys
import time

import numpy as np
from sklearn.base import BaseEstimator

from lstmkit.tune import Choice, tune

SECONDS_PER_EPOCH = 0.25


class SlowEstimator(BaseEstimator):
    """Validation loss 1 / units + 0.1 / (epoch + 1), one epoch per SECONDS_PER_EPOCH."""

    def __init__(self, units=1, epochs=4, validation_split=0.0, callbacks=None, random_state=None):
        self.units = units
        self.epochs = epochs
        self.validation_split = validation_split
        self.callbacks = callbacks
        self.random_state = random_state

    def fit(self, X, y):
        losses = []
        for epoch in range(self.epochs):
            time.sleep(SECONDS_PER_EPOCH)
            losses.append(1.0 / self.units + 0.1 / (epoch + 1))
            for callback in self.callbacks or ():
                callback.on_epoch_end(epoch, {"loss": losses[-1], "val_loss": losses[-1]})
        self.history_ = {"loss": losses, "val_loss": losses}
        return self


def main(url: str, study_name: str, n_trials: str, seed: str) -> None:
    tune(
        SlowEstimator(),
        np.zeros((10, 4, 1)),
        np.zeros(10),
        space={"units": Choice([1, 2, 4, 8])},
        n_trials=int(n_trials),
        storage=url,
        study_name=study_name,
        sampler="random",
        pruner=None,
        seed=int(seed),
        refit=False,
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
