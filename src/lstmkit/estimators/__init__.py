"""The user's front door: scikit-learn estimators that compose data, model and engine."""

from lstmkit.estimators._classifier import LSTMClassifier
from lstmkit.estimators._persistence import load_model
from lstmkit.estimators._regressor import LSTMRegressor

__all__ = ["LSTMClassifier", "LSTMRegressor", "load_model"]
