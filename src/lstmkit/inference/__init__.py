"""Prediction over time: sampling with temperature and generation by feeding predictions back."""

from lstmkit.inference.sampling import generate, sample_next

__all__ = ["generate", "sample_next"]
