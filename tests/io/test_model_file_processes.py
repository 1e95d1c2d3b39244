"""Process faults in a child process (FAULTS 32-33): SIGKILL in the middle of a save, and a
file-size limit below the new file's size.

The kill test runs twice: with lstmkit's atomic save, and with the save patched back to a
direct write onto the target (the bug harvard-edge/cs249r_book#2068 had). The same kill
must leave a loadable previous file in the first case and a truncated one in the second;
otherwise the test could not tell the two apart and would not catch a reversion.

Each child is a fresh ``sys.executable -c`` process. All of them start together, import
torch and lstmkit (most of their run time) side by side, then wait on stdin for their task.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from lstmkit.errors import ModelFileError
from lstmkit.io import read_model_file, write_model_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and rlimits")

NUMEL = 16 * 1024 * 1024  # float32: 64 MiB per save, about 0.1-0.3 s of writing here

PRELUDE = r"""
import json, os, resource, sys, torch
import lstmkit.io._model_file as model_file
from lstmkit.errors import ModelFileError
from lstmkit.io import write_model_file

task = json.loads(sys.stdin.readline())  # wait here, imports done, until the test is ready
"""

SAVE_LOOP = r"""
if task["mode"] == "direct":
    def direct_write(path, write, *, display):  # the fault guarded against: write in place
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            write(fd)
        finally:
            os.close(fd)
    model_file.atomic_write = direct_write
weights = torch.empty(task["numel"])
for version in range(1000):
    weights.fill_(float(version))
    write_model_file(task["target"], {"weights": weights}, {"version": version})
    print(version, flush=True)  # only after the save returned: this version is complete
"""

SAVE_UNDER_LIMIT = r"""
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
resource.setrlimit(resource.RLIMIT_FSIZE, (task["limit"], hard))
try:
    write_model_file(task["target"], {"weights": torch.ones(1 << 20)}, {"version": 1})  # 4 MiB
except ModelFileError as error:
    print(json.dumps({"message": str(error), "errno": error.errno}))
else:
    print(json.dumps({"message": None}))
"""

SCRIPTS = {"atomic": SAVE_LOOP, "direct": SAVE_LOOP, "limit": SAVE_UNDER_LIMIT}


@pytest.fixture(scope="module")
def children():
    """One waiting child per test, all started at once."""
    started = {
        name: subprocess.Popen(
            [sys.executable, "-c", PRELUDE + script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, script in SCRIPTS.items()
    }
    yield started
    for child in started.values():
        child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()


def _start(child: subprocess.Popen, **task) -> None:
    child.stdin.write(json.dumps(task) + "\n")
    child.stdin.flush()


def _partly_written(folder: Path, full: int) -> bool:
    """Whether some file in ``folder`` is in the middle of being written."""
    for entry in os.scandir(folder):
        try:
            size = entry.stat().st_size
        except FileNotFoundError:  # a temporary file renamed away meanwhile
            continue
        if 0 < size < full // 2:
            return True
    return False


def _frozen_mid_save(child: subprocess.Popen, folder: Path, full: int) -> bool:
    """Stop the child and tell whether a file is half written; resume it if not.

    SIGSTOP first, so the state checked is exactly the state SIGKILL will leave behind,
    however slowly this process is scheduled.
    """
    os.kill(child.pid, signal.SIGSTOP)
    os.waitpid(child.pid, os.WUNTRACED)  # returns once the child has stopped
    if _partly_written(folder, full):
        return True
    os.kill(child.pid, signal.SIGCONT)
    return False


def _kill_during_a_save(child: subprocess.Popen, folder: Path, target: Path, mode: str) -> int:
    """Start the save loop; SIGKILL it while a save after the first is half written.

    Returns:
        The last version the child reported as completely saved.
    """
    completed: list[str] = []
    reader = threading.Thread(target=lambda: completed.extend(child.stdout), daemon=True)
    reader.start()
    _start(child, mode=mode, target=str(target), numel=NUMEL)
    deadline = time.monotonic() + 45
    try:
        while not (
            completed
            and _partly_written(folder, NUMEL * 4)
            and _frozen_mid_save(child, folder, NUMEL * 4)
        ):
            assert child.poll() is None, f"the child ended early: {child.stderr.read()}"
            assert time.monotonic() < deadline, "no half-written save was seen"
            time.sleep(0.0005)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    reader.join(timeout=10)
    assert child.returncode == -signal.SIGKILL
    return int(completed[-1])


def test_sigkill_during_a_save_keeps_the_previous_file(tmp_path, helpers, children):
    target = tmp_path / "model.safetensors"
    last = _kill_during_a_save(children["atomic"], tmp_path, target, "atomic")
    tensors, manifest = read_model_file(target)
    assert manifest["version"] == last
    assert torch.equal(tensors["weights"], torch.full((NUMEL,), float(last)))
    del tensors
    # The killed save left its temporary file; the next save to the target removes it.
    assert len(helpers.temporaries(tmp_path)) == 1
    write_model_file(target, {"weights": torch.ones(1)}, {"version": "after"})
    assert helpers.temporaries(tmp_path) == []
    assert read_model_file(target)[1]["version"] == "after"


def test_the_same_kill_corrupts_a_direct_write(tmp_path, children):
    """Control: a save reverted to writing in place loses the previous file under the same
    kill, so the test above would fail on such a reversion."""
    target = tmp_path / "model.safetensors"
    _kill_during_a_save(children["direct"], tmp_path, target, "direct")
    with pytest.raises(ModelFileError, match=f"model file '{target}' is truncated"):
        read_model_file(target)


def test_a_file_size_limit_keeps_the_previous_file(tmp_path, helpers, children):
    target = tmp_path / "model.safetensors"
    write_model_file(target, {"weights": torch.zeros(1000)}, {"version": 0})
    child = children["limit"]
    _start(child, target=str(target), limit=1 << 20)  # above the 4 kB file, below the 4 MiB one
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr
    outcome = json.loads(stdout)
    assert outcome["message"] == (
        f"no space left while saving '{target}'; the previous file was kept (File too large). "
        "Free disk space or raise the file-size limit (ulimit -f), then save again"
    )
    assert outcome["errno"] == 27  # EFBIG: Python ignores SIGXFSZ, so write() fails instead
    assert helpers.temporaries(tmp_path) == []
    tensors, manifest = read_model_file(target)
    assert manifest["version"] == 0 and torch.equal(tensors["weights"], torch.zeros(1000))
