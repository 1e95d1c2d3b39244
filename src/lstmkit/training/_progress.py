"""Progress display with Keras's ``verbose`` meanings, drawn with tqdm."""

from __future__ import annotations

import time

import torch
from tqdm.auto import tqdm

_REFRESH_SECONDS = 0.5


class EpochProgress:
    """A per-epoch progress bar for ``verbose=1``; silent otherwise.

    The running loss is read from the device at most every half second, so the
    bar costs no synchronisation on most steps.

    Example:
        >>> progress = EpochProgress(epoch=0, epochs=1, steps=3, verbose=0)
        >>> import torch
        >>> progress.advance(torch.tensor(1.0), 2); progress.close()
    """

    def __init__(self, epoch: int, epochs: int, steps: int, verbose: int) -> None:
        self.bar = None
        if verbose == 1:
            self.bar = tqdm(
                total=steps, desc=f"Epoch {epoch + 1}/{epochs}", unit="batch", leave=True
            )
        self._last_refresh = 0.0

    def advance(self, loss_sum: torch.Tensor, count: int) -> None:
        """Count one finished step; refresh the shown mean loss when enough time has passed."""
        if self.bar is None:
            return
        self.bar.update(1)
        now = time.monotonic()
        if now - self._last_refresh >= _REFRESH_SECONDS:
            self._last_refresh = now
            self.bar.set_postfix(loss=f"{float(loss_sum) / count:.4f}", refresh=False)

    def close(self) -> None:
        """Finish the bar."""
        if self.bar is not None:
            self.bar.close()
