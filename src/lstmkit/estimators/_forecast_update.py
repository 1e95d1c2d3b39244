"""Updating a fitted forecaster as new observations arrive (the book's "How to Update LSTM Models").

Three modes, cheapest first:

- ``"carry"``: append the observations; the forecast origin moves to their end. The
  weights and the transforms stay as fitted (for a window model, "carrying the state"
  is reading the newest window).
- ``"fine_tune"``: append, then continue training the current weights for a few epochs
  on the windows whose targets are new. The transforms stay as fitted, so the model
  keeps the scale it learnt; old data is not revisited (it may slowly be forgotten).
- ``"refit"``: append, then fit a new model and new transforms on all the data seen.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lstmkit.data._time_index import stamp
from lstmkit.errors import ConfigError, DataError, unknown_option
from lstmkit.estimators._forecast_data import read_series
from lstmkit.estimators._forecast_gaps import fill_gaps
from lstmkit.estimators._forecast_windows import training_windows
from lstmkit.estimators._params import is_count

MODES = ("carry", "fine_tune", "refit")


def update_forecaster(
    forecaster: Any,
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    *,
    mode: str = "carry",
    epochs: int | None = None,
) -> Any:
    """Append ``y`` (and covariates) after the data seen so far, then update per ``mode``."""
    if mode not in MODES:
        raise unknown_option("update mode", str(mode), MODES)
    if epochs is not None and (not is_count(epochs) or epochs < 1):
        raise ConfigError(f"epochs must be a positive integer or None, got {epochs!r}")
    roles = forecaster.roles_
    data = read_series(
        y,
        _named(past_covariates, roles.past, y),
        _named(future_covariates, roles.future, y),
        target=roles.targets,
        freq=forecaster.freq_,
    )
    if data.roles != roles:
        raise DataError(
            f"the new observations have the columns {data.roles.inputs} (targets "
            f"{data.roles.targets}), but the forecaster was fitted on {roles.inputs} (targets "
            f"{roles.targets}): give the same columns"
        )
    old_end = forecaster.frame_.index[-1]
    _check_continues(old_end, data.frame.index[0])
    grid = pd.date_range(forecaster.frame_.index[0], data.frame.index[-1], freq=forecaster.freq_)
    combined = pd.concat([forecaster.frame_, data.frame]).reindex(grid)
    if roles.future:  # rows known ahead earlier fill the steps the new data leaves absent
        earlier = forecaster.future_ahead_.reindex(grid)
        combined[roles.future] = combined[roles.future].combine_first(earlier)
    combined.index.freq = forecaster.freq_
    ahead = pd.concat([forecaster.future_ahead_, data.future_ahead])
    ahead = ahead[~ahead.index.duplicated(keep="last") & (ahead.index > grid[-1])]
    if mode == "refit":
        return _refit(forecaster, combined, ahead)
    forecaster.frame_, forecaster.future_ahead_ = combined, ahead
    if forecaster.context == "state":  # move the carried state over the new rows
        _update_state(forecaster, mode, old_end, epochs)
    elif mode == "fine_tune":
        _fine_tune(forecaster, combined, old_end, epochs)
    return forecaster


def _update_state(forecaster: Any, mode: str, old_end: pd.Timestamp, epochs: Any) -> None:
    from lstmkit.estimators._forecast_state_update import carry_state, fine_tune_state

    if mode == "carry":
        carry_state(forecaster, old_end)
    else:
        fine_tune_state(forecaster, old_end, int(epochs or _default_epochs(forecaster)))


def _named(given: Any, names: list[str], y: Any) -> Any:
    """Covariates default to the columns of ``y`` the forecaster knows them by."""
    if given is not None or not names:
        return given
    return names if isinstance(y, pd.DataFrame) else None


def _check_continues(old_end: pd.Timestamp, new_start: pd.Timestamp) -> None:
    if new_start <= old_end:
        raise DataError(
            f"the new observations start at {stamp(new_start)}, but the data seen so far "
            f"ends at {stamp(old_end)}: give only the observations after it"
        )


def _fine_tune(forecaster: Any, frame: pd.DataFrame, old_end: pd.Timestamp, epochs: Any) -> None:
    """Continue training on the windows whose targets include a new observation."""
    filled = fill_gaps(forecaster.gap_policy_, frame)
    encoded = forecaster.encoder_.encode(filled)
    inputs, targets, starts = training_windows(
        encoded,
        forecaster._lookback(),
        forecaster._ahead(),
        bool(forecaster.roles_.future),
    )
    # Row of the last target of each window, on the frame's timeline.
    last_target = starts + encoded.offset + forecaster._lookback() + forecaster._ahead() - 1
    new = filled.index[last_target] > old_end
    if not new.any():
        raise DataError(
            "no window ends in the new observations (too few of them, or gaps): nothing to "
            f"fine-tune on; the model needs lookback + horizon = "
            f"{forecaster._lookback() + forecaster._ahead()} steps ending in new data"
        )
    inputs, targets = inputs[new], targets[new]
    if forecaster.strategy == "recursive":
        targets = targets[:, 0]
    model = forecaster.model_
    model.set_params(warm_start=True, epochs=int(epochs or _default_epochs(forecaster)))
    try:
        model.fit(inputs, targets)
    finally:
        model.set_params(warm_start=False, epochs=forecaster.epochs)
    forecaster.history_ = model.history_


def _default_epochs(forecaster: Any) -> int:
    return max(1, int(forecaster.epochs) // 10)  # a tenth of the fit's, at least one


def _refit(forecaster: Any, frame: pd.DataFrame, ahead: pd.DataFrame) -> Any:
    roles = forecaster.roles_
    y = frame[[*roles.targets, *roles.past]]
    future = None
    if roles.future:
        future = pd.concat([frame[roles.future], ahead[roles.future]])
    return forecaster.fit(y, past_covariates=roles.past or None, future_covariates=future)
