"""Bringing an existing server database up to this version's schema.

The server's tables follow the replica's migrations (`sync.server.schema`), and replica
migrations only ever add: new tables, new nullable or defaulted columns. So can the server:
missing tables are created, missing columns added (``ALTER TABLE … ADD COLUMN``) with the
replica's defaults, and missing indexes made; nothing is dropped or rewritten. Safe to run on
every start: a database already current costs one inspection. Two instances starting at once
may race to add the same column; the loser finds it there and carries on.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.server import schema


def _default_sql(value: str | int) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))


def upgrade_schema(engine: sa.Engine) -> list[str]:
    """Create what is missing; returns what was done, in words (empty: already current)."""
    done: list[str] = []
    inspector = sa.inspect(engine)
    existing = set(inspector.get_table_names())
    missing_tables = [t for t in schema.metadata.sorted_tables if t.name not in existing]
    if missing_tables:
        schema.metadata.create_all(engine, tables=missing_tables)
        done += [f"created table {t.name}" for t in missing_tables]
    preparer = engine.dialect.identifier_preparer
    for table in schema.metadata.sorted_tables:
        if table.name not in existing:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        defaults = schema.column_defaults.get(table.name, {})
        for column in table.columns:
            if column.name in have:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            sql = (
                f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN "
                f"{preparer.quote(column.name)} {kind}"
            )
            if column.name in defaults:
                sql += f" DEFAULT {_default_sql(defaults[column.name])}"
                if not column.nullable:
                    sql += " NOT NULL"
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(sql)
            except sa.exc.DBAPIError:
                if column.name not in {
                    c["name"] for c in sa.inspect(engine).get_columns(table.name)
                }:
                    raise
                continue  # another instance added it first
            done.append(f"added column {table.name}.{column.name}")
        indexed = {i["name"] for i in sa.inspect(engine).get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexed:
                index.create(engine, checkfirst=True)
                done.append(f"created index {index.name}")
    return done
