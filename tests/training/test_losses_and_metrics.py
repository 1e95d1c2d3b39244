"""Losses and metrics against plain NumPy/torch references, with missing targets masked."""

import math

import numpy as np
import pytest
import torch

from lstmkit.errors import ConfigError
from lstmkit.training import Loss, MetricAccumulator, make_optimizer


def test_mse_ignores_missing_targets_in_value_and_gradient():
    prediction = torch.tensor([[1.0], [3.0], [5.0]], requires_grad=True)
    target = torch.tensor([[0.0], [float("nan")], [4.0]])
    loss = Loss("mse")(prediction, target)
    loss.backward()
    assert loss.item() == pytest.approx((1.0 + 1.0) / 2)
    assert prediction.grad[:, 0].tolist() == pytest.approx([1.0, 0.0, 1.0])


def test_complete_fast_path_equals_masked_path():
    prediction = torch.randn(6, 4, 5)
    target = torch.randint(0, 5, (6, 4))
    loss = Loss("categorical_crossentropy")
    assert torch.allclose(
        loss(prediction, target), loss(prediction, target, complete=True), atol=1e-6
    )


def test_crossentropy_skips_minus_one_labels():
    prediction = torch.randn(4, 3)
    target = torch.tensor([0, -1, 2, 1])
    expected = torch.nn.functional.cross_entropy(prediction[[0, 2, 3]], target[[0, 2, 3]])
    assert torch.allclose(Loss("categorical_crossentropy")(prediction, target), expected)


def test_sample_weights_scale_each_sample():
    prediction = torch.tensor([[1.0], [2.0]])
    target = torch.zeros(2, 1)
    loss = Loss("mae")(prediction, target, weight=torch.tensor([2.0, 0.0]))
    assert loss.item() == pytest.approx(1.0)


def test_metrics_match_numpy():
    rng = np.random.default_rng(0)
    prediction, target = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    mae, rmse = MetricAccumulator("mae"), MetricAccumulator("rmse")
    for part in (slice(0, 7), slice(7, 20)):
        for metric in (mae, rmse):
            metric.update(torch.from_numpy(prediction[part]), torch.from_numpy(target[part]))
    assert mae.result() == pytest.approx(np.abs(prediction - target).mean())
    assert rmse.result() == pytest.approx(math.sqrt(np.square(prediction - target).mean()))


def test_binary_accuracy_reads_one_logit():
    metric = MetricAccumulator("acc", binary=True)
    metric.update(torch.tensor([[2.0], [-1.0], [0.5]]), torch.tensor([1, 1, -1]))
    assert metric.result() == 0.5


def test_unknown_names_suggest_the_closest():
    with pytest.raises(ConfigError, match="unknown loss 'mse2'.*Did you mean 'mse'"):
        Loss("mse2")
    with pytest.raises(ConfigError, match="unknown metric 'acuracy'.*Did you mean 'accuracy'"):
        MetricAccumulator("acuracy")
    with pytest.raises(ConfigError, match="unknown optimizer 'adma'.*Did you mean 'adam'"):
        make_optimizer("adma", torch.nn.Linear(1, 1).parameters())


def test_optimizers_take_keras_defaults():
    parameters = list(torch.nn.Linear(2, 1).parameters())
    assert make_optimizer("sgd", parameters).defaults["lr"] == 0.01
    adam = make_optimizer("adam", parameters)
    assert adam.defaults["lr"] == 0.001 and adam.defaults["eps"] == 1e-7
    assert make_optimizer("rmsprop", parameters).defaults["alpha"] == 0.9


@pytest.mark.parametrize("name", ["accuracy", "mae", "rmse"])
def test_complete_metric_path_equals_masked_path(name):
    if name == "accuracy":
        prediction, target = torch.randn(6, 4, 5), torch.randint(0, 5, (6, 4))
    else:
        prediction, target = torch.randn(6, 3), torch.randn(6, 3)
    fast, masked = MetricAccumulator(name), MetricAccumulator(name)
    fast.update(prediction, target, complete=True)
    masked.update(prediction, target)
    assert fast.result() == pytest.approx(masked.result(), rel=1e-6)
