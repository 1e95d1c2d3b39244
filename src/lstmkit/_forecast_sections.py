"""The tables of a forecasting run file (see :mod:`lstmkit._forecast_config`).

Every key is optional except ``[data] path`` and ``[evaluation] test_start``; a key left
out takes the :class:`lstmkit.LSTMForecaster` default.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

# Private helpers shared with ``lstmkit train``'s run files, so both speak alike.
from lstmkit._config_sections import SECTION_CONFIG, positive_integer
from lstmkit.errors import did_you_mean

RULE = "forecast_rule"  # the error type of checks across keys: its message is shown as is
_Count = Annotated[int, Field(ge=1)]


def _rule(message: str) -> PydanticCustomError:
    return PydanticCustomError(RULE, message)


class DataSection(BaseModel):
    """The ``[data]`` table: the CSV file and what its columns are.

    Example:
        >>> DataSection(path="d.csv", target="load", missing="mask").missing
        'mask'
    """

    model_config = SECTION_CONFIG

    path: str = Field(
        description='the CSV file (relative to the run file), or "lstmkit:NAME" for a '
        'bundled dataset, e.g. path = "lstmkit:airline_passengers"'
    )
    time_column: str | None = Field(default=None, description="default: the first column")
    target: str | list[str] | None = Field(
        default=None, description="default: every column not named a covariate"
    )
    past_covariates: list[str] | None = Field(default=None)
    future_covariates: list[str] | None = Field(default=None)
    freq: str | None = Field(default=None, description='e.g. "MS", "W-SAT"; default inferred')
    missing: Literal["interpolate", "seasonal", "mask", "drop"] | None = Field(default=None)
    resample: str | None = Field(default=None, description='a rule such as "MS" or "h"')
    aggregate: Literal["mean", "sum", "first", "last", "max", "min"] | None = Field(default=None)
    date_format: str | None = Field(default=None, description='e.g. "%d/%m/%Y"')

    @field_validator("target", mode="before")
    @classmethod
    def _check_target(cls, value: Any) -> Any:
        """One readable message instead of one per member of the union."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list) and value and all(isinstance(name, str) for name in value):
            return value
        raise PydanticCustomError(
            "target",
            'expected a column name or a list of them, e.g. target = "load" or '
            'target = ["load", "price"]',
        )

    @model_validator(mode="after")
    def _check_aggregate(self) -> DataSection:
        if self.aggregate is not None and self.resample is None:
            raise _rule(
                "[data] aggregate applies only with resample: add resample = RULE "
                '(e.g. "MS"), or remove aggregate'
            )
        return self


class ForecastSection(BaseModel):
    """The ``[forecast]`` table: the windows, the strategy and the transforms.

    Example:
        >>> ForecastSection(lookback=24, horizon=12, difference=[12]).difference
        [12]
    """

    model_config = SECTION_CONFIG

    lookback: _Count | None = Field(default=None, description="past steps the model reads")
    horizon: _Count | None = Field(default=None, description="steps forecast")
    strategy: Literal["direct", "recursive", "seq2seq"] | None = Field(default=None)
    context: Literal["window", "state"] | None = Field(
        default=None, description="window (the last lookback steps) or state (carried)"
    )
    difference: list[int] | None = Field(default=None, description="lags, e.g. [1] or [1, 12]")
    power: Literal["log", "box-cox"] | None = Field(default=None)
    scale: bool | Literal["standard", "minmax"] | None = Field(default=None)
    season: _Count | None = Field(default=None, description="steps per season")

    @field_validator("difference", mode="before")
    @classmethod
    def _check_difference(cls, value: Any) -> Any:
        """A single lag is accepted as written (``difference = 12``), as the estimator does."""
        if positive_integer(value):
            return [value]
        if value is None or (isinstance(value, list) and all(map(positive_integer, value))):
            return value
        raise PydanticCustomError(
            "difference", "expected a list of positive lags, e.g. difference = [1, 12]"
        )

    @field_validator("scale", mode="before")
    @classmethod
    def _check_scale(cls, value: Any) -> Any:
        """One readable message instead of one per member of the union."""
        if value is None or isinstance(value, bool) or value in ("standard", "minmax"):
            return value
        hint = did_you_mean(value, ["standard", "minmax"]) if isinstance(value, str) else ""
        raise PydanticCustomError(
            "scale", 'expected "standard", "minmax" or false (no scaling).{hint}', {"hint": hint}
        )


