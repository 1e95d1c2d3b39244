"""Plots: what the figures hold and what the PNG files are, never their pixels.

References are the inputs themselves and NumPy (medians, means, histograms); each
comparison states its tolerance.
"""

import ast
import doctest
import os
import re
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import _pylab_helpers
from matplotlib.dates import date2num

from lstmkit.diagnostics import (
    plot_forecast,
    plot_learning_curves,
    plot_repeated_runs,
    plot_residuals,
)
from lstmkit.errors import ConfigError, DataError, ShapeError
from lstmkit.training import History

ROOT = Path(__file__).resolve().parents[2]
EXACT = 0.0  # values go into the figure unchanged
FLOAT = 1e-12  # float64 statistics from the same numbers, possibly summed in another order
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """The plots never register figures with pyplot, so nothing is left open between tests."""
    before = _pylab_helpers.Gcf.get_num_fig_managers()
    yield
    assert _pylab_helpers.Gcf.get_num_fig_managers() == before


@pytest.fixture
def monthly():
    """Two targets over 24 months, a 6-month forecast, its interval and what happened."""
    rng = np.random.default_rng(1)
    past = pd.date_range("1958-01-01", periods=24, freq="MS")
    ahead = pd.date_range("1960-01-01", periods=6, freq="MS")
    history = pd.DataFrame(rng.normal(size=(24, 2)), index=past, columns=["sales", "visits"])
    forecast = pd.DataFrame(rng.normal(size=(6, 2)), index=ahead, columns=["sales", "visits"])
    width = np.abs(rng.normal(size=(6, 2))) + 0.1
    actual = forecast + rng.normal(size=(6, 2))
    return history, forecast, forecast - width, forecast + width, actual


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])  # IHDR: width, height in pixels


def expected_pixels(figure):
    width, height = figure.get_size_inches() * figure.dpi
    return round(width), round(height)


# ---------------------------------------------------------------- plot_forecast


def test_forecast_draws_inputs_unchanged_one_panel_per_column(monthly):
    history, forecast, lower, upper, actual = monthly
    label = "90% interval (split-conformal)"
    figure = plot_forecast(
        history, forecast, lower=lower, upper=upper, actual=actual, interval_label=label
    )
    assert len(figure.axes) == 2
    assert figure.axes[0].get_shared_x_axes().joined(figure.axes[0], figure.axes[1])
    for ax, column in zip(figure.axes, ["sales", "visits"]):
        assert ax.get_ylabel() == column
        lines = lines_by_label(ax)
        np.testing.assert_array_equal(lines["history"].get_xdata(), history.index.to_numpy())
        np.testing.assert_allclose(lines["history"].get_ydata(), history[column], atol=EXACT)
        np.testing.assert_array_equal(lines["forecast"].get_xdata(), forecast.index.to_numpy())
        np.testing.assert_allclose(lines["forecast"].get_ydata(), forecast[column], atol=EXACT)
        assert lines["actual"].get_linestyle() == "--"
        np.testing.assert_allclose(lines["actual"].get_ydata(), actual[column], atol=EXACT)
        (band,) = [c for c in ax.collections if c.get_label() == label]
        vertices = band.get_paths()[0].vertices
        # every (timestamp, lower) and (timestamp, upper) corner is on the band's outline
        for x, low, high in zip(date2num(forecast.index), lower[column], upper[column]):
            at_x = vertices[np.isclose(vertices[:, 0], x, rtol=0, atol=1e-9), 1]
            assert np.isclose(at_x, low, rtol=0, atol=1e-12).any()
            assert np.isclose(at_x, high, rtol=0, atol=1e-12).any()
        assert vertices[:, 1].min() == pytest.approx(lower[column].min(), abs=1e-12)
        assert vertices[:, 1].max() == pytest.approx(upper[column].max(), abs=1e-12)
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["history", "forecast", label, "actual"]


def test_forecast_last_shows_only_the_last_steps(monthly):
    history, forecast, *_ = monthly
    figure = plot_forecast(history, forecast, last=5, title="Last five months")
    line = lines_by_label(figure.axes[1])["history"]
    np.testing.assert_array_equal(line.get_xdata(), history.index[-5:].to_numpy())
    np.testing.assert_allclose(line.get_ydata(), history["visits"].iloc[-5:], atol=EXACT)
    assert figure.get_suptitle() == "Last five months"


