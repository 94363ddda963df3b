"""A sync client process for the fault tests: it works until it is killed (SIGKILL).

    python -m tests.fault_worker push|pull REPLICA URL   (token in WORKBENCH_TOKEN)

``push``: writes cost sheets and edits in a loop, syncing after each round. ``pull``: pulls
the change feed in small pages. It prints ``go`` once it is under way, so the test kills it
in the middle of real work rather than during start-up.
"""

from __future__ import annotations

import os
import random
import sys

from sync.client import SyncClient
from workbench import documents
from workbench.replica import open_replica


def main() -> None:
    mode, path, url = sys.argv[1:4]
    replica = open_replica(path)
    client = SyncClient(replica, url, os.environ["WORKBENCH_TOKEN"], page_rows=50, backoff_s=0.05)
    rng = random.Random()
    print("go", flush=True)
    if mode == "pull":
        client.pull()
        print("done", flush=True)
        return
    while True:
        for _ in range(rng.randrange(1, 6)):
            documents.save_document(
                replica, "cost_sheets", {"style_code": f"ST-{rng.randrange(10**6)}"}
            )
        existing = [
            r[0]
            for r in replica.conn.execute(
                "SELECT id FROM cost_sheets WHERE deleted = 0 ORDER BY random() LIMIT 2"
            )
        ]
        for sheet_id in existing:
            documents.save_document(
                replica, "cost_sheets", {"id": sheet_id, "title": f"rev {rng.randrange(1000)}"}
            )
        client.sync()


if __name__ == "__main__":
    main()
