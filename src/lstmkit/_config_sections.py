"""The three tables of a run file: ``[data]``, ``[model]`` and ``[training]`` (see ``config``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from lstmkit.errors import did_you_mean

# Strict: TOML is typed, so a quoted number or 1 for true is a mistake worth reporting.
SECTION_CONFIG = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class DataSection(BaseModel):
    """The ``[data]`` table: the files to train, validate and test on.

    Example:
        >>> DataSection(train="train.npz", test="test.npz").x_key
        'X'
    """

    model_config = SECTION_CONFIG

    train: str = Field(description="the training data file (.npz or .csv)")
    validation: str | None = Field(
        default=None, description="a file passed to fit as validation_data (val_loss per epoch)"
    )
    test: str | None = Field(default=None, description="a file evaluated once after training")
    x_key: str = Field(default="X", description="the name of the inputs array in an .npz")
    y_key: str = Field(default="y", description="the name of the targets array in an .npz")
    target: str | None = Field(default=None, description="the label column of a CSV file")
    timesteps: int | None = Field(default=None, ge=1, description="CSV: time steps per row")
    features: int | None = Field(default=None, ge=1, description="CSV: features per time step")
    encoding: str = Field(default="utf-8", description="the text encoding of CSV files")
    delimiter: str = Field(
        default=",", min_length=1, max_length=1, description="the field separator of CSV files"
    )


class ModelSection(BaseModel):
    """The ``[model]`` table: which estimator and its architecture.

    Example:
        >>> ModelSection(task="regressor", units=50, scale_y=True).task
        'regressor'
    """

    model_config = SECTION_CONFIG

    task: Literal["classifier", "regressor"] = Field(
        description="the estimator: 'classifier' (LSTMClassifier) or 'regressor' (LSTMRegressor)"
    )
    architecture: str | None = Field(
        default=None,
        description="vanilla, stacked, cnn_lstm, encoder_decoder, bidirectional, generative, "
        "or a name a plugin registers",
    )
    architecture_options: dict[str, Any] | None = Field(
        default=None, description='the architecture\'s own options, e.g. { merge_mode = "sum" }'
    )
    plugins: list[str] | None = Field(
        default=None,
        description="Python modules to import first (they register your own architectures); "
        "found beside the run file or on the path",
    )
    units: int | list[int] | None = Field(
        default=None, description="LSTM units per layer, or a list with each layer's width"
    )
    num_layers: int | None = Field(default=None, ge=1, description="stacked LSTM layers")
    dropout: float | None = Field(default=None, ge=0.0, lt=1.0, description="dropout rate")
    input_dropout: float | None = Field(
        default=None, ge=0.0, lt=1.0, description="dropout on the input features"
    )
    dense_units: list[int] | None = Field(
        default=None, description="widths of dense layers between the LSTM and the output"
    )
    dense_activation: str | None = Field(
        default=None, description='activation of those dense layers, e.g. "relu"'
    )
    return_sequences: bool | None = Field(default=None, description="predict at every step")
    init: Literal["keras", "torch"] | None = Field(default=None, description="weight init")
    mask_value: float | None = Field(default=None, description="padding value to mask")
    scale_X: bool | Literal["standard", "minmax"] | None = Field(
        default=None, description='regressor: scale inputs (true = "standard", or "minmax")'
    )
    scale_y: bool | Literal["standard", "minmax"] | None = Field(
        default=None, description='regressor: scale targets (true = "standard", or "minmax")'
    )

    @field_validator("units", mode="before")
    @classmethod
    def _check_units(cls, value: Any) -> Any:
        """One readable message instead of one per member of the union."""
        if value is None or positive_integer(value):
            return value
        if isinstance(value, list) and value and all(positive_integer(item) for item in value):
            return value
        raise PydanticCustomError(
            "units",
            "expected a positive integer or a list of them, one width per layer, e.g. "
            "units = 50 or units = [32, 128]",
        )

    @field_validator("scale_X", "scale_y", mode="before")
    @classmethod
    def _check_scaling(cls, value: Any) -> Any:
        """One readable message instead of one per member of the union."""
        if value is None or isinstance(value, bool) or value in ("standard", "minmax"):
            return value
        hint = did_you_mean(value, ["standard", "minmax"]) if isinstance(value, str) else ""
        raise PydanticCustomError(
            "scaling", 'expected true, false, "standard" or "minmax".{hint}', {"hint": hint}
        )


class TrainingSection(BaseModel):
    """The ``[training]`` table: what Keras puts in ``compile`` and ``fit``.

    Example:
        >>> TrainingSection(epochs=5, optimizer="sgd", momentum=0.9).optimizer
        'sgd'
    """

    model_config = SECTION_CONFIG

    epochs: int | None = Field(default=None, ge=1, description="passes over the training data")
    batch_size: int | None = Field(default=None, ge=1, description="samples per update")
    optimizer: Literal["adam", "sgd", "rmsprop", "adagrad"] | None = Field(default=None)
    learning_rate: float | None = Field(
        default=None, gt=0.0, description="step size (default: Keras's for the optimizer)"
    )
    momentum: float | None = Field(default=None, ge=0.0, description="sgd momentum")
    loss: (
        Literal["auto", "mse", "mae", "binary_crossentropy", "categorical_crossentropy"] | None
    ) = Field(default=None)
    metrics: list[Literal["accuracy", "mae", "rmse"]] | None = Field(default=None)
    clipnorm: float | None = Field(default=None, gt=0.0, description="clip gradient norm")
    shuffle: bool | None = Field(default=None, description="shuffle samples each epoch")
    validation_split: float | None = Field(default=None, ge=0.0, lt=1.0)
    class_weight: dict[str, float] | Literal["balanced"] | None = Field(
        default=None, description='classifier: "balanced" or a table of weights per label'
    )
    verbose: int | None = Field(default=None, ge=0, le=2, description="0 silent, 1 or 2 per epoch")

    @field_validator("class_weight", mode="before")
    @classmethod
    def _check_class_weight(cls, value: Any) -> Any:
        """One readable message instead of one per member of the union."""
        if value == "balanced" or value is None:
            return value
        if isinstance(value, dict) and all(
            isinstance(weight, int | float) and not isinstance(weight, bool) and weight >= 0
            for weight in value.values()
        ):
            return {str(label): float(weight) for label, weight in value.items()}
        raise PydanticCustomError(
            "class_weight",
            'expected "balanced" or a table of non-negative weights per label, e.g. '
            'class_weight = { "0" = 1.0, "1" = 5.0 }',
        )

    random_state: int | None = Field(default=None, ge=0, description="seed for reproducible runs")
    device: Literal["auto", "cpu", "cuda"] | None = Field(default=None)


def positive_integer(value: Any) -> bool:
    """True for an int >= 1 that is not a bool (TOML's ``true`` is not a count).

    Example:
        >>> positive_integer(3), positive_integer(True), positive_integer(0)
        (True, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
