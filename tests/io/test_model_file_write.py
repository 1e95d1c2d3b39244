"""Saving: everything is checked before a byte is written, and a save replaces the file
atomically or not at all (in-process faults; the kill and disk-limit children are in
test_model_file_processes.py)."""

import errno
import fcntl
import os
import re
import stat

import numpy as np
import pytest
import torch

import lstmkit.io._model_file as model_file_module
from lstmkit.errors import ModelFileError
from lstmkit.io import read_model_file, write_model_file


def _refused(path, tensors, manifest, *messages):
    """Saving fails naming every message, and nothing is written."""
    with pytest.raises(ModelFileError) as caught:
        write_model_file(path, tensors, manifest)
    text = str(caught.value)
    assert text.startswith(f"cannot save '{path}': ") and text.endswith(". Nothing was written")
    for message in messages:
        assert message in text
    return text


# --- the manifest must be JSON ---------------------------------------------------------


def test_nan_in_the_manifest_is_named_by_its_key_path(tmp_path):
    path = tmp_path / "model.safetensors"
    _refused(
        path,
        {},
        {"history": {"loss": [0.5, float("nan")]}},
        "manifest['history']['loss'][1] is nan: NaN and infinity are not valid JSON; store None or a string",
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("inf"), "manifest['value'] is inf: NaN and infinity are not valid JSON"),
        (
            np.int64(3),
            "manifest['value'] is a numpy.int64, which JSON cannot represent; convert it with .item()",
        ),
        (
            np.float32(0.5),
            "manifest['value'] is a numpy.float32, which JSON cannot represent; convert it with .item()",
        ),
        (
            np.zeros(3),
            "manifest['value'] is a numpy.ndarray, which JSON cannot represent; convert it with .tolist()",
        ),
        (
            torch.ones(2),
            "manifest['value'] is a torch.Tensor, which JSON cannot represent; convert it with .tolist()",
        ),
        (
            {"a", "b"},
            "manifest['value'] is a set, which JSON cannot represent; convert it to a sorted list",
        ),
        (b"abc", "manifest['value'] is a bytes, which JSON cannot represent; decode it to a str"),
        (
            object(),
            "manifest['value'] is a object, which JSON cannot represent; convert it to a dict, list, str, int, float, bool or None",
        ),
        ({1: "a"}, "manifest['value'] has the key 1 of type int; JSON object keys must be strings"),
    ],
)
def test_values_json_cannot_hold_are_refused(tmp_path, value, message):
    _refused(tmp_path / "model.safetensors", {}, {"value": value}, message)


def test_a_manifest_that_contains_itself_is_refused(tmp_path):
    loop: dict = {"name": "x"}
    loop["self"] = loop
    _refused(
        tmp_path / "model.safetensors",
        {},
        {"config": loop},
        "manifest['config']['self'] contains itself",
    )


def test_absurd_nesting_is_refused(tmp_path):
    deep: list = []
    for _ in range(100):
        deep = [deep]
    _refused(
        tmp_path / "model.safetensors", {}, {"deep": deep}, "is nested more than 64 levels deep"
    )


def test_a_manifest_must_be_a_mapping(tmp_path):
    _refused(
        tmp_path / "model.safetensors",
        {},
        [1, 2],
        "the manifest is a list, expected a mapping of JSON values",
    )


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "model.safetensors"
    text = _refused(
        path,
        {"w": np.ones(2)},
        {"a": float("nan"), "b": {"c": np.int32(1)}},
        "tensors['w'] is a numpy.ndarray, expected a torch.Tensor (convert with torch.as_tensor)",
        "manifest['a'] is nan",
        "manifest['b']['c'] is a numpy.int32",
    )
    assert text.count("; ") >= 2


def test_a_long_list_of_problems_is_counted_after_ten(tmp_path):
    manifest = {f"k{i:02d}": float("nan") for i in range(13)}
    text = _refused(
        tmp_path / "model.safetensors", {}, manifest, "manifest['k09'] is nan", "; and 3 more"
    )
    assert "k10" not in text


