"""The safetensors container: an 8-byte header length, a JSON header, then raw tensor bytes.

::

    byte 0            8                          8 + N                                 end
         | N (u64, LE) | JSON header, space-padded | tensor bytes, back to back, no gaps |
    header = {"__metadata__": {"lstmkit": "<manifest JSON>"},
              "<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}

We write and parse this small format ourselves instead of going through the safetensors
library, so that tensor bytes stream from memory straight into the hash and the file (no
extra copies), OS errors keep their errno (EFBIG, ENOSPC) and a damaged file gets a message
naming the part that is wrong. The official library reads our files and we read its files;
tests/io checks both directions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from lstmkit.errors import ModelFileError

# The safetensors reference implementation refuses headers above 100 MB; so do we, so that a
# damaged length field cannot make us allocate gigabytes.
HEADER_LIMIT = 100_000_000

RESTORE = "restore it from a backup or save the model again"

# safetensors dtype codes. Only dtypes whose bytes round-trip exactly through `view(uint8)`.
DTYPES: dict[str, torch.dtype] = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
    "C64": torch.complex64,
}
for _code, _name in (
    ("U64", "uint64"),
    ("U32", "uint32"),
    ("U16", "uint16"),
    ("F8_E4M3", "float8_e4m3fn"),
    ("F8_E5M2", "float8_e5m2"),
):
    if hasattr(torch, _name):  # present in every torch lstmkit supports, but cheap to guard
        DTYPES[_code] = getattr(torch, _name)
CODES: dict[torch.dtype, str] = {dtype: code for code, dtype in DTYPES.items()}


@dataclass(frozen=True)
class Entry:
    """Where one tensor lives in the data section (offsets relative to its start)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int


@dataclass(frozen=True)
class Container:
    """A parsed, structurally valid header: entries sorted by name, metadata, data offset."""

    entries: tuple[Entry, ...]
    metadata: dict[str, str] | None
    data_start: int


def corrupt(display: str, what: str) -> ModelFileError:
    """Build the error for a file whose structure or checksum is damaged."""
    return ModelFileError(f"model file '{display}' is corrupt: {what}; {RESTORE}")


def type_name(value: object) -> str:
    """``list`` for built-ins, ``numpy.int64`` for the rest: what a user would type."""
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def prepare_tensors(tensors: object) -> tuple[list[tuple[str, torch.Tensor]], list[str]]:
    """Check the tensors to save and bring each to a contiguous CPU tensor.

    Returns:
        The ``(name, tensor)`` pairs and a list of problems (empty when all is well), so the
        caller can report tensor and manifest problems together.
    """
    if not isinstance(tensors, Mapping):
        kind = type_name(tensors)
        return [], [f"tensors is a {kind}, expected a mapping of names to torch.Tensor"]
    prepared: list[tuple[str, torch.Tensor]] = []
    problems: list[str] = []
    for name, tensor in tensors.items():
        problem = _tensor_problem(name, tensor)
        if problem:
            problems.append(problem)
            continue
        # detach: no autograd graph in a file; contiguous: safetensors stores row-major bytes.
        cpu = tensor.detach().to("cpu").resolve_conj().resolve_neg()  # lazy bits, made real
        prepared.append((name, cpu.contiguous()))
    return prepared, problems


def _tensor_problem(name: object, tensor: object) -> str | None:
    if not isinstance(name, str):
        kind = type_name(name)
        return f"tensors has the key {name!r} of type {kind}; tensor names must be strings"
    if name == "__metadata__":
        return "tensors has the name '__metadata__', which safetensors reserves; rename it"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return f"tensor name {name!r} is not valid Unicode text; rename it"
    where = f"tensors[{name!r}]"
    if not isinstance(tensor, torch.Tensor):
        kind = type_name(tensor)
        return f"{where} is a {kind}, expected a torch.Tensor (convert with torch.as_tensor)"
    if tensor.layout is not torch.strided or tensor.is_quantized:
        return f"{where} is a {tensor.layout} tensor; only dense tensors can be saved (.to_dense())"
    if tensor.device.type == "meta":
        return f"{where} is on the meta device and has no data; materialise it first"
    if tensor.dtype not in CODES:
        supported = ", ".join(str(dtype) for dtype in CODES)
        return f"{where} has dtype {tensor.dtype}, which safetensors cannot store; use one of {supported}"
    return None


