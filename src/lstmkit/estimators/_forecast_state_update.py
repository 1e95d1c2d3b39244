"""Updating a stateful forecaster: carry the state over new rows, or fine-tune from it.

``update(mode="carry")`` runs only the new observations from the carried state, the
book's "carry the state" (no re-reading of the history); ``"fine_tune"`` trains on the
new stretch from the state at the old end, then carries the state again with the new
weights. ``"refit"`` needs nothing special: it is a new ``fit``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import DataError
from lstmkit.estimators._forecast_gaps import fill_gaps
from lstmkit.estimators._forecast_state import continue_rows, run_history, step_targets


def carry_state(forecaster: Any, old_end: pd.Timestamp) -> None:
    """Move the carried state from ``old_end`` over the rows after it.

    A missing step among the new rows breaks the stream: the state is then rebuilt from
    the last run of present steps (as a fresh fit would leave it).
    """
    filled, encoded, new = _new_rows(forecaster, old_end)
    rows = encoded.past[new:]
    model = forecaster.model_
    if np.isfinite(rows).all() and forecaster.last_output_ is not None:  # state at old_end
        forecaster.last_output_ = continue_rows(model, rows)
    else:
        forecaster.last_output_ = run_history(forecaster.encoder_, model, filled, carry=True)


def fine_tune_state(forecaster: Any, old_end: pd.Timestamp, epochs: int) -> None:
    """Train ``epochs`` passes over the new rows, each from the state at ``old_end``."""
    filled, encoded, new = _new_rows(forecaster, old_end)
    rows = encoded.past[new:]
    targets = step_targets(encoded, forecaster._ahead())[new:]
    if not np.isfinite(rows).all() or not np.isfinite(targets).any():
        raise DataError(
            "fine-tuning a stateful forecaster needs the new observations without a missing "
            f"step and at least horizon + 1 = {forecaster._ahead() + 1} of them (a target is "
            "the next horizon steps): give more new data, or use mode='refit'"
        )
    model = forecaster.model_
    start_state = model.get_state()
    for _ in range(epochs):
        model.set_state(start_state)  # every pass starts where the data seen so far ended
        model.partial_fit([rows.astype(np.float32)], [targets.astype(np.float32)])
    forecaster.history_ = model.history_
    forecaster.last_output_ = run_history(forecaster.encoder_, model, filled, carry=True)


def _new_rows(forecaster: Any, old_end: pd.Timestamp):
    """The filled frame, its encoding, and the encoded position of the first new row."""
    filled = fill_gaps(forecaster.gap_policy_, forecaster.frame_)
    encoded = forecaster.encoder_.encode(filled)
    first_new = int(np.searchsorted(filled.index, old_end, side="right"))
    return filled, encoded, first_new - encoded.offset
