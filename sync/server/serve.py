"""Running the server: in the foreground (``workbench-sync serve``) or on a background thread
on a free loopback port (the app's embedded demo server, and the tests)."""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
import uvicorn

from sync.server.app import create_app
from sync.server.config import CONFIG_ENV, ServerConfig
from sync.server.db import read_connections
from sync.server.metrics import MULTIPROC_ENV
from sync.server.pages import PAGE_CACHE_BYTES


def access_logging() -> None:
    """The access log (`metrics`: one JSON line per request) to standard output, where the
    service manager keeps it (journald)."""
    from sync.server.metrics import access_log

    access_log.start(sys.stdout.buffer)


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket with Nagle's algorithm off.

    Accepted connections inherit TCP_NODELAY. Without it a keep-alive client waits ~40 ms
    for each answer (the server's last small write waits for an ACK the client delays).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def serve_workers(
    db: str,
    host: str,
    port: int,
    snapshot_dir: Path,
    workers: int,
    page_cache: int,
    config_file: Path | None = None,
    app: str = "sync.server.app:app_from_environment",
) -> None:
    """Several server processes on one port (the OS spreads connections between them): the
    server keeps no state outside the database, so they need nothing else to agree. ``app``:
    the factory each process makes its app with."""
    import os

    # each worker counts into files here and a scrape adds them up (`metrics`)
    metrics_dir = os.environ.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="workbench-metrics-")
    for stale in Path(metrics_dir).glob("*.db"):  # counts of processes gone
        stale.unlink()
    os.environ[MULTIPROC_ENV] = metrics_dir
    os.environ["WORKBENCH_SYNC_DB"] = db
    os.environ["WORKBENCH_SYNC_SNAPSHOTS"] = str(snapshot_dir)
    os.environ["WORKBENCH_SYNC_PAGE_CACHE"] = str(page_cache)
    os.environ["WORKBENCH_SYNC_READ_CONNECTIONS"] = str(read_connections(workers))
    if config_file is not None:
        os.environ[CONFIG_ENV] = str(config_file)
    print(f"Mill Workbench sync server on http://{host}:{port} ({workers} workers)", flush=True)
    uvicorn.run(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        lifespan="off",
        log_level="warning",
        access_log=False,  # ours, in JSON with request ids (`access_logging`)
    )


def serve_forever(
    engine: sa.Engine,
    host: str,
    port: int,
    snapshot_dir: Path,
    *,
    log_level: str = "info",
    page_cache: int = PAGE_CACHE_BYTES,
    config: ServerConfig | None = None,
) -> None:
    app = create_app(engine, snapshot_dir=snapshot_dir, page_cache=page_cache, config=config)
    access_logging()
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=log_level, lifespan="off", access_log=False)
    )
    print(f"Mill Workbench sync server on http://{host}:{port}", flush=True)
    try:
        server.run(sockets=[listening_socket(host, port)])
    finally:
        app.state.sync.close()


class ServerThread:
    """A real uvicorn server on ``127.0.0.1`` (a free port unless one is given), on a thread.

    The listening socket is bound before the thread starts, so ``url`` is valid at once and
    no port can be taken in between; ``start()`` returns when uvicorn reports it is serving.
    """

    def __init__(
        self,
        engine: sa.Engine,
        snapshot_dir: Path,
        *,
        long_poll_s: float = 25.0,
        host: str = "127.0.0.1",
        port: int = 0,
        page_cache: int = PAGE_CACHE_BYTES,
        config: ServerConfig | None = None,
        edge: bool = True,
    ) -> None:
        self.engine = engine
        self.app = create_app(
            engine,
            snapshot_dir=snapshot_dir,
            long_poll_s=long_poll_s,
            page_cache=page_cache,
            config=config,
            edge=edge,
        )
        self._socket = listening_socket(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        # long-polls may be open: give them a second to end, not their full wait
        served = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=3
        )
        self._server = uvicorn.Server(served)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        # uvicorn offers no callback for "serving"; its `started` flag is the readiness check
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sync server did not start on {self.url}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.app.state.sync.stopping.set()  # open long-polls answer now instead of timing out
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
        self.app.state.sync.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
