"""Write and read lstmkit model files: one safetensors file with a JSON manifest inside.

Reading never executes anything from the file: no pickle, no ``torch.load``, no importing
of names. The file is parsed as bytes and strict JSON, its format version and checksum are
checked, and only then are tensors built from its bytes.
"""

from __future__ import annotations

import hmac
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

import torch

from lstmkit.errors import ModelFileError, did_you_mean
from lstmkit.io._atomic import CHUNK, atomic_write, resolve_target, write_all
from lstmkit.io._container import (
    HEADER_LIMIT,
    Container,
    Entry,
    corrupt,
    encode_header,
    layout,
    parse_container,
    prepare_tensors,
    tensor_from_bytes,
)
from lstmkit.io._manifest import (
    FORMAT_VERSION,
    MANIFEST_KEY,
    canonical_json,
    check_format_version,
    checksum,
    decode_manifest,
    library_versions,
    listing,
    normalize_manifest,
    stored_checksum,
)

PathLike = str | os.PathLike[str]
Chunks = Callable[[Entry], Iterator[bytes | memoryview]]


def write_model_file(
    path: PathLike, tensors: Mapping[str, torch.Tensor], manifest: Mapping[str, Any]
) -> None:
    """Save tensors and a manifest as one lstmkit model file, atomically.

    The file is safetensors; its metadata key ``"lstmkit"`` holds the manifest as JSON, with
    three keys added: ``format_version``, ``library_versions`` and ``sha256`` (values the
    caller passes under these names are replaced). Everything is checked before a byte is
    written; the file appears complete or not at all, so an interrupted save leaves the
    previous file in place, and temporary files left by killed saves are removed.

    Args:
        path: the file to write, e.g. ``"model.safetensors"``. Its folder must exist. A
            symlink is followed.
        tensors: names to tensors of any device, dtype float64/32/16, bfloat16, int64/32/16/8,
            uint8/16/32/64, bool, complex64 or float8; saved detached, contiguous, on the CPU.
        manifest: JSON values only (dict with str keys, list, tuple, str, int, finite float,
            bool, None). Tuples come back as lists.

    Raises:
        ModelFileError: a value cannot be stored (every problem named by its key path, and
            nothing written); the path is a folder or its folder is missing; the disk is full
            or the file-size limit is hit (the previous file is kept, ``errno`` is set).

    Example:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
        >>> write_model_file(path, {"weight": torch.ones(2, 3)}, {"architecture": "vanilla"})
        >>> read_manifest(path)["format_version"]
        1
    """
    display = os.fsdecode(path)
    target = resolve_target(path, display)
    header, placed = _encode(tensors, manifest, display)

    def write(fd: int) -> None:
        write_all(fd, header)
        for _, chunk in placed:
            write_all(fd, chunk)

    atomic_write(target, write, display=display)


def _encode(
    tensors: object, manifest: object, display: str
) -> tuple[bytes, list[tuple[Entry, memoryview]]]:
    """Check everything and build the header; the tensor bytes stay where they are."""
    prepared, problems = prepare_tensors(tensors)
    plain, manifest_problems = normalize_manifest(manifest)
    problems += manifest_problems  # reported together: one failed save shows every problem
    if problems:
        raise ModelFileError(f"cannot save '{display}': {listing(problems)}. Nothing was written")
    placed = layout(prepared)
    entries = [entry for entry, _ in placed]
    data = {entry.name: chunk for entry, chunk in placed}
    plain["format_version"] = FORMAT_VERSION
    plain["library_versions"] = dict(library_versions())
    plain["sha256"] = checksum(entries, lambda entry: iter((data[entry.name],)), plain)
    header = encode_header(entries, {MANIFEST_KEY: canonical_json(plain)})
    if len(header) - 8 > HEADER_LIMIT:
        raise ModelFileError(
            f"cannot save '{display}': the header takes {len(header) - 8} bytes, above the "
            f"safetensors limit of {HEADER_LIMIT}; store large arrays as tensors, not in the "
            "manifest. Nothing was written"
        )
    return header, placed


