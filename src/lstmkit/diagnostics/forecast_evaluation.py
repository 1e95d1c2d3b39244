"""Evaluate a forecaster honestly: a walk-forward backtest per seed, beside the baselines.

One call runs the whole protocol (CONTRACTS §10):

```
seed 0   clone(random_state=0) -> backtest over the origins -> RMSE, MAE, MAPE, sMAPE, MASE
seed 1   ...                                                    (one row of ``runs`` each)
...
baselines (deterministic)  persistence, seasonal naive, drift, seasonal naive with drift,
                           Holt-Winters, on exactly the same origins and steps -> one row each
summary  LSTM mean ± std over seeds beside every baseline; a model whose mean is worse
         than a baseline's on the first metric is flagged: "LSTM LOSES to ... on RMSE"
```

Every score is in original units over all origins and steps; MASE's scale comes from
the training span (the data up to the first origin). Torch and the estimators are
imported inside the functions, so ``lstmkit.diagnostics`` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.diagnostics._evaluation_inputs import (
    as_grid,
    baseline_forecasts,
    describe,
    target_name,
    target_series,
)
from lstmkit.diagnostics.baselines import BASELINES
from lstmkit.diagnostics.comparisons import Comparison, compare_runs
from lstmkit.diagnostics.forecast_metrics import METRICS, metrics_table, per_step_table
from lstmkit.errors import ConfigError, unknown_option

SEASONAL = ("seasonal_naive", "seasonal_naive_drift", "holt_winters")
MODEL = "LSTM"


@dataclass
class ForecastEvaluation:
    """Scores of a forecaster over seeds and of the baselines on the same origins.

    Attributes:
        runs: one row per seed, one column per metric.
        baselines: one row per baseline, one column per metric.
        per_step: the first metric per horizon step (index 1..H): column ``"model"`` (the
            mean over seeds), then one per baseline.
        backtests: seed to the backtest frame of that seed's model.
        metric: the first metric, the one the verdict and plot use.
        description: what was backtested (origins, horizon, refits).
        notes: what was skipped or assumed, e.g. seasonal baselines without a season.

    Example:
        >>> runs = pd.DataFrame({"RMSE": [2.0, 3.0]}, index=pd.Index([0, 1], name="seed"))
        >>> evaluation = ForecastEvaluation(runs, pd.DataFrame({"RMSE": [2.2]},
        ...                                 index=["seasonal_naive"]), pd.DataFrame(), {})
        >>> evaluation.verdict()
        'LSTM LOSES to seasonal_naive on RMSE'
    """

    runs: pd.DataFrame
    baselines: pd.DataFrame
    per_step: pd.DataFrame
    backtests: dict[int, pd.DataFrame]
    metric: str = "RMSE"
    description: str = ""
    notes: list[str] = field(default_factory=list)

    def losers_to(self, metric: str | None = None) -> list[str]:
        """The baselines whose score beats the model's mean over seeds on ``metric``."""
        metric = self._metric(metric)
        model = float(self.runs[metric].mean())
        scores = self.baselines[metric]
        return [str(name) for name, value in scores.items() if value < model]

    def verdict(self, metric: str | None = None) -> str:
        """``"LSTM LOSES to seasonal_naive on RMSE"`` or ``"LSTM beats every baseline on RMSE"``."""
        metric = self._metric(metric)
        better = self.losers_to(metric)
        if better:
            return f"{MODEL} LOSES to {', '.join(better)} on {metric}"
        return f"{MODEL} beats every baseline on {metric}"

    def summary(self) -> pd.DataFrame:
        """The model (mean, std, min, max over seeds) beside each baseline, and who wins.

        Returns:
            One row ``"LSTM"`` and one per baseline; per metric the columns ``{metric}``
            (the mean over seeds, or the baseline's score), ``{metric} std``,
            ``{metric} min`` and ``{metric} max`` (a baseline is deterministic: std 0);
            ``loses_to`` names the baselines with a lower score on the first metric.
        """
        rows = {MODEL: _spread(self.runs)}
        for name, scores in self.baselines.iterrows():
            rows[str(name)] = _spread(scores.to_frame().T)
        table = pd.DataFrame.from_dict(rows, orient="index")
        first = table[self.metric]
        table["loses_to"] = [
            ", ".join(b for b in self.baselines.index if first[b] < first[row] and b != row)
            for row in table.index
        ]
        return table

    def comparison(self, baseline: str, metric: str | None = None) -> Comparison:
        """The model's per-seed scores against the baseline's (deterministic) score.

        ``compare_runs`` pairs each seed's score with the baseline's one number (a
        baseline gives the same score every run): Welch's t below 6 seeds, Wilcoxon
        signed-rank from 6, with an effect size and a bootstrap interval of the mean
        difference.
        """
        metric = self._metric(metric)
        if baseline not in self.baselines.index:
            raise unknown_option("baseline", baseline, [str(b) for b in self.baselines.index])
        return compare_runs(
            self.runs[metric].tolist(),  # one score per seed; the baseline: one number
            float(self.baselines.loc[baseline, metric]),
            model=MODEL,
            baseline=baseline,
            metric=metric,
        )

    def report(self) -> str:
        """A printable table: metrics as columns, the model and the baselines as rows."""
        count = len(self.runs)
        label = f"mean ± std over {count} seeds" if count > 1 else "one seed: no spread"
        cells = {f"{MODEL} ({label})": self._model_cells()}
        for name, scores in self.baselines.iterrows():
            cells[str(name)] = [f"{value:.4g}" for value in scores]
        table = pd.DataFrame.from_dict(cells, orient="index", columns=list(self.runs.columns))
        lines = [self.description] if self.description else []
        lines += [table.to_string(), self.verdict()]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def plot(self, path: Any = None, *, overwrite: bool = False) -> Any:
        """Box plot of the per-seed scores of the first metric, baselines as lines."""
        from lstmkit.diagnostics.plots import plot_repeated_runs

        scores = self.baselines[self.metric]
        return plot_repeated_runs(
            {MODEL: self.runs[self.metric].tolist()},
            metric=self.metric,
            path=path,
            overwrite=overwrite,
            baselines={str(name): float(v) for name, v in scores.items() if np.isfinite(v)},
        )

    def ensemble_spread(self) -> pd.DataFrame:
        """The seeds' forecasts per origin and step: their mean, and min to max as bounds.

        Labelled "ensemble spread" in ``attrs["interval"]``: it shows how much training
        randomness moves the forecast, not where the actual will fall (that is what the
        split-conformal intervals are for).
        """
        frames = list(self.backtests.values())
        forecasts = np.stack([frame["value"].to_numpy() for frame in frames])  # (seeds, rows)
        spread = frames[0].copy()
        spread["value"] = forecasts.mean(axis=0)
        spread["lower"], spread["upper"] = forecasts.min(axis=0), forecasts.max(axis=0)
        spread.attrs["interval"] = (
            f"ensemble spread: min to max over {len(frames)} seeds (not a prediction interval)"
        )
        return spread

    def _model_cells(self) -> list[str]:
        means, stds = self.runs.mean(), self.runs.std(ddof=1)
        if len(self.runs) == 1:  # one run has no spread: the label says so, not "± nan"
            return [f"{means[m]:.4g}" for m in self.runs.columns]
        return [f"{means[m]:.4g} ± {stds[m]:.2g}" for m in self.runs.columns]

    def _metric(self, metric: str | None) -> str:
        if metric is None:
            return self.metric
        name = _metric_names([metric])[0]
        if name not in self.runs.columns:
            raise unknown_option("metric", metric, list(self.runs.columns))
        return name


