-- Buyer proposals, synced documents: the styles chosen, the brand, and once issued, the
-- PDF's SHA-256 (the server records the issue in its audit trail).
CREATE TABLE proposals (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    brand_id        TEXT,
    body            TEXT NOT NULL DEFAULT '{}',  -- JSON: cost sheet ids, terms, options
    state           TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'issued')),
    pdf_sha256      TEXT,
    issued_at       TEXT,
    created_by      TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX proposals_version ON proposals (version);
