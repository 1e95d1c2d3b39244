"""Fixtures for the model-file tests, including a reference implementation of the format.

The reference writer and checksum below follow docs/io-format.md and share no code with
lstmkit.io, so the tests check the implementation against the documented format, not
against itself.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest
import torch

CODES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}
ADDED = ("format_version", "library_versions", "sha256")


def _canonical(value) -> bytes:
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return text.encode("ascii")


def raw(tensor: torch.Tensor) -> bytes:
    """The little-endian row-major bytes of a tensor."""
    flat = tensor.detach().contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""


def records_of(tensors: dict[str, torch.Tensor]) -> list[tuple[str, str, list[int], bytes]]:
    """(name, dtype code, shape, bytes) for each tensor."""
    return [(name, CODES[t.dtype], list(t.shape), raw(t)) for name, t in tensors.items()]


def reference_digest(records, manifest: dict) -> str:
    """SHA-256 exactly as docs/io-format.md specifies it."""
    digest = hashlib.sha256()
    for name, code, shape, data in sorted(records, key=lambda record: record[0]):
        record = _canonical({"dtype": code, "name": name, "shape": shape})
        digest.update(struct.pack("<Q", len(record)) + record)
        digest.update(struct.pack("<Q", len(data)) + data)
    body = _canonical({key: value for key, value in manifest.items() if key != "sha256"})
    digest.update(struct.pack("<Q", len(body)) + body)
    return digest.hexdigest()


def craft_file(path: Path, records, manifest: dict | None, *, sign: bool = True) -> Path:
    """Write a safetensors file by hand (tensors in the given order, no padding).

    With ``sign`` the manifest gets a correct sha256, so only what the test changed is wrong.
    """
    header: dict = {}
    if manifest is not None:
        manifest = dict(manifest)
        if sign:
            manifest["sha256"] = reference_digest(records, manifest)
        header["__metadata__"] = {"lstmkit": json.dumps(manifest)}
    offset, data = 0, b""
    for name, code, shape, payload in records:
        header[name] = {
            "dtype": code,
            "shape": shape,
            "data_offsets": [offset, offset + len(payload)],
        }
        offset += len(payload)
        data += payload
    text = json.dumps(header).encode("utf-8")
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)
    return path


def sample_tensors() -> dict[str, torch.Tensor]:
    """A small model's worth of tensors in several dtypes and shapes, the same every call."""
    generator = torch.Generator().manual_seed(0)
    return {
        "lstm.weight_ih_l0": torch.randn(8, 3, generator=generator),
        "lstm.bias_ih_l0": torch.randn(8, dtype=torch.float64, generator=generator),
        "head.weight": torch.randn(2, 2, generator=generator).to(torch.bfloat16),
        "steps": torch.arange(5),
        "mask": torch.tensor([True, False, True]),
    }


def sample_manifest() -> dict:
    """A manifest like the estimators write: architecture, preprocessing, classes, history."""
    return {
        "architecture": {"name": "vanilla", "config": {"units": 64, "num_layers": 1}},
        "preprocessing": {"scaler": {"mean": [0.5, -1.25], "scale": [2.0, 0.125]}},
        "classes": ["cat", "dog"],
        "history": {"loss": [0.75, 0.5, 0.375], "epochs": 3},
    }


@pytest.fixture
def tensors() -> dict[str, torch.Tensor]:
    return sample_tensors()


@pytest.fixture
def manifest() -> dict:
    return sample_manifest()


@pytest.fixture
def saved(tmp_path: Path, tensors, manifest) -> Path:
    """A model file written by lstmkit, with the sample tensors and manifest."""
    from lstmkit.io import write_model_file

    path = tmp_path / "model.safetensors"
    write_model_file(path, tensors, manifest)
    return path


def temporaries(folder: Path) -> list[str]:
    """Names of temporary files that saves to model.safetensors may leave in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".model.safetensors."))


def same_bytes(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bitwise equality, NaN payloads and signed zeros included."""
    return a.dtype == b.dtype and a.shape == b.shape and raw(a) == raw(b)


@pytest.fixture
def helpers():
    """The reference helpers, for test modules (importlib mode cannot import conftest)."""

    class Helpers:
        pass

    for function in (
        raw,
        records_of,
        reference_digest,
        craft_file,
        sample_tensors,
        sample_manifest,
        temporaries,
        same_bytes,
    ):
        setattr(Helpers, function.__name__, staticmethod(function))
    Helpers.ADDED = ADDED
    return Helpers
