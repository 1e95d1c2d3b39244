"""The user's front door: scikit-learn estimators that compose data, model and engine."""

from lstmkit.estimators._classifier import LSTMClassifier
from lstmkit.estimators._forecast_backtest import Fold, backtest, time_series_folds
from lstmkit.estimators._forecast_intervals import add_intervals, conformal_quantiles, coverage
from lstmkit.estimators._forecaster import LSTMForecaster
from lstmkit.estimators._generator import LSTMGenerator
from lstmkit.estimators._persistence import load_model
from lstmkit.estimators._regressor import LSTMRegressor
from lstmkit.estimators._streaming import ClassifierStream, Stream

__all__ = [
    "ClassifierStream",
    "Fold",
    "LSTMClassifier",
    "LSTMForecaster",
    "LSTMGenerator",
    "LSTMRegressor",
    "Stream",
    "add_intervals",
    "backtest",
    "conformal_quantiles",
    "coverage",
    "load_model",
    "time_series_folds",
]
