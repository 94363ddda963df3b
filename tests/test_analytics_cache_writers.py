"""The dashboards' cache sees every commit to the replica, whoever made it: this thread's
connection, another thread's, another process's (a second copy of the app, the command line's
`workbench sync`), on a plain and on an encrypted replica; and it serves a result again without
asking the replica while nothing was committed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.analytics_examples import CURSOR, _reference_data, by
from workbench.analytics import Analytics
from workbench.replica import Replica, cipher, open_replica

ROOT = Path(__file__).resolve().parent.parent

#: what the other process runs: a sync page's worth of change written straight to the file,
#: PO-4 grown to 9,999 pieces and the cursor moved, in one transaction
OTHER_PROCESS = """
import sys
from workbench.replica.store import connect
path, key = sys.argv[1], sys.argv[2]
conn = connect(path, bytes.fromhex(key) if key else None)
conn.execute("BEGIN IMMEDIATE")
cursor = int(conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0])
conn.execute(
    "UPDATE orders SET quantity = 9999, version = ? WHERE order_no = 'PO-4'", (cursor + 1,)
)
conn.execute("UPDATE sync_state SET value = ? WHERE key = 'cursor'", (str(cursor + 1),))
conn.execute("COMMIT")
conn.close()
"""


@pytest.fixture(params=["plain", "encrypted"])
def replica(request: pytest.FixtureRequest, tmp_path: Path) -> Replica:
    key = cipher.new_key() if request.param == "encrypted" else None
    replica = open_replica(tmp_path / "r.sqlite", key)
    with replica.transaction() as conn:
        _reference_data(conn)
        replica.set_state("cursor", str(CURSOR), conn)
    return replica


def _po4_pieces(analytics: Analytics) -> int:
    rows = analytics.order_rows()
    return int(rows.set_index("order_no").loc["PO-4", "quantity"])


def test_a_commit_from_another_process_reaches_the_cached_dashboards(replica: Replica) -> None:
    analytics = Analytics(replica, keep_orders=False)
    first = analytics.order_history(by=["brand"])
    assert analytics.order_history(by=["brand"]) is first
    before = _po4_pieces(analytics)
    key = replica.key.hex() if replica.key is not None else ""
    subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, str(replica.path), key],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    again = analytics.order_history(by=["brand"])
    assert again is not first
    assert _po4_pieces(analytics) == 9999 != before
    assert by(again, "brand")["CSTL"]["pieces"] == by(first, "brand")["CSTL"]["pieces"] + (
        9999 - before
    )


def test_a_commit_on_another_threads_connection_reaches_the_cached_dashboards(
    replica: Replica,
) -> None:
    analytics = Analytics(replica, keep_orders=False)
    first = analytics.order_history(by=["brand"])
    assert analytics.order_history(by=["brand"]) is first

    def write() -> None:  # a worker's own connection, as a sync on a worker thread has
        with replica.transaction() as conn:
            conn.execute(
                "UPDATE orders SET quantity = 4321, version = ? WHERE order_no = 'PO-4'",
                (CURSOR + 1,),
            )
            replica.set_state("cursor", str(CURSOR + 1), conn)

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()
    assert analytics.order_history(by=["brand"]) is not first
    assert _po4_pieces(analytics) == 4321


def test_the_replica_closed_and_written_meanwhile_is_read_again(replica: Replica) -> None:
    """Closed, the replica's connections go and SQLite may delete the file that signalled
    commits; what is committed before it opens again is seen all the same."""
    analytics = Analytics(replica, keep_orders=False)
    first = analytics.order_history(by=["brand"])
    replica.close()
    other = Replica(replica.path, replica.key)
    with other.transaction() as conn:
        conn.execute(
            "UPDATE orders SET quantity = 77, version = ? WHERE order_no = 'PO-4'", (CURSOR + 1,)
        )
        other.set_state("cursor", str(CURSOR + 1), conn)
    other.close()
    assert analytics.order_history(by=["brand"]) is not first
    assert _po4_pieces(analytics) == 77


def test_nothing_committed_means_no_statement_to_answer_again(replica: Replica) -> None:
    """A cached dashboard answered again runs no statement on the replica: each one costs
    microseconds, more through SQLCipher's binding, and the desk asks for several at once."""
    analytics = Analytics(replica, keep_orders=False)
    first = analytics.order_history(by=["brand"])
    analytics.order_months()
    statements: list[str] = []
    replica.conn.set_trace_callback(statements.append)
    try:
        assert analytics.order_history(by=["brand"]) is first
        analytics.order_months()
    finally:
        replica.conn.set_trace_callback(None)
    assert statements == []
