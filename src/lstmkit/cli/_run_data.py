"""The data sets and the estimator a ``train`` run file describes (``train`` and ``tune``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np

    from lstmkit.config import RunConfig

Arrays = tuple["np.ndarray", "np.ndarray"]


@dataclass(frozen=True)
class RunData:
    """The ``[data]`` files, loaded: ``train`` always, ``validation`` and ``test`` if named.

    ``files`` maps each loaded role to its name as the run file gives it.
    """

    train: Arrays
    validation: Arrays | None
    test: Arrays | None
    files: dict[str, str]

    def summary(self) -> dict[str, Any]:
        """What run.json says of each data file: its name and array shapes.

        Example:
            >>> import numpy as np
            >>> arrays = (np.zeros((4, 5, 2)), np.zeros(4))
            >>> RunData(arrays, None, None, {"train": "t.npz"}).summary()
            {'train': {'file': 't.npz', 'samples': 4, 'input_shape': [5, 2], 'target_shape': []}}
        """
        loaded = {"train": self.train, "validation": self.validation, "test": self.test}
        return {
            role: {
                "file": self.files[role],
                "samples": len(arrays[0]),
                "input_shape": list(arrays[0].shape[1:]),
                "target_shape": list(arrays[1].shape[1:]),
            }
            for role, arrays in loaded.items()
            if arrays is not None
        }


def load_run_data(run: Path, config: RunConfig) -> RunData:
    """Read the training, validation and test files of a run file.

    Example:
        >>> load_run_data(run, config).train[0].shape  # doctest: +SKIP
        (6000, 5, 10)
    """
    from lstmkit.config import resolve_path
    from lstmkit.data._files import FileOptions, load_data

    data = config.data
    options = FileOptions(
        x_key=data.x_key,
        y_key=data.y_key,
        target=data.target,
        timesteps=data.timesteps,
        features=data.features,
        encoding=data.encoding,
        delimiter=data.delimiter,
    )
    numeric = config.model.task == "regressor"

    def load(name: str) -> Arrays:
        X, y = load_data(resolve_path(name, run), options, require_y=True, numeric_target=numeric)
        return X, cast("np.ndarray", y)  # require_y=True: never None

    files = {
        role: name
        for role, name in (
            ("train", data.train),
            ("validation", data.validation),
            ("test", data.test),
        )
        if name
    }
    return RunData(
        train=load(data.train),
        validation=load(data.validation) if data.validation else None,
        test=load(data.test) if data.test else None,
        files=files,
    )


def build_estimator(run: Path, config: RunConfig, y: np.ndarray) -> Any:
    """The unfitted LSTMClassifier or LSTMRegressor the run file's tables describe.

    Example:
        >>> build_estimator(run, config, y_train).units  # doctest: +SKIP
        25
    """
    import lstmkit

    params = config.estimator_params()
    if "class_weight" in params:
        params["class_weight"] = _class_weight(params["class_weight"], y, run)
    kind = lstmkit.LSTMClassifier if config.model.task == "classifier" else lstmkit.LSTMRegressor
    return kind(**params)


def _class_weight(weights: Any, y: np.ndarray, run: Path) -> Any:
    """Turn the TOML table's string keys into labels of the training targets' type."""
    from lstmkit.errors import ConfigError

    if not isinstance(weights, dict) or y.dtype.kind in "US":
        return weights
    converted: dict[Any, float] = {}
    for key, weight in weights.items():
        try:
            converted[int(key)] = weight
        except ValueError:
            raise ConfigError(
                f"{run}: [training] class_weight has the key {key!r}, but the labels are "
                'integers: use the labels as keys, e.g. class_weight = { "0" = 1.0, "1" = 5.0 }'
            ) from None
    return converted
