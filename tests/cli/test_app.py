"""The ``lstmkit`` app itself: help on every command, --version, lazy imports, ``demo``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lstmkit
import lstmkit.problems
from lstmkit.cli import app

COMMANDS = ["demo", "train", "evaluate", "predict", "inspect", "forecast", "report", "tune"]


def test_help_lists_every_command(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: lstmkit [OPTIONS] COMMAND [ARGS]...")
    for command in COMMANDS:
        assert f"\n  {command} " in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(invoke, command):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: lstmkit {command} [OPTIONS]")
    assert "Example: lstmkit " + command in result.stdout


def test_no_arguments_shows_help(invoke):
    result = invoke()
    assert "Usage: lstmkit" in result.output
    assert "Commands:" in result.output


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"lstmkit {lstmkit.__version__}\n"


def test_help_does_not_import_torch():
    code = (
        "import sys\n"
        "import lstmkit.cli\n"
        "assert 'torch' not in sys.modules, 'import lstmkit.cli imported torch'\n"
        "for args in (['--help'], ['train', '--help'], ['predict', '--help']):\n"
        "    try:\n"
        "        lstmkit.cli.app(args, prog_name='lstmkit')\n"
        "    except SystemExit as stop:\n"
        "        assert stop.code == 0, stop.code\n"
        "heavy = sorted(m for m in ('torch', 'pandas', 'sklearn') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "print('fast')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("fast\n")


def test_unknown_option_is_a_usage_error(invoke):
    result = invoke("train", "run.toml", "--epoch", "3")
    assert result.exit_code == 2
    assert "No such option: --epoch" in result.stderr


def test_demo_without_a_name_lists_the_demos(invoke):
    result = invoke("demo")
    assert result.exit_code == 0
    assert result.stdout == (
        f"available demos: {', '.join(sorted(lstmkit.problems.DEMOS))}\n"
        "run one with: lstmkit demo NAME\n"
    )


def test_demo_unknown_name_suggests_one(invoke):
    result = invoke("demo", "ecoh")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown demo 'ecoh': expected one of 'addition', 'airline', 'alphabet', 'cumulative_sum', "
        "'damped_sine', 'echo', 'moving_square', 'shapes'. Did you mean 'echo'?\n"
    )


def test_demo_exit_status_is_the_demos(invoke, monkeypatch):
    calls = []
    monkeypatch.setitem(lstmkit.problems.DEMOS, "passes", lambda: calls.append(1) or 0)
    monkeypatch.setitem(lstmkit.problems.DEMOS, "misses", lambda: 1)
    assert invoke("demo", "passes").exit_code == 0 and calls == [1]
    assert invoke("demo", "misses").exit_code == 1


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_demo_echo_in_a_real_process(tmp_path, quiet_env):
    done = subprocess.run(
        [sys.executable, "-m", "lstmkit.cli", "demo", "echo"],
        capture_output=True,
        text=True,
        env=quiet_env,
        cwd=tmp_path,
        timeout=290,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Accuracy: 100" in done.stdout
    assert "Total params: 3,960" in done.stdout


def test_app_is_a_typer_app():
    import typer

    assert isinstance(app, typer.Typer)
