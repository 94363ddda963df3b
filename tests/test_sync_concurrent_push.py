"""One device's push arriving twice at once, over real HTTP on SQLite and PostgreSQL: a
laptop killed mid-push restarts and sends its outbox again while the server is still
applying the first request. Both answers must be the same applied results (the second a
replay of the first), never a 500, and each mutation is applied, logged and audited once."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa

from sync.server import schema
from tests.sync_fixtures import LABEL_JOB, Server

ROUNDS, PER_PUSH = 20, 5


def label_job(job_id: str) -> dict[str, Any]:
    return {**LABEL_JOB, "id": job_id}


def batch(round_no: int) -> list[dict[str, Any]]:
    """Fresh numbers, mutation ids and rows each round, continuing the device's numbering."""
    first = round_no * PER_PUSH + 1
    return [
        {
            "seq": seq,
            "mutation_id": f"m-{seq}",
            "table": "label_jobs",
            "op": "upsert",
            "row_id": f"job-{seq}",
            "row": label_job(f"job-{seq}"),
        }
        for seq in range(first, first + PER_PUSH)
    ]


def push_twice_at_once(server: Server, token: str, mutations: list[dict]) -> list[httpx.Response]:
    """Post the same batch from two threads released together by a barrier."""
    start = threading.Barrier(2)
    answers: list[httpx.Response | BaseException] = [RuntimeError("not answered")] * 2

    def post(slot: int) -> None:
        with server.client(token) as http:
            start.wait()
            try:
                answers[slot] = http.post("/v1/push", json={"mutations": mutations})
            except BaseException as exc:  # any failure is reported below
                answers[slot] = exc

    threads = [threading.Thread(target=post, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for answer in answers:
        assert isinstance(answer, httpx.Response), repr(answer)
    return answers  # type: ignore[return-value]


def test_the_same_push_sent_twice_at_once_is_applied_once(server: Server) -> None:
    token = server.login("floor@alpha")
    failures: list[str] = []
    for round_no in range(ROUNDS):
        first, second = push_twice_at_once(server, token, batch(round_no))
        for answer in (first, second):
            assert answer.status_code != 500, f"round {round_no}: {answer.text[:500]}"
            assert answer.headers["content-type"].startswith("application/json")
        if first.status_code == second.status_code == 200:
            results = [m["status"] for m in first.json()["results"]]
            assert results == ["applied"] * PER_PUSH, first.text[:500]
            assert first.json()["results"] == second.json()["results"], round_no
        else:
            failures.append(f"round {round_no}: {first.status_code} {second.status_code}")
    assert failures == []
    ids = {f"job-{seq}" for seq in range(1, ROUNDS * PER_PUSH + 1)}
    ws = server.workspaces["alpha"]
    with server.engine.connect() as conn:
        jobs = schema.replicated["label_jobs"]
        stored = set(conn.scalars(sa.select(jobs.c.id).where(jobs.c.workspace_id == ws)).all())
        logged = Counter(conn.scalars(sa.select(schema.mutations.c.mutation_id)).all())
        audited = Counter(
            conn.scalars(
                sa.select(schema.audit_log.c.subject).where(
                    schema.audit_log.c.action == "label.job"
                )
            ).all()
        )
    assert stored == ids
    assert logged == Counter({f"m-{seq}": 1 for seq in range(1, ROUNDS * PER_PUSH + 1)})
    assert audited == Counter(dict.fromkeys(ids, 1))
