"""Hand-crafted files: structural damage behind a valid checksum, format versions, and
the committed files of earlier formats (FAULTS 29, 31)."""

import json
import re
from pathlib import Path

import pytest
import torch

from lstmkit.errors import ModelFileError, ModelFormatVersionError
from lstmkit.io import read_manifest, read_model_file

READERS = [read_model_file, read_manifest]
FIXTURES = Path(__file__).parent / "fixtures"


def _records(helpers):
    return helpers.records_of({"w": torch.arange(4.0)})


def test_a_repeated_tensor_name_is_refused(tmp_path, helpers):
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"format_version": 1}
    )
    data = path.read_bytes()
    header = data[8 : 8 + int.from_bytes(data[:8], "little")]
    twice = header[:-1] + b', "w": {"dtype": "F32", "shape": [0], "data_offsets": [16, 16]}}'
    path.write_bytes(len(twice).to_bytes(8, "little") + twice + data[8 + len(header) :])
    with pytest.raises(
        ModelFileError,
        match=re.escape("is corrupt: its safetensors header cannot be parsed (duplicate key 'w')"),
    ):
        read_model_file(path)


def test_a_gap_between_tensors_is_refused(tmp_path, helpers):
    path = tmp_path / "model.safetensors"
    header = json.dumps(
        {
            "a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
            "b": {"dtype": "U8", "shape": [2], "data_offsets": [3, 5]},
        }
    ).encode()
    path.write_bytes(len(header).to_bytes(8, "little") + header + b"\x00" * 5)
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            "is corrupt: the tensor data has a gap or an overlap at byte 2 (tensor 'b' starts at 3)"
        ),
    ):
        read_model_file(path)


def test_a_crafted_bool_byte_is_refused_even_with_a_valid_checksum(tmp_path, helpers):
    records = [("mask", "BOOL", [2], b"\x01\x07")]
    path = helpers.craft_file(tmp_path / "model.safetensors", records, {"format_version": 1})
    with pytest.raises(
        ModelFileError,
        match=re.escape("is corrupt: tensor 'mask' holds BOOL bytes other than 0 and 1"),
    ):
        read_model_file(path)


def test_a_missing_checksum_is_refused(tmp_path, helpers):
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"format_version": 1}, sign=False
    )
    with pytest.raises(
        ModelFileError,
        match=re.escape(
            "is corrupt: its manifest has no valid sha256 checksum (found None, expected 64 lowercase hexadecimal digits)"
        ),
    ):
        read_model_file(path)


def test_a_hand_written_file_with_a_valid_checksum_loads(tmp_path, helpers):
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"format_version": 1, "a": 1}
    )
    tensors, manifest = read_model_file(path)
    assert torch.equal(tensors["w"], torch.arange(4.0)) and manifest["a"] == 1


@pytest.mark.parametrize("reader", READERS)
def test_a_newer_format_asks_to_upgrade(tmp_path, helpers, reader):
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"format_version": 2}
    )
    message = f"model file '{path}' was written by a newer lstmkit (format 2); this lstmkit reads format 1: upgrade lstmkit (pip install --upgrade lstmkit)"
    with pytest.raises(ModelFormatVersionError, match=re.escape(message)):
        reader(path)


def test_a_newer_format_is_refused_before_its_checksum_is_checked(tmp_path, helpers):
    # A future format may hash differently; the version message must win over "corrupt".
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"format_version": 7}, sign=False
    )
    with pytest.raises(
        ModelFormatVersionError, match=re.escape("was written by a newer lstmkit (format 7)")
    ):
        read_model_file(path)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            0,
            "has format_version 0, which this lstmkit cannot read (it reads format 1); no lstmkit release wrote format 0, so the file is damaged or was not written by lstmkit",
        ),
        (-3, "has format_version -3, which this lstmkit cannot read (it reads format 1)"),
        (
            "1",
            "has an invalid format_version '1' (expected an integer; this lstmkit reads format 1): the file is damaged or was not written by lstmkit; restore it from a backup or save the model again",
        ),
        (True, "has an invalid format_version True (expected an integer"),
        (1.0, "has an invalid format_version 1.0 (expected an integer"),
        (None, "has an invalid format_version None (expected an integer"),
    ],
)
def test_an_old_or_invalid_format_version_is_refused(tmp_path, helpers, version, message):
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"format_version": version}
    )
    with pytest.raises(ModelFormatVersionError, match=re.escape(message)):
        read_model_file(path)


def test_a_missing_format_version_is_refused(tmp_path, helpers):
    path = helpers.craft_file(
        tmp_path / "model.safetensors", _records(helpers), {"architecture": "vanilla"}
    )
    message = f"model file '{path}' has no format_version in its manifest: the file is damaged or was not written by lstmkit; restore it from a backup or save the model again"
    with pytest.raises(ModelFormatVersionError, match=re.escape(message)):
        read_model_file(path)


def test_the_committed_format_1_file_still_loads(helpers):
    """tests/io/fixtures/format1.safetensors was written by lstmkit 0.1.0 (make_fixtures.py);
    every later lstmkit must read it exactly."""
    tensors, manifest = read_model_file(FIXTURES / "format1.safetensors")
    expected = {
        "lstm.weight_ih_l0": torch.arange(12, dtype=torch.float32).reshape(4, 3) / 8,
        "lstm.bias_ih_l0": torch.tensor([0.5, -0.25], dtype=torch.float64),
        "head.weight": torch.tensor([[1.5, -2.0]], dtype=torch.bfloat16),
        "steps": torch.tensor([1, 2, 3]),
        "mask": torch.tensor([True, False]),
        "scalar": torch.tensor(3.25),
    }
    assert set(tensors) == set(expected)
    assert all(helpers.same_bytes(tensors[name], expected[name]) for name in expected)
    assert manifest["format_version"] == 1
    assert manifest["architecture"] == {"name": "vanilla", "config": {"units": 4, "num_layers": 1}}
    assert manifest["classes"] == ["a", "b"] and manifest["history"] == {"loss": [0.5, 0.25]}
    assert manifest["library_versions"]["lstmkit"] == "0.1.0"
    assert manifest["sha256"] == helpers.reference_digest(helpers.records_of(expected), manifest)