def test_forecast_of_series_takes_the_history_name_and_array_bounds():
    history = pd.Series([1.0, 2.0, 3.0], pd.date_range("2000-01-01", periods=3), name="load")
    forecast = pd.Series([4.0, 5.0], pd.date_range("2000-01-04", periods=2))
    figure = plot_forecast(history, forecast, lower=np.array([3.0, 4.0]), upper=[5.0, 6.0])
    assert len(figure.axes) == 1 and figure.axes[0].get_ylabel() == "load"
    vertices = figure.axes[0].collections[0].get_paths()[0].vertices
    assert sorted(set(vertices[:, 1])) == [3.0, 4.0, 5.0, 6.0]


def test_forecast_saves_a_png_of_figsize_times_dpi_and_no_temporary(monthly, tmp_path):
    history, forecast, *_ = monthly
    target = tmp_path / "forecast.png"
    figure = plot_forecast(history, forecast, path=target)
    assert png_size(target) == expected_pixels(figure)
    assert os.listdir(tmp_path) == ["forecast.png"]


def test_existing_file_is_refused_and_left_untouched(monthly, tmp_path):
    history, forecast, *_ = monthly
    target = tmp_path / "forecast.png"
    target.write_bytes(b"keep me")
    message = (
        f"'{target}' already exists and was left untouched: pass overwrite=True to replace "
        "it, or choose another path"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        plot_forecast(history, forecast, path=target)
    assert target.read_bytes() == b"keep me"
    assert os.listdir(tmp_path) == ["forecast.png"]
    plot_forecast(history, forecast, path=target, overwrite=True)
    assert target.read_bytes()[:8] == PNG_SIGNATURE


def test_missing_folder_and_unknown_file_type_are_refused(monthly, tmp_path):
    history, forecast, *_ = monthly
    missing = tmp_path / "no" / "such" / "plot.png"
    message = (
        f"cannot save the plot to '{missing}': the folder '{missing.parent}' does not exist; "
        "create it first (os.makedirs) or choose another path"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        plot_forecast(history, forecast, path=missing)
    odd = tmp_path / "plot.pnj"
    with pytest.raises(ConfigError, match=re.escape("unknown file type '.pnj'")):
        plot_forecast(history, forecast, path=odd)
    assert os.listdir(tmp_path) == []


def test_svg_suffix_writes_svg(monthly, tmp_path):
    history, forecast, *_ = monthly
    plot_forecast(history, forecast, path=tmp_path / "forecast.svg")
    assert b"<svg" in (tmp_path / "forecast.svg").read_bytes()[:500]


def test_forecast_input_errors(monthly):
    history, forecast, lower, upper, _ = monthly
    cases = [
        (
            ShapeError,
            "forecast columns ['sales', 'clicks'] differ from history columns "
            "['sales', 'visits']: give forecast the same columns as history",
            dict(forecast=forecast.rename(columns={"visits": "clicks"})),
        ),
        (
            ShapeError,
            "lower has shape (5, 2), expected the forecast's shape (6, 2) (one row per "
            "forecast timestamp, one column per target)",
            dict(lower=lower.iloc[:5]),
        ),
        (
            ShapeError,
            "lower's index differs from the forecast's: row 0 is 1959-12-01 00:00:00, "
            "expected 1960-01-01 00:00:00; index lower by the forecast's timestamps",
            dict(lower=lower.set_axis(lower.index - pd.DateOffset(months=1))),
        ),
        (
            ConfigError,
            "lower and upper go together: got lower only; pass both to draw the interval, "
            "or neither",
            dict(upper=None),
        ),
        (
            DataError,
            "lower is above upper at 12 of 12 points (first at 1960-01-01 00:00:00, column "
            "'sales'): did you swap lower and upper?",
            dict(lower=upper, upper=lower),
        ),
        (
            DataError,
            "history must have a DatetimeIndex, got RangeIndex: convert it with "
            "history.index = pd.to_datetime(history.index), or build one with pd.date_range",
            dict(history=history.reset_index(drop=True)),
        ),
        (
            ConfigError,
            "last must be a positive whole number of history steps, got 0",
            dict(last=0),
        ),
    ]
    for error, message, changes in cases:
        arguments = dict(history=history, forecast=forecast, lower=lower, upper=upper)
        arguments.update(changes)
        with pytest.raises(error, match=re.escape(message)):
            plot_forecast(arguments.pop("history"), arguments.pop("forecast"), **arguments)


# ---------------------------------------------------------------- plot_learning_curves


def test_learning_curves_plot_each_metric_beside_its_validation_twin(tmp_path):
    history = {
        "loss": [0.9, 0.5, 0.4, 0.35],
        "val_loss": [1.0, 0.7, 0.6, 0.62],
        "mae": [0.8, 0.6, 0.5, 0.45],
        "val_mae": [0.9, 0.7, 0.65, 0.66],
    }
    figure = plot_learning_curves(history, path=tmp_path / "curves.png")
    assert [ax.get_ylabel() for ax in figure.axes] == ["loss", "mae"]
    for ax, names in zip(figure.axes, [("loss", "val_loss"), ("mae", "val_mae")]):
        lines = lines_by_label(ax)
        assert sorted(lines) == sorted(names)
        for name in names:
            assert lines[name].get_xdata().tolist() == [1, 2, 3, 4]  # epochs count from 1
            np.testing.assert_allclose(lines[name].get_ydata(), history[name], atol=EXACT)
    assert figure.axes[-1].get_xlabel() == "epoch"
    assert png_size(tmp_path / "curves.png") == expected_pixels(figure)


def test_learning_curves_accept_an_estimators_history_object():
    history = History({"loss": [2.0, 1.0, 0.5], "accuracy": [0.5, 0.7, 0.9]}, [0, 1, 2])
    figure = plot_learning_curves(history)
    assert [ax.get_ylabel() for ax in figure.axes] == ["loss", "accuracy"]
    accuracy = lines_by_label(figure.axes[1])["accuracy"]
    np.testing.assert_allclose(accuracy.get_ydata(), [0.5, 0.7, 0.9], atol=EXACT)


def test_learning_curve_errors():
    with pytest.raises(
        DataError,
        match=re.escape(
            "history is empty: nothing was recorded; fit the model for at least one epoch"
        ),
    ):
        plot_learning_curves({})
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "history['loss'] must be a 1-D sequence of one value per epoch, got shape (2, 2)"
        ),
    ):
        plot_learning_curves({"loss": [[1.0, 2.0], [3.0, 4.0]]})


