"""The published API contract (``/v1/openapi.json``) holds for the server, over real HTTP.

Schemathesis reads the document the server serves and sends what it describes, and what it
rules out, to a server on a loopback port, as a merchandiser, a floor user and an admin. Every
phase runs (the document's examples, the coverage of each constraint's edges, random fuzzing,
and stateful chains along the document's links) with every check Schemathesis has, save those
named in `CONFIG` with the reason. Seeded and bounded, so a run is repeatable and takes a
couple of minutes.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis

from sync.server import accounts
from sync.server.config import Limits, ServerConfig
from sync.server.db import create_schema, make_engine
from sync.server.openapi import openapi_document
from sync.server.serve import ServerThread
from tests.postgres import new_database
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server, material, write_rows

ROLES = ("merchandiser", "floor", "admin")
#: cases per operation and phase; the stateful phase runs as many chains of up to 6 calls
MAX_EXAMPLES = 30

#: The run's settings, as Schemathesis reads them from a schemathesis.toml. Each switch from
#: its defaults says why.
CONFIG = """
seed = 20261124
[generation]
deterministic = true
max-examples = %(max_examples)d
[phases.examples]
enabled = true
[phases.coverage]
enabled = true
[phases.fuzzing]
enabled = true
[phases.stateful]
enabled = true
max-steps = 6

# A missing or other X-Workbench-Protocol / X-Workbench-Schema is answered 426 Upgrade
# Required: the app is told to update (and apps in the field read that code). Schemathesis
# expects a 4xx from a fixed list for a missing header or a wrong value; 426 is added to it.
[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "406", "415", "422", "426"]
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                     "426", "428", "429", "5xx"]

# A well-formed cost sheet can still name a fabric, yarn or trim the workspace has no rates
# for: pricing it is refused as 422 cannot_price. What the workspace holds is no part of a
# schema, so 422 is an acceptable answer to a valid request here.
[[operations]]
include-path = "/v1/pricing/quote"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "422"]

# A batch's mutations must come in increasing seq order (what makes a replayed push
# harmless), and JSON Schema has no word for an order between items: the document says it
# in words, and the server answers a batch out of order 422 naming the mutation. And a number
# this device already used for another mutation (what a replica restored from a copy sends)
# is refused 409 mutation_seq_reused: which numbers were used is the server's state, no part
# of a schema, and the fuzzer sends seq 1 again and again with new ids.
[[operations]]
include-path = "/v1/push"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# Whether a Range lies inside a snapshot depends on the file's size, which is no part of a
# schema: a valid Range starting past the end is answered 416 (in the error shape).
[[operations]]
include-path = "/v1/snapshot/{name}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "416"]

# Whether an admin ordered the calling device wiped is the server's state, no part of a
# schema: a device with no wipe ordered that reports one is answered 409 no_wipe_ordered.
[[operations]]
include-path = "/v1/device/wiped"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "409", "422"]

# An upload's bytes are a spreadsheet or CSV file only to a reader of that format: the schema
# can say "binary", not "a readable .xlsx", so a generated file is refused as 422 (unreadable,
# or its rows invalid), which is the answer the contract documents for it.
[[operations]]
include-path = "/v1/import/{kind}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "422"]
"""

CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def contract_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server with one workspace, a user of each role and a few materials, on SQLite and on
    PostgreSQL (which stores less: no NUL in text, 32-bit INTEGER); long-polls end at once (a
    fuzzer's cursors are mostly in the future)."""
    folder = tmp_path_factory.mktemp("contract")
    if request.param == "sqlite":
        db = str(folder / "server.sqlite")
    else:
        db = new_database(request.getfixturevalue("postgres_server"))
    engine = make_engine(db)
    create_schema(engine)
    ws = accounts.create_workspace(engine, "alpha")
    for role in ROLES:
        accounts.add_user(engine, "alpha", f"{role}@alpha", PASSWORD, role, password_cost=FAST_HASH)
    write_rows(engine, ws, "materials", [material(f"FAB-{n}") for n in range(3)])
    # a fuzzer signs in wrong thousands of times and pushes faster than any laptop: its
    # server's limits are out of its way (tests/test_throttling.py holds them)
    config = ServerConfig(
        limits=Limits(
            signin_failures_per_account=10**6,
            signin_failures_per_address=10**6,
            push_per_minute=10**6,
            quote_per_minute=10**6,
            import_per_minute=10**6,
            serials_per_minute=10**6,
        )
    )
    with ServerThread(engine, folder / "snapshots", long_poll_s=0.05, config=config) as running:
        yield Server(engine, running.url, {"alpha": ws})
    engine.dispose()


@pytest.fixture(scope="module", params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def token(contract_server: Server, role: str) -> str:
    return contract_server.login(f"{role}@alpha")


#: the document as the server serves it (`test_the_served_document_is_the_one_tested` holds
#: them equal): loaded at import, so that each operation is a test of its own
schema = schemathesis.openapi.from_dict(
    openapi_document(), config=schemathesis.Config.from_str(CONFIG % {"max_examples": MAX_EXAMPLES})
)


def test_the_served_document_is_the_one_tested(contract_server: Server) -> None:
    with contract_server.client() as http:
        served = http.get("/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(openapi_document()))


@schema.parametrize()
@hypothesis.settings(deadline=None, database=None)
def test_every_operation_keeps_the_contract(
    case: schemathesis.Case, contract_server: Server, role: str, token: str
) -> None:
    CASES[role] += 1
    case.call_and_validate(
        base_url=contract_server.url, headers={"Authorization": f"Bearer {token}"}
    )


def test_chains_of_calls_keep_the_contract(contract_server: Server, role: str, token: str) -> None:
    """Stateful: a snapshot's name to its download, a page's ``next`` to the next page, the
    count's ``seq`` to the long-poll (the document's links)."""
    started = time.perf_counter()

    class Chains(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            CASES[f"{role} stateful"] += 1
            return {
                "base_url": contract_server.url,
                "headers": {"Authorization": f"Bearer {token}"},
            }

    Chains.run(
        settings=hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            stateful_step_count=6,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    print(f"stateful ({role}): {time.perf_counter() - started:.1f} s")


def test_report_the_run(role: str) -> None:
    """The counts of the run above, in the test log (pytest -s)."""
    print(f"{role}: {CASES[role]} cases, {CASES[role + ' stateful']} stateful calls")
