"""Forecasting and diagnostic plots: forecasts with intervals, learning curves, residuals, runs.

Every function returns a matplotlib ``Figure`` and, given ``path``, saves it (the suffix
picks the format: ``.png``, ``.svg``, ``.pdf``, ...), atomically, and never over an
existing file unless ``overwrite=True``. Figures are ``matplotlib.figure.Figure`` objects on
an Agg canvas, never ``pyplot``'s: no global figure list to leak into, no backend to pick,
no window. matplotlib is imported inside the functions, so ``lstmkit.diagnostics`` stays light.

```
plot_forecast          history, then forecast in a shaded lower..upper band, actual dashed;
                       one panel per target column
plot_learning_curves   loss / val_loss per epoch, one panel per other metric
plot_residuals         residuals over time | histogram | (2-D) box per horizon step
plot_repeated_runs     one box per name over seeds, mean marked, baselines as dashed lines
```
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstmkit.diagnostics._plot_checks import (
    baseline_values,
    check_last,
    check_target,
    forecast_frames,
    history_values,
    metric_groups,
    residual_frame,
    runs_text,
    save_figure,
    score_values,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]
_PANEL_WIDTH = 10.0  # inches; with the default 100 dpi, a 1000-pixel-wide PNG
_PANEL_HEIGHT = 3.0
_BAND = {"alpha": 0.25, "linewidth": 0}  # shaded intervals and ranges


def _figure(rows: int, columns: int, size: tuple[float, float], **subplots: Any):
    """A Figure on an Agg canvas, and its axes as a flat array."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself: savefig and draw need no pyplot
    axes = figure.subplots(rows, columns, squeeze=False, **subplots)
    return figure, axes.ravel()


def _finish(figure: Figure, title: str | None, path: PathLike | None, overwrite: bool) -> Figure:
    if title:
        figure.suptitle(title)
    if path is not None:
        save_figure(figure, path, overwrite=overwrite)
    return figure


