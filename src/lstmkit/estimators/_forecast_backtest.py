"""Walk-forward backtests of an ``LSTMForecaster``, and time-ordered folds over windows.

A backtest forecasts from a run of origins (the last observation each forecast may
use) and keeps the forecasts beside what really happened:

```
position  0 ......... s ... s+1 ... s+2 ...                 n-1-H ... n-1
fit       [== training span ==]                               start = s, step = 1, H = 3
origin s                    |-> s+1 s+2 s+3                   each origin reads the data up
origin s+1                       |-> s+2 s+3 s+4              to itself only, filled with the
...                                                           gap policy of its fit
origin n-1-H                                       |-> n-H .. n-1   (the last with H actuals)
```

``refit=False`` fits once, on the data up to the first origin; ``refit=True`` refits at
every origin, ``refit=k`` at every k-th. ``window="sliding"`` keeps each training span
as long as the first one; ``"expanding"`` starts every span at the series' start.

:func:`time_series_folds` splits *windows* for cross-validation with a gap of
``horizon - 1`` windows, so no test window's target steps are among a training
window's (CONTRACTS §10).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from lstmkit.data._time_index import stamp
from lstmkit.errors import ConfigError, DataError, unknown_option
from lstmkit.estimators._forecast_data import SeriesData, read_series
from lstmkit.estimators._forecast_gaps import fill_gaps
from lstmkit.estimators._params import is_count

WINDOWS = ("expanding", "sliding")
COLUMNS = ["origin", "timestamp", "step", "target", "value", "actual"]


class Fold(NamedTuple):
    """One fit of a backtest: its training span and the first origin it forecasts from.

    Example:
        >>> Fold(pd.Timestamp("2000-01"), pd.Timestamp("2004-12"), pd.Timestamp("2004-12")).origin
        Timestamp('2004-12-01 00:00:00')
    """

    train_start: pd.Timestamp
    train_end: pd.Timestamp
    origin: pd.Timestamp


def backtest(
    forecaster: Any,
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    *,
    start: Any,
    step: int = 1,
    refit: bool | int = False,
    window: str = "expanding",
    horizon: int | None = None,
) -> pd.DataFrame:
    """Forecast from every origin of a walk-forward and keep the actuals beside.

    ``forecaster`` itself is never fitted: each fit is a ``sklearn.base.clone`` of it.

    Args:
        forecaster: an ``LSTMForecaster`` (fitted or not; only its settings are used).
        y, past_covariates, future_covariates: as for ``LSTMForecaster.fit``, the whole
            series; each fit and each forecast sees only the rows up to its origin
            (known-future covariates also after it).
        start: the first origin: a timestamp of ``y``, an integer position, or a float
            in (0, 1), the fraction of the series the first fit trains on.
        step: steps between origins (``step=horizon`` gives disjoint forecast spans).
        refit: False: fit once, at the first origin; True: refit at every origin; an
            integer k: refit at every k-th origin.
        window: ``"expanding"`` (every fit trains from the start of ``y``) or
            ``"sliding"`` (every fit trains on as many steps as the first one).
        horizon: steps forecast from each origin (default: the forecaster's).

    Returns:
        A long DataFrame with columns ``origin`` (timestamp of the last observation
        used), ``timestamp``, ``step`` (1..H), ``target``, ``value`` (the forecast, in
        original units; CONTRACTS §10 names it so) and ``actual`` (NaN where the
        observation is missing), one row per (origin, step, target), sorted by origin
        and step. ``attrs["folds"]`` lists a :class:`Fold` per fit;
        ``attrs["horizon"]`` is H.

    Raises:
        ConfigError: bad ``start``, ``step``, ``refit``, ``window`` or ``horizon``; a
            ``start`` outside the possible origins (the message names them).
        DataError: ``y`` is too short for one fit plus one horizon of actuals.

    Example:
        >>> import numpy as np, pandas as pd
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=40, freq="MS")
        >>> y = pd.Series(np.sin(np.arange(40) / 2.0), index=index, name="wave")
        >>> model = LSTMForecaster(lookback=4, horizon=2, units=4, epochs=1, random_state=0)
        >>> frame = backtest(model, y, start=30, step=2)
        >>> frame["origin"].dt.strftime("%Y-%m").unique().tolist()
        ['2002-07', '2002-09', '2002-11', '2003-01']
        >>> frame.columns.tolist(), frame.attrs["folds"][0].train_end == frame["origin"][0]
        (['origin', 'timestamp', 'step', 'target', 'value', 'actual'], True)
    """
    template = clone(forecaster)
    template._check_settings()
    steps = template._steps(horizon)
    data = read_series(
        y,
        past_covariates,
        future_covariates,
        time_column=template.time_column,
        target=template.target,
        freq=template.freq,
    )
    if template.freq is None:  # every fit reads a slice: keep the whole series' grid
        template.set_params(freq=data.freq)
    index = data.frame.index
    first, last = _possible_origins(template, len(index), steps)
    origins = np.arange(_start_position(start, index, first, last, steps), last + 1, _step(step))
    every = _refit_every(refit)
    window = _window(window)
    known_ahead = _known_ahead(data)
    actuals = data.frame[data.roles.targets].to_numpy()  # (n, targets), NaN where missing
    blocks, folds = [], []
    for number, origin in enumerate(origins):
        if number == 0 or (every and number % every == 0):
            train_start = 0 if window == "expanding" else origin - origins[0]
            fitted = _fit(template, data, train_start, origin)
            folds.append(Fold(index[train_start], index[origin], index[origin]))
        history = fill_gaps(fitted.gap_policy_, data.frame.iloc[train_start : origin + 1])
        forecast = fitted._forecast(history, steps, known_ahead)  # (steps, targets)
        after = slice(origin + 1, origin + 1 + steps)
        blocks.append((index[origin], index[after], forecast, actuals[after]))
    frame = _long_frame(blocks, data.roles.targets)
    frame.attrs["folds"] = folds
    frame.attrs["horizon"] = steps
    return frame


def _possible_origins(forecaster: Any, length: int, steps: int) -> tuple[int, int]:
    """Positions of the first origin a fit can train on and the last with H actuals."""
    lost = forecaster._transform().lost_steps
    need = forecaster._lookback() + forecaster._horizon() + lost
    if length < need + steps:
        raise DataError(
            f"y has {length} steps, too few to backtest: the first fit needs {need} "
            f"(lookback + horizon{' + differencing' if lost else ''}) and the first origin "
            f"needs horizon = {steps} actuals after it, so at least {need + steps}: give a "
            "longer series or a shorter lookback/horizon"
        )
    return need - 1, length - 1 - steps


def _start_position(start: Any, index: pd.DatetimeIndex, first: int, last: int, steps: int):
    """``start`` as a position between ``first`` and ``last``, or a ConfigError naming them."""
    if isinstance(start, bool):
        position = None
    elif is_count(start):
        position = int(start)
    elif isinstance(start, float):
        if not 0 < start < 1:
            raise ConfigError(
                f"start={start!r}: a float start is the fraction of the series the first "
                "fit trains on, in (0, 1); give e.g. start=0.5, an integer position or a "
                "timestamp"
            )
        position = math.floor(start * len(index)) - 1
    else:
        position = _timestamp_position(start, index)
    if position is None:
        raise ConfigError(
            f"start must be a timestamp, an integer position or a float fraction in (0, 1), "
            f"got {start!r}"
        )
    if not first <= position <= last:
        raise ConfigError(
            f"start={start!r} leaves no origin to backtest: the first fit needs the data up "
            f"to position {first} and every origin needs horizon = {steps} actuals after it, "
            f"so origins run from {stamp(index[first])} (position {first}) to "
            f"{stamp(index[last])} (position {last}); choose a start between them"
        )
    return position


def _timestamp_position(start: Any, index: pd.DatetimeIndex) -> int | None:
    try:
        timestamp = pd.Timestamp(start)
    except (TypeError, ValueError):
        return None
    if timestamp < index[0]:
        return -1
    if timestamp > index[-1]:
        return len(index)
    if timestamp not in index:
        raise ConfigError(
            f"start={start!r} is not a timestamp of y's grid (freq '{index.freqstr}'): "
            f"choose one of y's timestamps, e.g. {stamp(index.asof(timestamp))}"
        )
    return int(index.get_loc(timestamp))


def _step(step: Any) -> int:
    if not is_count(step) or step < 1:
        raise ConfigError(f"step must be a positive integer (steps between origins), got {step!r}")
    return int(step)


def _refit_every(refit: Any) -> int:
    """0: fit once; k: refit every k origins."""
    if isinstance(refit, bool):
        return int(refit)
    if is_count(refit) and refit >= 1:
        return int(refit)
    raise ConfigError(
        f"refit must be False (fit once), True (refit at every origin) or a positive "
        f"integer k (refit every k origins), got {refit!r}"
    )


def _window(window: Any) -> str:
    if window not in WINDOWS:
        raise unknown_option("window", str(window), WINDOWS)
    return str(window)


def _known_ahead(data: SeriesData) -> pd.DataFrame | None:
    """Every known-future covariate row, inside and after ``y`` (None without any)."""
    if not data.roles.future:
        return None
    inside = data.frame[data.roles.future]
    if len(data.future_ahead) == 0:
        return inside
    return pd.concat([inside, data.future_ahead.astype(np.float64)])


def _fit(template: Any, data: SeriesData, train_start: int, origin: int) -> Any:
    """A clone fitted on rows ``[train_start, origin]``: nothing after the origin."""
    roles = data.roles
    return clone(template).fit(
        data.frame.iloc[train_start : origin + 1],
        past_covariates=list(roles.past) or None,
        future_covariates=list(roles.future) or None,
    )


def _long_frame(blocks: list, targets: list[str]) -> pd.DataFrame:
    """One row per (origin, step, target), in that order."""
    steps, width = blocks[0][2].shape
    count = len(blocks)
    origin = np.repeat(np.array([block[0] for block in blocks]), steps * width)
    timestamp = np.concatenate([np.repeat(block[1].to_numpy(), width) for block in blocks])
    return pd.DataFrame(
        {
            "origin": pd.DatetimeIndex(origin),
            "timestamp": pd.DatetimeIndex(timestamp),
            "step": np.tile(np.repeat(np.arange(1, steps + 1), width), count),
            "target": np.tile(np.array(targets, dtype=object), steps * count),
            "value": np.concatenate([block[2].reshape(-1) for block in blocks]),
            "actual": np.concatenate([block[3].reshape(-1) for block in blocks]),
        },
        columns=COLUMNS,
    )


def time_series_folds(n_windows: int, horizon: int, n_splits: int) -> list[tuple[np.ndarray, ...]]:
    """Time-ordered (train, test) folds over windows, a gap of ``horizon - 1`` between.

    Window ``i`` of a series (one window per step) has targets at steps ``i + L`` to
    ``i + L + H - 1``: windows fewer than H apart share target steps. scikit-learn's
    ``TimeSeriesSplit(gap=horizon - 1)`` leaves ``H - 1`` windows out after each
    training fold, so the first test window's first target comes after the last
    training window's last one (CONTRACTS §10).

    Args:
        n_windows: windows in time order (``len(X)`` from :func:`lstmkit.data.windows`).
        horizon: target steps per window (H).
        n_splits: folds (``TimeSeriesSplit``'s ``n_splits``).

    Returns:
        A list of ``(train_indices, test_indices)``, training always before testing.

    Raises:
        ConfigError: a count is not a positive integer, or too few windows for the folds.

    Example:
        >>> [(train.tolist(), test.tolist()) for train, test in time_series_folds(8, 3, 2)]
        [([0, 1], [4, 5]), ([0, 1, 2, 3], [6, 7])]
    """
    for name, value, least in (
        ("n_windows", n_windows, 1),
        ("horizon", horizon, 1),
        ("n_splits", n_splits, 2),
    ):
        if not is_count(value) or value < least:
            raise ConfigError(f"{name} must be an integer >= {least}, got {value!r}")
    splitter = TimeSeriesSplit(n_splits=int(n_splits), gap=int(horizon) - 1)
    try:
        return list(splitter.split(np.arange(n_windows)))
    except ValueError as error:
        raise ConfigError(
            f"{n_windows} windows are too few for {n_splits} folds with a gap of "
            f"horizon - 1 = {horizon - 1} windows ({error}): use fewer folds or more windows"
        ) from error
