"""The JSON manifest: validation before saving, the format version, the SHA-256 checksum.

The checksum covers everything a reader uses, in an order that does not depend on how the
file happens to be laid out::

    for each tensor, names sorted by code point:
        u64(len(record)) record        record = canonical JSON {"dtype", "name", "shape"}
        u64(len(data))   data          the raw little-endian bytes, row-major
    u64(len(manifest)) manifest        canonical JSON of the manifest without "sha256"

u64 is an 8-byte little-endian length; canonical JSON is
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)``.
The length prefixes make the byte stream unambiguous (a name cannot run into the data).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import platform
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

from lstmkit.errors import ModelFileError, ModelFormatVersionError
from lstmkit.io._container import RESTORE, Entry, corrupt, loads_strict, type_name

FORMAT_VERSION: Final[int] = 1
"""The model file format this lstmkit writes. It reads formats MIN_FORMAT_VERSION to this."""

# The oldest format this lstmkit still reads. Raise it only with a migration note in the docs.
MIN_FORMAT_VERSION: Final[int] = 1

MANIFEST_KEY: Final[str] = "lstmkit"  # the safetensors metadata key that holds the manifest
ADDED_KEYS: Final[tuple[str, ...]] = ("format_version", "library_versions", "sha256")
MAX_DEPTH: Final[int] = 64  # deeper nesting is a bug (or a cycle), never a model description
MAX_LISTED: Final[int] = 10  # problems named in one message; the rest are counted

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DISTRIBUTIONS = ("lstmkit", "torch", "numpy", "safetensors", "scikit-learn")


def canonical_json(value: Any) -> str:
    """Serialise a JSON value in the one canonical form the checksum is computed on."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Return the versions of the libraries a model file depends on (read from metadata).

    Metadata rather than imports: importing scikit-learn here would slow every save.
    """
    versions = {}
    for name in _DISTRIBUTIONS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["python"] = platform.python_version()
    return versions


def _hint(value: object) -> str:
    module = type(value).__module__.split(".")[0]
    if module in ("numpy", "torch"):
        method = ".item()" if getattr(value, "ndim", 0) == 0 else ".tolist()"
        return f"convert it with {method}"
    if isinstance(value, set | frozenset):
        return "convert it to a sorted list"
    if isinstance(value, bytes | bytearray):
        return "decode it to a str"
    return "convert it to a dict, list, str, int, float, bool or None"


class _Walk:
    """Copies a manifest into plain JSON types, collecting every problem with its key path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def value(self, value: object, path: str, ancestors: frozenset[int]) -> Any:
        # bool before int (bool is an int); subclasses (IntEnum, numpy.float64) become the
        # plain type so that what is hashed now is exactly what a reader will parse.
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                self.problems.append(
                    f"{path} is {value!r}: NaN and infinity are not valid JSON; store None or a string"
                )
                return None
            return float(value)
        if isinstance(value, str):
            return str(value)
        if isinstance(value, Mapping | list | tuple):
            return self.container(value, path, ancestors)
        self.problems.append(
            f"{path} is a {type_name(value)}, which JSON cannot represent; {_hint(value)}"
        )
        return None

    def container(self, value: Mapping | list | tuple, path: str, ancestors: frozenset[int]) -> Any:
        if id(value) in ancestors:
            self.problems.append(f"{path} contains itself")
            return None
        if len(ancestors) >= MAX_DEPTH:
            self.problems.append(f"{path} is nested more than {MAX_DEPTH} levels deep")
            return None
        inner = ancestors | {id(value)}
        if not isinstance(value, Mapping):
            return [self.value(item, f"{path}[{i}]", inner) for i, item in enumerate(value)]
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.problems.append(
                    f"{path} has the key {key!r} of type {type_name(key)}; "
                    "JSON object keys must be strings"
                )
                continue
            result[str(key)] = self.value(item, f"{path}[{key!r}]", inner)
        return result


def normalize_manifest(manifest: object) -> tuple[dict[str, Any], list[str]]:
    """Copy the caller's manifest into plain JSON types and list what cannot be stored.

    Tuples become lists (as JSON reads them back); the keys ``write_model_file`` adds are
    dropped here and set afresh.

    Returns:
        The plain copy and the problems, each naming its key path, e.g.
        ``manifest['config']['units'] is a numpy.int64, ...``.
    """
    if not isinstance(manifest, Mapping):
        return {}, [f"the manifest is a {type_name(manifest)}, expected a mapping of JSON values"]
    walk = _Walk()
    plain = walk.value(manifest, "manifest", frozenset())
    for key in ADDED_KEYS:
        plain.pop(key, None)
    return plain, walk.problems


