"""The loop: callbacks, non-finite losses, progress output."""

import pytest
import torch

from lstmkit.errors import TrainingError
from lstmkit.models import VanillaConfig, VanillaLSTM
from lstmkit.training import (
    EarlyStopping,
    LearningRateScheduler,
    Loss,
    TrainConfig,
    Trainer,
    WindowData,
)


def make_trainer(epochs=5, learning_rate=0.05, verbose=0):
    module = VanillaLSTM(VanillaConfig(1, 4, 1))
    optimizer = torch.optim.SGD(module.parameters(), lr=learning_rate)
    return Trainer(
        module, Loss("mse"), ["mae"], optimizer, TrainConfig(epochs, 8, True, None, verbose)
    )


def regression_data(count=32):
    x = torch.rand(count, 4, 1)
    return WindowData(x, x[:, -1, :].clone(), complete=True)


def test_early_stopping_restores_the_best_weights():
    trainer = make_trainer(epochs=30)
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    data = regression_data()
    history = trainer.fit(data, regression_data(), callbacks=[stopper])
    best = min(history.history["val_loss"])
    assert stopper.best_weights is not None
    for name, tensor in trainer.module.state_dict().items():
        assert torch.equal(tensor, stopper.best_weights[name])
    assert history.history["val_loss"][stopper.best_epoch] == best


def test_learning_rate_schedule_is_applied_each_epoch():
    trainer = make_trainer(epochs=3)
    trainer.fit(
        regression_data(), callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))]
    )
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.1 / 3)


def test_non_finite_loss_stops_and_restores_last_good_weights():
    trainer = make_trainer(epochs=3)
    data = regression_data()
    trainer.fit(data)  # three good epochs
    good = {name: tensor.clone() for name, tensor in trainer.module.state_dict().items()}
    poisoned = WindowData(data.x, torch.full_like(data.y, float("inf")), complete=True)
    with pytest.raises(
        TrainingError,
        match=r"the training loss became (inf|nan) in epoch 1; the weights were restored to the end of epoch 0",
    ):
        trainer.fit(poisoned)
    for name, tensor in trainer.module.state_dict().items():
        assert torch.equal(tensor, good[name])


def test_verbose_two_prints_one_keras_line_per_epoch(capsys):
    make_trainer(epochs=2, verbose=2).fit(regression_data())
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert (
        lines[0].startswith("Epoch 1/2 - ") and " - loss: " in lines[0] and " - mae: " in lines[0]
    )


def test_bad_settings_are_reported_together():
    from lstmkit.errors import ConfigError

    with pytest.raises(
        ConfigError,
        match="epochs must be a non-negative integer, got -1; batch_size must be a positive integer, got 0",
    ):
        TrainConfig(epochs=-1, batch_size=0)


def test_clipnorm_bounds_each_update():
    module = VanillaLSTM(VanillaConfig(1, 4, 1))
    optimizer = torch.optim.SGD(module.parameters(), lr=1.0)
    trainer = Trainer(module, Loss("mse"), [], optimizer, TrainConfig(1, 32, False, 1e-3, 0))
    before = torch.cat([p.detach().flatten().clone() for p in module.parameters()])
    x = torch.rand(32, 4, 1)
    trainer.fit(WindowData(x, x[:, -1] * 100, complete=True))  # one batch, a large gradient
    after = torch.cat([p.detach().flatten() for p in module.parameters()])
    # Plain SGD with lr=1: the step is the clipped gradient, whose norm is at most 1e-3.
    assert (after - before).norm().item() <= 1e-3 * (1 + 1e-5)


def test_divergence_also_restores_the_optimizer_state():
    module = VanillaLSTM(VanillaConfig(1, 4, 1))
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
    trainer = Trainer(module, Loss("mse"), [], optimizer, TrainConfig(2, 8, True, None, 0))
    data = regression_data()
    trainer.fit(data)
    moments = [state["exp_avg"].clone() for state in optimizer.state.values()]
    poisoned = WindowData(data.x, torch.full_like(data.y, float("inf")), complete=True)
    with pytest.raises(TrainingError):
        trainer.fit(poisoned)
    assert all(
        torch.equal(a, state["exp_avg"]) for a, state in zip(moments, optimizer.state.values())
    )
