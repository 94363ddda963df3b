-- Reference data authored on the central server and replicated to laptops (architecture D2).
-- Every replicated row carries id (UUID text), version (the server change sequence that last
-- wrote it), deleted (tombstone flag) and updated_at (ISO 8601, UTC).
-- Money is stored as decimal text so that no amount passes through binary floating point.

CREATE TABLE materials (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    material_type   TEXT NOT NULL CHECK (material_type IN ('yarn', 'fabric', 'trim')),
    category        TEXT NOT NULL,             -- single jersey, combed yarn, button ...
    composition     TEXT NOT NULL DEFAULT '',  -- 95% Cotton 5% Elastane
    construction    TEXT NOT NULL DEFAULT '',  -- 24G single knit, 2/1 twill 120x60 ...
    yarn_count      TEXT,                      -- Ne 30/1, 150D/48F ...
    gsm             INTEGER,
    width_cm        INTEGER,
    colour          TEXT NOT NULL DEFAULT '',
    shade_depth     TEXT,                      -- light, medium, dark
    dye_class       TEXT,                      -- reactive, disperse, vat, pigment, acid
    finish          TEXT NOT NULL DEFAULT '',
    certifications  TEXT NOT NULL DEFAULT '',  -- comma separated: GOTS,OEKO-TEX
    supplier        TEXT NOT NULL DEFAULT '',
    mill            TEXT NOT NULL DEFAULT '',
    uom             TEXT NOT NULL,             -- kg, m, pc
    price           TEXT,                      -- decimal text, per uom
    currency        TEXT NOT NULL DEFAULT 'INR',
    description     TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX materials_code ON materials (code);
CREATE INDEX materials_version ON materials (version);

CREATE TABLE cost_rates (
    id              TEXT PRIMARY KEY,
    rate_code       TEXT NOT NULL,
    process         TEXT NOT NULL,             -- yarn, knitting, weaving, dyeing, printing,
                                               -- embroidery, making, trim, finishing, overhead
    description     TEXT NOT NULL DEFAULT '',
    material_id     TEXT,                      -- set for rates tied to one material
    dye_class       TEXT,
    shade_depth     TEXT,
    technique       TEXT,                      -- rotary screen, digital, 24G single jersey ...
    basis           TEXT NOT NULL,             -- per kg, per m, per 1000 stitches, per minute ...
    rate            TEXT NOT NULL,             -- decimal text
    currency        TEXT NOT NULL DEFAULT 'INR',
    valid_from      TEXT NOT NULL,             -- ISO date
    source          TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cost_rates_material ON cost_rates (material_id);
CREATE INDEX cost_rates_process ON cost_rates (process);
CREATE INDEX cost_rates_version ON cost_rates (version);

CREATE TABLE work_centres (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    process         TEXT NOT NULL,             -- knitting, dyeing, printing, sewing ...
    mill            TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX work_centres_version ON work_centres (version);

CREATE TABLE capacity (
    id                  TEXT PRIMARY KEY,
    work_centre_id      TEXT NOT NULL,
    day                 TEXT NOT NULL,         -- ISO date
    minutes_available   INTEGER NOT NULL,
    minutes_booked      INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 0,
    deleted             INTEGER NOT NULL DEFAULT 0,
    updated_at          TEXT NOT NULL
);
CREATE INDEX capacity_centre_day ON capacity (work_centre_id, day);
CREATE INDEX capacity_version ON capacity (version);

CREATE TABLE brands (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    country         TEXT NOT NULL DEFAULT '',
    currency        TEXT NOT NULL DEFAULT 'USD',
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX brands_version ON brands (version);

CREATE TABLE margin_rules (
    id              TEXT PRIMARY KEY,
    brand_id        TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '*', -- product category the rule applies to
    method          TEXT NOT NULL CHECK (method IN ('margin', 'markup')),
    rate            TEXT NOT NULL,             -- decimal fraction: 0.28 = 28 %
    min_margin      TEXT,                      -- decimal fraction
    moq_from        INTEGER NOT NULL DEFAULT 0,-- the rule applies from this order quantity
    price_rounding  TEXT,                      -- round up to a multiple of this amount
    valid_from      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX margin_rules_brand ON margin_rules (brand_id);
CREATE INDEX margin_rules_version ON margin_rules (version);

CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    order_no        TEXT NOT NULL,
    brand_id        TEXT NOT NULL,
    style_code      TEXT NOT NULL,
    material_id     TEXT,
    season          TEXT NOT NULL DEFAULT '',  -- SS25, AW25 ...
    mill            TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL,
    uom             TEXT NOT NULL DEFAULT 'pc',
    unit_price      TEXT NOT NULL,             -- decimal text
    currency        TEXT NOT NULL DEFAULT 'USD',
    order_date      TEXT NOT NULL,
    promised_date   TEXT,
    delivered_date  TEXT,
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE INDEX orders_material ON orders (material_id);
CREATE INDEX orders_brand ON orders (brand_id);
CREATE INDEX orders_version ON orders (version);
