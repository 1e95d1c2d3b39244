"""The pinball (quantile) loss: values against NumPy by hand, masking, and its minimiser."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from lstmkit.errors import ConfigError, ShapeError
from lstmkit.training import DEFAULT_QUANTILES, LOSSES, Loss, check_quantiles

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def numpy_pinball(prediction, target, levels):
    """Mean over levels of max(q e, (q - 1) e), e = target - prediction; NaN targets skipped.

    ``prediction``: ``(..., targets · Q)``, the Q levels of a target value side by side.
    Returns the per-target-value losses (NaN where no target) and their mean.
    """
    levels = np.asarray(levels, dtype=np.float64)
    predicted = prediction.reshape(*target.shape, len(levels))
    error = target[..., None] - predicted
    per_level = np.maximum(levels * error, (levels - 1.0) * error)
    per_value = per_level.mean(axis=-1)
    return per_value, np.nanmean(per_value)


def test_quantile_is_a_loss_with_default_levels():
    assert "quantile" in LOSSES
    assert Loss("quantile").quantiles == DEFAULT_QUANTILES == (0.1, 0.5, 0.9)
    assert Loss("quantile", quantiles=[0.9, 0.25]).quantiles == (0.25, 0.9)  # sorted on use


def test_values_by_hand():
    # q = 0.1 and 0.9, prediction 0. Target 1 (e = 1): 0.1 and 0.9, mean 0.5.
    # Target -2 (e = -2): max(-0.2, 1.8) = 1.8 and max(-1.8, 0.2) = 0.2, mean 1.0.
    loss = Loss("quantile", quantiles=(0.1, 0.9))
    prediction = torch.zeros(2, 2, dtype=torch.float64)
    target = torch.tensor([[1.0], [-2.0]], dtype=torch.float64)
    values, valid = loss.elementwise(prediction, target)
    assert values[:, 0].tolist() == pytest.approx([0.5, 1.0], abs=1e-15)
    assert valid.tolist() == [[True], [True]]
    assert float(loss(prediction, target)) == pytest.approx(0.75, abs=1e-15)


@pytest.mark.parametrize("shape", [(6, 2), (4, 5, 3)])  # (batch, targets), (batch, time, targets)
def test_values_match_numpy_with_missing_targets_and_weights(shape):
    rng = np.random.default_rng(0)
    levels = (0.05, 0.5, 0.8)
    target = rng.normal(size=shape)
    target[1, 0] = np.nan
    target[-1, -1] = np.nan
    prediction = rng.normal(size=(*shape[:-1], shape[-1] * len(levels)))
    per_value, expected = numpy_pinball(prediction, target, levels)
    loss = Loss("quantile", quantiles=levels)
    got = loss(torch.from_numpy(prediction), torch.from_numpy(target))
    assert float(got) == pytest.approx(expected, abs=1e-12)  # float64: summation order only

    weight = rng.uniform(0.5, 2.0, size=shape[0])  # one weight per sample
    broadcast = weight.reshape((-1,) + (1,) * (len(shape) - 1))
    weighted = np.nansum(per_value * broadcast) / np.sum(~np.isnan(target))
    got = loss(torch.from_numpy(prediction), torch.from_numpy(target), torch.from_numpy(weight))
    assert float(got) == pytest.approx(weighted, abs=1e-12)


def test_complete_fast_path_equals_the_masked_path():
    rng = np.random.default_rng(1)
    prediction = torch.from_numpy(rng.normal(size=(8, 6)).astype(np.float32))
    target = torch.from_numpy(rng.normal(size=(8, 2)).astype(np.float32))
    loss = Loss("quantile")
    fast = float(loss(prediction, target, complete=True))
    masked = float(loss(prediction, target))
    assert fast == pytest.approx(masked, abs=1e-6)  # float32 across paths (CONTRACTS §9)


def test_missing_targets_give_no_gradient():
    prediction = torch.ones(3, 3, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([[0.0], [float("nan")], [2.0]], dtype=torch.float64)
    Loss("quantile").__call__(prediction, target).backward()
    assert prediction.grad[1].tolist() == [0.0, 0.0, 0.0]
    assert torch.isfinite(prediction.grad).all()
    # Row 0: e = -1 < 0, d/dp max(q e, (q - 1) e) = 1 - q, over 3 levels and 2 valid targets.
    expected = [(1 - q) / 3 / 2 for q in (0.1, 0.5, 0.9)]
    assert prediction.grad[0].tolist() == pytest.approx(expected, abs=1e-15)


def test_the_minimiser_over_a_constant_is_the_empirical_quantile():
    # 201 values: n q is not an integer for q = 0.1, 0.5, 0.9, so the pinball loss has
    # one minimiser per level, the order statistic np.quantile (linear) also lands on.
    sample = torch.from_numpy(np.random.default_rng(2).normal(size=(201, 1)))
    levels = (0.1, 0.5, 0.9)
    loss = Loss("quantile", quantiles=levels)
    constant = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    # Sign descent with a decaying step: the pinball loss's gradient is small on the
    # flat side of a low level, its sign is not; steps shrink from 0.1 to about 1e-5.
    for step in range(600):
        constant.grad = None
        loss(constant.expand(201, 3), sample).backward()
        with torch.no_grad():
            constant -= 0.1 * 0.985**step * constant.grad.sign()
    expected = np.quantile(sample.numpy()[:, 0], levels)
    # The last steps are about 1e-5 long; neighbouring order statistics are >= 1e-3 apart.
    assert constant.detach().numpy() == pytest.approx(expected, abs=1e-4)


def test_check_quantiles_messages():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "invalid quantiles [0.0, 0.5, 0.5, 1.5]: each must lie strictly between 0 and 1, "
            "got 0.0, 1.5; they must be distinct, got 0.5 more than once: pass distinct "
            "levels in (0, 1), e.g. (0.1, 0.5, 0.9)"
        ),
    ):
        check_quantiles([0.0, 0.5, 0.5, 1.5])
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "quantiles must be a non-empty sequence of numbers in (0, 1), e.g. (0.1, 0.5, 0.9), "
            "got 0.5"
        ),
    ):
        check_quantiles(0.5)
    assert check_quantiles(np.array([0.9, 0.1])) == (0.1, 0.9)


def test_quantiles_belong_to_the_quantile_loss_only():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "quantiles are the levels of loss='quantile', but the loss is 'mse': use "
            "Loss('quantile', quantiles=...) or leave quantiles out"
        ),
    ):
        Loss("mse", quantiles=(0.5,))


def test_a_prediction_without_q_values_per_target_is_a_shape_error():
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "loss='quantile' with 3 quantiles expects 3 outputs per target value: predictions "
            "of shape (4, 6) for targets of shape (4, 2), got (4, 2)"
        ),
    ):
        Loss("quantile")(torch.zeros(4, 2), torch.zeros(4, 2))
