"""The airline passengers forecast: a year ahead, beside the baselines, over five seeds.

The blog's and the slides' first forecasting problem: monthly international airline
passengers 1949-1960 (:func:`lstmkit.datasets.airline_passengers`). The protocol
(CONTRACTS §10): train on 1949-1958; forecast 12 months from each of the 13 monthly
origins 1958-12 ... 1959-12, so every forecast month lies in the test years
1959-1960; no refit; seeds 0-4; RMSE in passengers (thousands), the model's mean
over the seeds beside persistence, seasonal naive, drift, seasonal naive with drift
and Holt-Winters on the same origins.

```
1949-01 .................. 1958-12 | 1959-01 ............ 1960-12
fit (one, per seed) ......... ^ origin 1: forecasts 1959-01 .. 1959-12
                              ... origin 13 (1959-12): forecasts 1960-01 .. 1960-12
```

The recipe's settings were chosen on validation only (origins 1956-12 ... 1957-12,
training up to 1956-12, seeds 0-2; ``docs/architecture.md`` lists the grid): a
direct 12-month model on seasonally differenced data (``difference=[12]``) reading
15 months. Log transforms and the recursive and seq2seq strategies did worse there.

Example:
    >>> RECIPE_SETTINGS["lookback"], RECIPE_SETTINGS["difference"], TEST_ORIGINS
    (15, [12], ('1958-12', '1959-12'))
"""

from __future__ import annotations

import time
from typing import Any

from lstmkit.problems._recipe import RecipeResult

#: The forecaster's settings, chosen on the 1957-58 validation span.
RECIPE_SETTINGS: dict[str, Any] = {
    "lookback": 15,
    "horizon": 12,
    "strategy": "direct",
    "difference": [12],
    "season": 12,
    "units": 64,
    "epochs": 100,
    "learning_rate": 0.01,
}
#: The first and last forecast origins of the test protocol.
TEST_ORIGINS = ("1958-12", "1959-12")
#: The first and last origins of the validation span the settings were chosen on.
VALIDATION_ORIGINS = ("1956-12", "1957-12")
#: The seeds the protocol averages over.
SEEDS = (0, 1, 2, 3, 4)
#: The baselines the model must beat on RMSE (CONTRACTS §10).
MUST_BEAT = ("seasonal_naive", "seasonal_naive_drift")


def forecaster(**overrides: Any) -> Any:
    """An unfitted ``LSTMForecaster`` with :data:`RECIPE_SETTINGS` (and any overrides).

    Example:
        >>> forecaster(epochs=5).get_params()["epochs"]
        5
    """
    from lstmkit import LSTMForecaster

    return LSTMForecaster(**{**RECIPE_SETTINGS, **overrides})


def evaluate(
    seeds: tuple[int, ...] = SEEDS, origins: tuple[str, str] = TEST_ORIGINS, **overrides: Any
) -> Any:
    """Backtest the recipe over ``seeds`` from the monthly ``origins`` (first, last).

    Args:
        seeds: one fit per seed, each from the first origin's data.
        origins: ``TEST_ORIGINS`` (the protocol) or ``VALIDATION_ORIGINS``.
        overrides: settings replacing :data:`RECIPE_SETTINGS`'.

    Returns:
        A :class:`lstmkit.diagnostics.ForecastEvaluation` (its ``report()`` prints the
        table). The data stops 12 months after the last origin, so nothing later is
        read.

    Example:
        >>> evaluation = evaluate(seeds=(0,), epochs=1)  # doctest: +SKIP
        >>> print(evaluation.report())  # doctest: +SKIP
    """
    import pandas as pd

    from lstmkit.datasets import airline_passengers
    from lstmkit.diagnostics import evaluate_forecaster

    series = airline_passengers().astype(float)
    first, last = (series.index.get_loc(pd.Timestamp(stamp)) for stamp in origins)
    horizon = int(overrides.get("horizon", RECIPE_SETTINGS["horizon"]))
    y = series.iloc[: last + horizon + 1]
    return evaluate_forecaster(forecaster(**overrides), y, start=first, seeds=seeds)


def recipe(seeds: tuple[int, ...] = SEEDS, **overrides: Any) -> RecipeResult:
    """Run the test protocol: the model's mean RMSE beside seasonal naive's.

    Returns:
        A :class:`RecipeResult` whose ``details`` hold the evaluation, every baseline's
        RMSE, and whether the model beats each of :data:`MUST_BEAT`.

    Example:
        >>> result = recipe(seeds=(0, 1), epochs=2)  # doctest: +SKIP
    """
    started = time.perf_counter()
    evaluation = evaluate(seeds, **overrides)
    rmse = evaluation.baselines["RMSE"]
    model = float(evaluation.runs["RMSE"].mean())
    return RecipeResult(
        problem="airline",
        architecture=str(overrides.get("architecture", "vanilla")),
        metric="RMSE",
        skill=model,
        baseline=float(rmse["seasonal_naive"]),
        baseline_name="seasonal_naive",
        higher_is_better=False,
        epochs=int(overrides.get("epochs", RECIPE_SETTINGS["epochs"])),
        seconds=time.perf_counter() - started,
        details={
            "evaluation": evaluation,
            "baselines": {str(name): float(value) for name, value in rmse.items()},
            "beats": {name: model < float(rmse[name]) for name in MUST_BEAT},
        },
    )


def demo(seeds: tuple[int, ...] = SEEDS, **overrides: Any) -> int:
    """Print the protocol's table, then fit on all 144 months and forecast 1961.

    Under the table, with two seeds or more, one line per baseline of
    :data:`MUST_BEAT` and per baseline the model loses to states the paired test
    (Welch's t below 6 seeds), its p-value and the effect size. Holt-Winters is reported
    beside the naive baselines (CONTRACTS §10) and may well win: the verdict line says
    so, but only :data:`MUST_BEAT` decides the exit status.

    The 1961 forecast carries 80% split-conformal intervals, calibrated on the
    backtest's residuals from 1957-12 on.

    Returns:
        0 when the model's mean RMSE beats seasonal naive and seasonal naive with
        drift, else 1 (after a line that starts with ``FAILED``).

    Example:
        >>> # lstmkit demo airline, or in Python: airline.demo()
    """
    from lstmkit.datasets import airline_passengers

    print("Airline passengers, 12 months ahead: the LSTM beside the baselines (RMSE, thousands)")
    result = recipe(seeds, **overrides)
    evaluation = result.details["evaluation"]
    print(evaluation.report())
    if len(seeds) >= 2:  # a test needs a spread: one seed has none
        for name in dict.fromkeys([*MUST_BEAT, *evaluation.losers_to()]):
            print(evaluation.comparison(name).summary_line())
    print(result.summary_line())
    series = airline_passengers().astype(float)
    model = forecaster(random_state=seeds[0], **overrides).fit(series)
    model.calibrate(series, start="1957-12")
    forecast = model.predict(coverage=0.8).round(0)
    print(f"Forecast for 1961 ({forecast.attrs['interval']}):")
    print(forecast.to_string())
    lost = [name for name, beaten in result.details["beats"].items() if not beaten]
    if lost:
        print(f"FAILED: the LSTM does not beat {', '.join(lost)} on RMSE")
        return 1
    return 0


__all__ = [
    "MUST_BEAT",
    "RECIPE_SETTINGS",
    "SEEDS",
    "TEST_ORIGINS",
    "VALIDATION_ORIGINS",
    "demo",
    "evaluate",
    "forecaster",
    "recipe",
]
