"""Write the echo problem's training and test data next to this file, for examples/echo.toml.

    python examples/make_echo_data.py   ->   examples/echo_train.npz, examples/echo_test.npz

Each file holds X (samples, 5, 10) one-hot float32 and y (samples,) integer labels.
"""

from pathlib import Path

import numpy as np

from lstmkit.problems import echo

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for name, count, seed in (("echo_train.npz", 6000, 1), ("echo_test.npz", 1000, 1001)):
        X, y = echo.make(count, random_state=seed)
        np.savez(HERE / name, X=X, y=y)
        print(f"wrote {HERE / name}: X {X.shape}, y {y.shape}")
