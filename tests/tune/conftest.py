"""A PostgreSQL server on loopback for the shared-study tests, from Debian's packages.

``pg_createcluster`` makes a throwaway cluster owned by the ``postgres`` user (initdb
refuses root), ``pg_ctlcluster`` starts it on a free port, ``psql`` (run as ``postgres``)
creates a role with a password and its database, and the fixture yields the URL. At the
end the cluster is stopped and dropped. Clusters left behind by a killed test session
(their pid is gone) are dropped first, so sessions never collide.

Without the PostgreSQL tools the tests are skipped, or fail when
``LSTMKIT_REQUIRE_SERVICES=1`` (``make test`` sets it: there the server must be tested).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

_PREFIX = "lstmkit_test_"
_TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters", "runuser")


def _unavailable(reason: str) -> None:
    if os.environ.get("LSTMKIT_REQUIRE_SERVICES") == "1":
        pytest.fail(
            f"PostgreSQL is required (LSTMKIT_REQUIRE_SERVICES=1) but {reason}: install "
            "Debian's postgresql package (apt-get install postgresql) and run as root"
        )
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _server_version() -> str | None:
    """The newest installed server version under /usr/lib/postgresql (e.g. '15')."""
    root = Path("/usr/lib/postgresql")
    versions = [path.name for path in root.glob("*") if (path / "bin" / "postgres").exists()]
    return max(versions, key=lambda name: float(name)) if versions else None


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _drop_abandoned(version: str) -> None:
    """Drop our clusters whose test session (the pid in the name) no longer runs."""
    for line in _run("pg_lsclusters", "--no-header").splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[0] != version or not fields[1].startswith(_PREFIX):
            continue
        pid = fields[1][len(_PREFIX) :]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            subprocess.run(["pg_dropcluster", version, fields[1], "--stop"], capture_output=True)


@pytest.fixture(scope="session")
def postgres_url():
    """``postgresql://tuner:PASSWORD@127.0.0.1:PORT/lstmkit`` on a fresh cluster."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    version = _server_version()
    if missing or version is None:
        _unavailable(f"{', '.join(missing) or 'the server (/usr/lib/postgresql/*/bin)'} not found")
    if not any(importlib.util.find_spec(driver) for driver in ("psycopg2", "psycopg")):
        _unavailable("no PostgreSQL driver for Python (pip install psycopg2-binary)")
    if os.geteuid() != 0:
        _unavailable("creating a cluster needs root (pg_createcluster)")
    _drop_abandoned(version)
    name, port, password = f"{_PREFIX}{os.getpid()}", _free_port(), secrets.token_hex(8)
    _run("pg_createcluster", version, name, "-p", str(port))
    try:
        _run("pg_ctlcluster", version, name, "start")
        psql = ["runuser", "-u", "postgres", "--", "psql", "-p", str(port), "-q"]
        _run(*psql, "-v", "ON_ERROR_STOP=1", "-c", f"CREATE ROLE tuner LOGIN PASSWORD '{password}'")
        _run(*psql, "-c", "CREATE DATABASE lstmkit OWNER tuner")
        yield f"postgresql://tuner:{password}@127.0.0.1:{port}/lstmkit"
    finally:
        # Immediate shutdown: the data is thrown away, and a fast one waits for clients.
        subprocess.run(
            ["pg_ctlcluster", version, name, "stop", "-m", "immediate"], capture_output=True
        )
        subprocess.run(["pg_dropcluster", version, name], capture_output=True)
