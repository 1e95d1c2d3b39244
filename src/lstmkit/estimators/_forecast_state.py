"""The forecaster's stateful context: one model run through the whole history, state carried.

With ``context="window"`` (the default) a forecast reads the last ``lookback`` steps,
from a zero state, like the book's stateless samples. With ``context="state"`` the
inner LSTM is trained on the series as one stream with truncated BPTT
(``TBPTT(lookback, lookback)``: the gradient reaches ``lookback`` steps back, the state
the whole history), and keeps the state it reaches at the last observation:

```
encoded series   x0 x1 x2 ... x(n-1) | forecast
per-step target  y1..yH  y2..yH+1  ...   (NaN where unknown: masked)
state            s0 -> s1 -> ... -> s(n-1) = carried; its output at x(n-1) = the forecast
update(carry)    s(n-1) -> ... new rows only -> s(m-1)     (no re-reading of the history)
```

A missing step (after the missing-steps policy) breaks the stream: each run of present
steps is a stream of its own, and the carried state is that of the last run. Known-
future covariates and the seq2seq strategy need a window of the steps ahead, so they
stay with ``context="window"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._time_index import stamp
from lstmkit.errors import ConfigError, DataError
from lstmkit.estimators._forecast_windows import training_windows


def check_state_context(future: list[str]) -> None:
    """Raise for known-future covariates, which a stateful forecaster cannot read.

    Example:
        >>> check_state_context(["holiday"])
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: context='state' cannot read known-future covariates ['holiday']: a carried state sees each step once, and those covariates describe steps not yet reached. Use context='window' (the default), or drop them
    """
    if future:
        raise ConfigError(
            f"context='state' cannot read known-future covariates {future}: a carried state "
            "sees each step once, and those covariates describe steps not yet reached. Use "
            "context='window' (the default), or drop them"
        )


def fit_inner_model(forecaster: Any, filled: pd.DataFrame) -> Any:
    """Fit the forecaster's inner regressor on its windows, or as one stream (``"state"``).

    ``forecaster.encoder_`` is fitted on ``filled`` already.
    """
    encoded = forecaster.encoder_.encode(filled)
    roles = forecaster.roles_
    if forecaster.context == "state":
        check_state_context(roles.future)
        return fit_state(forecaster, encoded, filled)
    inputs, targets, _ = training_windows(
        encoded, forecaster._lookback(), forecaster._ahead(), bool(roles.future)
    )
    if forecaster.strategy == "recursive":
        targets = targets[:, 0]  # (windows, targets): one step
    return forecaster._regressor().fit(inputs, targets)


def state_forecast(forecaster: Any, history: pd.DataFrame, steps: int) -> np.ndarray:
    """A stateful forecaster's ``(steps, targets)`` after ``history``.

    From the carried state when ``history`` ends where the data seen so far ends (the
    state is there), else run from a zero state over ``history`` (a backtest origin).
    """
    carried = history.index[-1] == forecaster.frame_.index[-1]
    last_output = forecaster.last_output_ if carried else None
    return forecast_state(
        forecaster.encoder_,
        forecaster.model_,
        history,
        steps,
        strategy=forecaster.strategy,
        last_output=last_output,
    )


def state_regressor(forecaster: Any) -> Any:
    """The inner regressor for a stateful context: per-step outputs, TBPTT(lookback, lookback).

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> state_regressor(LSTMForecaster(lookback=6, context="state")).tbptt
        TBPTT(k1=6, k2=6)
    """
    from lstmkit.estimators._forecast_settings import inner_regressor
    from lstmkit.training import TBPTT

    length = int(forecaster.lookback)
    return inner_regressor(forecaster).set_params(
        return_sequences=True, tbptt=TBPTT(length, length)
    )


def present_runs(present: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of True: the streams a missing step separates.

    Example:
        >>> present_runs(np.array([1, 1, 0, 1, 0, 0, 1, 1, 1], bool))
        [(0, 2), (3, 4), (6, 9)]
    """
    edges = np.diff(np.concatenate([[0], present.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def step_targets(encoded: Any, ahead: int) -> np.ndarray:
    """Per-step targets: the ``ahead`` targets after each step, flattened step by step.

    As the window model's output is laid out. NaN (no loss) where one of them is missing,
    made up by a mask, past the end, or beyond a missing step (another stream).

    Returns:
        ``(n, ahead * targets)`` on the encoded timeline.
    """
    present = np.isfinite(encoded.past).all(axis=1)
    learnable = present & encoded.observed
    count, width = encoded.targets.shape
    wanted = np.full((count, ahead * width), np.nan)
    for start, stop in present_runs(present):
        for t in range(start, stop - ahead):
            after = slice(t + 1, t + 1 + ahead)
            if learnable[after].all():
                wanted[t] = encoded.targets[after].reshape(-1)
    return wanted


def training_streams(encoded: Any, ahead: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each run of present steps as a stream, with its :func:`step_targets`.

    Returns:
        ``(inputs, targets)``: lists of ``(T, width)`` and ``(T, ahead * targets)``.
    """
    present = np.isfinite(encoded.past).all(axis=1)
    wanted = step_targets(encoded, ahead)
    inputs, targets = [], []
    for start, stop in present_runs(present):
        if np.isfinite(wanted[start:stop]).any():
            inputs.append(encoded.past[start:stop].astype(np.float32))
            targets.append(wanted[start:stop].astype(np.float32))
    if not inputs:
        raise DataError(
            f"no stretch of the series is long enough to learn from: a stream needs at least "
            f"horizon + 1 = {ahead + 1} present steps after differencing. Fill more gaps "
            "(missing='interpolate') or shorten the horizon"
        )
    return inputs, targets


def fit_state(forecaster: Any, encoded: Any, filled: pd.DataFrame) -> Any:
    """Train the stateful inner model on ``encoded``; carry its state to the last step."""
    inputs, targets = training_streams(encoded, forecaster._ahead())
    model = state_regressor(forecaster).fit(inputs, targets)
    forecaster.model_ = model  # run_history below reads it
    forecaster.last_output_ = None  # no carried state when the last step is missing
    if np.isfinite(encoded.past[-1]).all():
        forecaster.last_output_ = run_history(forecaster.encoder_, model, filled, carry=True)
    return model


def run_history(encoder: Any, model: Any, history: pd.DataFrame, carry: bool = False):
    """The model's output at the last step of ``history``, run from a zero state.

    Only the last run of present steps is read (a missing step resets the state). With
    ``carry=True`` the model keeps the state it reaches; otherwise its carried state is
    left as it was.
    """
    encoded = encoder.encode(history)
    present = np.isfinite(encoded.past).all(axis=1)
    if len(present) == 0 or not present[-1]:
        raise DataError(
            f"the last step before the forecast origin ({stamp(history.index[-1])}) is "
            "missing: a carried state must reach the origin. Fill it with a missing-steps "
            "policy (missing='interpolate' or 'mask')"
        )
    start = present_runs(present)[-1][0]
    saved = model.get_state()
    model.reset_state()
    outputs = model.predict([encoded.past[start:].astype(np.float32)], stateful=True)
    if not carry:
        _restore(model, saved)
    return np.asarray(outputs[0], dtype=np.float64)[-1]


def continue_rows(model: Any, rows: np.ndarray) -> np.ndarray:
    """Run ``rows`` (encoded, present) from the carried state; keep the new state.

    Returns the output at the last row.
    """
    outputs = model.predict([rows.astype(np.float32)], stateful=True)
    return np.asarray(outputs[0], dtype=np.float64)[-1]


def forecast_state(
    encoder: Any,
    model: Any,
    history: pd.DataFrame,
    steps: int,
    *,
    strategy: str,
    last_output: np.ndarray | None = None,
) -> np.ndarray:
    """``(steps, targets)`` in original units after ``history``.

    ``last_output`` is the model's output at the origin when the carried state is at
    the origin (``predict``); None runs ``history`` from a zero state (a backtest origin).
    """
    width = len(encoder.targets)
    saved = model.get_state()
    if last_output is None:
        last_output = run_history(encoder, model, history, carry=True)
    if strategy == "recursive":
        scaled = _recursive(model, last_output[:width], encoder.past_width, steps)
    else:
        scaled = last_output.reshape(-1, width)[:steps]
    _restore(model, saved)
    forecast = encoder.transform.inverse(scaled, history[encoder.targets].to_numpy(np.float64))
    if not np.isfinite(forecast).all():
        raise DataError(
            "the forecast needs the last observed values before the origin "
            f"({stamp(history.index[-1])}) to undo differencing, and some are missing: fill "
            "them with a missing-steps policy (missing='interpolate')"
        )
    return forecast


def _recursive(model: Any, first: np.ndarray, past_width: int, steps: int) -> np.ndarray:
    """Feed each one-step forecast back as the next row, from the carried state."""
    produced = [first]
    for _ in range(steps - 1):
        row = np.zeros((1, past_width))
        row[0, : len(first)] = produced[-1]  # covariate and indicator columns: 0
        produced.append(continue_rows(model, row)[: len(first)])
    return np.stack(produced)


def _restore(model: Any, state: Any) -> None:
    if state is None:
        model.reset_state()
    else:
        model.set_state(state)
