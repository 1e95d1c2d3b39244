"""Round trips: what write_model_file saves, read_model_file gives back bitwise."""

import enum
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from lstmkit.io import FORMAT_VERSION, read_manifest, read_model_file, write_model_file

DTYPES = [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.bfloat16,
    torch.int64,
    torch.int32,
    torch.int16,
    torch.int8,
    torch.uint8,
    torch.bool,
]
SHAPES = [(), (0,), (1,), (7,), (2, 3), (0, 4), (2, 3, 4), (1, 1, 1, 1)]


def _filled(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    if dtype is torch.bool:
        return torch.rand(shape) > 0.5
    if dtype.is_floating_point:
        values = torch.randn(shape, dtype=torch.float64) * 100
        flat = values.reshape(-1)
        specials = torch.tensor([float("nan"), float("inf"), float("-inf"), -0.0])
        flat[: min(4, flat.numel())] = specials[: flat.numel()]
        return values.to(dtype)
    info = torch.iinfo(dtype)
    return torch.randint(info.min, info.max, shape, dtype=torch.int64).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_every_dtype_and_shape_comes_back_bitwise(tmp_path, helpers, dtype):
    tensors = {f"t{i}": _filled(shape, dtype) for i, shape in enumerate(SHAPES)}
    write_model_file(tmp_path / "model.safetensors", tensors, {})
    loaded, _ = read_model_file(tmp_path / "model.safetensors")
    assert list(loaded) == sorted(tensors)
    for name, tensor in tensors.items():
        assert helpers.same_bytes(loaded[name], tensor), name  # NaN, inf and -0.0 included


@pytest.mark.parametrize(
    "dtype",
    [
        torch.complex64,
        torch.uint16,
        torch.uint32,
        torch.uint64,
        torch.float8_e4m3fn,
        torch.float8_e5m2,
    ],
    ids=str,
)
def test_rarer_dtypes_come_back_bitwise(tmp_path, helpers, dtype):
    payload = torch.randint(0, 256, (6 * dtype.itemsize,), dtype=torch.uint8)
    tensor = payload.view(dtype).reshape(2, 3)  # every bit pattern, NaN payloads included
    write_model_file(
        tmp_path / "model.safetensors", {"t": tensor, "c": (torch.ones(2) * 1j).conj()}, {}
    )
    loaded, _ = read_model_file(tmp_path / "model.safetensors")
    assert torch.equal(loaded["t"].view(torch.uint8), payload.view(torch.uint8).reshape(2, -1))
    assert loaded["t"].dtype == dtype and torch.equal(
        loaded["c"], torch.ones(2) * -1j
    )  # the lazy conj bit is applied


def test_manifest_comes_back_equal_with_the_added_fields(saved, helpers, tensors, manifest):
    loaded_tensors, loaded = read_model_file(saved)
    assert {k: v for k, v in loaded.items() if k not in helpers.ADDED} == manifest
    assert loaded["format_version"] == FORMAT_VERSION == 1
    assert set(loaded["library_versions"]) == {
        "lstmkit",
        "torch",
        "numpy",
        "safetensors",
        "scikit-learn",
        "python",
    }
    assert loaded["library_versions"]["torch"] == torch.__version__
    # The recorded checksum is the one the documented algorithm gives.
    assert loaded["sha256"] == helpers.reference_digest(helpers.records_of(tensors), loaded)


def test_json_values_are_stored_as_json_reads_them_back(tmp_path):
    class Colour(enum.IntEnum):
        RED = 1

    path = tmp_path / "model.safetensors"
    given_manifest = {"shape": (10, 3), "red": Colour.RED, "mean": np.float64(0.5), "e": "é☃"}
    write_model_file(path, {}, given_manifest)
    _, loaded = read_model_file(path)
    assert loaded["shape"] == [10, 3]  # tuples come back as lists
    assert type(loaded["red"]) is int and loaded["red"] == 1
    assert type(loaded["mean"]) is float and loaded["mean"] == 0.5
    assert loaded["e"] == "é☃"


def test_fields_the_writer_adds_replace_the_callers(tmp_path, helpers):
    path = tmp_path / "model.safetensors"
    write_model_file(path, {}, {"format_version": 99, "sha256": "x", "library_versions": {}})
    _, loaded = read_model_file(path)
    assert loaded["format_version"] == 1
    assert loaded["sha256"] == helpers.reference_digest([], loaded)
    assert "torch" in loaded["library_versions"]


def test_a_loaded_manifest_can_be_saved_again(saved, tmp_path):
    tensors, manifest = read_model_file(saved)
    write_model_file(tmp_path / "again.safetensors", tensors, manifest)
    _, again = read_model_file(tmp_path / "again.safetensors")
    assert again == manifest


def test_the_official_safetensors_library_reads_our_files(saved, tensors, manifest, helpers):
    loaded = load_file(saved)
    assert set(loaded) == set(tensors)
    assert all(helpers.same_bytes(loaded[name], tensors[name]) for name in tensors)
    with safe_open(saved, framework="pt") as file:
        stored = json.loads(file.metadata()["lstmkit"])
    assert stored["architecture"] == manifest["architecture"]


def test_we_read_files_written_by_the_official_safetensors_library(tmp_path, helpers, tensors):
    manifest = {"format_version": 1, "architecture": {"name": "vanilla"}}
    manifest["sha256"] = helpers.reference_digest(helpers.records_of(tensors), manifest)
    path = tmp_path / "official.safetensors"
    save_file(tensors, path, metadata={"lstmkit": json.dumps(manifest)})
    loaded, loaded_manifest = read_model_file(path)
    assert loaded_manifest == manifest
    assert all(helpers.same_bytes(loaded[name], tensors[name]) for name in tensors)


def test_read_manifest_gives_the_same_manifest(saved):
    _, manifest = read_model_file(saved)
    assert read_manifest(saved) == manifest
    assert read_manifest(saved, verify=False) == manifest
    assert read_manifest(str(saved)) == manifest


def test_tensors_are_saved_detached_contiguous_and_loaded_as_owned_copies(tmp_path):
    weight = torch.nn.Parameter(torch.randn(3, 4))
    view = torch.arange(12.0).reshape(3, 4).t()  # not contiguous
    path = tmp_path / "model.safetensors"
    write_model_file(path, {"weight": weight, "view": view}, {})
    loaded, _ = read_model_file(path)
    assert not loaded["weight"].requires_grad
    assert torch.equal(loaded["weight"], weight.detach())
    assert torch.equal(loaded["view"], view) and loaded["view"].is_contiguous()
    loaded["view"].zero_()  # the tensors are writable, and independent of each other
    assert torch.equal(loaded["weight"], weight.detach())


def test_saving_again_replaces_the_file_and_leaves_no_temporary(saved, tmp_path, helpers):
    write_model_file(saved, {"w": torch.ones(2)}, {"version": 2})
    tensors, manifest = read_model_file(saved)
    assert list(tensors) == ["w"] and manifest["version"] == 2
    assert helpers.temporaries(tmp_path) == []


def test_new_files_get_the_mode_a_plain_open_would_give(saved):
    umask = os.umask(0)
    os.umask(umask)
    assert saved.stat().st_mode & 0o777 == 0o666 & ~umask


def test_saving_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.safetensors"
    write_model_file(real, {"w": torch.zeros(1)}, {"version": 1})
    link = tmp_path / "link.safetensors"
    link.symlink_to(real)
    write_model_file(link, {"w": torch.ones(1)}, {"version": 2})
    assert link.is_symlink()
    assert read_model_file(real)[1]["version"] == 2


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
_manifests = st.dictionaries(
    st.text(max_size=8).filter(
        lambda key: key not in ("format_version", "library_versions", "sha256")
    ),
    _json,
    max_size=5,
)
_names = st.text(st.characters(exclude_categories=("Cs",)), max_size=8).filter(
    lambda n: n != "__metadata__"
)


@st.composite
def _tensors(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    count = int(np.prod(shape, dtype=np.int64))
    if dtype is torch.bool:
        return torch.tensor(draw(st.lists(st.booleans(), min_size=count, max_size=count))).reshape(
            shape
        )
    payload = draw(st.binary(min_size=count * dtype.itemsize, max_size=count * dtype.itemsize))
    flat = (
        torch.frombuffer(bytearray(payload), dtype=torch.uint8)
        if payload
        else torch.empty(0, dtype=torch.uint8)
    )
    return flat.view(dtype).reshape(shape).clone()  # any bit pattern, NaN payloads included


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tensors=st.dictionaries(_names, _tensors(), max_size=4), manifest=_manifests)
def test_round_trip_property(helpers, tensors, manifest):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        write_model_file(path, tensors, manifest)
        loaded, loaded_manifest = read_model_file(path)
        assert read_manifest(path) == loaded_manifest
    assert {k: v for k, v in loaded_manifest.items() if k not in helpers.ADDED} == manifest
    assert set(loaded) == set(tensors)
    assert all(helpers.same_bytes(loaded[name], tensors[name]) for name in tensors)
