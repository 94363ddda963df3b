"""A throw-away PostgreSQL cluster for the tests that run the server on PostgreSQL.

``WORKBENCH_TEST_POSTGRES`` (a ``postgresql://`` URL to a server where the user may create
databases) is used when set. Otherwise the fixture starts a private cluster from the installed
PostgreSQL binaries (``initdb``/``pg_ctl``, as the ``postgres`` user when running as root) on a
free loopback port, and stops it at the end. Without PostgreSQL the tests are skipped, except
in CI (``CI`` set), where its absence fails the run.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _absent(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A URL (without database name) of a PostgreSQL server the tests may create DBs on."""
    url = os.environ.get("WORKBENCH_TEST_POSTGRES")
    if url:
        yield url.rstrip("/")
        return
    if not _bin("initdb") or not _bin("pg_ctl"):
        _absent("no PostgreSQL binaries (initdb, pg_ctl) are installed")
        return
    with private_cluster() as started:
        yield started


@contextmanager
def private_cluster() -> Iterator[str]:
    """A PostgreSQL cluster of its own on a free loopback port, started from the installed
    binaries and stopped (its files deleted) on leaving: its URL without a database name.
    The tests' fixture and `bench/ingest.py --database postgresql` run on one."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl) are installed")
    as_root = os.geteuid() == 0
    runner: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="wb-pg-"))
    if as_root:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = _free_port()
    subprocess.run(
        [
            *runner,
            initdb,
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "workbench",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -h 127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*runner, pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"), "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://workbench@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*runner, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str) -> str:
    """Create an empty database and return its URL."""
    import psycopg

    name = f"wb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"
