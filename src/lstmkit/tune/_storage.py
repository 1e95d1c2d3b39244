"""Where a study lives: in memory, in a journal file, or in a database several machines share.

```
storage=                          what it is                     who can share the study
None                              Optuna's in-memory storage     this process only
"study.log", "x.journal",         JournalStorage(JournalFile-    processes on this machine (file
"journal:PATH"                    Backend): an append-only log   locks); no heartbeat
"sqlite:///study.db"              RDBStorage, heartbeat          processes on this machine
"postgresql://u:p@host:5432/db"   RDBStorage, heartbeat          processes on any machine
an optuna storage object          used as given                  as the object allows
```

Database storages run a heartbeat (every 1 s; a trial silent for 3 s is stale): the next
trial any worker starts marks a stale trial FAIL and queues it again, once
(``RetryHeartbeatStaleTrialCallback(max_retry=1)``, named ``RetryFailedTrialCallback``
before Optuna 4.9), so a worker killed mid-trial loses no trial. ``n_workers > 1`` without
a storage uses a journal file in a temporary folder; tune copies the study into memory
when the workers are done and removes the folder.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from lstmkit.errors import ConfigError

HEARTBEAT_INTERVAL = 1  # seconds between a running trial's heartbeats
GRACE_PERIOD = 3  # seconds without a heartbeat before a trial counts as stale
MAX_RETRY = 1  # a stale trial is queued again at most once
JOURNAL_SUFFIXES = (".log", ".journal")
JOURNAL_PREFIX = "journal:"
_SCHEMES = ("sqlite", "postgresql")  # postgresql may name its driver: postgresql+psycopg2
_EXPECTED = (
    "expected None (in memory), 'sqlite:///PATH.db', "
    "'postgresql://USER:PASSWORD@HOST:PORT/DATABASE', a journal file ('PATH.log', "
    "'PATH.journal' or 'journal:PATH') or an Optuna storage object"
)


@dataclass(frozen=True)
class StorageSpec:
    """A parsed ``storage=`` argument: what kind it is and where (a URL, a path, an object).

    Example:
        >>> parse_storage("runs/study.log")
        StorageSpec(kind='journal', target='runs/study.log')
    """

    kind: str  # "memory", "journal", "rdb" or "object"
    target: Any = None

    @property
    def shareable(self) -> bool:
        """Whether worker processes can open this storage themselves."""
        if self.kind == "object":
            from optuna.storages import InMemoryStorage

            return not isinstance(self.target, InMemoryStorage)
        return self.kind != "memory"

    def describe(self) -> str:
        """A line for logs and run records, the database password hidden.

        Example:
            >>> parse_storage("postgresql://tuner:secret@127.0.0.1:5432/runs").describe()
            'postgresql://tuner:***@127.0.0.1:5432/runs'
        """
        if self.kind == "memory":
            return "in memory"
        if self.kind == "journal":
            return f"journal file {self.target}"
        if self.kind == "rdb":
            from sqlalchemy.engine import make_url

            return make_url(self.target).render_as_string(hide_password=True)
        return type(self.target).__name__

    def open(self) -> Any:
        """The Optuna storage (None for in-memory, which ``create_study`` makes itself)."""
        if self.kind == "memory":
            return None
        if self.kind == "object":
            return self.target
        if self.kind == "journal":
            return _journal_storage(self.target)
        return _rdb_storage(self.target)


def parse_storage(storage: Any) -> StorageSpec:
    """Read ``tune``'s ``storage=`` argument (see the module docstring for the forms).

    Raises:
        ConfigError: an unsupported URL scheme or a string that is neither URL nor journal.

    Example:
        >>> parse_storage("sqlite:///study.db").kind
        'rdb'
        >>> parse_storage("mysql://u:p@host/db")
        Traceback (most recent call last):
        ...
        lstmkit.errors.ConfigError: unsupported storage URL scheme 'mysql': expected None (in memory), 'sqlite:///PATH.db', 'postgresql://USER:PASSWORD@HOST:PORT/DATABASE', a journal file ('PATH.log', 'PATH.journal' or 'journal:PATH') or an Optuna storage object
    """
    if storage is None:
        return StorageSpec("memory")
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if not isinstance(storage, str):
        return _storage_object(storage)
    if storage.startswith(JOURNAL_PREFIX):
        return StorageSpec("journal", storage[len(JOURNAL_PREFIX) :])
    if "://" in storage:
        scheme = storage.split("://", 1)[0]
        if scheme not in _SCHEMES and not scheme.startswith("postgresql+"):
            raise ConfigError(f"unsupported storage URL scheme {scheme!r}: {_EXPECTED}")
        return StorageSpec("rdb", storage)
    if storage.endswith(JOURNAL_SUFFIXES):
        return StorageSpec("journal", storage)
    raise ConfigError(
        f"storage {storage!r} is neither a database URL nor a journal file: {_EXPECTED}"
    )


def _storage_object(storage: Any) -> StorageSpec:
    from optuna.storages import BaseStorage

    if not isinstance(storage, BaseStorage):
        raise ConfigError(f"storage must be a string, a path or None, got {storage!r}: {_EXPECTED}")
    return StorageSpec("object", storage)


def retry_callback() -> Any:
    """The callback that queues a stale trial again (at most ``MAX_RETRY`` times)."""
    import warnings

    import optuna.storages as storages
    from optuna.exceptions import ExperimentalWarning

    retry = getattr(storages, "RetryHeartbeatStaleTrialCallback", None)
    if retry is None:  # Optuna < 4.9 names it RetryFailedTrialCallback
        retry = storages.RetryFailedTrialCallback
    with warnings.catch_warnings():  # stable in practice since Optuna 2.8; chosen knowingly
        warnings.simplefilter("ignore", ExperimentalWarning)
        return retry(max_retry=MAX_RETRY)


def _rdb_storage(url: str) -> Any:
    """An RDBStorage with heartbeat and retry; a few attempts, as workers race to make tables."""
    import inspect
    import warnings

    from optuna.exceptions import ExperimentalWarning
    from optuna.storages import RDBStorage

    options = {"heartbeat_interval": HEARTBEAT_INTERVAL, "grace_period": GRACE_PERIOD}
    if "heartbeat_stale_trial_callback" in inspect.signature(RDBStorage).parameters:
        options["heartbeat_stale_trial_callback"] = retry_callback()
    else:
        options["failed_trial_callback"] = retry_callback()
    attempts, url = 3, _with_driver(url)
    for attempt in range(1, attempts + 1):
        try:
            with warnings.catch_warnings():  # the heartbeat is "experimental" since 2.9
                warnings.simplefilter("ignore", ExperimentalWarning)
                return RDBStorage(url, **options)
        except Exception as error:  # sqlalchemy's error classes vary by database driver
            racing = "already exists" in str(error) or "duplicate" in str(error)
            if attempt == attempts or not racing:
                from sqlalchemy.engine import make_url

                shown = make_url(url).render_as_string(hide_password=True)
                raise ConfigError(f"cannot open the storage {shown}: {error}") from error
            time.sleep(0.2 * attempt)  # another worker is creating the same tables


def _with_driver(url: str) -> str:
    """Name psycopg2 in a bare ``postgresql://`` URL when psycopg (3) is not installed.

    SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3; many installs (and
    lstmkit's ``tune`` extra) have psycopg2. A URL that names its driver is kept.

    Example:
        >>> _with_driver("sqlite:///study.db")
        'sqlite:///study.db'
    """
    import importlib.util

    if not url.startswith("postgresql://") or importlib.util.find_spec("psycopg"):
        return url
    if importlib.util.find_spec("psycopg2") is None:
        return url  # SQLAlchemy's own error then says which module is missing
    return "postgresql+psycopg2://" + url[len("postgresql://") :]


def _journal_storage(path: str) -> Any:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(
            f"the journal file {path!r} is in a folder that does not exist ({folder}): "
            "create the folder first"
        )
    return JournalStorage(JournalFileBackend(path))
