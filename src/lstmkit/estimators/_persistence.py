"""Saving an estimator to one safe file and loading it back (``lstmkit.load_model``).

The file holds the module's weights (safetensors) and a JSON manifest: the
estimator's class and keywords, the architecture name and config, the fitted
attributes (classes, scalers as numbers), and the history. Loading looks names
up in fixed registries; nothing read from the file is imported or executed.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstmkit.errors import ConfigError, ModelFileError, unknown_option
from lstmkit.models import architecture_name, get_architecture
from lstmkit.training import TBPTT, History, check_quantiles

_STATE_PREFIX = "carried_state."  # tensor names of the saved state, beside the weights


def _estimator_classes() -> dict[str, type]:
    from lstmkit.estimators._classifier import LSTMClassifier
    from lstmkit.estimators._generator import LSTMGenerator
    from lstmkit.estimators._regressor import LSTMRegressor

    return {
        "LSTMClassifier": LSTMClassifier,
        "LSTMGenerator": LSTMGenerator,
        "LSTMRegressor": LSTMRegressor,
    }


def save_estimator(estimator: Any, path: str | Path, include_state: bool = False) -> None:
    """Write ``estimator`` (fitted) to ``path`` atomically. See :func:`load_model`.

    ``include_state=True`` also stores the carried state (``get_state()``), so the
    loaded model resumes a stream where this one stopped.
    """
    from lstmkit.io import write_model_file

    if type(estimator).__name__ == "LSTMForecaster":
        from lstmkit.estimators._forecast_persistence import forecaster_payload

        tensors, manifest = forecaster_payload(estimator)
    else:
        tensors, manifest = estimator_payload(estimator, include_state)
    write_model_file(path, tensors, manifest)


def estimator_payload(
    estimator: Any, include_state: bool = False
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The tensors and the JSON manifest that describe a fitted estimator."""
    if include_state not in (True, False):
        raise ConfigError(f"include_state must be True or False, got {include_state!r}")
    module = estimator.module_
    tensors = {
        name: tensor.detach().cpu().contiguous() for name, tensor in module.state_dict().items()
    }
    manifest = {
        "estimator": type(estimator).__name__,
        "params": _json_params(estimator.get_params(deep=False)),
        "architecture": architecture_name(module),
        "model_config": module.get_config(),
        "fitted": _fitted_attributes(estimator),
        "history": _finite_history(estimator.history_),
    }
    if include_state:
        state = estimator.get_state()
        manifest["carried_state_layers"] = None if state is None else len(state)
        for layer, pair in enumerate(state or ()):
            for name, value in zip("hc", pair):
                tensors[f"{_STATE_PREFIX}{layer}.{name}"] = value.contiguous()
    return tensors, manifest


def load_model(path: str | Path, custom_objects: dict[str, type] | None = None) -> Any:
    """Load a model file written by ``estimator.save(path)``.

    Args:
        path: the model file.
        custom_objects: ``{architecture name: module class}`` for your own architectures.

    Returns:
        The fitted estimator, predicting exactly as the one that was saved.

    Raises:
        ModelFileError: the file is missing, corrupt, not an lstmkit model, or from a newer lstmkit.

    Example:
        >>> # model.save("echo.safetensors"); lstmkit.load_model("echo.safetensors").predict(X)
    """
    from lstmkit.io import read_model_file

    tensors, manifest = read_model_file(path)
    if manifest.get("estimator") == "LSTMForecaster":
        from lstmkit.estimators._forecast_persistence import forecaster_from_payload

        return forecaster_from_payload(tensors, manifest, custom_objects, path)
    return estimator_from_payload(tensors, manifest, custom_objects, path)


def estimator_from_payload(
    tensors: dict[str, torch.Tensor], manifest: dict[str, Any], custom_objects: Any, path: Any
) -> Any:
    """Rebuild the estimator that :func:`estimator_payload` described."""
    state = _carried_state(tensors, manifest, path)
    classes = _estimator_classes()
    name = manifest.get("estimator")
    if name not in classes:
        raise unknown_option("estimator in the model file", str(name), classes)
    estimator = classes[name](**{key: _decode_param(v) for key, v in manifest["params"].items()})
    _check_device(estimator, path)
    module = _build_module(manifest, custom_objects, path)
    try:
        module.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise ModelFileError(
            f"the weights in {str(path)!r} do not fit the {manifest['architecture']!r} "
            f"architecture they name: {exc}"
        ) from exc
    estimator.module_ = module
    if _is_class_reference(manifest["params"].get("architecture")):
        estimator.architecture = type(module)  # the class custom_objects supplied
    _restore_fitted(estimator, manifest["fitted"])
    estimator.history_ = _history_from_file(manifest["history"])
    estimator.optimizer_ = _fresh_optimizer(estimator)
    if state is not None:
        estimator.set_state(state)
    return estimator