class ModelSection(BaseModel):
    """The ``[model]`` table: the network.

    Example:
        >>> ModelSection(units=[32, 16], num_layers=2).units
        [32, 16]
    """

    model_config = SECTION_CONFIG

    architecture: str | None = Field(default=None, description="vanilla, stacked, ...")
    architecture_options: dict[str, Any] | None = Field(default=None)
    units: int | list[int] | None = Field(default=None, description="units, or one per layer")
    num_layers: _Count | None = Field(default=None)
    dropout: float | None = Field(default=None, ge=0.0, lt=1.0)
    plugins: list[str] | None = Field(
        default=None, description="modules to import first (they register architectures)"
    )

    @field_validator("units", mode="before")
    @classmethod
    def _check_units(cls, value: Any) -> Any:
        """One readable message instead of one per member of the union."""
        if value is None or positive_integer(value):
            return value
        if isinstance(value, list) and value and all(map(positive_integer, value)):
            return value
        raise PydanticCustomError(
            "units",
            "expected a positive integer or a list of them, one width per layer, e.g. "
            "units = 50 or units = [32, 128]",
        )


class TrainingSection(BaseModel):
    """The ``[training]`` table: the fit settings.

    Example:
        >>> TrainingSection(epochs=50, random_state=1).epochs
        50
    """

    model_config = SECTION_CONFIG

    epochs: _Count | None = Field(default=None)
    batch_size: _Count | None = Field(default=None)
    learning_rate: float | None = Field(default=None, gt=0.0)
    optimizer: Literal["adam", "sgd", "rmsprop", "adagrad"] | None = Field(default=None)
    loss: Literal["mse", "mae", "quantile"] | None = Field(default=None)
    quantiles: list[float] | None = Field(
        default=None, description='levels of loss = "quantile", e.g. [0.1, 0.5, 0.9]'
    )
    random_state: int | None = Field(default=None, ge=0)
    device: Literal["auto", "cpu", "cuda"] | None = Field(default=None)
    verbose: int | None = Field(default=None, ge=0, le=2)


class EvaluationSection(BaseModel):
    """The ``[evaluation]`` table: a walk-forward backtest against the baselines.

    Example:
        >>> EvaluationSection(test_start="1959-01").seeds
        [0]
    """

    model_config = SECTION_CONFIG

    test_start: str | _Count = Field(
        description='the first test timestamp ("1959-01"), or how many final steps to hold out'
    )
    seeds: list[int] = Field(default=[0], description="one model per seed; scores averaged")
    step: _Count = Field(default=1, description="steps between forecast origins")
    refit: bool = Field(default=False, description="refit at every origin")

    @field_validator("test_start", mode="before")
    @classmethod
    def _check_test_start(cls, value: Any) -> Any:
        """A date pandas can read, or a count: one readable message for both."""
        import pandas as pd

        if isinstance(value, str):
            try:
                pd.Timestamp(value)
            except (ValueError, TypeError):
                pass
            else:
                return value
        elif positive_integer(value):
            return value
        raise PydanticCustomError(
            "test_start",
            'expected a date such as "1959-01" or "1959-01-31", or the number of final '
            "steps to hold out, e.g. test_start = 24",
        )

    @field_validator("seeds", mode="before")
    @classmethod
    def _check_seeds(cls, value: Any) -> Any:
        """One readable message for an empty list, a negative seed or a non-integer."""
        if isinstance(value, list) and value and all(_seed(item) for item in value):
            return value
        raise PydanticCustomError(
            "seeds", "expected a list of one or more non-negative integers, e.g. seeds = [0, 1, 2]"
        )


class OutputSection(BaseModel):
    """The ``[output]`` table: files to write, relative to the run file.

    Example:
        >>> OutputSection(forecast="forecast.csv").plot is None
        True
    """

    model_config = SECTION_CONFIG

    forecast: str | None = Field(default=None, description="the forecast as CSV")
    plot: str | None = Field(default=None, description="history and forecast as PNG")
    model: str | None = Field(default=None, description="the fitted forecaster")


def _seed(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