# ---------------------------------------------------------------- plot_residuals


def test_residual_grid_gives_origin_means_histogram_and_a_box_per_step(tmp_path):
    grid = np.random.default_rng(2).normal(size=(13, 12))
    grid[3, 5] = np.nan  # a missing observation, left out everywhere
    figure = plot_residuals(grid, path=tmp_path / "residuals.png")
    over_time, histogram, by_step = figure.axes
    assert by_step.get_title() == "error by horizon step"
    mean = lines_by_label(over_time)["mean over steps"]
    np.testing.assert_allclose(mean.get_ydata(), np.nanmean(grid, axis=1), rtol=0, atol=FLOAT)
    heights = np.array([patch.get_height() for patch in histogram.patches])
    lefts = np.array([patch.get_x() for patch in histogram.patches])
    # equal bins from the smallest to the largest finite residual, counted by numpy
    reference, edges = np.histogram(grid[np.isfinite(grid)], bins=len(heights))
    np.testing.assert_array_equal(heights, reference)
    np.testing.assert_allclose(lefts, edges[:-1], rtol=0, atol=1e-12)
    assert heights.sum() == grid.size - 1
    medians = [line for line in by_step.get_lines() if line.get_gid() == "median"]
    assert len(medians) == 12
    for step, line in enumerate(medians):
        column = grid[:, step][np.isfinite(grid[:, step])]
        np.testing.assert_allclose(line.get_ydata(), np.median(column), rtol=0, atol=FLOAT)
    assert png_size(tmp_path / "residuals.png") == expected_pixels(figure)


def test_dated_residuals_plot_against_their_timestamps():
    index = pd.date_range("2020-01-01", periods=30, freq="D")
    residuals = pd.Series(np.random.default_rng(3).normal(size=30), index, name="error")
    figure = plot_residuals(residuals)
    assert len(figure.axes) == 2
    line = lines_by_label(figure.axes[0])["error"]
    np.testing.assert_array_equal(line.get_xdata(), index.to_numpy())
    np.testing.assert_allclose(line.get_ydata(), residuals, atol=EXACT)


