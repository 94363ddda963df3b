-- Floor replicas receive order history without prices (architecture D6): unit_price arrives as
-- NULL there, so the column may be empty. SQLite cannot relax a NOT NULL constraint in
-- place: the table is rebuilt with the same columns, rows and indexes.
CREATE TABLE orders_rebuilt (
    id              TEXT PRIMARY KEY,
    order_no        TEXT NOT NULL,
    brand_id        TEXT NOT NULL,
    style_code      TEXT NOT NULL,
    material_id     TEXT,
    season          TEXT NOT NULL DEFAULT '',
    mill            TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL,
    uom             TEXT NOT NULL DEFAULT 'pc',
    unit_price      TEXT,                      -- decimal text; NULL where the role sees no prices
    currency        TEXT NOT NULL DEFAULT 'USD',
    order_date      TEXT NOT NULL,
    promised_date   TEXT,
    delivered_date  TEXT,
    version         INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
INSERT INTO orders_rebuilt SELECT id, order_no, brand_id, style_code, material_id, season, mill,
    quantity, uom, unit_price, currency, order_date, promised_date, delivered_date, version,
    deleted, updated_at FROM orders;
DROP TABLE orders;
ALTER TABLE orders_rebuilt RENAME TO orders;
CREATE INDEX orders_material ON orders (material_id);
CREATE INDEX orders_brand ON orders (brand_id);
CREATE INDEX orders_version ON orders (version);
