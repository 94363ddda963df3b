"""The one declaration of every replicated table.

Each `Table` below says what its rows hold (`Field`s: types, emptiness, ranges, allowed
values, references), who authors it (the server, or devices through their outbox), which
roles may write it and which receive it at all. Everything else is derived from here:

- the replica's tables, CHECKs and indexes (`Table.ddl`; existing replicas are brought to it
  by `workbench.replica.converge`);
- the server's tables (`sync.server.schema`) and its defaults for imported rows;
- the validation of every pushed row and every imported row (`workbench.replica.validation`);
- what reaches each role's replica (`sync.protocol`: floor staff never receive costs,
  margins or prices);
- the row schemas of the sync API document.

Changing a replicated table means changing it here and adding a numbered migration that
converges (see `workbench/replica/migrations/0009_declared_tables.py`), so that the schema
version laptops and server compare moves with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from workbench.replica.fields import INT64_MAX, Field

Role = Literal["merchandiser", "floor", "admin"]
ROLES: tuple[Role, ...] = ("merchandiser", "floor", "admin")
EVERYONE: frozenset[str] = frozenset(ROLES)
DESK: frozenset[str] = frozenset({"merchandiser", "admin"})
NO_FLOOR = frozenset({"floor"})

#: Columns every replicated row carries and the server stamps (architecture D2).
SYNC_COLUMNS: tuple[str, ...] = ("id", "version", "deleted", "updated_at")


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]

    def ddl(self, table: str) -> str:
        return f"CREATE INDEX {self.name} ON {table} ({', '.join(self.columns)})"


@dataclass(frozen=True)
class Table:
    name: str
    #: the table's own fields, in column order (the sync columns are added around them)
    fields: tuple[Field, ...]
    #: "server": reference data, authored on the server and read-only on laptops;
    #: "device": user documents, written on laptops and pushed through the outbox
    authored_by: Literal["server", "device"] = "server"
    #: roles that may push rows of this table (devices' documents only)
    writers: frozenset[str] = frozenset()
    #: roles whose replicas hold this table at all
    readers: frozenset[str] = EVERYONE
    #: rows are only ever added: never edited or deleted, so they cannot conflict
    append_only: bool = False
    indexes: tuple[Index, ...] = ()
    #: the replica schema that added the table: an app on an older schema (inside the server's
    #: version window) has no such table, so it is neither counted nor sent to that app
    since: int = 1

    def __post_init__(self) -> None:
        if self.writers - self.readers:
            raise ValueError(f"{self.name}: a role cannot write a table it does not receive")
        if self.writers and self.authored_by != "device":
            raise ValueError(f"{self.name}: only device documents are written by roles")

    @property
    def columns(self) -> tuple[Field, ...]:
        """Every column in table order: ``id``, the table's fields, then the sync columns."""
        return (
            Field("id", max_length=100),
            *self.fields,
            Field("version", "integer", default=0, minimum=0, maximum=INT64_MAX),
            Field("deleted", "flag", default=0),
            Field("updated_at", "timestamp"),
        )

    def field(self, name: str) -> Field:
        for f in self.columns:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def withheld_columns(self, role: str) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if role in f.withheld_from)

    def ddl(self) -> list[str]:
        """The statements that create this table and its indexes in a replica."""
        columns = ",\n    ".join(f.ddl(primary_key=(f.name == "id")) for f in self.columns)
        create = f"CREATE TABLE {self.name} (\n    {columns}\n)"
        return [create, *(i.ddl(self.name) for i in self.indexes)]


def _table(
    name: str,
    *fields: Field,
    indexes: tuple[Index, ...] = (),
    authored_by: Literal["server", "device"] = "server",
    writers: frozenset[str] = frozenset(),
    readers: frozenset[str] = EVERYONE,
    append_only: bool = False,
    since: int = 1,
) -> Table:
    """A table with its ``<name>_version`` index, which every change page reads by."""
    return Table(
        name,
        fields,
        authored_by,
        writers,
        readers,
        append_only,
        (*indexes, Index(f"{name}_version", ("version",))),
        since,
    )


def _currency(name: str, default: str | None = None) -> Field:
    return Field(name, default=default, max_length=3, note="ISO 4217 code")


#: Prices are costs: floor replicas receive them empty (architecture D6).
PRICE_WITHHELD = NO_FLOOR

