-- User documents (architecture D2, D4): written on laptops, offline or not, and pushed to the server
-- through the outbox. Same sync columns as reference data: version is the server change
-- sequence the local copy is based on (0 until the server has accepted it).

CREATE TABLE cost_sheets (
    id              TEXT PRIMARY KEY,
    style_code      TEXT NOT NULL,
    title           TEXT NOT NULL DEFAULT '',
    brand_id        TEXT,
    body            TEXT NOT NULL DEFAULT '{}',  -- JSON: the costing's inputs and parameters
    created_by      TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cost_sheets_version ON cost_sheets (version);

-- Notes on a material, append-only: an edit is a new note, so notes never conflict.
CREATE TABLE annotations (
    id              TEXT PRIMARY KEY,
    material_id     TEXT NOT NULL,
    body            TEXT NOT NULL,
    author          TEXT NOT NULL DEFAULT '',
    attachment_name TEXT,
    attachment_type TEXT,                        -- media type, e.g. image/jpeg
    attachment_b64  TEXT,                        -- the file, base64 (limited in size)
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX annotations_material ON annotations (material_id);
CREATE INDEX annotations_version ON annotations (version);

-- What the edit started from, field by field, so that the server can merge edits to
-- different fields instead of declaring a conflict.
ALTER TABLE outbox ADD COLUMN base TEXT;

-- Edits the server could not take because it had moved on: the user's version is kept here
-- until they choose to keep theirs (pushed again) or the server's.
CREATE TABLE conflicts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name      TEXT NOT NULL,
    row_id          TEXT NOT NULL,
    mine            TEXT NOT NULL,               -- JSON of the user's version
    theirs          TEXT,                        -- JSON of the server's row (NULL: deleted)
    created_at      TEXT NOT NULL
);
