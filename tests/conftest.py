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