def _carried_state(tensors: dict[str, torch.Tensor], manifest: dict[str, Any], path: Any):
    """Take the saved carried state out of ``tensors`` (None when the file holds none)."""
    names = sorted(name for name in tensors if name.startswith(_STATE_PREFIX))
    layers = manifest.get("carried_state_layers")
    expected = [f"{_STATE_PREFIX}{layer}.{n}" for layer in range(layers or 0) for n in "ch"]
    if names != sorted(expected):
        raise ModelFileError(
            f"{str(path)!r} names {layers!r} layers of carried state but holds the state "
            f"tensors {names}: the file was not written by lstmkit"
        )
    pairs = [
        (tensors.pop(f"{_STATE_PREFIX}{layer}.h"), tensors.pop(f"{_STATE_PREFIX}{layer}.c"))
        for layer in range(layers or 0)
    ]
    return tuple(pairs) if pairs else None


# Keywords that may hold code (callbacks, an optimizer factory): not saved, they come
# back at their defaults. Any other keyword that cannot be saved is an error, because
# predict may depend on it (mask_value, return_sequences, ...).
_CODE_KEYWORDS = ("callbacks", "optimizer")


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    """Encode the keywords for the manifest; tuples and non-string-keyed dicts are tagged.

    Raises:
        ModelFileError: a keyword other than ``callbacks``/``optimizer`` holds a value JSON
            cannot represent.
    """
    kept = {}
    for name, value in params.items():
        encoded = _encode_param(value)
        try:
            json.dumps(encoded, allow_nan=False)
        except (TypeError, ValueError) as exc:
            if name in _CODE_KEYWORDS:
                continue
            raise ModelFileError(
                f"cannot save the keyword {name}={value!r}: a model file keeps keywords as JSON "
                f"({exc}); use plain numbers, strings, lists or dicts"
            ) from exc
        kept[name] = encoded
    return kept