def read_model_file(path: PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Load the tensors and the manifest of an lstmkit model file, after verifying it.

    Args:
        path: a file written by :func:`write_model_file`.

    Returns:
        ``(tensors, manifest)``: CPU tensors by name (sorted), bitwise equal to those saved;
        the manifest as saved plus ``format_version``, ``library_versions`` and ``sha256``.

    Raises:
        ModelFileError: the file is missing, a folder, empty, truncated, not safetensors (a
            pickle, a zip), a safetensors file without an lstmkit manifest, or corrupt (damaged
            header or manifest, checksum mismatch).
        ModelFormatVersionError: its format version is newer than this lstmkit reads, or
            invalid (a subclass of ModelFileError).

    Example:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
        >>> write_model_file(path, {"weight": torch.ones(2, 3)}, {"classes": ["a", "b"]})
        >>> tensors, manifest = read_model_file(path)
        >>> tensors["weight"].shape, manifest["classes"]
        (torch.Size([2, 3]), ['a', 'b'])
    """
    display = os.fsdecode(path)
    with _open_model_file(path, display) as file:
        buffer = _read_all(file)
    view = memoryview(buffer)
    container = parse_container(view, len(buffer), display)

    def chunks(entry: Entry) -> Iterator[memoryview]:
        yield view[container.data_start + entry.begin : container.data_start + entry.end]

    manifest = _verified_manifest(container, display, chunks)
    tensors = {
        entry.name: tensor_from_bytes(entry, next(chunks(entry)), display)
        for entry in container.entries
    }
    return tensors, manifest


def read_manifest(path: PathLike, *, verify: bool = True) -> dict[str, Any]:
    """Read only the manifest of an lstmkit model file, e.g. for ``lstmkit inspect``.

    No tensor is built: the tensor bytes are streamed through the checksum in chunks, so
    memory use stays small whatever the size of the model.

    Args:
        path: a file written by :func:`write_model_file`.
        verify: check the SHA-256 checksum (reads the whole file). With False only the
            header is read; the structure and format version are still checked.

    Returns:
        The manifest, as :func:`read_model_file` returns it.

    Raises:
        ModelFileError: as :func:`read_model_file` (a checksum mismatch only when verify).
        ModelFormatVersionError: as :func:`read_model_file`.

    Example:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
        >>> write_model_file(path, {"weight": torch.zeros(4)}, {"architecture": "stacked"})
        >>> manifest = read_manifest(path)
        >>> manifest["architecture"], sorted(manifest["library_versions"])[:2]
        ('stacked', ['lstmkit', 'numpy'])
    """
    display = os.fsdecode(path)
    with _open_model_file(path, display) as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(8)
        claimed = int.from_bytes(head, "little") if len(head) == 8 else 0
        head += file.read(max(16, min(claimed, HEADER_LIMIT)))
        container = parse_container(head, size, display)

        def chunks(entry: Entry) -> Iterator[bytes]:
            start = container.data_start + entry.begin
            return _stream(file, start, entry.end - entry.begin, display)

        return _verified_manifest(container, display, chunks if verify else None)


def _verified_manifest(container: Container, display: str, chunks: Chunks | None) -> dict[str, Any]:
    manifest = decode_manifest(container.metadata, display)
    check_format_version(manifest, display)  # before the checksum: newer formats may differ
    stored = stored_checksum(manifest, display)
    if chunks is not None:
        actual = checksum(container.entries, chunks, manifest)
        if not hmac.compare_digest(actual, stored):
            raise corrupt(
                display,
                f"its SHA-256 checksum does not match (the manifest records {stored[:16]}..., "
                f"the contents hash to {actual[:16]}...): the file changed after it was saved",
            )
    return manifest


def _suggestion(path: PathLike) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    try:
        siblings = [entry for entry in os.listdir(folder) if not entry.startswith(".")]
    except OSError:
        return ""
    return did_you_mean(name, siblings)


def _open_model_file(path: PathLike, display: str) -> BinaryIO:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(
            f"no model file at '{display}': it does not exist; check the path.{_suggestion(path)}"
        ) from None
    except OSError as exc:
        raise ModelFileError(f"cannot read model file '{display}': {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ModelFileError(
            f"cannot load '{display}': it is a folder, not a model file; give the path of "
            "the .safetensors file in it"
        )
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device could block or never end
        raise ModelFileError(f"cannot load '{display}': it is not a regular file")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise ModelFileError(f"cannot read model file '{display}': {exc.strerror or exc}") from exc


def _read_all(file: BinaryIO) -> bytearray:
    size = os.fstat(file.fileno()).st_size
    buffer = bytearray(size)
    with memoryview(buffer) as view:
        filled = 0
        while filled < size:
            count = file.readinto(view[filled:])
            if not count:
                break
            filled += count
    # A file that shrank while we read it is parsed as what we got: it will read as truncated.
    return buffer if filled == size else buffer[:filled]


def _stream(file: BinaryIO, start: int, count: int, display: str) -> Iterator[bytes]:
    file.seek(start)
    while count > 0:
        piece = file.read(min(CHUNK, count))
        if not piece:
            raise ModelFileError(
                f"model file '{display}' became shorter while it was being read; read it "
                "again once no other program is writing it"
            )
        count -= len(piece)
        yield piece