def test_residual_errors():
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "residuals must be a Series, a DataFrame or an array shaped (origins, horizon "
            "steps), got shape (2, 3, 4): plot each target's slice on its own"
        ),
    ):
        plot_residuals(np.zeros((2, 3, 4)))
    with pytest.raises(
        DataError,
        match=re.escape(
            "residuals hold inf at 1 points: residuals must be finite, or NaN where an "
            "observation is missing"
        ),
    ):
        plot_residuals(np.array([1.0, np.inf, 2.0]))


# ---------------------------------------------------------------- plot_repeated_runs


def test_repeated_runs_draw_one_box_per_name_with_numpy_medians_and_means(tmp_path):
    scores = {
        "direct": [20.1, 18.7, 22.3, 19.5, 19.9],
        "recursive": [23.2, 21.9, 24.0, 22.5, 30.1],
        "seq2seq": [19.0, 19.4, 18.2, 20.8, 19.9],
    }
    figure = plot_repeated_runs(
        scores, metric="MAE", baselines={"seasonal_naive": 23.2}, path=tmp_path / "runs.png"
    )
    (ax,) = figure.axes
    assert [tick.get_text() for tick in ax.get_xticklabels()] == list(scores)
    assert ax.get_ylabel() == "MAE" and ax.get_title() == "MAE over 5 runs"
    assert len([line for line in ax.get_lines() if line.get_gid() == "box"]) == 3
    medians = [line for line in ax.get_lines() if line.get_gid() == "median"]
    means = [line for line in ax.get_lines() if line.get_gid() == "mean"]
    for values, median, mean in zip(scores.values(), medians, means):
        np.testing.assert_allclose(median.get_ydata(), np.median(values), rtol=0, atol=FLOAT)
        np.testing.assert_allclose(mean.get_ydata(), np.mean(values), rtol=0, atol=FLOAT)
    baseline = lines_by_label(ax)["seasonal_naive (23.2)"]
    assert baseline.get_linestyle() == "--"
    np.testing.assert_allclose(baseline.get_ydata(), [23.2, 23.2], atol=EXACT)
    assert png_size(tmp_path / "runs.png") == expected_pixels(figure)


def test_repeated_runs_title_counts_unequal_runs():
    figure = plot_repeated_runs({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0]}, title="Airline")
    assert figure.axes[0].get_title() == "Airline (2-3 runs per name)"


def test_repeated_run_errors():
    with pytest.raises(
        DataError,
        match=re.escape(
            "scores is empty: give at least one name with its per-run scores, e.g. "
            "{'direct': [20.1, 18.7, 22.3], 'recursive': [23.2, 21.9, 24.0]}"
        ),
    ):
        plot_repeated_runs({})
    with pytest.raises(
        DataError,
        match=re.escape(
            "scores hold NaN or inf: 'direct' at run 1; 'recursive' at run 0, 2; drop or "
            "rerun the failed runs"
        ),
    ):
        plot_repeated_runs({"direct": [1.0, np.nan], "recursive": [np.inf, 2.0, np.nan]})
    with pytest.raises(
        DataError,
        match=re.escape("scores['direct'] is empty: expected one score per run, got none"),
    ):
        plot_repeated_runs({"direct": []})
    with pytest.raises(
        ShapeError,
        match=re.escape(
            "scores['direct'] must be a 1-D sequence of one score per run, got shape (2, 1)"
        ),
    ):
        plot_repeated_runs({"direct": [[1.0], [2.0]]})
    with pytest.raises(
        DataError, match=re.escape("baselines['naive'] must be one finite number, got nan")
    ):
        plot_repeated_runs({"direct": [1.0]}, baselines={"naive": float("nan")})


# ---------------------------------------------------------------- the module and its guide


def test_matplotlib_is_imported_only_inside_functions():
    # In-process sys.modules cannot tell (this file imports matplotlib), so read the source.
    folder = ROOT / "src" / "lstmkit" / "diagnostics"
    for name in ("plots.py", "_plot_checks.py"):
        tree = ast.parse((folder / name).read_text())
        top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        modules = [getattr(node, "module", None) or node.names[0].name for node in top_level]
        assert not [module for module in modules if module.startswith("matplotlib")], name


def test_plots_guide_runs_as_written():
    result = doctest.testfile(
        str(ROOT / "docs" / "guide" / "plots.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted >= 8 and result.failed == 0
