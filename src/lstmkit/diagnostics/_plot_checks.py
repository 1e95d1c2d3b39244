"""Input checks and the atomic file save behind :mod:`lstmkit.diagnostics.plots`.

Every check turns what a user passes (pandas objects, arrays, mappings, a ``History``)
into plain frames and arrays, or raises an lstmkit error that says what was received,
what was expected and how to fix it. Nothing here imports matplotlib.

Saving writes a temporary file beside the target and moves it into place, so a plot is
either the old file or the new one, never half of one::

    .forecast.png.<16 hex>.tmp   --savefig, fsync-->   os.replace (overwrite=True)   --> forecast.png
                                                        os.link    (overwrite=False)
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmkit.errors import ConfigError, DataError, ShapeError, did_you_mean

# What matplotlib's Agg canvas writes; kept here so checking a path needs no matplotlib.
FILE_TYPES = tuple("avif eps gif jpeg jpg pdf pgf png ps raw rgba svg svgz tif tiff webp".split())


# ---------------------------------------------------------------- files


def check_target(path: str | os.PathLike[str], overwrite: bool) -> tuple[Path, str]:
    """Return the path to write and its file type, or raise before any drawing is done.

    Example:
        >>> check_target("plot.svg", overwrite=False)[1]
        'svg'
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(
            f"cannot save the plot to '{path}': it is a folder; give a file path such as "
            f"'{path / 'plot.png'}'"
        )
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise DataError(
            f"cannot save the plot to '{path}': the folder '{folder}' {what}; create it "
            "first (os.makedirs) or choose another path"
        )
    if path.exists() and not overwrite:
        raise DataError(
            f"'{path}' already exists and was left untouched: pass overwrite=True to "
            "replace it, or choose another path"
        )
    file_type = path.suffix.lower().lstrip(".")
    if file_type not in FILE_TYPES:
        known = ", ".join(f".{name}" for name in FILE_TYPES)
        hint = did_you_mean(file_type, FILE_TYPES)
        raise ConfigError(
            f"cannot save the plot to '{path}': unknown file type '{path.suffix}'; expected "
            f"a name ending in .png or another type matplotlib writes ({known}).{hint}"
        )
    return path, file_type


