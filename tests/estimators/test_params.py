"""Device choice, seeds and keyword handling."""

import numpy as np
import pytest
import torch

from lstmkit.errors import ConfigError
from lstmkit.estimators._params import resolve_device, seed_from


def test_auto_device_is_the_cpu_without_a_gpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_cuda_without_a_gpu_says_so():
    with pytest.raises(
        ConfigError, match="device 'cuda' was asked for, but no CUDA GPU is available"
    ):
        resolve_device("cuda")


def test_unknown_device_suggests_one():
    with pytest.raises(ConfigError, match="unknown device 'cpy'.*Did you mean 'cpu'"):
        resolve_device("cpy")


def test_seeds_from_ints_and_random_states():
    assert seed_from(3) == 3
    assert seed_from(np.random.RandomState(0)) == np.random.RandomState(0).randint(0, 2**31 - 1)
    with pytest.raises(
        ConfigError, match="random_state must be None, an integer or a numpy RandomState"
    ):
        seed_from("seven")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.gpu
def test_gpu_fit_predicts_like_the_reloaded_cpu_model(tmp_path):
    import lstmkit
    from lstmkit.problems import echo

    X, y = echo.make(200, random_state=0)
    model = lstmkit.LSTMClassifier(units=8, epochs=2, device="cuda", random_state=0).fit(X, y)
    model.save(tmp_path / "m.safetensors")
    on_cpu = lstmkit.load_model(tmp_path / "m.safetensors").set_params(device="cpu")
    np.testing.assert_allclose(on_cpu.predict_proba(X), model.predict_proba(X), atol=1e-5)
