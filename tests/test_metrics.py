"""``/metrics`` over real HTTP: Prometheus' text format that prometheus_client's own parser
reads, counting the requests made, rows pulled, pushes, throttled requests, devices behind and
the audit checkpoint's age; the same counts added up across ``--workers`` processes; and the
access log's JSON lines with request ids."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.parser import text_string_to_metric_families

from sync.server import metrics
from sync.server.config import AuditSettings, Limits, MetricsSettings, ServerConfig
from sync.server.serve import ServerThread
from tests.sync_fixtures import Server, material, write_rows


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """Every sample of the server's metrics: {(name, sorted labels): value}."""
    answer = httpx.get(f"{url}/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_the_requests_made(server: Server) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{n}") for n in range(7)])
    before = scrape(server.url)
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        for _ in range(3):
            assert http.get("/v1/changes").status_code == 200
        assert http.get("/v1/changes?after=x").status_code == 400
        assert http.post("/v1/push", json={"mutations": []}).status_code == 200
    after = scrape(server.url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert (
        delta("workbench_sync_requests_total", route="/v1/changes", method="GET", status="200") == 3
    )
    assert (
        delta("workbench_sync_requests_total", route="/v1/changes", method="GET", status="400") == 1
    )
    assert (
        delta("workbench_sync_requests_total", route="/v1/login", method="POST", status="200") == 1
    )
    assert (
        delta("workbench_sync_request_duration_seconds_count", route="/v1/changes", status="200")
        == 3
    )
    assert (
        delta(
            "workbench_sync_request_duration_seconds_bucket",
            route="/v1/changes",
            status="200",
            le="+Inf",
        )
        == 3
    )
    assert delta("workbench_sync_pulled_rows_total") == 21
    # the laptop pulled everything: it is not behind; the others signed in never pulled
    [device] = [k for k in after if k[0] == "workbench_sync_device_behind_changes"]
    assert after[device] == 0
    assert value(after, "workbench_sync_device_last_pull_age_seconds", **dict(device[1])) < 60


def test_throttled_requests_and_the_checkpoint_age(server: Server, tmp_path: Path) -> None:
    log = tmp_path / "checkpoints.jsonl"
    config = ServerConfig(
        limits=Limits(push_per_minute=1),
        audit=AuditSettings(checkpoint_log=str(log), checkpoint_every_s=3600),
    )
    with ServerThread(server.engine, tmp_path / "snap", config=config) as running:
        other = Server(server.engine, running.url, server.workspaces)
        before = scrape(running.url)
        with other.client(other.login("admin@alpha")) as http:
            http.post("/v1/push", json={"mutations": []})
            assert http.post("/v1/push", json={"mutations": []}).status_code == 429
        after = scrape(running.url)
    assert (
        value(after, "workbench_sync_throttled_total", kind="push")
        - value(before, "workbench_sync_throttled_total", kind="push")
    ) == 1
    assert 0 <= value(after, "workbench_sync_audit_checkpoint_age_seconds") < 60


def test_requests_counted_in_a_batch_are_those_observed_one_by_one() -> None:
    """A busy server adds its requests to the series a batch at a time (`metrics.Tally`): the
    same samples as observing each, bucket by bucket, including the bounds themselves."""
    registry = CollectorRegistry()
    made = {
        name: (
            Counter(f"{name}_requests", "", registry=registry),
            Histogram(f"{name}_seconds", "", buckets=metrics.BUCKETS, registry=registry),
        )
        for name in ("each", "batch")
    }
    tally = metrics.Tally()
    seconds = [0.0, 0.0049, 0.005, 0.0051, 0.2, 0.2, 2.5, 29.9, 31.0, 0.013]
    for took in seconds:
        made["each"][0].inc()
        made["each"][1].observe(took)
        tally.request((*made["batch"], "/v1/changes"), took)
    tally.flush()
    samples = {
        name: [
            (s.name.split("_", 1)[1], s.labels, s.value)
            for family in registry.collect()
            if family.name.startswith(name)
            for s in family.samples
            if not s.name.endswith("_created")
        ]
        for name in made
    }
    assert samples["batch"] == samples["each"] and len(samples["each"]) == 1 + 13 + 2


def test_metrics_are_served_to_the_allowed_addresses_only(server: Server, tmp_path: Path) -> None:
    refused = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    config = ServerConfig(metrics=MetricsSettings(allow=["203.0.113.0/24"]))
    with ServerThread(server.engine, tmp_path / "snap", config=config) as running:
        allowed = httpx.get(f"{running.url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert allowed.status_code == 200


def test_the_access_log_is_json_with_request_ids(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = io.BytesIO()
    written = metrics.AccessLog()
    monkeypatch.setattr(metrics, "access_log", written)
    written.start(sink, every_s=3600)  # written when flushed here
    answer = httpx.get(f"{server.url}/v1/health?probe=1", headers={"X-Request-ID": "probe-7"})
    written.flush()
    lines = [json.loads(x) for x in sink.getvalue().decode().splitlines()]
    [line] = [x for x in lines if x["request_id"] == "probe-7"]
    assert answer.headers["X-Request-ID"] == "probe-7"
    assert line["path"] == "/v1/health" and line["route"] == "/v1/health"  # no query string
    assert line["status"] == 200 and line["method"] == "GET" and line["ms"] >= 0
    assert line["client"] == "127.0.0.1"


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_several_worker_processes_add_their_counts_up(server: Server, tmp_path: Path) -> None:
    """``workbench-sync serve --workers 2``: requests spread over two processes, and any
    scrape counts them all."""
    from tests.postgres import _free_port

    port = _free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    (tmp_path / "prom").mkdir()
    db = server.engine.url.render_as_string(hide_password=False)
    serving = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.cli",
            "--db",
            db,
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--snapshots",
            str(tmp_path / "snap"),
        ],
        env=env,
        stdout=(tmp_path / "out.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # readiness: both workers up answer health
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and serving.poll() is None, "did not start"
            time.sleep(0.1)
        pids: set[str] = set()
        for _ in range(40):  # new connections: the OS hands them to either worker
            with httpx.Client(base_url=url) as http:
                http.get("/v1/health")
        samples = scrape(url)
        served = value(
            samples, "workbench_sync_requests_total", route="/v1/health", method="GET", status="200"
        )
        assert served >= 41  # every health request, whichever process answered it
        files = list((tmp_path / "prom").glob("counter_*.db"))
        pids = {f.stem.rsplit("_", 1)[-1] for f in files}
        assert len(pids) == 2, files  # both workers counted some
        assert (
            scrape(url)[
                (
                    "workbench_sync_requests_total",
                    (("method", "GET"), ("route", "/metrics"), ("status", "200")),
                )
            ]
            >= 1
        )
    finally:
        serving.terminate()
        serving.wait(timeout=20)
    # each worker's access log: JSON lines with request ids, on standard output
    logged = [
        json.loads(x) for x in (tmp_path / "out.log").read_text().splitlines() if x.startswith("{")
    ]
    assert sum(x["route"] == "/v1/health" for x in logged) >= 40
    assert all(len(x["request_id"]) == 32 for x in logged)
