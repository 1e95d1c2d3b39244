"""Atomic file replacement: write a temporary file beside the target, fsync, rename over it.

::

    .model.safetensors.<16 hex>.tmp   --write all, fsync-->   os.replace   -->   model.safetensors
                                                                                  then fsync folder
    killed or out of space at any point before os.replace: model.safetensors is untouched

A save killed by SIGKILL or a power cut cannot clean up its temporary file. Each save
therefore holds an exclusive ``flock`` on its temporary file for as long as it writes, and
the next save to the same target removes every temporary file of that target whose lock it
can take: the kernel drops a lock when its process dies, so a lockable temporary file is an
abandoned one, while a concurrent live save keeps its own.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections.abc import Callable

from lstmkit.errors import ModelFileError

try:
    import fcntl
except ImportError:  # Windows: no flock, so stale temporary files are left alone
    fcntl = None  # type: ignore[assignment]

CHUNK = 8 << 20  # bytes per write() call: bounded syscalls, and progress is visible on disk
_MAX_STEM = 200  # keeps ".<name>.<16 hex>.tmp" within the usual 255-byte name limit
_SUFFIX = ".tmp"
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_FOLDER_SYNC = {errno.EINVAL, errno.EBADF, errno.EISDIR, getattr(errno, "ENOTSUP", errno.EINVAL)}


def temporary_prefix(name: str) -> str:
    """Return the name prefix of the temporary files of target file ``name``."""
    return f".{name[:_MAX_STEM]}."


def is_temporary_of(entry: str, name: str) -> bool:
    """Whether ``entry`` (a file name) is a temporary file of a save to ``name``."""
    pattern = re.escape(temporary_prefix(name)) + r"[0-9a-f]{16}" + re.escape(_SUFFIX)
    return re.fullmatch(pattern, entry) is not None


def resolve_target(path: str | os.PathLike[str], display: str) -> str:
    """Return the file to replace, refusing folders and folders that do not exist.

    A symlink is followed, so the link keeps pointing at the newly saved file.

    Raises:
        ModelFileError: the path is a folder or a special file, or its folder is missing.
    """
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        example = os.path.join(display, "model.safetensors")
        raise ModelFileError(
            f"cannot save to '{display}': it is a folder; give a file path such as '{example}'"
        )
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise ModelFileError(
            f"cannot save '{display}': the folder '{folder}' {what}; create the folder first "
            f"(for example os.makedirs('{folder}')) or choose another path"
        )
    if os.path.exists(target) and not os.path.isfile(target):
        raise ModelFileError(
            f"cannot save '{display}': it exists and is not a regular file; choose another path"
        )
    return target


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte of ``data`` to ``fd``, looping over short writes."""
    view = memoryview(data).cast("B")
    while view.nbytes:
        written = os.write(fd, view[:CHUNK])
        if written == 0:  # a regular file only does this when it cannot grow
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _remove_if_abandoned(path: str) -> None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # gone already, a symlink, or unreadable: not ours to judge
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a live save holds it (or this filesystem has no locks): leave it
        os.close(fd)
        return
    try:
        _remove_quietly(path)
    finally:
        os.close(fd)


def remove_stale_temporaries(folder: str, name: str) -> None:
    """Remove temporary files of earlier saves to ``folder/name`` whose process has died."""
    if fcntl is None:  # without locks an abandoned file cannot be told from a live save
        return
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if is_temporary_of(entry, name):
            _remove_if_abandoned(os.path.join(folder, entry))


def _holds_lock(fd: int, path: str) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # no locks on this filesystem; other saves cannot lock either
        return True
    # A cleaner may have locked and unlinked the new file before we locked it: then the name
    # no longer leads to our file and we start over with a fresh name.
    try:
        on_disk, ours = os.stat(path), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (on_disk.st_dev, on_disk.st_ino) == (ours.st_dev, ours.st_ino)


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for _ in range(16):
        path = os.path.join(folder, temporary_prefix(name) + secrets.token_hex(8) + _SUFFIX)
        try:
            fd = os.open(path, flags, 0o666)  # 0o666 & ~umask: the mode a plain open() gives
        except FileExistsError:
            continue
        if _holds_lock(fd, path):
            return fd, path
        os.close(fd)
    raise FileExistsError(errno.EEXIST, "no unique temporary file name could be created")


def _save_error(exc: OSError, display: str, kept: bool) -> ModelFileError:
    outcome = "the previous file was kept" if kept else "no file was written"
    if exc.errno in _NO_SPACE:
        message = (
            f"no space left while saving '{display}'; {outcome} ({exc.strerror}). Free disk "
            "space or raise the file-size limit (ulimit -f), then save again"
        )
    elif exc.errno in (errno.EACCES, errno.EPERM):
        message = (
            f"permission denied while saving '{display}'; {outcome}. Save to a folder you "
            "can write to, or change its permissions"
        )
    elif exc.errno == errno.EROFS:
        message = f"cannot save '{display}': the file system is read-only; {outcome}"
    else:
        message = f"could not save '{display}': {exc.strerror or exc}; {outcome}"
    error = ModelFileError(message)
    error.errno = exc.errno  # callers can still test errno.ENOSPC; str() stays the message
    return error


def _fsync_folder(folder: str, display: str) -> None:
    # Makes the rename itself durable. Not every platform or filesystem can sync a folder.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_FOLDER_SYNC:
            raise ModelFileError(
                f"saved '{display}', but its folder could not be flushed to disk "
                f"({exc.strerror}): the new file may be lost if the machine loses power"
            ) from exc
    finally:
        os.close(fd)


def atomic_write(target: str, write: Callable[[int], None], *, display: str) -> None:
    """Replace ``target`` with what ``write`` writes, all at once or not at all.

    Args:
        target: the resolved file path (see ``resolve_target``).
        write: writes the whole content to the file descriptor it is given.
        display: the path as the user gave it, for messages.

    Raises:
        ModelFileError: an OS error while writing (disk full, file too large, permissions);
            the temporary file is removed and the previous file, if any, is untouched.
    """
    folder, name = os.path.split(target)
    remove_stale_temporaries(folder, name)
    kept = os.path.exists(target)
    try:
        fd, temporary = _create_temporary(folder, name)
    except OSError as exc:
        raise _save_error(exc, display, kept) from exc
    try:
        try:
            write(fd)
            os.fsync(fd)  # the bytes must be on disk before the rename makes them the model
            if fcntl is None:  # Windows cannot rename an open file; there is no lock to keep
                os.close(fd)
                fd = -1
            os.replace(temporary, target)  # still locked, so no cleaner removes it first
        finally:
            if fd >= 0:
                os.close(fd)  # also releases the lock
    except BaseException as exc:  # KeyboardInterrupt too: never leave a temporary behind
        _remove_quietly(temporary)
        if isinstance(exc, OSError) and not isinstance(exc, ModelFileError):
            raise _save_error(exc, display, kept) from exc
        raise
    _fsync_folder(folder, display)
