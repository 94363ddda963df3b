"""The declaration of the replicated tables is what a replica and the server actually hold:
a new replica's schema is the declared one, an old replica is rebuilt to it without losing a
row, the server's columns follow it, and whatever the server's validation accepts, every
replica's CHECKs accept too (else one accepted row would stop every laptop's pull)."""

from __future__ import annotations

import datetime
import json
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import protocol
from sync.server import schema
from workbench.replica import LATEST_VERSION, migrate, open_replica, validation
from workbench.replica.declaration import BY_NAME, TABLES
from workbench.replica.fields import INT32_MAX, Field


def _replica_schema(conn: sqlite3.Connection, table: str) -> list[str]:
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,)
    )
    return sorted(r[0] for r in found)


def test_a_new_replica_holds_exactly_the_declared_tables(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    for declared in TABLES:
        assert _replica_schema(replica.conn, declared.name) == sorted(declared.ddl())


def test_the_server_columns_follow_the_declaration() -> None:
    for declared in TABLES:
        server = schema.replicated[declared.name]
        assert [c.name for c in server.columns] == ["workspace_id"] + [
            f.name for f in declared.columns
        ]
        for f in declared.columns:
            column = server.c[f.name]
            assert column.nullable == (not f.required and f.name != "id")
            if isinstance(column.type, sa.Integer) and not isinstance(column.type, sa.BigInteger):
                # PostgreSQL's integer: a declared bound past it would fail there as a 500
                assert f.low >= -INT32_MAX - 1 and f.high <= INT32_MAX, f.name


def test_what_each_role_receives_comes_from_the_declaration() -> None:
    assert protocol.WITHHELD_TABLES["floor"] == {
        "cost_rates",
        "margin_rules",
        "cost_sheets",
        "fx_rates",
        "quotes",
        "proposals",
    }
    assert protocol.WITHHELD_COLUMNS["floor"] == {"materials": {"price"}, "orders": {"unit_price"}}
    assert protocol.pushable_tables("floor") == {"annotations", "label_jobs"}
    assert protocol.pushable_tables("merchandiser") == {
        "annotations",
        "label_jobs",
        "cost_sheets",
        "proposals",
    }


def test_an_old_replica_is_rebuilt_without_losing_a_row(tmp_path: Path) -> None:
    """A replica at the schema before the declaration, holding one row the declaration
    refuses: the rebuild keeps every good row with its values, and sets the bad one aside
    in quarantine instead of dropping it."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    migrate(conn, target=8)
    now = "2026-11-01T00:00:00Z"
    conn.execute(
        "INSERT INTO materials (id, code, name, material_type, category, uom, gsm, price, "
        "updated_at, version) VALUES ('good', 'FAB-1', 'Jersey', 'fabric', 'single jersey', "
        "'kg', 180, '412.50', ?, 7)",
        (now,),
    )
    conn.execute(
        "INSERT INTO materials (id, code, name, material_type, category, uom, gsm, updated_at) "
        "VALUES ('bad', 'FAB-2', 'Jersey', 'fabric', 'single jersey', 'kg', -180, ?)",
        (now,),
    )
    conn.execute(
        "INSERT INTO cost_sheets (id, style_code, body, updated_at) VALUES "
        "('sheet', 'TEE-1', '{\"sam\": 12.5}', ?)",
        (now,),
    )
    conn.commit()
    conn.close()

    replica = open_replica(path)
    c = replica.conn
    assert replica.schema_version == LATEST_VERSION
    good = dict(c.execute("SELECT * FROM materials WHERE id = 'good'").fetchone())
    assert (good["gsm"], good["price"], good["version"]) == (180, "412.50", 7)
    assert c.execute("SELECT body FROM cost_sheets").fetchone()[0] == '{"sam": 12.5}'
    assert c.execute("SELECT count(*) FROM materials WHERE id = 'bad'").fetchone()[0] == 0
    held = c.execute("SELECT table_name, row_id, row FROM quarantine").fetchall()
    assert [(r[0], r[1]) for r in held] == [("materials", "bad")]
    assert json.loads(held[0][2])["gsm"] == -180
    for declared in TABLES:
        assert _replica_schema(c, declared.name) == sorted(declared.ddl())
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- whatever the server accepts, a replica accepts ------------------------------------------

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.just("\ud800"),
    st.just("1e5"),
    st.just("2026-02-30"),
    st.just("{"),
)


def _valid(f: Field) -> st.SearchStrategy[Any]:
    if f.kind in ("integer", "flag"):
        return st.integers(f.low, f.high)
    if f.choices:
        return st.sampled_from(f.choices)
    if f.kind == "decimal":
        low = -(10**6) if f.signed else 0
        return st.decimals(low, 10**6, places=3).map(str)
    if f.kind == "date":
        return st.dates().map(datetime.date.isoformat)
    if f.kind == "timestamp":
        return st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if f.kind == "json":
        return st.sampled_from(["{}", "[]", '{"a": [1, 2.5]}', "[1]", "null", "[NaN]"])
    return st.text(max_size=min(f.longest, 30))


@st.composite
def _rows(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    declared = draw(st.sampled_from(TABLES))
    row: dict[str, Any] = {}
    for f in declared.columns:
        if draw(st.integers(0, 19)) == 0:
            row[f.name] = draw(_JUNK)
        else:
            row[f.name] = draw(_valid(f))
    return declared.name, row


@settings(
    max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_rows())
def test_a_row_the_server_accepts_fits_every_replica(drawn: tuple[str, dict[str, Any]]) -> None:
    table, row = drawn
    conn = _memory_replica()
    accepted = validation.check_row(table, row) is None
    columns = list(row)
    try:
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            list(row.values()),
        )
        stored = True
    except (sqlite3.IntegrityError, UnicodeEncodeError, OverflowError, sqlite3.ProgrammingError):
        stored = False
    finally:
        conn.rollback()
    if accepted:
        assert stored, f"the server accepts {table} {row}, a replica refuses it"


_CONN: list[sqlite3.Connection] = []


def _memory_replica() -> sqlite3.Connection:
    if not _CONN:
        conn = sqlite3.connect(":memory:")
        migrate(conn)
        _CONN.append(conn)
    return _CONN[0]


def test_every_declared_reference_names_a_replicated_table() -> None:
    for declared in TABLES:
        for f in declared.fields:
            if f.references:
                assert f.references in BY_NAME, f"{declared.name}.{f.name}"
