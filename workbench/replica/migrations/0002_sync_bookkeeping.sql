-- Sync bookkeeping (architecture D2, D4): the pull cursor and other per-replica state, and the
-- outbox of local mutations not yet acknowledged by the server. A document write and its
-- outbox entry are committed in one transaction.

CREATE TABLE sync_state (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);

CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- the device's mutation number
    mutation_id     TEXT NOT NULL UNIQUE,
    table_name      TEXT NOT NULL,
    row_id          TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    payload         TEXT NOT NULL,                      -- JSON of the row as written
    base_version    INTEGER,                            -- the version the edit started from
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'rejected')),
    message         TEXT,                               -- why the server rejected it
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, seq);
