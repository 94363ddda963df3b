"""The server's metrics, in Prometheus' text format at ``/metrics``, and its access log.

Counted as requests are answered (`Observer`, called by `request_ids.RequestIds`, and `Tally`):
requests by route, method and status, their latency by route and status, change rows served,
mutations pushed by outcome, imports by kind and outcome, and requests refused by throttling.
Read from the database when scraped (`StateCollector`): how far behind each device is and how
long since it last pulled, and how old the audit checkpoint log is.

With several server processes (``--workers``) each writes its counts to files in
``PROMETHEUS_MULTIPROC_DIR`` (`serve.serve_workers` makes one), and a scrape answered by any of
them adds up all of theirs (prometheus_client's multiprocess mode).

Each answered request is also one JSON line of the access log (`AccessLog`, on standard
output when serving): time, request id, method, path, route, status, milliseconds, client
address. No query strings, bodies or headers: nothing secret.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from starlette.types import Scope

from sync.server import schema

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: seconds: pulls answer in milliseconds, snapshot builds and long-polls in tens of seconds
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "workbench_sync_requests_total", "Requests answered", ["route", "method", "status"]
)
LATENCY = Histogram(
    "workbench_sync_request_duration_seconds",
    "Time from a request's arrival to its answer's end",
    ["route", "status"],
    buckets=BUCKETS,
)
PULLED = Counter("workbench_sync_pulled_rows_total", "Change rows served to laptops")
PUSHED = Counter(
    "workbench_sync_pushed_mutations_total", "Mutations pushed, by outcome", ["outcome"]
)
IMPORTS = Counter(
    "workbench_sync_imports_total", "Master-data imports, by kind and outcome", ["kind", "outcome"]
)
THROTTLED = Counter(
    "workbench_sync_throttled_total", "Requests refused by throttling (429)", ["kind"]
)

#: what an access line is made of, in order (`AccessLog.line`)
Entry = tuple[float, str | None, str, str, str, int, float, str | None]


class AccessLog:
    """The access log's lines, gathered in memory and written to ``stream`` by a thread of
    their own a few times a second. A request only appends what it has to say; the JSON and the
    time stamp are made when the lines are written, and no write to the stream (a system call,
    a moment the request thread lets others run) is on its path."""

    def __init__(self) -> None:
        self._lines: deque[Entry] = deque()
        self._second, self._stamp = -1, ""
        self._stream: IO[bytes] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self._stream is not None

    def start(self, stream: IO[bytes], every_s: float = 0.2) -> None:
        """Write lines to ``stream`` from now on (each server process calls it once)."""
        self._stream = stream
        if self._thread is None:
            atexit.register(self.flush)  # the last lines of a stopping process
            self._thread = threading.Thread(
                target=self._run, args=(every_s,), daemon=True, name="access-log"
            )
            self._thread.start()

    def write(self, entry: Entry) -> None:
        self._lines.append(entry)  # deque appends are atomic: no lock on the request's path

    def line(self, entry: Entry) -> bytes:
        """One JSON line: time (UTC, to the millisecond), request id, method, path, route,
        status, milliseconds and client address."""
        at, rid, method, path, route, status, took, client = entry
        second = int(at)
        if second != self._second:  # the date and time to the second, made once a second
            self._second = second
            self._stamp = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return orjson.dumps(
            {
                "time": f"{self._stamp}.{int((at - second) * 1000):03d}+00:00",
                "request_id": rid,
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "ms": round(took * 1000, 2),
                "client": client,
            }
        )

    def flush(self) -> None:
        stream, taken = self._stream, []
        while self._lines:
            taken.append(self.line(self._lines.popleft()) + b"\n")
        if stream is not None and taken:
            stream.write(b"".join(taken))
            stream.flush()

    def _run(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            try:
                self.flush()
            except (OSError, ValueError):  # a closed stream: nothing to write to any more
                log.exception("the access log could not be written")


#: this process's access log (`serve.access_logging` starts it)
access_log = AccessLog()
log = logging.getLogger("sync.server")


class StateCollector(Collector):
    """What the database and the checkpoint log say at scrape time."""

    def __init__(self, engine: sa.Engine, checkpoint_log: str | None) -> None:
        self.engine, self.checkpoint_log = engine, checkpoint_log

    def collect(self) -> Iterator[Metric]:
        behind = GaugeMetricFamily(
            "workbench_sync_device_behind_changes",
            "Changes a device has not pulled yet",
            labels=["workspace", "device"],
        )
        idle = GaugeMetricFamily(
            "workbench_sync_device_last_pull_age_seconds",
            "Seconds since a device last pulled (since it signed in, if never)",
            labels=["workspace", "device"],
        )
        d, w = schema.devices, schema.workspaces
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            for row in conn.execute(
                sa.select(
                    w.c.name,
                    d.c.id,
                    d.c.last_pull_seq,
                    d.c.last_seen_at,
                    d.c.created_at,
                    w.c.last_seq,
                )
                .join(w, w.c.id == d.c.workspace_id)
                .where(d.c.revoked_at.is_(None))
            ):
                labels = [row.name, row.id]
                behind.add_metric(labels, max(0, int(row.last_seq) - int(row.last_pull_seq)))
                seen = datetime.fromisoformat(
                    (row.last_seen_at or row.created_at).replace("Z", "+00:00")
                )
                idle.add_metric(labels, max(0.0, (now - seen).total_seconds()))
        yield behind
        yield idle
        if self.checkpoint_log:
            from sync.server.anchor import checkpoint_age_s

            age = checkpoint_age_s(Path(self.checkpoint_log))
            gauge = GaugeMetricFamily(
                "workbench_sync_audit_checkpoint_age_seconds",
                "Seconds since the audit checkpoint log was written (absent: never)",
            )
            if age is not None:
                gauge.add_metric([], age)
                yield gauge


def exposition(engine: sa.Engine, checkpoint_log: str | None) -> bytes:
    """The text a scrape gets: every process's counts, and the database's state."""
    tally.flush()  # this process's own, to the last request
    state = CollectorRegistry(auto_describe=True)
    state.register(StateCollector(engine, checkpoint_log))
    if os.environ.get(MULTIPROC_ENV):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]  # unannotated upstream
    else:
        counted = REGISTRY
    return generate_latest(counted) + generate_latest(state)


class Tally:
    """This process's counts not yet added to the Prometheus series.

    A request appends what it counted to a queue: an atomic append, with no lock and no write
    to the counts' files on its path (in multiprocess mode each count written is a locked write
    to a shared memory map, and with the request's thread, the event loop and the handlers'
    threads all counting, those locks were a tenth of a kept pull's cost). The queue is added
    up and written to the series when a request ends with no other one open (a server that is
    not busy counts at once), before a scrape, and every ``every_s`` by a thread of its own (a
    busy server's other processes are at most that much behind in a scrape).
    """

    def __init__(self, every_s: float = 0.25) -> None:
        self._queue: deque[tuple[Any, float]] = deque()
        self._lock = threading.Lock()  # one flush at a time: a scrape waits for a running one
        self._every_s = every_s
        self._thread: threading.Thread | None = None

    def request(self, series: tuple[Any, Any, str], took: float) -> None:
        """One answered request: its (counter, histogram, route) and its seconds."""
        self._queue.append((series, took))

    def pulled(self, rows: int) -> None:
        self._queue.append((None, rows))

    def start(self) -> None:
        """Flush every ``every_s`` from now on, and at exit (each server process, once)."""
        if self._thread is None:
            atexit.register(self.flush)
            self._thread = threading.Thread(target=self._run, daemon=True, name="metrics")
            self._thread.start()

    def flush(self) -> None:
        with self._lock:
            requests: dict[tuple[Any, Any, str], list[Any]] = {}
            pulled = 0
            while self._queue:
                series, amount = self._queue.popleft()
                if series is None:
                    pulled += int(amount)
                    continue
                seen = requests.get(series)
                if seen is None:
                    seen = requests[series] = [0, 0.0, [0] * (len(BUCKETS) + 1)]
                seen[0] += 1
                seen[1] += amount
                seen[2][bisect_left(BUCKETS, amount)] += 1  # the first bound >= amount
            if pulled:
                PULLED.inc(pulled)
            for (counter, histogram, _), (count, total, buckets) in requests.items():
                counter.inc(count)
                add_observations(histogram, total, buckets)

    def _run(self) -> None:
        while True:
            time.sleep(self._every_s)
            try:
                self.flush()
            except Exception:  # a count lost is no reason to stop counting
                log.exception("the metrics could not be written")


def add_observations(histogram: Any, total: float, buckets: list[int]) -> None:
    """What ``histogram.observe`` does for each of many values, in one write per bucket: their
    sum, and how many fell in each bucket (`BUCKETS`, then +Inf). prometheus_client has no call
    for it; `tests/test_metrics` checks this against ``observe``."""
    histogram._sum.inc(total)
    for value, count in zip(histogram._buckets, buckets, strict=True):
        if count:
            value.inc(count)


#: this process's counts on their way to the series (`app.create_app` starts its thread)
tally = Tally()


class Observer:
    """Counts and times each answered request by its route, and writes its access log line
    (called by `request_ids.RequestIds` as a request begins and when it is answered)."""

    def __init__(self, routes: Callable[[Any], str]) -> None:
        #: the route's path as declared, from the handler the router chose
        self.route_of = routes
        #: per handler, method and status: the labelled series and the route's name, looked
        #: up once (a lookup by labels costs more than the count itself)
        self._children: dict[tuple[Any, str, int], tuple[Any, Any, str]] = {}
        #: requests begun and not yet answered (all on the event loop's thread)
        self.open = 0

    def begin(self) -> None:
        self.open += 1

    def end(self, scope: Scope, status: int, took: float) -> None:
        self.open -= 1
        endpoint, method = scope.get("endpoint"), scope["method"]
        children = self._children.get((endpoint, method, status))
        if children is None:
            route, code = self.route_of(endpoint), str(status)
            children = (REQUESTS.labels(route, method, code), LATENCY.labels(route, code), route)
            self._children[(endpoint, method, status)] = children
        tally.request(children, took)
        if not self.open:
            tally.flush()
        if access_log.enabled:
            client = scope.get("client")
            access_log.write(
                (
                    time.time(),
                    scope["state"].get("request_id"),
                    method,
                    scope["path"],
                    children[2],
                    status,
                    took,
                    client[0] if client else None,
                )
            )
