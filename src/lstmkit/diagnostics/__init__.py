"""Honest evaluation: baselines, forecast metrics, learning-curve verdicts, repeated runs.

NumPy, pandas, scipy and scikit-learn only at import. Modules that train models or draw
plots import torch and matplotlib lazily, so this package stays light.
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
from lstmkit.diagnostics.configuration_comparison import (
    ConfigurationComparison,
    compare_configurations,
)
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
from lstmkit.diagnostics.learning_curves import (
    LEARNING_CURVE_RULES,
    LEARNING_CURVE_VERDICTS,
    LearningCurveDiagnosis,
    diagnose_learning_curves,
)
from lstmkit.diagnostics.plots import (
    plot_forecast,
    plot_learning_curves,
    plot_repeated_runs,
    plot_residuals,
)
from lstmkit.diagnostics.repeated_runs import RepeatedRuns, repeat
from lstmkit.diagnostics.report import write_report
from lstmkit.diagnostics.supervised_baselines import (
    SUPERVISED_BASELINES,
    classifier_baseline,
    regressor_baseline,
)

__all__ = [
    "SUPERVISED_BASELINES",
    "classifier_baseline",
    "regressor_baseline",
    "BASELINES",
    "LEARNING_CURVE_RULES",
    "METRICS",
    "LEARNING_CURVE_VERDICTS",
    "Comparison",
    "ConfigurationComparison",
    "ForecastEvaluation",
    "LearningCurveDiagnosis",
    "RepeatedRuns",
    "compare_configurations",
    "compare_runs",
    "diagnose_learning_curves",
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
    "repeat",
    "rmse",
    "seasonal_naive",
    "seasonal_naive_drift",
    "smape",
    "walk_forward_baselines",
    "walk_forward_targets",
    "write_report",
]
