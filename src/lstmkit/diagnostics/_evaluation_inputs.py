"""What :func:`evaluate_forecaster` reads besides the backtests: the target, the baselines.

The baselines read the series exactly as the backtest did (``read_series`` on the same
settings), from the same origins; a gap in a history is filled from the past only.
Estimators are imported inside the functions (they sit above diagnostics).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstmkit.data._time_index import stamp
from lstmkit.diagnostics.baselines import walk_forward_baselines
from lstmkit.errors import ConfigError, unknown_option


def target_name(frame: pd.DataFrame, target: str | None) -> str:
    """The target to score: the one given, or the backtest's only one.

    Example:
        >>> target_name(pd.DataFrame({"target": ["load", "load"]}), None)
        'load'
    """
    targets = list(dict.fromkeys(frame["target"]))
    if target is None:
        if len(targets) > 1:
            raise ConfigError(
                f"the forecaster forecasts {len(targets)} targets {targets}: name the one "
                f"to score with target='{targets[0]}'"
            )
        return targets[0]
    if target not in targets:
        raise unknown_option("target", str(target), targets)
    return target


def as_grid(frame: pd.DataFrame, target: str, column: str) -> np.ndarray:
    """One column of a backtest as ``(origins, H)``: rows are origins, columns steps.

    Example:
        >>> frame = pd.DataFrame({"origin": [0, 0, 1, 1], "step": [1, 2, 1, 2],
        ...                       "target": "y", "actual": [1.0, 2.0, 2.0, 3.0]})
        >>> as_grid(frame, "y", "actual").tolist()
        [[1.0, 2.0], [2.0, 3.0]]
    """
    chosen = frame[frame["target"] == target]
    return chosen.pivot(index="origin", columns="step", values=column).to_numpy(np.float64)


def target_series(
    forecaster: Any, y: Any, past_covariates: Any, future_covariates: Any, target: str
) -> pd.Series:
    """The target on the series' regular grid (NaN where missing), as the backtest read it.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=4, freq="MS").delete(2)
        >>> y = pd.Series([1.0, 2.0, 4.0], index, name="v")
        >>> target_series(LSTMForecaster(freq="MS"), y, None, None, "v").tolist()
        [1.0, 2.0, nan, 4.0]
    """
    from lstmkit.estimators._forecast_data import read_series

    data = read_series(
        y,
        past_covariates,
        future_covariates,
        time_column=forecaster.time_column,
        target=forecaster.target,
        freq=forecaster.freq,
    )
    return data.frame[target]


def baseline_forecasts(
    forecaster: Any,
    series: pd.Series,
    origins: np.ndarray,
    horizon: int,
    season: int | None,
    methods: list[str],
) -> dict[str, np.ndarray]:
    """Each baseline from each origin, reading only the history up to it.

    Gaps in a history are filled the way the forecaster fills them (its missing-steps
    policy fitted on the data up to the first origin), one origin at a time, so an
    interpolation never reads past the origin.

    Returns:
        Baseline name to ``(origins, horizon)``.

    Example:
        >>> series = pd.Series([1.0, 2.0, 3.0, 4.0])
        >>> baseline_forecasts(None, series, np.array([1, 2]), 2, None, ["drift"])["drift"]
        array([[3., 4.],
               [4., 5.]])
    """
    values = series.to_numpy()
    season = season or 1
    if np.isfinite(values[: origins[-1] + 1]).all():
        return walk_forward_baselines(values, origins, horizon, season, methods)
    from lstmkit.estimators._forecast_gaps import fill_gaps, fit_gap_policy

    frame = series.to_frame()
    policy = fit_gap_policy(forecaster.missing, forecaster.season, frame.iloc[: origins[0] + 1])
    per_origin = [
        walk_forward_baselines(
            fill_gaps(policy, frame.iloc[: origin + 1]).iloc[:, 0].to_numpy(),
            [origin],
            horizon,
            season,
            methods,
        )
        for origin in origins
    ]
    return {name: np.concatenate([each[name] for each in per_origin]) for name in methods}


def describe(frame: pd.DataFrame, target: str, step: int) -> str:
    """One line saying what was backtested.

    Example:
        >>> frame = pd.DataFrame({"origin": pd.to_datetime(["1958-12-01", "1959-01-01"]),
        ...                       "step": [1, 1]})
        >>> describe(frame, "passengers", 1)
        "Backtest of 'passengers': 2 origins from 1958-12-01 to 1959-01-01 every 1 step, horizon 1, fit once"
    """
    origins = frame["origin"].unique()
    fits = len(frame.attrs.get("folds", []))
    refits = "fit once" if fits <= 1 else f"{fits} fits"
    return (
        f"Backtest of '{target}': {len(origins)} origins from {stamp(origins[0])} to "
        f"{stamp(origins[-1])} every {step} step{'s' if step != 1 else ''}, horizon "
        f"{frame.attrs.get('horizon', frame['step'].max())}, {refits}"
    )
