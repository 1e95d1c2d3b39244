"""What ``lstmkit forecast`` reads: the run file's CSV, split by role, and where testing starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from lstmkit._forecast_config import ForecastRunConfig


@dataclass(frozen=True)
class SeriesInputs:
    """The data split by role: the targets ``y`` and the covariate frames (or None).

    Example:
        >>> import pandas as pd
        >>> y = pd.DataFrame({"load": [1.0, 2.0]}, pd.date_range("2000", periods=2))
        >>> SeriesInputs(y, None, None).y.columns.tolist()
        ['load']
    """

    y: pd.DataFrame
    past: pd.DataFrame | None
    future: pd.DataFrame | None


def read_inputs(config: ForecastRunConfig, path: Path) -> SeriesInputs:
    """Read ``[data]``'s CSV, resample it when asked and split its columns by role.

    With future covariates, trailing rows without any target are the known future: the
    targets (and past covariates) stop at the last observed row, the future covariates
    run on, so ``predict`` reads them.

    Raises:
        DataError: the file is missing or unreadable (see ``read_time_series_csv``).
        ConfigError: a column named in ``[data]`` is absent, or named in two roles.

    Example:
        >>> import tempfile, pathlib
        >>> from lstmkit._forecast_config import ForecastRunConfig
        >>> csv = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
        >>> _ = csv.write_text("day,load,temp\\n2000-01-01,1,5\\n2000-01-02,2,6\\n")
        >>> config = ForecastRunConfig.model_validate(
        ...     {"data": {"path": "d.csv", "past_covariates": ["temp"]}}
        ... )
        >>> inputs = read_inputs(config, csv)
        >>> inputs.y.columns.tolist(), inputs.past.columns.tolist(), inputs.future
        (['load'], ['temp'], None)
    """
    from lstmkit.data import read_time_series_csv, resample_series
    from lstmkit.estimators._forecast_data import _first_column

    data = config.data
    time_column = data.time_column if data.time_column is not None else _first_column(path)
    frame = read_time_series_csv(path, time_column, date_format=data.date_format)
    if data.resample is not None:
        frame = resample_series(frame, data.resample, how=data.aggregate or "mean")
        frame.index.name = time_column
    past, future = list(data.past_covariates or ()), list(data.future_covariates or ())
    if isinstance(data.target, str):
        targets = [data.target]
    else:
        targets = list(data.target or [c for c in frame.columns if c not in [*past, *future]])
    _check_columns(frame, path, {"target": targets, "past_covariates": past, "future_covariates": future})  # fmt: skip
    y = frame[targets]
    if future:
        observed = y.dropna(how="all").index
        y = y.loc[: observed[-1]] if len(observed) else y
    return SeriesInputs(
        y=y,
        past=frame.loc[: y.index[-1], past] if past else None,
        future=frame[future] if future else None,
    )


def _check_columns(frame: pd.DataFrame, path: Path, roles: dict[str, list[str]]) -> None:
    """Every named column exists and has one role; all problems reported together."""
    from lstmkit.errors import ConfigError, did_you_mean

    available = list(frame.columns)
    listed = ", ".join(f"'{column}'" for column in available)
    problems, seen = [], {}
    for role, names in roles.items():
        for name in names:
            if name not in available:
                problems.append(
                    f"[data] {role} names the column '{name}', which {path} does not have; "
                    f"its value columns are {listed}.{did_you_mean(name, available)}"
                )
            elif name in seen:
                problems.append(
                    f"[data] column '{name}' is named in both {seen[name]} and {role}: "
                    "give each column one role"
                )
            seen.setdefault(name, role)
    if problems:
        raise ConfigError("\n".join(problems))


def first_origin(test_start: str | int, inputs: SeriesInputs, freq: str | None) -> pd.Timestamp:
    """The backtest's first origin: the step before ``test_start`` on the series' grid.

    ``test_start`` is the first test timestamp, or a count of final steps held out.

    Raises:
        ConfigError: a date off the grid or outside the series, or a count that leaves
            no step to train on.

    Example:
        >>> import pandas as pd
        >>> y = pd.DataFrame({"v": range(24)}, pd.date_range("2000-01", periods=24, freq="MS"))
        >>> inputs = SeriesInputs(y.astype(float), None, None)
        >>> first_origin("2001-01", inputs, None), first_origin(12, inputs, None)
        (Timestamp('2000-12-01 00:00:00'), Timestamp('2000-12-01 00:00:00'))
    """
    import pandas as pd

    from lstmkit.errors import ConfigError
    from lstmkit.estimators._forecast_data import read_series

    grid = read_series(inputs.y, inputs.past, inputs.future, freq=freq).frame.index
    if not isinstance(test_start, str):
        if test_start >= len(grid):
            raise ConfigError(
                f"[evaluation] test_start = {test_start} holds out all {len(grid)} steps of "
                "the series: hold out fewer, so some are left to train on (a date needs "
                'quotes and its month: test_start = "1959-01", or --test-start 1959-01)'
            )
        return grid[len(grid) - test_start - 1]
    moment = pd.Timestamp(test_start)
    if not grid[0] < moment <= grid[-1]:
        raise ConfigError(
            f'[evaluation] test_start = "{test_start}" is outside the series, which runs '
            f"from {stamp(grid[0])} to {stamp(grid[-1])}: choose a date after the first one"
        )
    if moment not in grid:
        raise ConfigError(
            f'[evaluation] test_start = "{test_start}" is not a timestamp of the series '
            f"(freq '{grid.freqstr}'): choose one of its timestamps, e.g. "
            f"{stamp(grid[grid.searchsorted(moment)])}"
        )
    return grid[grid.get_loc(moment) - 1]


def describe_data(y: pd.DataFrame, path: Path | str) -> str:
    """One line saying what was read.

    Example:
        >>> import pandas as pd
        >>> y = pd.DataFrame({"v": [1.0, 2, 3]}, pd.date_range("2000-01", periods=3, freq="MS"))
        >>> describe_data(y, Path("d.csv"))
        "Read 3 steps of 'v' from d.csv (2000-01-01 to 2000-03-01)"
    """
    names = ", ".join(f"'{name}'" for name in y.columns)
    span = f"{stamp(y.index[0])} to {stamp(y.index[-1])}"
    return f"Read {len(y)} steps of {names} from {path} ({span})"


def stamp(moment: Any) -> str:
    """A date alone when it falls at midnight, as pandas prints a daily index.

    Example:
        >>> import pandas as pd
        >>> stamp(pd.Timestamp("1959-01-01")), stamp(pd.Timestamp("1959-01-01 06:00"))
        ('1959-01-01', '1959-01-01 06:00:00')
    """
    return moment.strftime("%Y-%m-%d") if moment == moment.normalize() else str(moment)