def raw_bytes(tensor: torch.Tensor) -> memoryview:
    """Return the bytes of a contiguous CPU tensor without copying them.

    safetensors is little-endian; so is every platform torch ships wheels for.
    """
    flat = tensor.reshape(-1)  # (numel,), also for 0-d tensors, which cannot be viewed as bytes
    if flat.numel() == 0:
        return memoryview(b"")
    return memoryview(flat.view(torch.uint8).numpy())


def layout(prepared: list[tuple[str, torch.Tensor]]) -> list[tuple[Entry, memoryview]]:
    """Place tensors in the data section, widest dtype first.

    Sorting by item size keeps every tensor aligned to its own item size (the sizes are powers
    of two), as the safetensors library does, so readers may map the data without copying.
    """
    ordered = sorted(prepared, key=lambda pair: (-pair[1].element_size(), pair[0]))
    placed: list[tuple[Entry, memoryview]] = []
    offset = 0
    for name, tensor in ordered:
        data = raw_bytes(tensor)
        shape = tuple(int(size) for size in tensor.shape)
        entry = Entry(name, CODES[tensor.dtype], shape, offset, offset + data.nbytes)
        placed.append((entry, data))
        offset = entry.end
    return placed


def encode_header(entries: list[Entry], metadata: dict[str, str]) -> bytes:
    """Encode the length prefix and the JSON header, padded so the data starts 8-byte aligned."""
    header: dict[str, Any] = {"__metadata__": metadata}
    for entry in entries:
        header[entry.name] = {
            "dtype": entry.dtype,
            "shape": list(entry.shape),
            "data_offsets": [entry.begin, entry.end],
        }
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)  # safetensors pads with spaces, which JSON ignores
    return len(text).to_bytes(8, "little") + text


def parse_container(head: bytes | memoryview, size: int, display: str) -> Container:
    """Parse and check the header of a safetensors file.

    Args:
        head: the first bytes of the file: at least the length prefix and the whole header
            when the file has them (more is fine).
        size: the size of the whole file in bytes.
        display: the path as the user gave it, for messages.

    Raises:
        ModelFileError: empty, too short, truncated, not safetensors, or a damaged header.
    """
    length = _header_length(head, size, display)
    header = _decode_header(bytes(head[8 : 8 + length]), display)
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(value, str) for value in metadata.values())
    ):
        raise corrupt(display, "its safetensors __metadata__ is not a mapping of strings")
    entries = [_entry(name, info, display) for name, info in header.items()]
    _check_coverage(entries, size - 8 - length, size, display)
    return Container(tuple(sorted(entries, key=lambda e: e.name)), metadata, 8 + length)


def _header_length(head: bytes | memoryview, size: int, display: str) -> int:
    if size == 0:
        raise ModelFileError(
            f"model file '{display}' is empty (0 bytes): the save never finished or the file "
            f"was cleared; {RESTORE}"
        )
    if size < 8:
        raise ModelFileError(
            f"model file '{display}' is too short ({size} bytes) to be a safetensors file: "
            f"it is truncated or not a model file; {RESTORE}"
        )
    length = int.from_bytes(head[:8], "little")
    opens = bytes(head[8:9])
    plausible = 2 <= length <= HEADER_LIMIT and opens in (b"{", b"")
    if plausible and 8 + length > size:
        raise ModelFileError(
            f"model file '{display}' is truncated ({size} bytes, but its header alone needs "
            f"{8 + length}): the save or copy did not finish; {RESTORE}"
        )
    if not plausible:
        raise _not_safetensors(bytes(head[:16]), display)
    return length


