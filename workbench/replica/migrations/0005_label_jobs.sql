-- Label print jobs (the floor's label station): a synced document written before a job
-- prints and updated when it has printed, so no job is lost and every job reaches the
-- server's audit trail.
CREATE TABLE label_jobs (
    id              TEXT PRIMARY KEY,
    template        TEXT NOT NULL,             -- resources/labels/<template>.json
    printer         TEXT NOT NULL DEFAULT '',  -- 'pdf:<path>', 'zpl://host:port', a Qt printer name
    copies          INTEGER NOT NULL DEFAULT 1,
    items           TEXT NOT NULL DEFAULT '[]',-- JSON: the labels (lot, order, GTIN or code …)
    state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'printed', 'failed')),
    error           TEXT,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    printed_at      TEXT,
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX label_jobs_state ON label_jobs (state);
CREATE INDEX label_jobs_version ON label_jobs (version);
