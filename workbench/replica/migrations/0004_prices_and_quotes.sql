-- Currency rates and firm quotes (costing, issue: pricing service).
--
-- fx_rates: reference data like the cost master; every costing converts with the rate dated
-- on or before its costing date, so old rates are kept, never overwritten.
CREATE TABLE fx_rates (
    id              TEXT PRIMARY KEY,
    from_currency   TEXT NOT NULL,             -- 1 from_currency = rate to_currency
    to_currency     TEXT NOT NULL,
    rate            TEXT NOT NULL,             -- decimal text
    as_of           TEXT NOT NULL,             -- ISO date the rate was quoted
    source          TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX fx_rates_pair ON fx_rates (from_currency, to_currency, as_of);
CREATE INDEX fx_rates_version ON fx_rates (version);

-- Firm quotes, written only by the server's pricing service and replicated back to the
-- merchandisers: what was quoted, when, until when, and the rates it rests on.
CREATE TABLE quotes (
    id              TEXT PRIMARY KEY,
    quote_no        TEXT NOT NULL,             -- Q-2026-000123, numbered per workspace
    cost_sheet_id   TEXT,
    style_code      TEXT NOT NULL,
    brand_id        TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    cost_per_piece  TEXT NOT NULL,             -- decimal text, in currency
    price_per_piece TEXT NOT NULL,
    price_per_dozen TEXT NOT NULL,
    margin          TEXT NOT NULL,             -- fraction of the selling price
    costed_on       TEXT NOT NULL,             -- ISO date of the rates used
    valid_until     TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '{}',-- JSON: breakdown, rates, rule and FX used
    created_by      TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX quotes_cost_sheet ON quotes (cost_sheet_id);
CREATE INDEX quotes_version ON quotes (version);

-- Quotes asked for while offline: kept on this laptop and sent on reconnect. Not replicated.
CREATE TABLE quote_requests (
    id              TEXT PRIMARY KEY,
    cost_sheet_id   TEXT NOT NULL,
    request         TEXT NOT NULL,             -- JSON: the style, brand, quantity
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
    quote_id        TEXT,
    error           TEXT,
    created_at      TEXT NOT NULL
);