def _not_safetensors(start: bytes, display: str) -> ModelFileError:
    # Only describe the file; nothing here ever parses or unpickles it.
    if start.startswith(b"PK\x03\x04"):
        kind = " (it is a zip archive, such as a torch.save checkpoint)"
    elif len(start) >= 2 and start[0] == 0x80 and 2 <= start[1] <= 5:
        kind = " (it looks like a Python pickle, such as a torch.save, joblib or pickle file)"
    elif start.startswith(b"\x93NUMPY"):
        kind = " (it is a NumPy .npy file)"
    elif start.startswith(b"\x89HDF\r\n\x1a\n"):
        kind = " (it is an HDF5 file, such as a Keras .h5 model)"
    else:
        return ModelFileError(
            f"'{display}' is not a safetensors file: it does not start with a safetensors "
            "header; check the path, or save the model again with lstmkit"
        )
    return ModelFileError(
        f"'{display}' is not a safetensors file{kind}: lstmkit never unpickles files, because "
        "unpickling can run code; if you trust the file, load it with the tool that wrote it "
        "and save the model again with lstmkit"
    )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON lets a key repeat and keeps the last value; a repeated tensor name is damage.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def loads_strict(text: str | bytes) -> Any:
    """Parse strict JSON: no NaN or infinity, no repeated keys.

    Raises:
        ValueError: the text is not strict JSON (RecursionError for absurd nesting).
    """
    return json.loads(
        text,
        object_pairs_hook=_unique_keys,
        parse_constant=_reject_constant,
        parse_float=_finite_float,
    )


def _decode_header(raw: bytes, display: str) -> dict[str, Any]:
    try:
        header = loads_strict(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise corrupt(display, f"its safetensors header cannot be parsed ({exc})") from exc
    if not isinstance(header, dict):
        kind = type(header).__name__
        raise corrupt(display, f"its safetensors header is a JSON {kind}, not an object")
    return header


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _entry(name: str, info: object, display: str) -> Entry:
    fields = {"dtype", "shape", "data_offsets"}
    if not isinstance(info, dict) or set(info) != fields:
        raise corrupt(display, f"tensor {name!r} has an invalid description {_short(info)}")
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if dtype not in DTYPES:
        raise ModelFileError(
            f"model file '{display}' stores tensor {name!r} with dtype {_short(dtype)}, which "
            f"this lstmkit cannot read (it reads {', '.join(sorted(DTYPES))}): the file is "
            f"corrupt or was written by a newer lstmkit; {RESTORE}, or upgrade lstmkit"
        )
    if not (isinstance(shape, list) and all(_is_count(size) for size in shape)):
        raise corrupt(display, f"tensor {name!r} has an invalid shape {_short(shape)}")
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(_is_count(offset) for offset in offsets)
        and offsets[0] <= offsets[1]
    ):
        raise corrupt(display, f"tensor {name!r} has invalid data_offsets {_short(offsets)}")
    begin, end = offsets
    need = math.prod(shape) * DTYPES[dtype].itemsize
    if end - begin != need:
        raise corrupt(
            display,
            f"tensor {name!r} has data_offsets [{begin}, {end}] ({end - begin} bytes), but "
            f"dtype {dtype} and shape {shape} need {need} bytes",
        )
    return Entry(name, dtype, tuple(shape), begin, end)


def _check_coverage(entries: list[Entry], data_size: int, size: int, display: str) -> None:
    # The tensors must tile the data section exactly: no gap, no overlap, nothing after.
    position = 0
    for entry in sorted(entries, key=lambda e: (e.begin, e.end)):
        if entry.begin != position:
            raise corrupt(
                display,
                f"the tensor data has a gap or an overlap at byte {position} "
                f"(tensor {entry.name!r} starts at {entry.begin})",
            )
        position = entry.end
    if position > data_size:
        raise ModelFileError(
            f"model file '{display}' is truncated ({size} bytes, expected "
            f"{size - data_size + position}): the save or copy did not finish; {RESTORE}"
        )
    if position < data_size:
        raise corrupt(display, f"{data_size - position} unexpected bytes follow the tensor data")


def tensor_from_bytes(entry: Entry, data: memoryview, display: str) -> torch.Tensor:
    """Copy one tensor's bytes into a new, owned, aligned tensor of its dtype and shape."""
    dtype = DTYPES[entry.dtype]
    flat = torch.empty(math.prod(entry.shape), dtype=dtype)  # (numel,)
    if data.nbytes:
        # Copy through uint8 so no alignment is ever assumed of the file's bytes.
        flat.view(torch.uint8).copy_(torch.frombuffer(data, dtype=torch.uint8))
    if dtype is torch.bool and data.nbytes and int(flat.view(torch.uint8).max()) > 1:
        # Any other byte is undefined behaviour for torch.bool; only a crafted file has one.
        raise corrupt(display, f"tensor {entry.name!r} holds BOOL bytes other than 0 and 1")
    return flat.reshape(entry.shape)