def save_figure(figure: Any, path: str | os.PathLike[str], *, overwrite: bool) -> None:
    """Write ``figure`` to ``path`` all at once, never replacing a file unless asked.

    Example:
        >>> import tempfile
        >>> from matplotlib.figure import Figure
        >>> target = Path(tempfile.mkdtemp()) / "empty.png"
        >>> save_figure(Figure(figsize=(1, 1)), target, overwrite=False)
        >>> target.read_bytes()[:4]
        b'\\x89PNG'
    """
    target, file_type = check_target(path, overwrite)
    temporary = target.with_name(f".{target.name[:200]}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)  # 0o666 & ~umask: the mode a plain open() gives
    try:
        with os.fdopen(fd, "wb") as handle:
            figure.savefig(handle, format=file_type, dpi=figure.dpi)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
        _move_into_place(temporary, target, overwrite)
    finally:
        if temporary.exists():
            temporary.unlink()


def _move_into_place(temporary: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, target)
        return
    try:  # a hard link fails if the name was taken meanwhile, where a rename would replace
        os.link(temporary, target)
    except FileExistsError:
        raise DataError(
            f"'{target}' appeared while plotting and was left untouched: pass overwrite=True "
            "to replace it, or choose another path"
        ) from None
    except OSError:  # file systems without hard links
        os.replace(temporary, target)


# ---------------------------------------------------------------- forecasts


def _columns_text(columns: pd.Index) -> str:
    return str([str(name) for name in columns])


def as_frame(data: Any, name: str, columns: pd.Index | None = None) -> pd.DataFrame:
    """Return a Series or DataFrame as a DataFrame; a Series takes ``columns`` when given.

    Example:
        >>> as_frame(pd.Series([1.0], name="y"), "history").columns.tolist()
        ['y']
    """
    if isinstance(data, pd.DataFrame):
        return data
    if not isinstance(data, pd.Series):
        raise DataError(
            f"{name} must be a pandas Series or DataFrame indexed by timestamps, got "
            f"{type(data).__name__}: wrap it, e.g. pd.Series(values, index=pd.date_range(...))"
        )
    if columns is None:
        return data.to_frame(data.name if data.name is not None else "value")
    if len(columns) != 1:
        raise ShapeError(
            f"{name} is a Series (one column) but history has {len(columns)} columns "
            f"{_columns_text(columns)}: give {name} as a DataFrame with those columns"
        )
    return pd.DataFrame({columns[0]: data.to_numpy()}, index=data.index)


def check_datetime_index(frame: pd.DataFrame, name: str) -> None:
    """Refuse an empty frame or one whose index is not a DatetimeIndex."""
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise DataError(
            f"{name} must have a DatetimeIndex, got {type(frame.index).__name__}: convert it "
            f"with {name}.index = pd.to_datetime({name}.index), or build one with pd.date_range"
        )
    if frame.empty:
        raise DataError(f"{name} is empty: give at least one timestamp with a value to plot")


def match_columns(frame: pd.DataFrame, name: str, reference: pd.DataFrame, of: str) -> pd.DataFrame:
    """Return ``frame`` with ``reference``'s columns in its order, or raise if they differ."""
    if set(frame.columns) != set(reference.columns) or len(frame.columns) != len(reference.columns):
        raise ShapeError(
            f"{name} columns {_columns_text(frame.columns)} differ from {of} columns "
            f"{_columns_text(reference.columns)}: give {name} the same columns as {of}"
        )
    return frame[list(reference.columns)]


def like_forecast(data: Any, name: str, forecast: pd.DataFrame) -> pd.DataFrame:
    """Return ``data`` (pandas or array) as a frame with the forecast's index and columns."""
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        values = np.asarray(data, dtype=float)
        if values.ndim == 1 and forecast.shape[1] == 1:
            values = values[:, None]
        if values.shape != forecast.shape:
            raise ShapeError(
                f"{name} has shape {values.shape}, expected the forecast's shape "
                f"{forecast.shape} (one row per forecast timestamp, one column per target)"
            )
        return pd.DataFrame(values, index=forecast.index, columns=forecast.columns)
    frame = match_columns(as_frame(data, name, forecast.columns), name, forecast, "forecast")
    if frame.shape != forecast.shape:
        raise ShapeError(
            f"{name} has shape {frame.shape}, expected the forecast's shape "
            f"{forecast.shape} (one row per forecast timestamp, one column per target)"
        )
    if not frame.index.equals(forecast.index):
        row = int(np.flatnonzero(frame.index != forecast.index)[0])
        raise ShapeError(
            f"{name}'s index differs from the forecast's: row {row} is {frame.index[row]}, "
            f"expected {forecast.index[row]}; index {name} by the forecast's timestamps"
        )
    return frame


def check_interval(lower: pd.DataFrame, upper: pd.DataFrame) -> None:
    """Refuse an interval whose lower bound lies above its upper bound anywhere."""
    above = lower.to_numpy(dtype=float) > upper.to_numpy(dtype=float)
    if above.any():
        row, column = np.argwhere(above)[0]
        raise DataError(
            f"lower is above upper at {int(above.sum())} of {above.size} points (first at "
            f"{lower.index[row]}, column '{lower.columns[column]}'): did you swap lower and upper?"
        )


def forecast_frames(
    history: Any, forecast: Any, lower: Any, upper: Any, actual: Any
) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame], pd.DataFrame | None]:
    """Check ``plot_forecast``'s data; return history, forecast, [lower, upper] or [], actual.

    Example:
        >>> index = pd.date_range("2000", periods=2, freq="D")
        >>> _, forecast, bounds, _ = forecast_frames(
        ...     pd.Series([1.0, 2.0], index), pd.Series([3.0], index[1:] + pd.Timedelta("1D")),
        ...     None, None, None)
        >>> forecast.columns.tolist(), bounds
        (['value'], [])
    """
    history = as_frame(history, "history")
    check_datetime_index(history, "history")
    forecast = as_frame(forecast, "forecast", history.columns)
    forecast = match_columns(forecast, "forecast", history, "history")
    check_datetime_index(forecast, "forecast")
    if (lower is None) != (upper is None):
        given = "lower" if upper is None else "upper"
        raise ConfigError(
            f"lower and upper go together: got {given} only; pass both to draw the "
            "interval, or neither"
        )
    bounds = []
    if lower is not None:
        bounds = [like_forecast(lower, "lower", forecast), like_forecast(upper, "upper", forecast)]
        check_interval(*bounds)
    actual = None if actual is None else like_forecast(actual, "actual", forecast)
    return history, forecast, bounds, actual


def check_last(last: Any) -> None:
    """Refuse a ``last`` that is not a positive whole number."""
    if last is None:
        return
    if isinstance(last, bool) or not isinstance(last, (int, np.integer)) or last < 1:
        raise ConfigError(
            f"last must be a positive whole number of history steps, got {last!r}: "
            "pass e.g. last=36, or None for the whole history"
        )


# ---------------------------------------------------------------- histories and scores


def _one_dimensional(values: Any, where: str, unit: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where} must hold numbers, got {values!r}") from exc
    if array.ndim != 1:
        raise ShapeError(f"{where} must be a 1-D sequence of one {unit}, got shape {array.shape}")
    if array.size == 0:
        raise DataError(f"{where} is empty: expected one {unit}, got none")
    return array