TABLES: tuple[Table, ...] = (
    _table(
        "materials",
        Field("code", max_length=100),
        Field("name", max_length=500),
        Field("material_type", choices=("yarn", "fabric", "trim")),
        Field("category", max_length=200, note="single jersey, combed yarn, button ..."),
        Field("composition", default="", max_length=500, note="95% Cotton 5% Elastane"),
        Field("construction", default="", max_length=500),
        Field("yarn_count", required=False, max_length=100, note="Ne 30/1, 150D/48F ..."),
        Field("gsm", "integer", required=False, minimum=1, maximum=5000),
        Field("width_cm", "integer", required=False, minimum=1, maximum=1000),
        Field("colour", default="", max_length=200),
        Field("shade_depth", required=False, max_length=50, note="light, medium, dark"),
        Field("dye_class", required=False, max_length=50, note="reactive, disperse, vat ..."),
        Field("finish", default="", max_length=500),
        Field("certifications", default="", max_length=500, note="comma separated"),
        Field("supplier", default="", max_length=500),
        Field("mill", default="", max_length=500),
        Field("uom", max_length=20, note="kg, m, pc"),
        Field("price", "decimal", required=False, withheld_from=PRICE_WITHHELD, note="per uom"),
        _currency("currency", "INR"),
        Field("description", default="", max_length=10_000),
        Field(
            "gross_weight_kg",
            "decimal",
            required=False,
            note="per uom, packed (SAP BRGEW, converted from GEWEI)",
        ),
        Field(
            "net_weight_kg",
            "decimal",
            required=False,
            note="per uom (SAP NTGEW, converted from GEWEI)",
        ),
        indexes=(Index("materials_code", ("code",)),),
    ),
    _table(
        "cost_rates",
        Field("rate_code", max_length=100),
        Field("process", max_length=100, note="yarn, knitting, dyeing, making, overhead ..."),
        Field("description", default="", max_length=2_000),
        Field(
            "material_id",
            required=False,
            references="materials",
            note="set for rates tied to one material",
        ),
        Field("dye_class", required=False, max_length=50),
        Field("shade_depth", required=False, max_length=50),
        Field("technique", required=False, max_length=200),
        Field("basis", max_length=100, note="per kg, per m, per minute ..."),
        Field("rate", "decimal"),
        _currency("currency", "INR"),
        Field("valid_from", "date"),
        Field("source", default="", max_length=500),
        readers=EVERYONE - NO_FLOOR,
        indexes=(
            Index("cost_rates_material", ("material_id",)),
            Index("cost_rates_process", ("process",)),
        ),
    ),
    _table(
        "work_centres",
        Field("code", max_length=100),
        Field("name", max_length=500),
        Field("process", max_length=100, note="knitting, dyeing, printing, sewing ..."),
        Field("mill", default="", max_length=500),
    ),
    _table(
        "capacity",
        Field("work_centre_id", references="work_centres"),
        Field("day", "date"),
        Field("minutes_available", "integer", minimum=0, maximum=10_000_000),
        Field("minutes_booked", "integer", default=0, minimum=0, maximum=10_000_000),
        indexes=(Index("capacity_centre_day", ("work_centre_id", "day")),),
    ),
    _table(
        "calendar_days",
        Field(
            "work_centre_id",
            required=False,
            references="work_centres",
            note="the centre the day is for; empty: every centre",
        ),
        Field("day", "date"),
        Field("kind", choices=("holiday", "half_day", "shifts")),
        Field(
            "share",
            "decimal",
            required=False,
            note="share of a full working day the centre works: 0 closed, 0.5 half a day, "
            "2 a second shift; empty: 0 for a holiday, 0.5 for a half day, 1 for shifts",
        ),
        Field("name", default="", max_length=200, note="Diwali, Saturday half day ..."),
        indexes=(Index("calendar_days_centre_day", ("work_centre_id", "day")),),
        since=11,
    ),
    _table(
        "brands",
        Field("code", max_length=100),
        Field("name", max_length=500),
        Field("country", default="", max_length=100),
        _currency("currency", "USD"),
    ),
    _table(
        "margin_rules",
        Field("brand_id", references="brands"),
        Field("category", default="*", max_length=200, note="product category the rule applies to"),
        Field("method", choices=("margin", "markup")),
        Field("rate", "decimal", note="fraction: 0.28 = 28 %"),
        Field("min_margin", "decimal", required=False),
        Field(
            "moq_from",
            "integer",
            default=0,
            minimum=0,
            maximum=1_000_000_000,
            note="the rule applies from this order quantity",
        ),
        Field("price_rounding", "decimal", required=False),
        Field("valid_from", "date"),
        readers=EVERYONE - NO_FLOOR,
        indexes=(Index("margin_rules_brand", ("brand_id",)),),
    ),
    _table(
        "orders",
        Field("order_no", max_length=100),
        Field("brand_id", references="brands"),
        Field("style_code", max_length=100),
        Field("material_id", required=False, references="materials"),
        Field("season", default="", max_length=50, note="SS25, AW25 ..."),
        Field("mill", default="", max_length=500),
        Field("quantity", "integer", minimum=0, maximum=1_000_000_000),
        Field("uom", default="pc", max_length=20),
        Field("unit_price", "decimal", required=False, withheld_from=PRICE_WITHHELD),
        _currency("currency", "USD"),
        Field("order_date", "date"),
        Field("promised_date", "date", required=False),
        Field("delivered_date", "date", required=False),
        indexes=(Index("orders_material", ("material_id",)), Index("orders_brand", ("brand_id",))),
    ),
    _table(
        "fx_rates",
        _currency("from_currency"),
        _currency("to_currency"),
        Field("rate", "decimal", note="1 from_currency = rate to_currency"),
        Field("as_of", "date"),
        Field("source", default="", max_length=500),
        readers=EVERYONE - NO_FLOOR,
        indexes=(Index("fx_rates_pair", ("from_currency", "to_currency", "as_of")),),
    ),
    _table(
        "quotes",
        Field("quote_no", max_length=100, note="Q-2026-000123, numbered per workspace"),
        Field("cost_sheet_id", required=False, references="cost_sheets"),
        Field("style_code", max_length=100),
        Field("brand_id", references="brands"),
        Field("quantity", "integer", minimum=1, maximum=1_000_000_000),
        _currency("currency"),
        Field("cost_per_piece", "decimal"),
        Field("price_per_piece", "decimal"),
        Field("price_per_dozen", "decimal"),
        Field("margin", "decimal", signed=True, note="fraction of the selling price"),
        Field("costed_on", "date"),
        Field("valid_until", "date"),
        Field("body", "json", default="{}", json_type="object"),
        Field("created_by", default="", max_length=200),
        readers=EVERYONE - NO_FLOOR,
        indexes=(Index("quotes_cost_sheet", ("cost_sheet_id",)),),
    ),
    _table(
        "cost_sheets",
        Field("style_code", max_length=100),
        Field("title", default="", max_length=500),
        Field("brand_id", required=False, references="brands"),
        Field(
            "body",
            "json",
            default="{}",
            json_type="object",
            note="the costing's inputs and parameters",
        ),
        Field("created_by", default="", max_length=200),
        Field("season", default="", max_length=50, note="SS27, AW27 ..."),
        Field("status", default="draft", choices=("draft", "submitted", "approved")),
        Field(
            "revision",
            "integer",
            default=1,
            minimum=1,
            maximum=10_000,
            note="1, 2, 3 ... within its family: each saved as a new version",
        ),
        Field(
            "family_id",
            required=False,
            max_length=100,
            note="the id of the family's first sheet (empty: the sheet is the first)",
        ),
        authored_by="device",
        writers=DESK,
        readers=EVERYONE - NO_FLOOR,
        indexes=(Index("cost_sheets_family", ("family_id",)),),
    ),
    _table(
        "annotations",
        Field("material_id", references="materials"),
        Field("body", max_length=20_000),
        Field("author", default="", max_length=200),
        Field("attachment_name", required=False, max_length=500),
        Field("attachment_type", required=False, max_length=200, note="media type"),
        Field(
            "attachment_b64",
            required=False,
            max_length=6_000_000,
            note="the file, base64 (4 MB at most)",
        ),
        authored_by="device",
        writers=EVERYONE,
        append_only=True,
        indexes=(Index("annotations_material", ("material_id",)),),
    ),
    _table(
        "label_jobs",
        Field("template", max_length=200, note="resources/labels/<template>.json"),
        Field(
            "printer",
            default="",
            max_length=1_000,
            note="pdf:<path>, zpl://host:port or a printer's name",
        ),
        Field("copies", "integer", default=1, minimum=1, maximum=10_000),
        Field(
            "items",
            "json",
            default="[]",
            json_type="array",
            note="the labels: lot, order, GTIN or code ...",
        ),
        Field("state", default="queued", choices=("queued", "printed", "failed")),
        Field("error", required=False, max_length=2_000),
        Field("created_by", default="", max_length=200),
        Field("created_at", "timestamp"),
        Field("printed_at", "timestamp", required=False),
        authored_by="device",
        writers=EVERYONE,
        indexes=(Index("label_jobs_state", ("state",)),),
    ),
    _table(
        "proposals",
        Field("title", max_length=500),
        Field("brand_id", required=False, references="brands"),
        Field(
            "body", "json", default="{}", json_type="object", note="cost sheet ids, terms, options"
        ),
        Field("state", default="draft", choices=("draft", "issued")),
        Field("pdf_sha256", required=False, max_length=64),
        Field("issued_at", "timestamp", required=False),
        Field("created_by", default="", max_length=200),
        authored_by="device",
        writers=DESK,
        readers=EVERYONE - NO_FLOOR,
    ),
)

#: The declaration by table name, in dependency-friendly order.
BY_NAME: Mapping[str, Table] = {t.name: t for t in TABLES}

#: Reference data: authored on the server (imports, admin edits), read-only on laptops.
REFERENCE_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.authored_by == "server")
#: User documents: written on laptops and pushed through the outbox.
DOCUMENT_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.authored_by == "device")
#: Documents that are only ever added, never edited: they cannot conflict.
APPEND_ONLY_TABLES: frozenset[str] = frozenset(t.name for t in TABLES if t.append_only)
#: Every table whose rows carry id / version / deleted / updated_at and replicate.
REPLICATED_TABLES: tuple[str, ...] = REFERENCE_TABLES + DOCUMENT_TABLES


def table(name: str) -> Table:
    """The declaration of a replicated table (KeyError names it if there is none)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a replicated table") from None


def row_schemas() -> dict[str, dict[str, object]]:
    """JSON Schema of each table's rows, from the typed models (for the API document)."""
    from workbench.replica.validation import row_schemas as schemas

    return schemas()