def _spread(scores: pd.DataFrame) -> dict[str, float]:
    """Mean, std (0 for one row), min and max of each metric over the rows."""
    row = {}
    for metric in scores.columns:
        values = scores[metric].to_numpy(dtype=np.float64)
        row[metric] = float(values.mean())
        row[f"{metric} std"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        row[f"{metric} min"], row[f"{metric} max"] = float(values.min()), float(values.max())
    return row


def _metric_names(metrics: Sequence[str]) -> list[str]:
    """The canonical names (``"rmse"`` -> ``"RMSE"``, ``"smape"`` -> ``"sMAPE"``)."""
    by_lower = {name.lower(): name for name in METRICS}
    names = []
    for metric in [metrics] if isinstance(metrics, str) else list(metrics):
        if str(metric).lower() not in by_lower:
            raise unknown_option("metric", str(metric), METRICS)
        names.append(by_lower[str(metric).lower()])
    if not names:
        raise ConfigError(f"metrics is empty: name at least one of {list(METRICS)}")
    return names


def _baseline_names(baselines: Sequence[str], season: int | None, notes: list[str]) -> list[str]:
    names = [baselines] if isinstance(baselines, str) else [str(b) for b in baselines]
    for name in names:
        if name not in BASELINES:
            raise unknown_option("baseline", name, BASELINES)
    skipped = [name for name in names if name in SEASONAL and season is None]
    if skipped:
        notes.append(
            f"{', '.join(skipped)} skipped: no season is known (give season=12 for "
            "monthly data, or set the forecaster's season)"
        )
    if season == 1 and "holt_winters" in names:  # one step per cycle: no cycle to fit
        skipped.append("holt_winters")
        notes.append("holt_winters skipped: season = 1 has no seasonal cycle to fit")
    why = "need a season (season=...)" if season is None else "need a season of 2 or more"
    return _kept(names, skipped, why if skipped else "is empty")


def _kept(names: list[str], skipped: list[str], why: str) -> list[str]:
    kept = [name for name in names if name not in skipped]
    if not kept:
        raise ConfigError(
            f"no baseline left to judge the model beside: baselines={names} {why}; "
            f"choose from {list(BASELINES)}"
        )
    return kept


def _with_enough_history(
    methods: list[str], first: int, season: int, notes: list[str]
) -> list[str]:
    """``methods`` less holt_winters when the first origin's history is under 2 seasons."""
    if "holt_winters" not in methods or first >= 2 * season:
        return methods
    notes.append(
        f"holt_winters skipped: the first origin's history has {first} observations, it "
        f"needs two full seasons ({2 * season})"
    )
    return _kept(methods, ["holt_winters"], "needs a longer history (or an earlier start)")


def _seeds(seeds: Any) -> list[int]:
    values = list(seeds)
    if not values or len(set(values)) != len(values):
        raise ConfigError(f"seeds must be distinct integers, at least one, got {seeds!r}")
    return values


def evaluate_forecaster(
    forecaster: Any,
    y: Any,
    past_covariates: Any = None,
    future_covariates: Any = None,
    *,
    start: Any,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    season: int | None = None,
    step: int = 1,
    refit: bool | int = False,
    window: str = "expanding",
    horizon: int | None = None,
    target: str | None = None,
    metrics: Sequence[str] = ("rmse", "mae", "mape", "smape", "mase"),
    baselines: Sequence[str] = BASELINES,
) -> ForecastEvaluation:
    """Backtest a forecaster once per seed and score it beside the baselines.

    Args:
        forecaster: an ``LSTMForecaster``; each seed fits clones with that ``random_state``.
        y, past_covariates, future_covariates, start, step, refit, window, horizon: as
            for :func:`lstmkit.estimators._forecast_backtest.backtest`.
        seeds: the ``random_state`` of each run.
        season: steps per season for the seasonal baselines and MASE (default: the
            forecaster's ``season``; without one the seasonal baselines are skipped and
            MASE uses the naive one-step scale, as the notes say). ``holt_winters`` is
            also skipped, with a note, for season 1 or a first history under 2 seasons.
        target: the target to score when the forecaster has several.
        metrics: names from ``METRICS`` (any case); the first decides the verdict.
        baselines: names from ``BASELINES``, each forecast on the same origins.

    Returns:
        A :class:`ForecastEvaluation`.

    Raises:
        ConfigError: unknown metrics or baselines, no baseline left, bad seeds, several
            targets without ``target``, and the backtest's errors.
        DataError: as in the backtest; a baseline's history too short or with gaps left.

    Example:
        >>> import numpy as np, pandas as pd
        >>> from lstmkit import LSTMForecaster
        >>> index = pd.date_range("2000-01", periods=48, freq="MS")
        >>> steps = np.arange(48)  # a yearly cycle on a trend: seasonal naive drift is exact
        >>> y = pd.Series(10 + np.sin(steps * np.pi / 6) + 0.05 * steps, index, name="load")
        >>> model = LSTMForecaster(lookback=12, horizon=3, units=4, epochs=1, season=12)
        >>> evaluation = evaluate_forecaster(model, y, start=40, seeds=(0, 1),
        ...                                  baselines=["seasonal_naive_drift"])
        >>> evaluation.runs.shape, evaluation.verdict()
        ((2, 5), 'LSTM LOSES to seasonal_naive_drift on RMSE')
    """
    from sklearn.base import clone

    from lstmkit.estimators import backtest
    from lstmkit.estimators._forecast_panel_input import is_panel_input

    if is_panel_input(y, getattr(forecaster, "id_column", None)):
        raise ConfigError(
            "evaluate_forecaster scores one series; for many series backtest with "
            "model.backtest(...) and score each series"
        )
    notes: list[str] = []
    names = _metric_names(metrics)
    season = forecaster.season if season is None else season
    methods = _baseline_names(baselines, season, notes)
    if season is None and "MASE" in names:
        notes.append("MASE is scaled by the in-sample naive one-step error (no season)")
    backtests = {}
    for seed in _seeds(seeds):
        run = clone(forecaster).set_params(random_state=seed)
        backtests[seed] = backtest(
            run, y, past_covariates, future_covariates, start=start, step=step,
            refit=refit, window=window, horizon=horizon,
        )  # fmt: skip
    first = next(iter(backtests.values()))
    target = target_name(first, target)
    series = target_series(forecaster, y, past_covariates, future_covariates, target)
    origins = series.index.get_indexer(pd.DatetimeIndex(first["origin"].unique()))
    horizon = int(first["step"].max())
    methods = _with_enough_history(methods, int(origins[0]) + 1, season or 1, notes)
    reference = baseline_forecasts(forecaster, series, origins, horizon, season, methods)
    runs, baseline_table, per_step = _scores(
        {seed: as_grid(frame, target, "value") for seed, frame in backtests.items()},
        as_grid(first, target, "actual"),
        reference,
        series.to_numpy()[: origins[0] + 1],  # MASE's training span: up to the first origin
        season or 1,
        names,
    )
    return ForecastEvaluation(
        runs, baseline_table, per_step, backtests, names[0], describe(first, target, step), notes
    )


def _scores(forecasts, actual, reference, y_train, season, names):
    """Per-seed scores, baseline scores and the first metric per step: three frames.

    ``forecasts``: seed to ``(origins, H)``; ``actual``: ``(origins, H)``; ``reference``:
    baseline name to ``(origins, H)``.
    """
    runs = {}
    for seed, forecast in forecasts.items():
        table = metrics_table(actual, {"model": forecast, **reference}, y_train, season)
        runs[seed] = table.loc["model", names]
    baselines = table.loc[list(reference), names]  # deterministic: any seed's table has them
    labelled = {f"seed {seed}": forecast for seed, forecast in forecasts.items()}
    steps = per_step_table(actual, {**labelled, **reference}, y_train, season)
    steps = steps[names[0]].unstack("method")  # (H, methods)
    per_step = pd.concat(
        [steps[list(labelled)].mean(axis=1).rename("model"), steps[list(reference)]], axis=1
    ).rename_axis(columns=None)
    runs_table = pd.DataFrame.from_dict(runs, orient="index").rename_axis("seed")
    return runs_table.astype(float), baselines.astype(float), per_step
