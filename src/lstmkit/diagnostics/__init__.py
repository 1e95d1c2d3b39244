"""Honest evaluation: baselines beside every model, forecast metrics, repeated-run comparisons.

NumPy, pandas and scipy only. Modules that later add learning curves, repeated training
runs or plots must import torch and matplotlib lazily, so this package stays light.
"""

from lstmkit.diagnostics.baselines import (
    BASELINES,
    drift,
    holt_winters,
    persistence,
    seasonal_naive,
    seasonal_naive_drift,
    walk_forward_baselines,
    walk_forward_targets,
)
from lstmkit.diagnostics.comparisons import Comparison, compare_runs
from lstmkit.diagnostics.forecast_evaluation import ForecastEvaluation, evaluate_forecaster
from lstmkit.diagnostics.forecast_metrics import (
    METRICS,
    mae,
    mape,
    mase,
    metrics_table,
    per_step_table,
    rmse,
    smape,
)
from lstmkit.diagnostics.plots import (
    plot_forecast,
    plot_learning_curves,
    plot_repeated_runs,
    plot_residuals,
)

__all__ = [
    "BASELINES",
    "METRICS",
    "Comparison",
    "ForecastEvaluation",
    "compare_runs",
    "drift",
    "evaluate_forecaster",
    "holt_winters",
    "mae",
    "mape",
    "mase",
    "metrics_table",
    "per_step_table",
    "persistence",
    "plot_forecast",
    "plot_learning_curves",
    "plot_repeated_runs",
    "plot_residuals",
    "rmse",
    "seasonal_naive",
    "seasonal_naive_drift",
    "smape",
    "walk_forward_baselines",
    "walk_forward_targets",
]
