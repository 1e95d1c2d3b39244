"""Two worker processes share one PostgreSQL study; one is killed mid-trial, no trial is lost.

The heartbeat (every 1 s, stale after 3 s) lets the surviving worker notice the dead
worker's trial at the start of its next trial: it marks it FAIL and queues it again
(max_retry 1), then runs it. Each trial takes about 1 s (4 epochs of 0.25 s) and the
study needs 8 complete trials, so the survivor is still starting trials some 4 s after
the stale trial's grace period has run out (interval + grace ≈ 4 s after the kill).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from lstmkit.tune import open_study, parse_storage

N_TRIALS = 8
WORKER = Path(__file__).with_name("_worker.py")
pytestmark = pytest.mark.timeout(60)


def _start_worker(url: str, study_name: str, seed: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, str(WORKER), url, study_name, str(N_TRIALS), str(seed)]
    with open(log, "w") as stream:  # a file, not a pipe: optuna's log lines never block
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stream)


def _tag(process: subprocess.Popen) -> str:
    return f"{socket.gethostname()}:{process.pid}"  # what lstmkit records as user attr "worker"


def _reader(url: str) -> str:
    """The URL this test reads with: psycopg2 named (SQLAlchemy 2.1 assumes psycopg 3)."""
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def _wait_for_report(study_name: str, url: str, victim, logs) -> optuna.trial.FrozenTrial:
    """The victim's RUNNING trial, once the storage holds an intermediate value from it."""
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline:
        study = optuna.load_study(study_name=study_name, storage=_reader(url))
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if trial.user_attrs.get("worker") == _tag(victim) and trial.intermediate_values:
                return trial
        if victim.poll() is not None:
            break
        time.sleep(0.05)
    text = "\n".join(log.read_text()[-2000:] for log in logs)
    pytest.fail(f"the victim reported no intermediate value in time; worker logs:\n{text}")


def test_killed_worker_trial_is_failed_and_retried_by_the_other(postgres_url, tmp_path):
    study_name = f"kill-test-{os.getpid()}"
    # A coordinator creates the study (and the tables) before the workers join it.
    open_study(parse_storage(postgres_url), study_name, "minimize")
    logs = [tmp_path / "victim.log", tmp_path / "survivor.log"]
    victim = _start_worker(postgres_url, study_name, 1, logs[0])
    survivor = _start_worker(postgres_url, study_name, 2, logs[1])
    try:
        doomed = _wait_for_report(study_name, postgres_url, victim, logs)
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(timeout=10) == -signal.SIGKILL
        assert survivor.wait(timeout=40) == 0, logs[1].read_text()[-2000:]
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                process.kill()
                process.wait()

    trials = optuna.load_study(study_name=study_name, storage=_reader(postgres_url)).get_trials()
    by_number = {trial.number: trial for trial in trials}
    killed = by_number[doomed.number]
    assert killed.state == TrialState.FAIL  # failed by the survivor's heartbeat check

    retries = [trial for trial in trials if trial.system_attrs.get("failed_trial") == killed.number]
    assert len(retries) == 1
    retry = retries[0]
    assert retry.state == TrialState.COMPLETE
    assert retry.system_attrs["retry_history"] == [killed.number]
    assert retry.params == killed.params
    assert retry.user_attrs["worker"] == _tag(survivor)

    states = [trial.state for trial in trials]
    assert states.count(TrialState.COMPLETE) == N_TRIALS  # only the survivor ran after the kill
    assert TrialState.RUNNING not in states and TrialState.WAITING not in states
    for trial in trials:  # no trial lost: every failed trial was retried and completed
        if trial.state == TrialState.FAIL:
            again = [t for t in trials if t.system_attrs.get("failed_trial") == trial.number]
            assert [t.state for t in again] == [TrialState.COMPLETE]
    workers = {trial.user_attrs.get("worker") for trial in trials}
    assert {_tag(victim), _tag(survivor)} <= workers  # both contributed trials

    # The reported value at each epoch is the fake's 1 / units + 0.1 / (epoch + 1).
    for trial in trials:
        for epoch, value in trial.intermediate_values.items():
            assert value == pytest.approx(1.0 / trial.params["units"] + 0.1 / (epoch + 1), 1e-12)