def _dates_on(axes: Sequence[Axes]) -> None:
    """Compact date ticks ('Jan', 'Apr', '1960') on axes whose x values are timestamps."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    for ax in axes:
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _times(index: pd.DatetimeIndex) -> np.ndarray:
    # datetime64 values plot natively; a time zone is dropped keeping the wall-clock time
    return (index.tz_localize(None) if index.tz is not None else index).to_numpy()


def plot_forecast(
    history: pd.Series | pd.DataFrame,
    forecast: pd.Series | pd.DataFrame,
    *,
    lower: Any = None,
    upper: Any = None,
    actual: Any = None,
    interval_label: str | None = None,
    title: str | None = None,
    path: PathLike | None = None,
    overwrite: bool = False,
    last: int | None = None,
) -> Figure:
    """Draw the observed history, the forecast after it and, optionally, its interval.

    One panel per target column, sharing the time axis. ``lower``/``upper`` draw a shaded
    band, ``actual`` draws the true future values dashed, for a backtest.

    Args:
        history: observed values with a DatetimeIndex, one column per target.
        forecast: the forecast indexed by its (future) timestamps, with the same columns.
        lower, upper: the interval's bounds, shaped like ``forecast`` (pandas objects with
            its index, or arrays); give both or neither.
        actual: what really happened at the forecast's timestamps, shaped like ``forecast``.
        interval_label: the band's legend entry, e.g. ``"90% interval (split-conformal)"``.
        title: a title over the whole figure.
        path: where to save the figure; the suffix picks the format (``.png``).
        overwrite: replace an existing file at ``path``.
        last: show only the last ``last`` steps of ``history``.

    Returns:
        The matplotlib Figure.

    Raises:
        DataError: a non-DatetimeIndex or empty history or forecast, lower above upper,
            an existing file without ``overwrite=True``, or a missing folder.
        ShapeError: forecast columns differ from history's; lower, upper or actual
            not shaped and indexed like the forecast.
        ConfigError: only one of lower and upper, a bad ``last``, an unknown file type.

    Example:
        >>> import pandas as pd
        >>> history = pd.Series(range(24), pd.date_range("1958-01", periods=24, freq="MS"),
        ...                     name="passengers", dtype=float)
        >>> forecast = pd.Series([24.0, 25.0, 26.0],
        ...                      pd.date_range("1960-01", periods=3, freq="MS"))
        >>> figure = plot_forecast(history, forecast, lower=forecast - 2, upper=forecast + 2,
        ...                        interval_label="90% interval (split-conformal)")
        >>> [line.get_label() for line in figure.axes[0].get_lines()]
        ['history', 'forecast']
    """
    history, forecast, bounds, actual = forecast_frames(history, forecast, lower, upper, actual)
    check_last(last)
    if path is not None:
        check_target(path, overwrite)
    shown = history if last is None else history.iloc[-last:]

    count = history.shape[1]
    figure, axes = _figure(count, 1, (_PANEL_WIDTH, _PANEL_HEIGHT * count + 0.5), sharex=True)
    past, ahead = _times(shown.index), _times(forecast.index)
    for ax, column in zip(axes, history.columns):
        ax.plot(past, shown[column].to_numpy(dtype=float), color="C0", label="history")
        ax.plot(ahead, forecast[column].to_numpy(dtype=float), color="C1", label="forecast")
        if bounds:
            low, high = (bound[column].to_numpy(dtype=float) for bound in bounds)
            label = interval_label or "interval"
            ax.fill_between(ahead, low, high, color="C1", label=label, **_BAND)
        if actual is not None:
            ax.plot(ahead, actual[column].to_numpy(dtype=float), "--", color="C0", label="actual")
        ax.set_ylabel(str(column))
    axes[0].legend(loc="upper left", fontsize="small")
    _dates_on(axes)
    return _finish(figure, title, path, overwrite)


def plot_learning_curves(
    history: Any,
    *,
    path: PathLike | None = None,
    overwrite: bool = False,
    title: str | None = None,
) -> Figure:
    """Draw loss and every metric per epoch, each beside its validation twin.

    ``loss`` and ``val_loss`` share the first panel; each other metric (``mae``, and
    ``val_mae`` when recorded) gets a panel of its own. Epochs count from 1, as Keras
    prints them.

    Args:
        history: a mapping of name to per-epoch values (``{"loss": [...], ...}``), a
            :class:`~lstmkit.training.History` (``estimator.history_``, or Keras's
            ``History``) or a fitted estimator.
        path: where to save the figure; the suffix picks the format (``.png``).
        overwrite: replace an existing file at ``path``.
        title: a title over the whole figure.

    Returns:
        The matplotlib Figure.

    Raises:
        DataError: an empty history, non-numeric values, an existing file or a missing
            folder.
        ShapeError: values that are not one per epoch (not 1-D).

    Example:
        >>> figure = plot_learning_curves({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]})
        >>> line = figure.axes[0].get_lines()[0]
        >>> line.get_label(), line.get_xdata().tolist()
        ('loss', [1, 2, 3])
    """
    from matplotlib.ticker import MaxNLocator

    values = history_values(history)
    if path is not None:
        check_target(path, overwrite)
    groups = metric_groups(list(values))
    figure, axes = _figure(
        len(groups), 1, (_PANEL_WIDTH * 0.8, _PANEL_HEIGHT * len(groups) + 0.5), sharex=True
    )
    for ax, (metric, names) in zip(axes, groups):
        for name in names:
            epochs = np.arange(1, len(values[name]) + 1)
            style = "--" if name.startswith("val_") else "-"
            ax.plot(
                epochs, values[name], style, marker="." if len(epochs) < 30 else None, label=name
            )
        ax.set_ylabel(metric)
        ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("epoch")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    return _finish(figure, title, path, overwrite)


def _over_time(ax: Axes, frame: pd.DataFrame, by_step: bool) -> None:
    """Residuals against time (pandas), position (1-D array), or per origin (2-D array)."""
    values = frame.to_numpy(dtype=float)
    if by_step:
        origins = np.arange(len(frame))
        with warnings.catch_warnings():  # an origin with every step missing stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            low, mean, high = (f(values, axis=1) for f in (np.nanmin, np.nanmean, np.nanmax))
        ax.fill_between(origins, low, high, color="C0", label="range over steps", **_BAND)
        ax.plot(origins, mean, marker=".", color="C0", label="mean over steps")
        ax.set_xlabel("forecast origin")
    else:
        dated = isinstance(frame.index, pd.DatetimeIndex)
        x = _times(frame.index) if dated else frame.index.to_numpy()
        for column in frame.columns:
            ax.plot(x, frame[column].to_numpy(dtype=float), label=str(column))
        if dated:
            _dates_on([ax])
    ax.axhline(0.0, color="0.4", linewidth=0.8)
    ax.set_ylabel("residual")
    ax.set_title("residuals over time" if not by_step else "residuals per origin")
    ax.legend(loc="best", fontsize="small")


def _histogram(ax: Axes, frame: pd.DataFrame, by_step: bool) -> None:
    finite = frame.to_numpy(dtype=float).ravel()
    finite = finite[np.isfinite(finite)]
    # square-root rule, 5 to 50 bins: numpy's "auto" can ask for millions on odd data
    edges = np.histogram_bin_edges(finite, bins=int(np.clip(np.sqrt(finite.size), 5, 50)))
    if by_step or frame.shape[1] == 1:
        ax.hist(finite, bins=edges, color="C0", alpha=0.8)
    else:  # one outline per target: their units may differ, so they are not pooled
        for column in frame.columns:
            data = frame[column].to_numpy(dtype=float)
            ax.hist(data[np.isfinite(data)], bins=edges, histtype="step", label=str(column))
        ax.legend(loc="best", fontsize="small")
    ax.axvline(0.0, color="0.4", linewidth=0.8)
    ax.set_xlabel("residual")
    ax.set_ylabel("count")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("distribution")


def _boxes(ax: Axes, data: list[np.ndarray], positions: np.ndarray, **options: Any) -> None:
    """``ax.boxplot``, its artists tagged by gid ("box", "median", "mean") for readers."""
    parts = ax.boxplot(data, positions=positions, **options)
    for kind, gid in (("boxes", "box"), ("medians", "median"), ("means", "mean")):
        for artist in parts.get(kind, []):
            artist.set_gid(gid)
    if parts.get("means"):
        parts["means"][0].set_label("mean")


def _by_step(ax: Axes, frame: pd.DataFrame) -> None:
    values = frame.to_numpy(dtype=float)
    per_step = [column[np.isfinite(column)] for column in values.T]  # missing cells left out
    _boxes(ax, per_step, np.arange(1, values.shape[1] + 1))
    ax.axhline(0.0, color="0.4", linewidth=0.8)
    ax.set_xlabel("horizon step")
    ax.set_ylabel("residual")
    ax.set_title("error by horizon step")


def plot_residuals(
    residuals: Any,
    *,
    path: PathLike | None = None,
    overwrite: bool = False,
    title: str | None = None,
) -> Figure:
    """Draw residuals over time, their histogram and, for a 2-D grid, a box per step.

    A Series or DataFrame (a DatetimeIndex gives a date axis; one line per column) or a
    1-D array gives two panels: residuals over time and a histogram. A 2-D array shaped
    ``(origins, horizon steps)``, as a walk-forward backtest leaves it, gives three: the
    mean residual per origin (with its range over the steps), the histogram of every
    cell, and one box per horizon step ("error by horizon step"). NaN marks a missing
    observation and is left out.

    Args:
        residuals: actual minus forecast, as above.
        path: where to save the figure; the suffix picks the format (``.png``).
        overwrite: replace an existing file at ``path``.
        title: a title over the whole figure.

    Returns:
        The matplotlib Figure.

    Raises:
        DataError: no finite value, an inf, an existing file or a missing folder.
        ShapeError: an array with more than two dimensions.

    Example:
        >>> import numpy as np
        >>> grid = np.random.default_rng(0).normal(size=(13, 12))  # origins x steps
        >>> figure = plot_residuals(grid)
        >>> [ax.get_title() for ax in figure.axes]
        ['residuals per origin', 'distribution', 'error by horizon step']
    """
    frame, by_step = residual_frame(residuals)
    if path is not None:
        check_target(path, overwrite)
    ratios = (1, 1, 1) if by_step else (2, 1)  # a long series needs the width
    figure, axes = _figure(1, len(ratios), (12.0, _PANEL_HEIGHT + 0.5), width_ratios=ratios)
    _over_time(axes[0], frame, by_step)
    _histogram(axes[1], frame, by_step)
    if by_step:
        _by_step(axes[2], frame)
    return _finish(figure, title, path, overwrite)


def plot_repeated_runs(
    scores: Mapping[str, Sequence[float]] | pd.DataFrame,
    *,
    metric: str = "RMSE",
    path: PathLike | None = None,
    overwrite: bool = False,
    title: str | None = None,
    baselines: Mapping[str, float] | None = None,
) -> Figure:
    """Draw one box-and-whisker per name over repeated runs, with baselines as lines.

    Each box shows a name's scores over seeds (median, quartiles, whiskers at 1.5 IQR),
    a triangle marks the mean, and every run is a dot beside it (outliers too, so the box
    draws no flier marks of its own). Baselines (one score each) are dashed lines.

    Args:
        scores: name to per-run scores, e.g. ``{"direct": [...], "recursive": [...]}``
            (or a DataFrame with one column per name).
        metric: the score's name, for the axis label.
        path: where to save the figure; the suffix picks the format (``.png``).
        overwrite: replace an existing file at ``path``.
        title: a title; the number of runs is added to it.
        baselines: name to one score, e.g. ``{"seasonal_naive": 23.2}``.

    Returns:
        The matplotlib Figure.

    Raises:
        DataError: empty scores, a name without runs, NaN or inf scores, a baseline that
            is not one finite number, an existing file or a missing folder.
        ShapeError: a name's scores are not a 1-D sequence.

    Example:
        >>> figure = plot_repeated_runs({"direct": [20.1, 18.7, 22.3],
        ...                              "recursive": [23.2, 21.9, 24.0]},
        ...                             baselines={"seasonal_naive": 23.2})
        >>> figure.axes[0].get_title(), figure.axes[0].get_ylabel()
        ('RMSE over 3 runs', 'RMSE')
    """
    values, lines = score_values(scores, metric), baseline_values(baselines)
    if path is not None:
        check_target(path, overwrite)
    names = list(values)
    figure, axes = _figure(1, 1, (max(4.0, 1.2 * len(names) + 2.0), 4.0))
    ax = axes[0]
    positions = np.arange(1, len(names) + 1)
    _boxes(
        ax,
        [values[name] for name in names],
        positions,
        showmeans=True,
        showfliers=False,
        widths=0.5,
    )
    for position, name in zip(positions, names):  # the runs themselves, right of each box
        ax.plot(
            np.full(len(values[name]), position + 0.35), values[name], ".", color="0.3", alpha=0.6
        )
    ax.set_xticks(positions, names)
    for number, (name, value) in enumerate(lines.items()):  # C1, C2: medians, means
        ax.axhline(
            value, linestyle="--", color=f"C{(number + 3) % 10}", label=f"{name} ({value:.4g})"
        )
    ax.legend(loc="best", fontsize="small")
    ax.set_ylabel(metric)
    runs = runs_text(values)
    ax.set_title(f"{title} ({runs})" if title else f"{metric} over {runs}")
    return _finish(figure, None, path, overwrite)
