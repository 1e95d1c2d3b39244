"""The mappings of the lesson "Models for Sequence Prediction", each expressed with lstmkit.

One-to-one, one-to-many (one input step to several output steps), many-to-one,
many-to-many of equal length and of different lengths: each trains on a small task it can
learn, answers in the right shape, and beats predicting the mean.
"""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit

pytestmark = pytest.mark.usefixtures("one_torch_thread")

rng = np.random.default_rng(0)
ONE_STEP = rng.uniform(-1, 1, size=(256, 1, 1)).astype(np.float32)
FIVE_STEPS = rng.uniform(-1, 1, size=(256, 5, 1)).astype(np.float32)


def fit_and_score(X, y, expected_shape, **params):
    """Fit, check the answer's shape, return the model's MAE and the mean predictor's."""
    settings = {"epochs": 20, "batch_size": 32, "learning_rate": 0.02, "random_state": 0}
    model = lstmkit.LSTMRegressor(**{**settings, **params}).fit(X, y)
    predicted = model.predict(X)
    assert predicted.shape == expected_shape
    return float(np.abs(predicted - y).mean()), float(np.abs(y - y.mean(axis=0)).mean())


def test_one_to_one():
    y = 2.0 * ONE_STEP[:, 0, 0]
    model_error, mean_error = fit_and_score(ONE_STEP, y, (256,), units=8)
    assert model_error < 0.15 * mean_error


@pytest.mark.parametrize(
    "params",
    [{"units": 8}, {"architecture": "encoder_decoder", "units": [8]}],
    ids=["vector_output", "encoder_decoder"],
)
def test_one_to_many(params):
    # One input step, three output steps: x, x², -x.
    x = ONE_STEP[:, 0, 0]
    y = np.stack([x, x**2, -x], axis=1)
    model_error, mean_error = fit_and_score(ONE_STEP, y, (256, 3), **params)
    assert model_error < 0.15 * mean_error


def test_many_to_one():
    y = FIVE_STEPS[:, :, 0].sum(axis=1)
    model_error, mean_error = fit_and_score(FIVE_STEPS, y, (256,), units=8)
    assert model_error < 0.15 * mean_error


def test_many_to_many_of_equal_length():
    y = np.cumsum(FIVE_STEPS[:, :, 0], axis=1)  # an output per input step
    model_error, mean_error = fit_and_score(FIVE_STEPS, y, (256, 5), units=8, return_sequences=True)
    assert model_error < 0.15 * mean_error


def test_many_to_many_of_different_lengths():
    # Five input steps, two output steps: the sum of the first three and of the last two.
    values = FIVE_STEPS[:, :, 0]
    y = np.stack([values[:, :3].sum(axis=1), values[:, 3:].sum(axis=1)], axis=1)
    model_error, mean_error = fit_and_score(
        FIVE_STEPS, y, (256, 2), architecture="encoder_decoder", units=[16]
    )
    assert model_error < 0.15 * mean_error


def test_a_cnn_lstm_takes_keras_five_dimensional_videos():
    # (samples, frames, rows, cols, channels), as Keras's TimeDistributed(Conv2D) wants them.
    videos = rng.uniform(size=(16, 3, 4, 5, 2)).astype(np.float32)
    labels = np.where(videos[:, :, 0, 0, 0].mean(axis=1) > 0.5, "bright", "dark")
    model = lstmkit.LSTMClassifier(
        architecture="cnn_lstm", units=[4], epochs=1, random_state=0
    ).fit(videos, labels)
    assert model.module_.config.frame_shape == [4, 5, 2]
    flat = videos.reshape(16, 3, -1)
    np.testing.assert_array_equal(model.predict_proba(videos), model.predict_proba(flat))
    with pytest.raises(lstmkit.errors.ShapeError, match=r"frames of shape \[5, 4, 2\], but"):
        model.predict(videos.transpose(0, 1, 3, 2, 4))
