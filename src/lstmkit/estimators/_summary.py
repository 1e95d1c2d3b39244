"""The Keras-like text summary of a fitted estimator (``summary()``, ``lstmkit inspect``)."""

from __future__ import annotations

from typing import Any

from torch import nn

from lstmkit.models import architecture_name


def keras_equivalent_parameters(module: nn.Module) -> int:
    """Count parameters as Keras would: one bias vector per LSTM layer, not two.

    PyTorch's LSTM keeps ``bias_ih`` and ``bias_hh``; their sum is Keras's one
    bias, so the book's echo model counts 3,960 here and 3,860 in Keras.

    Example:
        >>> from lstmkit.models import VanillaLSTM, VanillaConfig
        >>> keras_equivalent_parameters(VanillaLSTM(VanillaConfig(10, 25, 10)))
        3860
    """
    total = sum(parameter.numel() for parameter in module.parameters())
    for name, parameter in module.named_parameters():
        if ".bias_hh" in f".{name.split('.')[-1]}" and isinstance(_owner(module, name), nn.LSTM):
            total -= parameter.numel()
    return total


def _owner(module: nn.Module, parameter_name: str) -> nn.Module:
    path = parameter_name.split(".")[:-1]
    owner = module
    for part in path:
        owner = getattr(owner, part)
    return owner


def summary_text(estimator: Any) -> str:
    """Return the summary: layers, shapes, parameter counts, training set-up, preprocessing, history.

    Example:
        >>> # LSTMClassifier(...).fit(X, y).summary() prints this text.
    """
    module = estimator.module_
    rows = module.layer_summary() if hasattr(module, "layer_summary") else _generic_rows(module)
    # Keras's column widths, widened for long names such as TimeDistributed(Conv2D).
    width = max([30] + [len(name) + 2 for name, _, _ in rows])
    rule, double = "_" * (width + 36), "=" * (width + 36)
    lines = [
        f'Model: "{type(estimator).__name__}" (architecture: {architecture_name(module)})',
        rule,
    ]
    lines.append(f"{'Layer (type)':<{width}}{'Output Shape':<24}{'Param #':>12}")
    lines.append(double)
    for name, shape, count in rows:
        lines.append(f"{name:<{width}}{shape:<24}{count:>12,}")
    total = sum(parameter.numel() for parameter in module.parameters())
    trainable = sum(
        parameter.numel() for parameter in module.parameters() if parameter.requires_grad
    )
    lines += [
        double,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        f"Keras-equivalent params: {keras_equivalent_parameters(module):,} "
        "(Keras keeps one bias vector per LSTM layer, PyTorch two)",
        rule,
        _input_line(estimator),
        "Training: " + _training_line(estimator),
    ]
    lines += _preprocessing_lines(estimator)
    lines += _history_lines(estimator)
    return "\n".join(lines)


def _generic_rows(module: nn.Module) -> list[tuple[str, str, int]]:
    return [
        (f"{name} ({type(child).__name__})", "?", sum(p.numel() for p in child.parameters()))
        for name, child in module.named_children()
    ]


def _input_line(estimator: Any) -> str:
    vocabulary = getattr(estimator, "vocabulary_", None)
    if vocabulary is not None:  # LSTMGenerator: one-hot characters, streams of any length
        shown = "".join(vocabulary)
        return f"Input: (None, None, {len(vocabulary)}) one-hot characters of {shown!r}"
    return f"Input: (None, {estimator.n_timesteps_in_}, {estimator.n_features_in_})"


def _training_line(estimator: Any) -> str:
    optimizer = (
        estimator.optimizer if isinstance(estimator.optimizer, str) else repr(estimator.optimizer)
    )
    rate = estimator.learning_rate if estimator.learning_rate is not None else "default"
    names = estimator._metric_names() if hasattr(estimator, "_metric_names") else ["accuracy"]
    metrics = ", ".join(names)
    loss = getattr(estimator, "loss_", "categorical_crossentropy")
    return (
        f"optimizer={optimizer} (learning_rate={rate}), loss={loss}, "
        f"metrics=[{metrics}], epochs={estimator.epochs}, batch_size={estimator.batch_size}"
    )


def _preprocessing_lines(estimator: Any) -> list[str]:
    lines = []
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        shown = ", ".join(repr(label) for label in classes.tolist()[:12])
        more = f", ... ({len(classes)} in all)" if len(classes) > 12 else ""
        lines.append(
            f"Classes: [{shown}{more}]" + (" (one-hot targets)" if estimator.one_hot_ else "")
        )
    for name in ("scaler_X_", "scaler_y_"):
        scaler = getattr(estimator, name, None)
        if scaler is not None:
            lines.append(f"{name.rstrip('_')}: {scaler.to_dict()}")
    return lines or ["Preprocessing: none"]


def _history_lines(estimator: Any) -> list[str]:
    history = getattr(estimator, "history_", None)
    if history is None or not history.epoch:
        return ["History: none"]
    lines = [f"History ({len(history.epoch)} epochs, last {min(3, len(history.epoch))}):"]
    for row in history.tail(3):
        values = " - ".join(
            f"{name}: {value:.4f}" for name, value in row.items() if name != "epoch"
        )
        lines.append(f"  epoch {row['epoch']}: {values}")
    return lines