def listing(problems: list[str]) -> str:
    """Join problems for one message, naming at most MAX_LISTED of them."""
    shown = "; ".join(problems[:MAX_LISTED])
    if len(problems) > MAX_LISTED:
        shown += f"; and {len(problems) - MAX_LISTED} more"
    return shown


def _u64(number: int) -> bytes:
    return number.to_bytes(8, "little")


def checksum(
    entries: Iterable[Entry],
    chunks: Callable[[Entry], Iterable[bytes | memoryview]],
    manifest: Mapping[str, Any],
) -> str:
    """Return the hex SHA-256 of the tensors and the manifest (see the module docstring).

    Args:
        entries: the tensors' descriptions, in any order.
        chunks: yields the raw bytes of one tensor, possibly in pieces.
        manifest: the manifest; its ``sha256`` key, if any, is left out.
    """
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.name):
        record = canonical_json(
            {"dtype": entry.dtype, "name": entry.name, "shape": list(entry.shape)}
        )
        digest.update(_u64(len(record)) + record.encode("ascii"))
        digest.update(_u64(entry.end - entry.begin))
        for chunk in chunks(entry):
            digest.update(chunk)
    body = {key: value for key, value in manifest.items() if key != "sha256"}
    text = canonical_json(body).encode("ascii")
    digest.update(_u64(len(text)) + text)
    return digest.hexdigest()


def decode_manifest(metadata: Mapping[str, str] | None, display: str) -> dict[str, Any]:
    """Parse the manifest out of the safetensors metadata.

    Raises:
        ModelFileError: there is no manifest (a plain safetensors file), or it is not JSON.
    """
    if metadata is None or MANIFEST_KEY not in metadata:
        raise ModelFileError(
            f"'{display}' is a safetensors file but not an lstmkit model file: its metadata "
            f"has no '{MANIFEST_KEY}' manifest. Load plain safetensors weights with "
            "safetensors.torch.load_file; save lstmkit models with write_model_file "
            "(or an estimator's save)"
        )
    try:
        manifest = loads_strict(metadata[MANIFEST_KEY])
    except (ValueError, RecursionError) as exc:
        raise corrupt(display, f"its lstmkit manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        kind = type(manifest).__name__
        raise corrupt(display, f"its lstmkit manifest is a JSON {kind}, not an object")
    return manifest


def _readable() -> str:
    if MIN_FORMAT_VERSION == FORMAT_VERSION:
        return f"format {FORMAT_VERSION}"
    return f"formats {MIN_FORMAT_VERSION} to {FORMAT_VERSION}"


def check_format_version(manifest: Mapping[str, Any], display: str) -> None:
    """Refuse a manifest whose format_version this lstmkit cannot read.

    Checked before the checksum: a newer format may compute its checksum differently.

    Raises:
        ModelFormatVersionError: missing, not an integer, newer, or older than supported.
    """
    damaged = "the file is damaged or was not written by lstmkit"
    if "format_version" not in manifest:
        raise ModelFormatVersionError(
            f"model file '{display}' has no format_version in its manifest: {damaged}; {RESTORE}"
        )
    version = manifest["format_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise ModelFormatVersionError(
            f"model file '{display}' has an invalid format_version {version!r} (expected an "
            f"integer; this lstmkit reads {_readable()}): {damaged}; {RESTORE}"
        )
    if version > FORMAT_VERSION:
        raise ModelFormatVersionError(
            f"model file '{display}' was written by a newer lstmkit (format {version}); this "
            f"lstmkit reads {_readable()}: upgrade lstmkit (pip install --upgrade lstmkit)"
        )
    if version < MIN_FORMAT_VERSION:
        # While MIN_FORMAT_VERSION is 1 no release wrote an older format. When it is raised,
        # this message must tell users which lstmkit to load and re-save such files with.
        raise ModelFormatVersionError(
            f"model file '{display}' has format_version {version}, which this lstmkit cannot "
            f"read (it reads {_readable()}); no lstmkit release wrote format {version}, so "
            f"{damaged}"
        )


def stored_checksum(manifest: Mapping[str, Any], display: str) -> str:
    """Return the manifest's recorded SHA-256, refusing a missing or malformed one."""
    stored = manifest.get("sha256")
    if not (isinstance(stored, str) and _SHA256.fullmatch(stored)):
        raise corrupt(
            display,
            f"its manifest has no valid sha256 checksum (found {stored!r:.80}, expected 64 "
            "lowercase hexadecimal digits)",
        )
    return stored