def history_values(history: Any) -> dict[str, np.ndarray]:
    """Return the per-epoch values of a History, an estimator's ``history_`` or a mapping.

    Example:
        >>> history_values({"loss": [2.0, 1.0]})
        {'loss': array([2., 1.])}
    """
    history = getattr(history, "history_", history)  # a fitted estimator
    history = getattr(history, "history", history)  # lstmkit's (or Keras's) History
    if not isinstance(history, Mapping):
        raise DataError(
            "history must map metric names to per-epoch values, like estimator.history_ "
            f"or {{'loss': [...], 'val_loss': [...]}}, got {type(history).__name__}"
        )
    if not history:
        raise DataError(
            "history is empty: nothing was recorded; fit the model for at least one epoch"
        )
    return {
        str(name): _one_dimensional(values, f"history['{name}']", "value per epoch")
        for name, values in history.items()
    }


def metric_groups(names: list[str]) -> list[tuple[str, list[str]]]:
    """Group names into (metric, [name, val_name]) pairs: loss first, then by name.

    Example:
        >>> metric_groups(["val_mae", "loss", "mae", "val_loss"])
        [('loss', ['loss', 'val_loss']), ('mae', ['mae', 'val_mae'])]
    """
    bases = sorted({name.removeprefix("val_") for name in names}, key=lambda n: (n != "loss", n))
    return [(base, [name for name in (base, f"val_{base}") if name in names]) for base in bases]


def score_values(scores: Any, metric: Any = "RMSE") -> dict[str, np.ndarray]:
    """Return each name's per-run scores as a finite 1-D array.

    Example:
        >>> score_values({"direct": [1.0, 2.0]})
        {'direct': array([1., 2.])}
    """
    if not isinstance(metric, str) or not metric:
        raise ConfigError(f"metric must be the score's name, e.g. 'RMSE', got {metric!r}")
    if isinstance(scores, pd.DataFrame):
        scores = {name: scores[name].to_numpy() for name in scores.columns}
    example = "e.g. {'direct': [20.1, 18.7, 22.3], 'recursive': [23.2, 21.9, 24.0]}"
    if not isinstance(scores, Mapping):
        raise DataError(
            f"scores must map names to per-run scores, {example}; got {type(scores).__name__}"
        )
    if not scores:
        raise DataError(
            f"scores is empty: give at least one name with its per-run scores, {example}"
        )
    arrays = {
        str(name): _one_dimensional(values, f"scores['{name}']", "score per run")
        for name, values in scores.items()
    }
    failed = [
        f"'{name}' at run {', '.join(str(i) for i in np.flatnonzero(~np.isfinite(values)))}"
        for name, values in arrays.items()
        if not np.isfinite(values).all()
    ]
    if failed:
        raise DataError(
            f"scores hold NaN or inf: {'; '.join(failed)}; drop or rerun the failed runs"
        )
    return arrays


def runs_text(scores: Mapping[str, np.ndarray]) -> str:
    """Say how many runs each name has, for a title.

    Example:
        >>> runs_text({"a": [1.0, 2.0], "b": [1.0, 2.0, 3.0]}), runs_text({"a": [1.0]})
        ('2-3 runs per name', '1 run')
    """
    counts = sorted({len(values) for values in scores.values()})
    if len(counts) == 1:
        return f"{counts[0]} run" + ("s" if counts[0] != 1 else "")
    return f"{counts[0]}-{counts[-1]} runs per name"


def baseline_values(baselines: Any) -> dict[str, float]:
    """Return each baseline's single finite score."""
    if baselines is None:
        return {}
    if not isinstance(baselines, Mapping):
        raise DataError(
            "baselines must map names to one score each, e.g. {'seasonal_naive': 23.2}, "
            f"got {type(baselines).__name__}"
        )
    values = {}
    for name, value in baselines.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not np.isfinite(number):
            raise DataError(f"baselines['{name}'] must be one finite number, got {value!r}")
        values[str(name)] = number
    return values


# ---------------------------------------------------------------- residuals


def residual_frame(residuals: Any) -> tuple[pd.DataFrame, bool]:
    """Return residuals as a frame, and whether they are an (origins, steps) grid.

    Example:
        >>> frame, by_step = residual_frame(np.zeros((4, 3)))
        >>> frame.shape, by_step
        ((4, 3), True)
    """
    if isinstance(residuals, (pd.Series, pd.DataFrame)):
        frame, by_step = as_frame(residuals, "residuals"), False
    else:
        values = np.asarray(residuals, dtype=float)
        if values.ndim not in (1, 2):
            raise ShapeError(
                "residuals must be a Series, a DataFrame or an array shaped (origins, horizon "
                f"steps), got shape {values.shape}: plot each target's slice on its own"
            )
        by_step = values.ndim == 2
        frame = pd.DataFrame(values if by_step else values[:, None])
        if by_step:
            frame.columns = range(1, values.shape[1] + 1)  # steps count from 1
    values = frame.to_numpy(dtype=float)
    if not np.isfinite(values).any():
        raise DataError(f"residuals have no finite values (shape {values.shape}): nothing to plot")
    if np.isinf(values).any():
        raise DataError(
            f"residuals hold inf at {int(np.isinf(values).sum())} points: residuals must "
            "be finite, or NaN where an observation is missing"
        )
    return frame, by_step
