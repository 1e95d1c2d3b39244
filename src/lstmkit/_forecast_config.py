"""The schema of a forecasting run file: the TOML file that ``lstmkit forecast`` reads.

Six tables; only ``[data]`` is required, and keys left out take the defaults of
:class:`lstmkit.LSTMForecaster` (whose keywords the ``[forecast]``, ``[model]`` and
``[training]`` keys are)::

    [data]              # the CSV: path, time_column, target, covariates, freq, missing
    path = "airline.csv"
    [forecast]          # lookback, horizon, strategy, difference, power, scale, season
    horizon = 12
    [model]             # architecture, units, num_layers, dropout, architecture_options
    [training]          # epochs, batch_size, learning_rate, optimizer, loss, random_state
    [evaluation]        # a backtest before the forecast: test_start, seeds, step, refit
    test_start = "1959-01"
    [output]            # files to write: forecast (CSV), plot (PNG), model

Paths are relative to the run file. Values are checked as strictly as ``lstmkit train``'s
run files, and every problem is reported at once with its location and a suggestion::

    run.toml: unknown key 'horizn' in [forecast]. Did you mean 'horizon'?

Example:
    >>> config = ForecastRunConfig.model_validate(
    ...     {"data": {"path": "d.csv", "freq": "MS"}, "forecast": {"horizon": 3}}
    ... )
    >>> config.forecaster_params()
    {'horizon': 3, 'freq': 'MS'}
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from lstmkit._config_sections import SECTION_CONFIG
from lstmkit._forecast_sections import (
    RULE,
    DataSection,
    EvaluationSection,
    ForecastSection,
    ModelSection,
    OutputSection,
    TrainingSection,
)

# Shared with ``lstmkit train``'s run files: both kinds of file speak alike.
from lstmkit._tune_config import TuneSection
from lstmkit.config import (
    apply_overrides,
    describe_error,
    read_run_toml,
    resolve_path,
    show_toml,
    validate_run,
)
from lstmkit.errors import ConfigError, did_you_mean

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

__all__ = ["ForecastRunConfig", "bundled_dataset", "data_path", "load_forecast_run"]

BUNDLED_PREFIX = "lstmkit:"


class ForecastRunConfig(BaseModel):
    """A whole forecasting run file.

    Example:
        >>> config = ForecastRunConfig.model_validate(
        ...     {"data": {"path": "d.csv"}, "forecast": {"scale": False}, "model": {"units": 8}}
        ... )
        >>> config.forecaster_params(), config.evaluation is None
        ({'scale': None, 'units': 8}, True)
    """

    model_config = SECTION_CONFIG

    data: DataSection
    forecast: ForecastSection = ForecastSection()
    model: ModelSection = ModelSection()
    training: TrainingSection = TrainingSection()
    evaluation: EvaluationSection | None = None
    output: OutputSection = OutputSection()
    tune: TuneSection | None = None

    def forecaster_params(self) -> dict[str, Any]:
        """Return the :class:`~lstmkit.LSTMForecaster` keywords the file sets.

        ``scale = true`` is ``"standard"`` and ``false`` is None (no scaling).

        Example:
            >>> ForecastRunConfig.model_validate(
            ...     {"data": {"path": "d.csv", "missing": "mask"}, "forecast": {"scale": True}}
            ... ).forecaster_params()
            {'scale': 'standard', 'missing': 'mask'}
        """
        params = self.forecast.model_dump(exclude_unset=True)
        if "scale" in params and isinstance(params["scale"], bool):
            params["scale"] = "standard" if params["scale"] else None
        params.update(self.model.model_dump(exclude_unset=True, exclude={"plugins"}))
        params.update(self.training.model_dump(exclude_unset=True))
        params.update(self.data.model_dump(exclude_unset=True, include={"freq", "missing"}))
        return params


_SECTIONS: dict[str, type[BaseModel]] = {
    "data": DataSection,
    "forecast": ForecastSection,
    "model": ModelSection,
    "training": TrainingSection,
    "evaluation": EvaluationSection,
    "output": OutputSection,
}
_TABLES = ", ".join(f"[{name}]" for name in _SECTIONS)


def load_forecast_run(
    path: str | Path, overrides: Mapping[str, Any] | None = None
) -> ForecastRunConfig:
    """Read and validate a forecasting run file.

    Args:
        path: the TOML run file.
        overrides: command-line values keyed by dotted location
            (``{"forecast.horizon": 3}``); None values are ignored. Errors in them name
            the option they came from.

    Raises:
        ConfigError: the file is missing or not TOML, or has unknown keys or bad values;
            every problem is listed, one line each, prefixed with the file name.

    Example:
        >>> import tempfile, pathlib
        >>> run = pathlib.Path(tempfile.mkdtemp()) / "run.toml"
        >>> _ = run.write_text('[data]\\npath = "d.csv"\\n[forecast]\\nhorizon = 12\\n')
        >>> load_forecast_run(run, {"forecast.horizon": 3}).forecast.horizon
        3
    """
    path = Path(path)
    raw = read_run_toml(path, example="examples/airline_forecast.toml")
    origins = apply_overrides(raw, overrides)
    return validate_run(ForecastRunConfig, raw, path, lambda error: _explain(error, origins))


def data_path(config: ForecastRunConfig, run: str | Path) -> Path:
    """The CSV to read: a bundled dataset, or ``[data] path`` relative to the run file.

    Example:
        >>> config = ForecastRunConfig.model_validate({"data": {"path": "d.csv"}})
        >>> data_path(config, "/runs/run.toml").as_posix()
        '/runs/d.csv'
    """
    name = config.data.path
    if name.startswith(BUNDLED_PREFIX):
        return bundled_dataset(name.removeprefix(BUNDLED_PREFIX))
    return resolve_path(name, run)


def bundled_dataset(name: str) -> Path:
    """The path of a CSV bundled in :mod:`lstmkit.datasets`.

    Raises:
        ConfigError: no such dataset; the message lists those there are.

    Example:
        >>> bundled_dataset("airline_passengers").name
        'airline_passengers.csv'
    """
    from importlib import resources

    folder = resources.files("lstmkit.datasets")
    known = sorted(
        entry.name.removesuffix(".csv") for entry in folder.iterdir() if entry.name.endswith(".csv")
    )
    if name not in known:
        choices = ", ".join(f'"{BUNDLED_PREFIX}{item}"' for item in known)
        raise ConfigError(
            f"[data] path: no bundled dataset {name!r}: expected one of {choices}."
            + did_you_mean(name, known)
        )
    return Path(str(folder.joinpath(f"{name}.csv")))


def _explain(error: Mapping[str, Any], origins: Mapping[tuple[str, ...], str]) -> str:
    """One line per problem; where and how keys go are ours, values are ``train``'s wording."""
    loc = tuple(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == RULE:
        return str(error["msg"])
    if kind == "extra_forbidden":
        return _unknown_key(loc, error["input"])
    if kind == "missing":
        return _missing_key(loc)
    if len(loc) == 1 and loc[0] in _SECTIONS:
        return f"[{loc[0]}] must be a table, got {show_toml(error['input'])}"
    return describe_error(error, origins)


def _unknown_key(loc: tuple[str, ...], value: Any) -> str:
    key = loc[-1]
    if len(loc) == 1:
        if not isinstance(value, dict):
            home = _home(key, None)
            return f"unknown key '{key}' at the top level" + (
                home if home != "." else f": every key belongs in a table ({_TABLES})."
            )
        close = difflib.get_close_matches(key, list(_SECTIONS), n=1)
        hint = f" Did you mean [{close[0]}]?" if close else ""
        return f"unknown section [{key}]: expected {_TABLES}.{hint}"
    section = loc[0]
    if len(loc) > 2:  # inside a free-form table such as architecture_options
        return f"unknown key '{key}' in [{section}] {'.'.join(loc[1:-1])}."
    known = list(_SECTIONS[section].model_fields)
    return f"unknown key '{key}' in [{section}]{_home(key, section)}{did_you_mean(key, known)}"


def _home(key: str, section: str | None) -> str:
    """Say which table a misplaced key belongs in, or end the sentence."""
    for name, schema in _SECTIONS.items():
        if name != section and key in schema.model_fields:
            return f": it belongs in [{name}]."
    return "."


def _missing_key(loc: tuple[str, ...]) -> str:
    if loc == ("data",):
        return 'missing section [data]: add one with at least path = "FILE.csv"'
    schema = _SECTIONS.get(loc[0])
    field = schema.model_fields.get(loc[-1]) if schema else None
    about = f": {field.description}" if field is not None and field.description else ""
    return f"missing key '{loc[-1]}' in [{loc[0]}]{about}"
