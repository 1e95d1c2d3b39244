"""Checking an ``LSTMForecaster``'s settings and building the regressor inside it."""

from __future__ import annotations

from typing import Any

from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ConfigError, DataError, unknown_option
from lstmkit.estimators._forecast_quantiles import quantile_problems
from lstmkit.estimators._params import is_count

CONTEXTS = ("window", "state")


def check_settings(forecaster: Any, strategies: tuple[str, ...]) -> None:
    """Raise one ConfigError listing every bad setting, the quantile ones included.

    Example:
        >>> from types import SimpleNamespace
        >>> bad = SimpleNamespace(lookback=0, horizon=2, strategy="direct", season=None,
        ...                       loss="mse", quantiles=None)
        >>> check_settings(bad, ("direct",))
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: invalid LSTMForecaster settings: lookback must be a positive integer, got 0
    """
    problems = []
    for name in ("lookback", "horizon"):
        value = getattr(forecaster, name)
        if not is_count(value) or value < 1:
            problems.append(f"{name} must be a positive integer, got {value!r}")
    if forecaster.strategy not in strategies:
        problems.append(str(unknown_option("strategy", str(forecaster.strategy), strategies)))
    season = forecaster.season
    if season is not None and (not is_count(season) or season < 1):
        problems.append(f"season must be a positive integer or None, got {season!r}")
    problems += quantile_problems(forecaster) + context_problems(forecaster)
    if problems:
        raise ConfigError("invalid LSTMForecaster settings: " + "; ".join(problems))


def context_problems(forecaster: Any) -> list[str]:
    """What is wrong with a forecaster's ``context`` (with its strategy and loss).

    Example:
        >>> from types import SimpleNamespace
        >>> context_problems(SimpleNamespace(context="state", strategy="seq2seq", loss="mse"))
        ["context='state' works with strategy='direct' or 'recursive', got 'seq2seq': an encoder-decoder reads a whole window; use context='window' for seq2seq"]
    """
    context = getattr(forecaster, "context", "window")
    if context not in CONTEXTS:
        return [str(unknown_option("context", str(context), CONTEXTS))]
    problems = []
    if context == "state" and forecaster.strategy == "seq2seq":
        problems.append(
            "context='state' works with strategy='direct' or 'recursive', got 'seq2seq': "
            "an encoder-decoder reads a whole window; use context='window' for seq2seq"
        )
    if context == "state" and forecaster.loss == "quantile":
        problems.append(
            "context='state' does not train loss='quantile' yet: use context='window' for "
            "quantile forecasts"
        )
    return problems


def inner_regressor(forecaster: Any) -> Any:
    """The unfitted ``LSTMRegressor`` that learns the forecaster's windows.

    Example:
        >>> from lstmkit import LSTMForecaster
        >>> inner_regressor(LSTMForecaster(strategy="seq2seq")).architecture
        'encoder_decoder'
    """
    from lstmkit.estimators._regressor import LSTMRegressor

    seq2seq = forecaster.strategy == "seq2seq"
    return LSTMRegressor(
        units=forecaster.units,
        num_layers=forecaster.num_layers,
        dropout=forecaster.dropout,
        architecture="encoder_decoder" if seq2seq else forecaster.architecture,
        architecture_options=forecaster.architecture_options,
        epochs=forecaster.epochs,
        batch_size=forecaster.batch_size,
        learning_rate=forecaster.learning_rate,
        optimizer=forecaster.optimizer,
        loss=forecaster.loss,
        quantiles=forecaster.quantiles,
        random_state=forecaster.random_state,
        device=forecaster.device,
        verbose=forecaster.verbose,
    )


def check_length(length: int, lookback: int, horizon: int, transform: SeriesTransform) -> None:
    """Raise when a series of ``length`` steps cannot give one training window.

    Example:
        >>> check_length(10, lookback=8, horizon=3, transform=SeriesTransform([1]))
        Traceback (most recent call last):
        ...
        lstmkit.errors.DataError: y has 10 steps, fewer than lookback + horizon + differencing (1) = 12: give a longer series or a shorter lookback/horizon
    """
    needed = lookback + horizon + transform.lost_steps
    if length < needed:
        raise DataError(
            f"y has {length} steps, fewer than lookback + horizon"
            + (f" + differencing ({transform.lost_steps})" if transform.lost_steps else "")
            + f" = {needed}: give a longer series or a shorter lookback/horizon"
        )
