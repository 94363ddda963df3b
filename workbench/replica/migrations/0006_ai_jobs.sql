-- Requests to the AI provider waiting for a connection (proposal texts and images), and
-- their answers. Kept on this laptop only: what is shared is the proposal that uses them.
CREATE TABLE ai_jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('text', 'image')),
    prompt          TEXT NOT NULL,             -- style_description@v1
    subject_id      TEXT NOT NULL,             -- what it is for: a cost sheet, a proposal
    data            TEXT NOT NULL,             -- JSON: the facts the prompt is filled from
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
    result          TEXT,                      -- the text, or the image as base64
    model           TEXT,
    error           TEXT,
    created_at      TEXT NOT NULL,
    done_at         TEXT
);
CREATE INDEX ai_jobs_subject ON ai_jobs (subject_id, prompt);
