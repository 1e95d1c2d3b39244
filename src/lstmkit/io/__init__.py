"""Model files: safetensors weights plus a JSON manifest, written atomically, verified on read.

Example:
    >>> import os, tempfile, torch
    >>> from lstmkit.io import FORMAT_VERSION, read_model_file, write_model_file
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> write_model_file(path, {"weight": torch.eye(2)}, {"architecture": "vanilla"})
    >>> tensors, manifest = read_model_file(path)
    >>> manifest["format_version"] == FORMAT_VERSION
    True
"""

from lstmkit.io._manifest import FORMAT_VERSION
from lstmkit.io._model_file import read_manifest, read_model_file, write_model_file

__all__ = ["FORMAT_VERSION", "read_manifest", "read_model_file", "write_model_file"]
