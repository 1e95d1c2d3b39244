"""Shared test set-up: every test starts from the same seeds, on the CPU."""

import random

import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def seed_everything():
    """Seed torch, NumPy and random before each test, so results do not depend on test order."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield


@pytest.fixture(scope="module")
def one_torch_thread():
    """Torch on one thread for a module of tiny fits.

    With two threads on shared cores, torch's thread barriers stall tiny models (30-50x
    slower when another process is busy); one thread is faster and steadier. Use it with
    ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
