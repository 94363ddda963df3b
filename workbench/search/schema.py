"""The tantivy schema for materials, and how a replica row becomes a search document.

Three kinds of field: analysed text (lower-cased words) for the query words, one per material
column so ``composition:viscose`` can target a column, plus ``all`` holding every text column
so typo and prefix expansion runs over one term dictionary instead of twelve; raw keyword fields
(``*_f``) for facet filters and counts; and fast numeric fields for ranges and sorting.

The index holds no money. Its files sit beside the replica unencrypted, so no cost, price or
margin goes into them: sorting by price is done in SQL over the (encrypted) replica instead
(see `workbench.search.service`). ``description`` is free text from the material master and is
indexed as it is; it is not meant to carry prices, but the index cannot tell if one does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tantivy

#: Bumped when the schema or the document layout changes: older indexes are rebuilt.
#: 2: the ``price`` field is gone (format 1 held each material's price as a fast float).
INDEX_FORMAT = 2

#: Material columns indexed as analysed text, each also searchable on its own.
TEXT_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "material_type",
    "category",
    "composition",
    "construction",
    "yarn_count",
    "colour",
    "finish",
    "certifications",
    "dye_class",
    "supplier",
    "mill",
    "description",
)

#: Facet fields (raw keywords, fast for counting): field name -> material column.
FACET_FIELDS: dict[str, str] = {
    "type_f": "material_type",
    "cert_f": "certifications",
    "supplier_f": "supplier",
}

#: Columns that sort through the index's fast fields: sort column -> fast field. Any other
#: column of ``SORTABLE`` (price among them) is sorted in SQL over every match.
FAST_SORT: dict[str, str] = {
    "code": "code_key",
    "name": "name_key",
    "supplier": "supplier_f",
    "material_type": "type_f",
    "gsm": "gsm",
    "width_cm": "width_cm",
}


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("code_key", fast=True, tokenizer_name="raw")  # exact code, lower case
    sb.add_text_field("name_key", fast=True, tokenizer_name="raw")  # for sorting by name
    sb.add_text_field("all")
    for column in TEXT_COLUMNS:
        sb.add_text_field(column)
    for field in FACET_FIELDS:
        sb.add_text_field(field, fast=True, tokenizer_name="raw")
    sb.add_integer_field("gsm", indexed=True, fast=True)
    sb.add_integer_field("width_cm", indexed=True, fast=True)
    return sb.build()


SCHEMA = build_schema()


def to_document(row: Mapping[str, Any]) -> tantivy.Document:
    """A search document for one live material row."""
    doc = tantivy.Document()
    doc.add_text("id", row["id"])
    doc.add_text("code_key", (row["code"] or "").lower())
    doc.add_text("name_key", (row["name"] or "").lower())
    parts: list[str] = []
    for column in TEXT_COLUMNS:
        value = row.get(column)
        if value:
            text = str(value).replace(",", " ") if column == "certifications" else str(value)
            doc.add_text(column, text)
            parts.append(text)
    doc.add_text("all", " ".join(parts))
    doc.add_text("type_f", row["material_type"] or "")
    for cert in (row.get("certifications") or "").split(","):
        if cert:
            doc.add_text("cert_f", cert)
    doc.add_text("supplier_f", row.get("supplier") or "")
    if row.get("gsm") is not None:
        doc.add_integer("gsm", int(row["gsm"]))
    if row.get("width_cm") is not None:
        doc.add_integer("width_cm", int(row["width_cm"]))
    return doc
