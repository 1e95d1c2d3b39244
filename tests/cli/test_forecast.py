"""``lstmkit forecast RUN.toml``: tiny forecasts (2 epochs, 8 units) and every error path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstmkit
from lstmkit._forecast_config import data_path, load_forecast_run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BASELINE_NAMES = ("persistence", "seasonal_naive", "drift", "seasonal_naive_drift", "holt_winters")

RUN = """\
[data]
path = "series.csv"
time_column = "date"
target = "value"
freq = "MS"

[forecast]
lookback = 12
horizon = 6
season = 12

[model]
units = 8

[training]
epochs = 2
random_state = 0
device = "cpu"
"""
# The settings above as LSTMForecaster keywords: the reference the command must match.
SETTINGS = dict(lookback=12, horizon=6, season=12, units=8, epochs=2, random_state=0, device="cpu")
EVALUATION = """
[evaluation]
test_start = 12
seeds = [0, 1]
"""


def _wave(periods: int) -> pd.Series:
    """A monthly cycle on a trend, rounded as a CSV would hold it."""
    steps = np.arange(periods)
    values = np.round(10 + np.sin(steps * np.pi / 6) + 0.05 * steps, 4)
    return pd.Series(values, pd.date_range("2000-01", periods=periods, freq="MS"), name="value")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with series.csv (60 months, 2000-01 .. 2004-12) and run.toml."""
    _wave(60).to_csv(tmp_path / "series.csv", index_label="date", date_format="%Y-%m-%d")
    (tmp_path / "run.toml").write_text(RUN)
    return tmp_path


