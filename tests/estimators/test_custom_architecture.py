"""Bring your own module: a user's nn.Module that keeps the contract gets the engine, the
state handling, saving and the command line (issue 5, item 9; CONTRACTS §13)."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pytest
import torch
from torch import nn
from typer.testing import CliRunner

import lstmkit
from lstmkit import TBPTT
from lstmkit.cli import app
from lstmkit.errors import ConfigError, ModelFileError
from lstmkit.models import ARCHITECTURES, register_architecture

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class NormedLSTM(nn.Module):
    """A user's architecture: an LSTM, a LayerNorm, a linear head (no lstmkit base class)."""

    def __init__(self, input_size, output_size, hidden=6, return_sequences=False):
        super().__init__()
        self.settings = dict(
            input_size=input_size,
            output_size=output_size,
            hidden=hidden,
            return_sequences=return_sequences,
        )
        self.lstm = nn.LSTM(input_size, hidden, batch_first=True)
        self.norm = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, output_size)

    def forward(self, x, state=None, lengths=None):
        torch_state = None if state is None else tuple(torch.stack(part) for part in zip(*state))
        outputs, (h, c) = self.lstm(x, torch_state)
        answer = outputs if self.settings["return_sequences"] else outputs[:, -1]
        return self.head(self.norm(answer)), tuple(zip(h.unbind(0), c.unbind(0)))

    def get_config(self):
        return dict(self.settings)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _data(seed=0, n=24, steps=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, steps, 2)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


def test_a_module_class_trains_predicts_and_reloads_with_custom_objects(tmp_path):
    X, y = _data()
    model = lstmkit.LSTMRegressor(
        architecture=NormedLSTM, architecture_options={"hidden": 7}, epochs=3, random_state=0
    ).fit(X, y)
    assert isinstance(model.module_, NormedLSTM) and model.module_.lstm.hidden_size == 7
    assert model.history_.history["loss"][-1] < model.history_.history["loss"][0]
    model.save(tmp_path / "m.safetensors")
    with pytest.raises(
        ModelFileError, match=re.escape("custom_objects={'NormedLSTM': YourModule}")
    ):
        lstmkit.load_model(tmp_path / "m.safetensors")
    loaded = lstmkit.load_model(
        tmp_path / "m.safetensors", custom_objects={"NormedLSTM": NormedLSTM}
    )
    assert loaded.architecture is NormedLSTM
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))  # bitwise (§9)


def test_a_registered_module_is_chosen_by_name_and_reloads_from_the_registry(tmp_path):
    register_architecture("normed_test")(type("NormedByName", (NormedLSTM,), {}))
    try:
        X, y = _data(1)
        model = lstmkit.LSTMRegressor(architecture="normed_test", epochs=1, random_state=0)
        model.fit(X, y).save(tmp_path / "m.safetensors")
        loaded = lstmkit.load_model(tmp_path / "m.safetensors")
        assert loaded.architecture == "normed_test"
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    finally:
        ARCHITECTURES.pop("normed_test")


def test_state_handling_works_for_a_module_without_state_sizes():
    rng = np.random.default_rng(2)
    streams = [rng.normal(size=(40, 2)).astype(np.float32) for _ in range(2)]
    targets = [stream[:, 0].cumsum() for stream in streams]
    model = lstmkit.LSTMRegressor(
        architecture=NormedLSTM,
        architecture_options={"hidden": 5},
        return_sequences=True,
        tbptt=TBPTT(8, 8),
        batch_size=2,
        epochs=2,
        random_state=0,
    ).fit(streams, targets)
    assert [tuple(h.shape) for h, _ in model.get_state()] == [(2, 5)]
    # A chunked stateful run equals one pass (CONTRACTS §9: float32 within 1e-6).
    whole = model.predict(np.stack(streams))
    model.reset_state()
    first = model.predict(np.stack(streams)[:, :15], stateful=True)
    second = model.predict(np.stack(streams)[:, 15:], stateful=True)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-6)
    with pytest.raises(Exception, match=re.escape("expected (batch, 5): that layer has 5 units")):
        model.set_state(((torch.zeros(2, 4), torch.zeros(2, 4)),))


def test_lstm_shaping_keywords_cannot_silently_miss_a_users_module():
    X, y = _data()
    message = (
        "units, dense_units shape lstmkit's own architectures and cannot reach your module "
        "NormedLSTM: pass its sizes in architecture_options (they go to its from_config)"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        lstmkit.LSTMRegressor(architecture=NormedLSTM, units=8, dense_units=[4]).fit(X, y)


def test_a_class_without_get_config_is_refused():
    class Bare(nn.Module):
        def forward(self, x, state=None, lengths=None):
            return x[:, -1], state

    message = (
        "architecture Bare lacks from_config and get_config: a module class needs get_config() "
        "(JSON values that rebuild it) and the classmethod from_config(config), so a model "
        "file can rebuild it"
    )
    with pytest.raises(ConfigError, match=re.escape(message)):
        lstmkit.LSTMRegressor(architecture=Bare).fit(*_data())


PLUGIN = '''
from torch import nn
from lstmkit.models import register_architecture, StackedLSTM, StackedConfig


@register_architecture("plugin_stacked")
class PluginStacked(StackedLSTM):
    """The user's architecture, in a module of its own."""

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["units"] = [config.pop("width", 4)]
        return cls(StackedConfig(**config))

    def get_config(self):
        config = super().get_config()
        return {**config, "width": config.pop("units")[0]}
'''

RUN = """\
output = "plugin.safetensors"

[data]
train = "train.npz"

[model]
task = "regressor"
architecture = "plugin_stacked"
architecture_options = { width = 3 }
plugins = ["my_architectures"]

[training]
epochs = 1
random_state = 0
device = "cpu"
"""


def test_the_command_line_trains_and_predicts_with_a_plugin(tmp_path, monkeypatch):
    X, y = _data(3)
    np.savez(tmp_path / "train.npz", X=X, y=y)
    (tmp_path / "my_architectures.py").write_text(textwrap.dedent(PLUGIN))
    (tmp_path / "run.toml").write_text(RUN)
    runner = CliRunner()
    try:
        trained = runner.invoke(app, ["train", str(tmp_path / "run.toml")])
        assert trained.exit_code == 0, trained.output
        monkeypatch.chdir(tmp_path)
        output = tmp_path / "predictions.npy"
        predicted = runner.invoke(
            app,
            ["predict", "plugin.safetensors", "train.npz", "-o", str(output)]
            + ["--plugin", "my_architectures"],
        )
        assert predicted.exit_code == 0, predicted.output
        model = lstmkit.load_model(tmp_path / "plugin.safetensors")
        assert model.module_.config.units == [3]
        np.testing.assert_array_equal(np.load(output), model.predict(X))
        missing = runner.invoke(app, ["inspect", "plugin.safetensors", "--plugin", "no_such_mod"])
        assert missing.exit_code == 1
        assert "cannot import the plugin module 'no_such_mod' (ModuleNotFoundError" in (
            missing.output
        )
    finally:
        ARCHITECTURES.pop("plugin_stacked", None)
