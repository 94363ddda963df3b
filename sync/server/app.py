"""The sync server's HTTP API: a Starlette app over the server database (architecture D4-D5).

Here the routes meet their handlers (`sync.server.handlers`) and the app is assembled: its
state, the request ids, metrics and gzip middleware, and the one JSON shape of every error
(`sync.server.errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

from sync.server import audit
from sync.server.anchor import Checkpointer, load_key
from sync.server.config import ServerConfig
from sync.server.db import reading, writing
from sync.server.errors import ApiError, http_error
from sync.server.handlers.feed import changes, counts, snapshot_file, snapshot_info, wait
from sync.server.handlers.public import health, login, me, openapi, prometheus, traceability
from sync.server.handlers.requests import ServerState, notify
from sync.server.handlers.writes import (
    device_wiped,
    import_master_data,
    pricing_quote,
    push,
    serials,
)
from sync.server.metrics import Observer, tally
from sync.server.pages import PAGE_CACHE_BYTES, PageCache
from sync.server.request_ids import RequestIds
from sync.server.snapshot import SnapshotStore

#: the router tries them in this order: what laptops ask most often comes first
ROUTES: list[tuple[str, Callable[..., Any], list[str]]] = [
    ("/v1/changes", changes, ["GET"]),
    ("/v1/wait", wait, ["GET"]),
    ("/v1/push", push, ["POST"]),
    ("/v1/health", health, ["GET"]),
    ("/metrics", prometheus, ["GET"]),
    ("/v1/openapi.json", openapi, ["GET"]),
    ("/v1/login", login, ["POST"]),
    ("/v1/me", me, ["GET"]),
    ("/v1/counts", counts, ["GET"]),
    ("/v1/snapshot", snapshot_info, ["GET"]),
    ("/v1/snapshot/{name}", snapshot_file, ["GET"]),
    ("/v1/device/wiped", device_wiped, ["POST"]),
    ("/v1/import/{kind}", import_master_data, ["POST"]),
    ("/v1/pricing/quote", pricing_quote, ["POST"]),
    ("/v1/serials", serials, ["POST"]),
    # the addresses printed in labels' QR codes (GS1 Digital Link, and our own IDs)
    ("/01/{rest:path}", traceability, ["GET"]),
    ("/id/{rest:path}", traceability, ["GET"]),
]


#: each handler's route as declared, for the metrics and the access log
_ROUTE_NAMES: dict[Callable[..., Any], str] = {}
for _path, _fn, _ in ROUTES:
    _ROUTE_NAMES[_fn] = f"{_ROUTE_NAMES[_fn]}|{_path}" if _fn in _ROUTE_NAMES else _path


def route_name(endpoint: Any) -> str:
    """The declared route of the handler the router chose ("unmatched": none did)."""
    return _ROUTE_NAMES.get(endpoint, "unmatched")


def create_app(
    engine: sa.Engine,
    *,
    snapshot_dir: Path,
    long_poll_s: float = 25.0,
    snapshot_max_age_s: float = 600.0,
    page_cache: int = PAGE_CACHE_BYTES,
    read_connections: int | None = None,
    config: ServerConfig | None = None,
    edge: bool = True,
) -> Starlette:
    """The app over ``engine``. ``edge`` False leaves out the layer that gives requests their
    ids, counts them and writes their access lines (`request_ids`, `metrics`), and with it
    the headers handlers add to answers (an update due, a replaced token): the server as it
    was before them, for bench/edge.py to measure what they cost."""
    app = Starlette(
        routes=[Route(path, fn, methods=methods) for path, fn, methods in ROUTES],
        middleware=[
            *([Middleware(RequestIds, observer=Observer(route_name))] if edge else []),
            # level 1: a tenth of level 9's CPU; change pages still shrink about fivefold
            Middleware(GZipMiddleware, minimum_size=1024, compresslevel=1),
        ],
        exception_handlers={HTTPException: http_error},
    )
    tally.start()
    app.state.sync = ServerState(
        engine=engine,
        reader=reading(engine, read_connections),
        snapshots=SnapshotStore(engine, snapshot_dir, snapshot_max_age_s),
        long_poll_s=long_poll_s,
        pages=PageCache(page_cache),
        config=config or ServerConfig(),
    )
    settings = app.state.sync.config.audit
    key = load_key(settings)  # an unreadable or shared key file stops the start
    audit.use_key(key)
    if settings.checkpoint_log:
        app.state.sync.checkpointer = Checkpointer(
            engine, Path(settings.checkpoint_log), key, settings.checkpoint_every_s
        ).start()
    return app


def app_from_environment(*, edge: bool = True) -> Starlette:
    """The app for a server process started by uvicorn's process manager (``--workers``):
    the database URL, snapshot folder and settings file come from the environment the CLI
    set. ``edge``: as in `create_app`."""
    import os

    from sync.server.config import load_config
    from sync.server.db import create_schema, make_engine

    engine = make_engine(os.environ["WORKBENCH_SYNC_DB"])
    create_schema(engine)
    from sync.server.serve import access_logging

    access_logging()
    page_cache = int(os.environ.get("WORKBENCH_SYNC_PAGE_CACHE", PAGE_CACHE_BYTES))
    connections = os.environ.get("WORKBENCH_SYNC_READ_CONNECTIONS")
    return create_app(
        engine,
        snapshot_dir=Path(os.environ["WORKBENCH_SYNC_SNAPSHOTS"]),
        page_cache=page_cache,
        read_connections=int(connections) if connections else None,
        config=load_config(),
        edge=edge,
    )


__all__ = ["ApiError", "app_from_environment", "create_app", "notify", "writing"]