def _forecast_rows(stdout: str) -> list[list[str]]:
    """The rows of the printed forecast table (after its heading and column names)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Forecast of "))
    rows = []
    for line in lines[start + 2 :]:
        cells = line.split()
        if len(cells) < 2 or not cells[0][:4].isdigit():
            break
        rows.append(cells)
    return rows


def test_backtest_prints_the_model_beside_every_baseline(project, invoke):
    (project / "run.toml").write_text(RUN + EVALUATION)
    result = invoke("forecast", project / "run.toml")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # 12 held out, horizon 6: origins 2003-12 .. 2004-06 (hand count: 12 - 6 + 1 = 7).
    assert "Backtest of 'value': 7 origins from 2003-12-01 to 2004-06-01" in result.stdout
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["RMSE", "MAE"])
    assert lines[header + 1].startswith("LSTM (mean ± std over 2 seeds)")
    rows = lines[header + 2 : header + 2 + len(BASELINE_NAMES)]
    assert [line.split()[0] for line in rows] == list(BASELINE_NAMES)
    verdict = lines[header + 2 + len(BASELINE_NAMES)]
    assert verdict.startswith("LSTM LOSES to ") or verdict == "LSTM beats every baseline on RMSE"
    assert len(_forecast_rows(result.stdout)) == 6 and result.stderr == ""


def test_a_flag_overrides_the_run_file(project, invoke):
    result = invoke("forecast", project / "run.toml", "--horizon", "3", "--quiet")
    assert result.exit_code == 0, result.output
    rows = _forecast_rows(result.stdout)
    assert [row[0] for row in rows] == ["2005-01-01", "2005-02-01", "2005-03-01"]
    assert result.stdout.splitlines()[0] == "Forecast of 3 steps after 2004-12-01:"


def test_output_csv_continues_the_dates_and_matches_the_estimator(project, invoke, tmp_path):
    out = tmp_path / "forecast.csv"
    result = invoke("forecast", project / "run.toml", "--output", out)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert list(written.columns) == ["date", "value"]
    expected_dates = pd.date_range("2005-01-01", periods=6, freq="MS").strftime("%Y-%m-%d")
    assert written["date"].tolist() == expected_dates.tolist()
    reference = (
        lstmkit.LSTMForecaster(freq="MS", time_column="date", target="value", **SETTINGS)
        .fit(project / "series.csv")
        .predict()
    )
    np.testing.assert_allclose(written["value"], reference["value"], rtol=0, atol=1e-6)
    assert f"wrote the forecast to {out}" in result.stdout


def test_plot_writes_a_png(project, invoke, tmp_path):
    result = invoke("forecast", project / "run.toml", "--plot", tmp_path / "f.png", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "f.png").read_bytes()[:8] == PNG_SIGNATURE


def test_model_file_reloads_to_the_printed_forecast(project, invoke, tmp_path):
    out, model = tmp_path / "f.csv", tmp_path / "m.lstmkit"
    result = invoke("forecast", project / "run.toml", "-o", out, "--model", model)
    assert result.exit_code == 0, result.output
    again = lstmkit.load_model(model).predict()
    written = pd.read_csv(out, index_col="date", parse_dates=True)
    # save -> load -> predict is bitwise (CONTRACTS §9); the CSV keeps 17 digits: 1e-12.
    np.testing.assert_allclose(written["value"], again["value"], rtol=0, atol=1e-12)


def test_an_existing_output_is_never_replaced_unasked(project, invoke, tmp_path):
    out = tmp_path / "old.csv"
    out.write_text("precious")
    result = invoke("forecast", project / "run.toml", "--output", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the forecast file '{out}' already exists and was left untouched: choose "
        "another path, or pass --overwrite to replace it\n"
    )
    assert out.read_text() == "precious" and result.stdout == ""
    result = invoke("forecast", project / "run.toml", "--output", out, "--overwrite", "-q")
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("date,value\n2005-01-01,")


def test_outputs_in_the_run_file_are_relative_to_it(project, invoke):
    (project / "run.toml").write_text(RUN + '\n[output]\nforecast = "out/f.csv"\n')
    (project / "out").mkdir()
    result = invoke("forecast", project / "run.toml", "-q")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(project / "out" / "f.csv")) == 6


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("edit", "flags", "message"),
    [
        (
            lambda run: _replace(run, "horizon = 6", "horizn = 6"),
            [],
            "unknown key 'horizn' in [forecast]. Did you mean 'horizon'?",
        ),
        (
            lambda run: _replace(run, 'freq = "MS"', 'freq = "MS"\nmissing = "interp"'),
            [],
            "[data] missing = \"interp\": expected one of 'interpolate', 'seasonal', 'mask', "
            "'drop'. Did you mean 'interpolate'?",
        ),
        (
            lambda run: run,
            ["--missing", "seasonl"],
            "[data] missing = \"seasonl\" (from --missing): expected one of 'interpolate', "
            "'seasonal', 'mask', 'drop'. Did you mean 'seasonal'?",
        ),
        (
            lambda run: _replace(run, 'path = "series.csv"\n', ""),
            [],
            "missing key 'path' in [data]: the CSV file (relative to the run file), or "
            '"lstmkit:NAME" for a bundled dataset, e.g. path = "lstmkit:airline_passengers"',
        ),
        (
            lambda run: _replace(run, "epochs = 2", "epochs = 2\nhorizon = 3"),
            [],
            "unknown key 'horizon' in [training]: it belongs in [forecast].",
        ),
    ],
    ids=["unknown-key", "bad-missing", "bad-missing-flag", "no-data-path", "misplaced-key"],
)
def test_bad_run_files_exit_1_with_the_problem(project, invoke, edit, flags, message):
    run = project / "run.toml"
    run.write_text(edit(RUN))
    result = invoke("forecast", run, *flags)
    assert result.exit_code == 1
    assert result.stderr == f"error: {run}: {message}\n" and result.stdout == ""


def test_a_missing_data_file_is_named(project, invoke):
    (project / "series.csv").unlink()
    result = invoke("forecast", project / "run.toml")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: data file '{project / 'series.csv'}' does not exist: check the path\n"
    )


def test_bad_seeds_and_columns_are_reported(project, invoke):
    result = invoke("forecast", project / "run.toml", "--seeds", "0,x", "--test-start", "12")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --seeds '0,x': expected non-negative integers separated by commas, e.g. "
        "--seeds 0,1,2\n"
    )
    (project / "run.toml").write_text(_replace(RUN, 'target = "value"', 'target = "valeu"'))
    result = invoke("forecast", project / "run.toml")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: [data] target names the column 'valeu', which {project / 'series.csv'} "
        "does not have; its value columns are 'value'. Did you mean 'value'?\n"
    )


def test_test_start_off_the_grid_is_refused(project, invoke):
    result = invoke("forecast", project / "run.toml", "--test-start", "2004-01-15")
    assert result.exit_code == 1
    assert result.stderr == (
        'error: [evaluation] test_start = "2004-01-15" is not a timestamp of the series '
        "(freq 'MS'): choose one of its timestamps, e.g. 2004-02-01\n"
    )


def test_resampled_daily_data_forecasts_month_starts(tmp_path, invoke):
    days = pd.date_range("2000-01-01", "2003-12-31", freq="D")
    pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "sales": 1.0}).to_csv(
        tmp_path / "daily.csv", index=False
    )
    run = _replace(RUN, 'path = "series.csv"', 'path = "daily.csv"')
    run = _replace(run, 'time_column = "date"\ntarget = "value"\nfreq = "MS"', "")
    run = _replace(run, "[forecast]", 'resample = "MS"\naggregate = "sum"\n\n[forecast]')
    (tmp_path / "run.toml").write_text(run)
    result = invoke("forecast", tmp_path / "run.toml", "--horizon", "2")
    assert result.exit_code == 0, result.output
    # 48 monthly sums of 1.0 per day, read back by the command's first line.
    assert result.stdout.splitlines()[0] == (
        f"Read 48 steps of 'sales' from {tmp_path / 'daily.csv'} (2000-01-01 to 2003-12-01)"
    )
    assert [row[0] for row in _forecast_rows(result.stdout)] == ["2004-01-01", "2004-02-01"]


def test_future_covariates_run_past_the_last_target(tmp_path, invoke):
    """Rows with an empty target are the known future of the calendar column."""
    months = pd.date_range("2000-01", periods=66, freq="MS")  # 60 observed + 6 ahead
    december = (months.month == 12).astype(float)
    frame = pd.DataFrame({"value": _wave(66).to_numpy(), "december": december}, months)
    frame.iloc[60:, 0] = np.nan
    frame.to_csv(tmp_path / "series.csv", index_label="date", date_format="%Y-%m-%d")
    run = _replace(RUN, 'freq = "MS"', 'freq = "MS"\nfuture_covariates = ["december"]')
    (tmp_path / "run.toml").write_text(run)
    result = invoke("forecast", tmp_path / "run.toml", "-o", tmp_path / "f.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Read 60 steps of 'value' from {tmp_path / 'series.csv'}")
    reference = (
        lstmkit.LSTMForecaster(freq="MS", **SETTINGS)
        .fit(frame.iloc[:60, :1], future_covariates=frame[["december"]])
        .predict()
    )
    written = pd.read_csv(tmp_path / "f.csv", index_col="date", parse_dates=True)
    assert written.index.equals(pd.DatetimeIndex(months[60:], name="date"))
    np.testing.assert_allclose(written["value"], reference["value"], rtol=0, atol=1e-6)


def test_the_airline_example_parses_to_the_airline_recipe():
    from lstmkit.problems import airline

    run = EXAMPLES / "airline_forecast.toml"
    config = load_forecast_run(run)
    expected = {**airline.RECIPE_SETTINGS, "random_state": 0, "freq": "MS"}
    assert config.forecaster_params() == expected
    assert config.evaluation is not None
    seeds = list(airline.SEEDS)
    assert (config.evaluation.test_start, config.evaluation.seeds) == ("1959-01", seeds)
    path = data_path(config, run)
    assert path.is_file() and path.read_text().startswith("Month,Passengers\n1949-01,112\n")


@pytest.mark.parametrize(
    ("edits", "params", "columns"),
    [
        (
            [("epochs = 2", 'epochs = 2\nloss = "quantile"\nquantiles = [0.1, 0.5, 0.9]')],
            {"loss": "quantile", "quantiles": [0.1, 0.5, 0.9]},
            ["value", "value_q10", "value_q90"],
        ),
        ([("season = 12", 'season = 12\ncontext = "state"')], {"context": "state"}, ["value"]),
    ],
)
def test_quantile_and_stateful_forecasts_from_a_run_file(project, invoke, edits, params, columns):
    run = RUN
    for old, new in edits:
        run = _replace(run, old, new)
    (project / "run.toml").write_text(run)
    result = invoke("forecast", project / "run.toml", "-o", project / "f.csv")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(project / "f.csv", index_col="date", parse_dates=True)
    assert list(written.columns) == columns
    reference = lstmkit.LSTMForecaster(freq="MS", **SETTINGS, **params).fit(_wave(60)).predict()
    np.testing.assert_allclose(written[columns], reference[columns], rtol=0, atol=1e-6)