# --- the tensors must be storable -----------------------------------------------------


@pytest.mark.parametrize(
    ("tensors", "message"),
    [
        (
            {"w": [1.0, 2.0]},
            "tensors['w'] is a list, expected a torch.Tensor (convert with torch.as_tensor)",
        ),
        (
            {"w": torch.ones(2, dtype=torch.complex128)},
            "tensors['w'] has dtype torch.complex128, which safetensors cannot store; use one of torch.float64, torch.float32",
        ),
        (
            {"w": torch.eye(2).to_sparse()},
            "tensors['w'] is a torch.sparse_coo tensor; only dense tensors can be saved (.to_dense())",
        ),
        (
            {"w": torch.empty(2, device="meta")},
            "tensors['w'] is on the meta device and has no data; materialise it first",
        ),
        (
            {"__metadata__": torch.ones(1)},
            "tensors has the name '__metadata__', which safetensors reserves; rename it",
        ),
        ({3: torch.ones(1)}, "tensors has the key 3 of type int; tensor names must be strings"),
        ([torch.ones(1)], "tensors is a list, expected a mapping of names to torch.Tensor"),
    ],
)
def test_tensors_that_cannot_be_stored_are_refused(tmp_path, tensors, message):
    _refused(tmp_path / "model.safetensors", tensors, {}, message)


def test_a_refused_save_keeps_the_previous_file(saved, manifest):
    with pytest.raises(ModelFileError):
        write_model_file(saved, {"w": torch.ones(1)}, {"bad": float("nan")})
    assert read_model_file(saved)[1]["architecture"] == manifest["architecture"]


# --- paths ----------------------------------------------------------------------------


def test_a_folder_is_never_overwritten(tmp_path):
    folder = tmp_path / "model.safetensors"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    example = os.path.join(str(folder), "model.safetensors")
    message = f"cannot save to '{folder}': it is a folder; give a file path such as '{example}'"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        write_model_file(folder, {}, {})
    assert (folder / "keep.txt").read_text() == "keep"


def test_a_missing_folder_is_named(tmp_path):
    path = tmp_path / "runs" / "model.safetensors"
    folder = tmp_path / "runs"
    message = f"cannot save '{path}': the folder '{folder}' does not exist; create the folder first (for example os.makedirs('{folder}')) or choose another path"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        write_model_file(path, {}, {})
    assert not folder.exists()


def test_a_file_in_place_of_the_folder_is_named(tmp_path):
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(
        ModelFileError, match=re.escape(f"the folder '{tmp_path / 'runs'}' is not a folder")
    ):
        write_model_file(tmp_path / "runs" / "model.safetensors", {}, {})


def test_a_special_file_is_not_replaced(tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    with pytest.raises(
        ModelFileError, match="it exists and is not a regular file; choose another path"
    ):
        write_model_file(fifo, {}, {})
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(
        ModelFileError, match=re.escape(f"cannot load '{fifo}': it is not a regular file")
    ):
        read_model_file(fifo)


# --- out of space, interrupted ---------------------------------------------------------


def _failing_after(first_bytes: int, error: BaseException):
    """A write_all that writes ``first_bytes`` of the file, then raises ``error``."""
    written = {"count": 0}
    real = model_file_module.write_all

    def write_all(fd, data):
        room = first_bytes - written["count"]
        if room <= 0:
            raise error
        part = memoryview(data)[:room]
        real(fd, part)
        written["count"] += part.nbytes
        if part.nbytes < memoryview(data).nbytes:
            raise error

    return write_all


def test_disk_full_keeps_the_previous_file_and_removes_the_temporary(
    saved, tmp_path, manifest, helpers, monkeypatch
):
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(model_file_module, "write_all", _failing_after(300, full))
    message = f"no space left while saving '{saved}'; the previous file was kept (No space left on device). Free disk space or raise the file-size limit (ulimit -f), then save again"
    with pytest.raises(ModelFileError, match=re.escape(message)) as caught:
        write_model_file(saved, {"w": torch.ones(1000)}, {"version": 2})
    assert caught.value.errno == errno.ENOSPC and caught.value.__cause__ is full
    assert helpers.temporaries(tmp_path) == []
    assert read_model_file(saved)[1]["architecture"] == manifest["architecture"]


def test_disk_full_on_a_first_save_leaves_no_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    monkeypatch.setattr(
        model_file_module,
        "write_all",
        _failing_after(0, OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))),
    )
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            f"no space left while saving '{path}'; no file was written (Disk quota exceeded)"
        ),
    ):
        write_model_file(path, {"w": torch.ones(10)}, {})
    assert list(tmp_path.iterdir()) == []


