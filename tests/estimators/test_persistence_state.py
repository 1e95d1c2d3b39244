"""The carried state in the model file (opt-in) and stream-trained models' keywords."""

import numpy as np
import pytest
import torch

import lstmkit
from lstmkit import TBPTT
from lstmkit.errors import ConfigError


@pytest.fixture(scope="module")
def stream_model():
    rng = np.random.default_rng(0)
    streams = [rng.normal(size=(length, 2)).astype("float32") for length in (14, 9, 11)]
    targets = [stream[:, 0] * 0.5 for stream in streams]
    model = lstmkit.LSTMRegressor(
        units=5,
        num_layers=2,
        return_sequences=True,
        tbptt=TBPTT(3, 6),
        batch_size=2,
        epochs=1,
        random_state=0,
    )
    return model.fit(streams, targets), streams


def test_the_state_is_saved_only_when_asked(stream_model, tmp_path):
    model, _ = stream_model
    model.save(tmp_path / "plain.safetensors")
    model.save(tmp_path / "resumable.safetensors", include_state=True)
    assert lstmkit.load_model(tmp_path / "plain.safetensors").get_state() is None
    loaded = lstmkit.load_model(tmp_path / "resumable.safetensors")
    for (h, c), (h2, c2) in zip(model.get_state(), loaded.get_state()):
        assert torch.equal(h, h2) and torch.equal(c, c2)  # bitwise: save -> load


def test_a_loaded_model_resumes_each_stream_where_it_stopped(stream_model, tmp_path):
    model, streams = stream_model
    model.save(tmp_path / "resumable.safetensors", include_state=True)
    loaded = lstmkit.load_model(tmp_path / "resumable.safetensors")
    following = [stream[:4] for stream in streams]
    expected = model.predict(following, stateful=True)
    resumed = loaded.predict(following, stateful=True)
    for ours, theirs in zip(resumed, expected):
        np.testing.assert_array_equal(ours, theirs)
    model.set_state(loaded.get_state())  # undo the advance for the other tests
    assert loaded.tbptt == TBPTT(3, 6)  # the keyword survives the file


def test_include_state_must_be_a_bool(stream_model, tmp_path):
    model, _ = stream_model
    with pytest.raises(ConfigError, match="include_state must be True or False, got 'yes'"):
        model.save(tmp_path / "x.safetensors", include_state="yes")
    assert not (tmp_path / "x.safetensors").exists()


def test_a_model_without_state_saves_with_include_state(tmp_path):
    model = lstmkit.LSTMRegressor(units=3, epochs=1, random_state=0)
    model.fit(np.zeros((4, 3, 1), "float32"), np.zeros(4))
    model.save(tmp_path / "m.safetensors", include_state=True)
    assert lstmkit.load_model(tmp_path / "m.safetensors").get_state() is None


def test_a_file_whose_state_tensors_do_not_match_its_manifest_is_refused(stream_model, tmp_path):
    from lstmkit.errors import ModelFileError
    from lstmkit.io import read_model_file, write_model_file

    model, _ = stream_model
    model.save(tmp_path / "m.safetensors", include_state=True)
    tensors, manifest = read_model_file(tmp_path / "m.safetensors")
    del tensors["carried_state.1.c"]
    manifest.pop("checksum", None)
    write_model_file(tmp_path / "broken.safetensors", tensors, manifest)
    with pytest.raises(ModelFileError, match="names 2 layers of carried state but holds"):
        lstmkit.load_model(tmp_path / "broken.safetensors")
