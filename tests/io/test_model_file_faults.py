"""Reading damaged, foreign and mismatched files: each is refused with a message that says
which case it is and what to do (FAULTS 27-31)."""

import functools
import os
import pathlib
import pickle
import re
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file

from lstmkit.errors import ModelFileError
from lstmkit.io import read_manifest, read_model_file, write_model_file

READERS = [read_model_file, read_manifest]


class _Payload:
    """Unpickling this creates the file at ``path``: proof that code ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def _flip(path: Path, position: int, mask: int = 0x01) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= mask
    path.write_bytes(bytes(data))


def _loads_as_saved(path: Path, tensors: dict, manifest: dict, helpers) -> bool:
    """Whether the file reads back with exactly the saved content."""
    loaded, loaded_manifest = read_model_file(path)
    same_manifest = {k: v for k, v in loaded_manifest.items() if k not in helpers.ADDED} == manifest
    same_tensors = set(loaded) == set(tensors) and all(
        helpers.same_bytes(loaded[name], tensors[name]) for name in tensors
    )
    return same_manifest and same_tensors


# --- missing, folders, empty, short, truncated ------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_a_missing_file_is_named_with_a_suggestion(saved, reader):
    wrong = saved.with_name("modle.safetensors")
    message = f"no model file at '{wrong}': it does not exist; check the path. Did you mean 'model.safetensors'?"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        reader(wrong)


def test_a_missing_file_is_also_a_file_not_found_style_os_error(tmp_path):
    with pytest.raises(OSError, match="it does not exist; check the path"):
        read_model_file(tmp_path / "nothing.safetensors")


@pytest.mark.parametrize("reader", READERS)
def test_a_folder_is_refused(tmp_path, reader):
    message = f"cannot load '{tmp_path}': it is a folder, not a model file; give the path of the .safetensors file in it"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        reader(tmp_path)


@pytest.mark.parametrize("reader", READERS)
def test_an_empty_file_is_refused(tmp_path, reader):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"")
    message = f"model file '{path}' is empty (0 bytes): the save never finished or the file was cleared; restore it from a backup or save the model again"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        reader(path)


def test_a_file_shorter_than_the_length_prefix_is_refused(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x10\x00\x00")
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            "is too short (3 bytes) to be a safetensors file: it is truncated or not a model file"
        ),
    ):
        read_model_file(path)


@pytest.mark.parametrize("reader", READERS)
def test_a_file_cut_in_the_tensor_data_is_truncated(saved, reader):
    data = saved.read_bytes()
    saved.write_bytes(data[:-1])
    message = f"model file '{saved}' is truncated ({len(data) - 1} bytes, expected {len(data)}): the save or copy did not finish; restore it from a backup or save the model again"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        reader(saved)


def test_a_file_cut_in_the_header_is_truncated(saved):
    data = saved.read_bytes()
    header_end = 8 + int.from_bytes(data[:8], "little")
    saved.write_bytes(data[:40])
    with pytest.raises(
        ModelFileError,
        match=re.escape(f"is truncated (40 bytes, but its header alone needs {header_end})"),
    ):
        read_model_file(saved)


def test_every_truncation_is_refused(saved):
    # os.truncate, longest first: rewriting the file each time would cost an ext4 flush.
    for length in range(saved.stat().st_size - 1, -1, -1):
        os.truncate(saved, length)
        for reader in READERS:
            with pytest.raises(ModelFileError):
                reader(saved)


def test_bytes_after_the_tensor_data_are_refused(saved):
    saved.write_bytes(saved.read_bytes() + b"\x00\x00")
    with pytest.raises(
        ModelFileError, match=re.escape("is corrupt: 2 unexpected bytes follow the tensor data")
    ):
        read_model_file(saved)


# --- files that are not lstmkit model files -------------------------------------------


def test_the_pickle_payload_used_below_really_runs_when_unpickled(tmp_path):
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(_Payload(proof)))
    assert proof.exists()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("reader", READERS)
def test_a_pickle_renamed_to_safetensors_is_refused_without_running_it(tmp_path, protocol, reader):
    sentinel = tmp_path / "sentinel"
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"weights": _Payload(sentinel)}, protocol=protocol))
    if protocol >= 2:
        message = f"'{path}' is not a safetensors file (it looks like a Python pickle, such as a torch.save, joblib or pickle file): lstmkit never unpickles files, because unpickling can run code; if you trust the file, load it with the tool that wrote it and save the model again with lstmkit"
    else:  # protocols 0 and 1 have no magic number
        message = f"'{path}' is not a safetensors file: it does not start with a safetensors header; check the path, or save the model again with lstmkit"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        reader(path)
    assert not sentinel.exists()


def test_a_torch_save_checkpoint_is_refused_without_running_it(tmp_path):
    sentinel = tmp_path / "sentinel"
    path = tmp_path / "model.safetensors"
    torch.save({"weight": torch.ones(2), "payload": _Payload(sentinel)}, path)
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            "is not a safetensors file (it is a zip archive, such as a torch.save checkpoint): lstmkit never unpickles files"
        ),
    ):
        read_model_file(path)
    assert not sentinel.exists()


def test_a_numpy_file_is_refused(tmp_path):
    path = tmp_path / "model.safetensors"
    with path.open("wb") as file:
        np.save(file, np.ones(3))
    with pytest.raises(
        ModelFileError, match=re.escape("is not a safetensors file (it is a NumPy .npy file)")
    ):
        read_model_file(path)


@pytest.mark.parametrize(
    "content", [b"hello, this is not a model at all", b"\xff" * 64, b"{}" + b" " * 20]
)
def test_other_files_are_refused(tmp_path, content):
    path = tmp_path / "model.safetensors"
    path.write_bytes(content)
    with pytest.raises(
        ModelFileError,
        match="is not a safetensors file: it does not start with a safetensors header",
    ):
        read_model_file(path)


@pytest.mark.parametrize("metadata", [None, {"format": "pt"}])
@pytest.mark.parametrize("reader", READERS)
def test_a_plain_safetensors_file_is_not_an_lstmkit_model(tmp_path, tensors, metadata, reader):
    path = tmp_path / "weights.safetensors"
    save_file(tensors, path, metadata=metadata)
    message = f"'{path}' is a safetensors file but not an lstmkit model file: its metadata has no 'lstmkit' manifest. Load plain safetensors weights with safetensors.torch.load_file; save lstmkit models with write_model_file (or an estimator's save)"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        reader(path)


# --- bit flips: header, manifest, tensor data -----------------------------------------


def test_a_flipped_byte_in_a_header_dtype_is_refused(saved):
    position = saved.read_bytes().index(b'"dtype":"F32"') + len(b'"dtype":"')
    _flip(saved, position)  # F -> G
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            "stores tensor 'lstm.weight_ih_l0' with dtype 'G32', which this lstmkit cannot read (it reads BF16, BOOL"
        ),
    ):
        read_model_file(saved)


def test_a_flipped_byte_in_header_offsets_is_refused(saved):
    position = saved.read_bytes().index(b'"data_offsets":[0,') + len(b'"data_offsets":[')
    _flip(saved, position)  # 0 -> 1
    with pytest.raises(
        ModelFileError,
        match=r"is corrupt: tensor '.*' has data_offsets \[1, \d+\] \(\d+ bytes\), but dtype \w+ and shape \[.*\] need \d+ bytes",
    ):
        read_model_file(saved)


def test_a_flipped_byte_in_the_length_prefix_is_refused(saved):
    _flip(saved, 0)
    with pytest.raises(ModelFileError, match="is corrupt: its safetensors header cannot be parsed"):
        read_model_file(saved)


@pytest.mark.parametrize("reader", READERS)
def test_a_flipped_byte_in_a_manifest_value_fails_the_checksum(saved, reader):
    position = saved.read_bytes().index(b'\\"units\\":64') + len(b'\\"units\\":')
    _flip(saved, position)  # 64 -> 74
    pattern = r"is corrupt: its SHA-256 checksum does not match \(the manifest records [0-9a-f]{16}\.\.\., the contents hash to [0-9a-f]{16}\.\.\.\): the file changed after it was saved; restore it from a backup or save the model again"
    with pytest.raises(ModelFileError, match=pattern):
        reader(saved)


def test_a_flipped_byte_in_the_manifest_syntax_is_refused(saved):
    position = saved.read_bytes().index(b'\\"units\\":64') + len(b'\\"units\\"')
    _flip(saved, position)  # : -> ;
    with pytest.raises(ModelFileError, match="is corrupt: its lstmkit manifest is not valid JSON"):
        read_model_file(saved)


@pytest.mark.parametrize("reader", READERS)
def test_a_flipped_byte_in_the_tensor_data_fails_the_checksum(saved, reader):
    _flip(saved, saved.stat().st_size - 1)
    with pytest.raises(ModelFileError, match="is corrupt: its SHA-256 checksum does not match"):
        reader(saved)


def test_read_manifest_without_verify_skips_only_the_checksum(saved):
    _flip(saved, saved.stat().st_size - 1)
    assert read_manifest(saved, verify=False)["format_version"] == 1


@pytest.mark.parametrize("mask", [0x01, 0x80, 0xFF])
def test_no_single_byte_change_is_accepted_as_different_content(
    saved, tensors, manifest, helpers, mask
):
    original = saved.read_bytes()
    accepted = []
    fd = os.open(saved, os.O_WRONLY)  # flip in place and back: no rewrite, no truncation
    try:
        for position in range(len(original)):
            os.pwrite(fd, bytes([original[position] ^ mask]), position)
            try:
                same = _loads_as_saved(saved, tensors, manifest, helpers)
            except ModelFileError:
                continue
            finally:
                os.pwrite(fd, original[position : position + 1], position)
            assert same, f"byte {position} ^ {mask:#x} changed the content silently"
            accepted.append(position)
    finally:
        os.close(fd)
    # Only changes that decode to the same content (e.g. header padding) may pass; there are none.
    assert accepted == []


_mutations = st.lists(
    st.tuples(
        st.sampled_from(["set", "insert", "delete"]),
        st.integers(0, 10_000),
        st.binary(min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=4,
)


@functools.lru_cache(maxsize=1)
def _original_file(helpers) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        write_model_file(path, helpers.sample_tensors(), helpers.sample_manifest())
        return path.read_bytes()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutations=_mutations)
def test_fuzzed_files_raise_only_model_file_errors(helpers, tmp_path, mutations):
    """Like safetensors' fuzz targets: a damaged file never crashes the reader with anything
    but ModelFileError, and never loads as different content."""
    data = bytearray(_original_file(helpers))
    for kind, position, payload in mutations:
        position %= len(data) + 1
        if kind == "set":
            data[position : position + len(payload)] = payload
        elif kind == "insert":
            data[position:position] = payload
        else:
            del data[position : position + len(payload)]
    path = tmp_path / f"{uuid.uuid4().hex}.safetensors"  # a new file: no ext4 flush on rewrite
    path.write_bytes(bytes(data))
    try:
        assert _loads_as_saved(path, helpers.sample_tensors(), helpers.sample_manifest(), helpers)
    except ModelFileError:
        pass
    try:
        read_manifest(path)
    except ModelFileError:
        pass