def _encode_param(value: Any) -> Any:
    if isinstance(value, type) and issubclass(value, torch.nn.Module):
        # The user's own architecture class: the file names it; load_model's
        # custom_objects (or the registry) supplies the class again.
        return {"__architecture__": vars(value).get("architecture_name", value.__name__)}
    if isinstance(value, TBPTT):
        return {"__tbptt__": [value.k1, value.k2]}
    if isinstance(value, np.generic):
        return value.item()  # np.float32(0.0) -> 0.0, np.True_ -> True
    if isinstance(value, tuple):
        return {"__tuple__": [_encode_param(item) for item in value]}
    if isinstance(value, dict):
        return {"__items__": [[_encode_param(k), _encode_param(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode_param(item) for item in value]
    return value


def _is_class_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"__architecture__"}


def _decode_param(value: Any) -> Any:
    if _is_class_reference(value):
        return value["__architecture__"]
    if isinstance(value, dict) and set(value) == {"__tbptt__"}:
        return TBPTT(*value["__tbptt__"])
    if isinstance(value, dict) and set(value) == {"__tuple__"}:
        return tuple(_decode_param(item) for item in value["__tuple__"])
    if isinstance(value, dict) and set(value) == {"__items__"}:
        return {_decode_param(k): _decode_param(v) for k, v in value["__items__"]}
    if isinstance(value, list):
        return [_decode_param(item) for item in value]
    return value


def _fitted_attributes(estimator: Any) -> dict[str, Any]:
    if hasattr(estimator, "vocabulary_"):  # LSTMGenerator: its characters, index = code
        return {
            "vocabulary_": list(estimator.vocabulary_),
            "character_counts_": [int(count) for count in estimator.character_counts_],
        }
    fitted: dict[str, Any] = {
        "n_features_in_": int(estimator.n_features_in_),
        "n_timesteps_in_": int(estimator.n_timesteps_in_),
        "loss_": estimator.loss_,
        "output_size_": int(estimator.output_size_),
    }
    if hasattr(estimator, "output_steps_"):
        fitted["output_steps_"] = int(estimator.output_steps_)
    if getattr(estimator, "quantiles_", None) is not None:  # a quantile regressor's levels
        fitted["quantiles_"] = [float(level) for level in estimator.quantiles_]
    if hasattr(estimator, "classes_"):
        fitted["classes_"] = estimator.classes_.tolist()
        fitted["classes_dtype"] = estimator.classes_.dtype.str
        fitted["one_hot_"] = bool(estimator.one_hot_)
    if hasattr(estimator, "y_shape_"):
        fitted["y_shape_"] = list(estimator.y_shape_)
        for name in ("scaler_X_", "scaler_y_"):
            scaler = getattr(estimator, name)
            fitted[name] = None if scaler is None else scaler.to_dict()
    return fitted


def _restore_fitted(estimator: Any, fitted: dict[str, Any]) -> None:
    from lstmkit.data import transformer_from_dict

    if "vocabulary_" in fitted:
        _restore_vocabulary(estimator, fitted)
        return
    for name in ("n_features_in_", "n_timesteps_in_", "loss_", "output_size_"):
        setattr(estimator, name, fitted[name])
    if "output_steps_" in fitted:
        estimator.output_steps_ = int(fitted["output_steps_"])
    if "y_shape_" in fitted:  # a regressor: files written before quantile loss have none
        estimator.quantiles_ = _saved_quantiles(fitted.get("quantiles_"))
    if "classes_" in fitted:
        estimator.classes_ = np.array(fitted["classes_"], dtype=np.dtype(fitted["classes_dtype"]))
        estimator.one_hot_ = bool(fitted["one_hot_"])
    if "y_shape_" in fitted:
        estimator.y_shape_ = list(fitted["y_shape_"])
        for name in ("scaler_X_", "scaler_y_"):
            state = fitted.get(name)
            setattr(estimator, name, None if state is None else transformer_from_dict(state))


def _saved_quantiles(levels: Any) -> tuple[float, ...] | None:
    """A quantile regressor's levels from the manifest (None for a point model)."""
    if levels is None:
        return None
    try:
        return check_quantiles(levels)
    except ConfigError as exc:
        raise ModelFileError(
            f"the model file's quantiles are not valid ({exc}): the file was not written by lstmkit"
        ) from exc


def _restore_vocabulary(estimator: Any, fitted: dict[str, Any]) -> None:
    """A generator's vocabulary and character counts, checked against each other."""
    vocabulary = fitted["vocabulary_"]
    counts = fitted.get("character_counts_")
    valid = (
        isinstance(vocabulary, list)
        and all(isinstance(item, str) and len(item) == 1 for item in vocabulary)
        and vocabulary == sorted(set(vocabulary))
        and isinstance(counts, list)
        and len(counts) == len(vocabulary)
    )
    if not valid:
        raise ModelFileError(
            "the model file's vocabulary is not a sorted list of distinct characters with "
            "one count each: the file was not written by lstmkit"
        )
    estimator.vocabulary_ = vocabulary
    estimator.n_chars_ = len(vocabulary)
    estimator.character_counts_ = np.array(counts, dtype=np.int64)


def _finite_history(history: History) -> dict[str, Any]:
    """History with NaN values as None (strict JSON has no NaN)."""
    data = history.to_dict()
    data["history"] = {
        name: [value if np.isfinite(value) else None for value in values]
        for name, values in data["history"].items()
    }
    return data


def _build_module(manifest: dict[str, Any], custom_objects: Any, path: Any) -> torch.nn.Module:
    name = manifest["architecture"]
    try:
        module_class = get_architecture(name, custom_objects)
    except ConfigError as exc:
        raise ModelFileError(
            f"{str(path)!r} holds a model of the architecture {name!r}, which is not registered "
            f"here: pass load_model(path, custom_objects={{{name!r}: YourModule}}) ({exc})"
        ) from exc
    # Building runs the initialisation; keep the caller's random state untouched.
    with torch.random.fork_rng(devices=[]):
        return module_class.from_config(manifest["model_config"])


def _check_device(estimator: Any, path: Any) -> None:
    """A model saved for a GPU loads on a machine without one: say so and use the CPU."""
    device = str(estimator.device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"{str(path)!r} was saved with device={device!r}, but no CUDA GPU is available "
            "here: it will run on the CPU (set_params(device=...) to choose)",
            stacklevel=3,
        )
        estimator.set_params(device="auto")


def _history_from_file(data: dict[str, Any]) -> History:
    """NaN values were stored as null (strict JSON); put them back."""
    history = History.from_dict(data)
    history.history = {
        name: [float("nan") if value is None else value for value in values]
        for name, values in history.history.items()
    }
    return history


def _fresh_optimizer(estimator: Any) -> torch.optim.Optimizer:
    from lstmkit.training import make_optimizer

    optimizer = estimator.optimizer if isinstance(estimator.optimizer, str) else "adam"
    return make_optimizer(
        optimizer, estimator.module_.parameters(), estimator.learning_rate, estimator.momentum
    )