def test_other_os_errors_keep_the_previous_file(saved, tmp_path, helpers, monkeypatch):
    monkeypatch.setattr(
        model_file_module,
        "write_all",
        _failing_after(10, OSError(errno.EIO, os.strerror(errno.EIO))),
    )
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            f"could not save '{saved}': Input/output error; the previous file was kept"
        ),
    ):
        write_model_file(saved, {"w": torch.ones(10)}, {})
    assert helpers.temporaries(tmp_path) == [] and read_model_file(saved)


def test_an_interrupted_save_keeps_the_previous_file(saved, tmp_path, helpers, monkeypatch):
    monkeypatch.setattr(model_file_module, "write_all", _failing_after(200, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_model_file(saved, {"w": torch.ones(1000)}, {})
    assert helpers.temporaries(tmp_path) == [] and read_model_file(saved)


def test_the_data_is_synced_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(source, target):
        events.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_model_file(tmp_path / "model.safetensors", {"w": torch.ones(3)}, {})
    assert events == ["fsync file", "replace", "fsync folder"]


# --- temporary files left by killed saves ----------------------------------------------


def test_stale_temporaries_of_the_target_are_removed_and_nothing_else(saved, tmp_path, helpers):
    stale = [".model.safetensors.0123456789abcdef.tmp", ".model.safetensors.fedcba9876543210.tmp"]
    unrelated = [
        ".model.safetensors.backup.tmp",  # not our naming pattern
        ".other.safetensors.0123456789abcdef.tmp",  # another target's
        "model.safetensors.0123456789abcdef.tmp",  # not hidden
        "notes.tmp",
    ]
    for name in stale + unrelated:
        (tmp_path / name).write_bytes(b"partial")
    write_model_file(saved, {"w": torch.ones(1)}, {})
    assert helpers.temporaries(tmp_path) == [".model.safetensors.backup.tmp"]
    assert all((tmp_path / name).exists() for name in unrelated)


def test_the_temporary_of_a_live_save_is_left_alone(saved, tmp_path, helpers):
    live = tmp_path / ".model.safetensors.00000000deadbeef.tmp"
    live.write_bytes(b"being written")
    with live.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # what a save in progress holds
        write_model_file(saved, {"w": torch.ones(1)}, {})
        assert live.exists()
    write_model_file(saved, {"w": torch.ones(1)}, {})  # the lock is gone: now it is stale
    assert helpers.temporaries(tmp_path) == []


def test_a_very_long_file_name_still_saves(tmp_path):
    path = tmp_path / ("m" * 240 + ".safetensors")
    write_model_file(path, {"w": torch.ones(1)}, {})
    assert torch.equal(read_model_file(path)[0]["w"], torch.ones(1))


def test_a_header_above_the_safetensors_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(model_file_module, "HEADER_LIMIT", 1000)  # the real one is 100 MB
    path = tmp_path / "model.safetensors"
    with pytest.raises(
        ModelFileError,
        match=r"the header takes \d+ bytes, above the safetensors limit of 1000; store large arrays as tensors, not in the manifest. Nothing was written",
    ):
        write_model_file(path, {}, {"history": list(range(1000))})
    assert not path.exists()
