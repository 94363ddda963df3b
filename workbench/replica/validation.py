"""Checking a replicated row against the declaration, with a reason a person can act on.

Every way a row enters the workspace goes through `check_row`: a device's push, an import, the
admin's repair (`workbench-sync doctor`). The rules are the declaration's (`declaration.py`)
turned into one msgspec model per table, so the checking runs in C and the same models give
the API document its row schemas. What msgspec cannot say — that JSON text parses, that text
holds no lone surrogate — is checked after it.

A problem names the table, the row's id, the field and the value, because the person reading
it has to find that row in a file or on a laptop.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import GenericAlias
from typing import Any

import msgspec
import orjson

from workbench.replica.declaration import TABLES, Table, table
from workbench.replica.fields import Field

_AT_FIELD = re.compile(r"`\$\.([A-Za-z_0-9]+)`")
_NAMED_FIELD = re.compile(r"field `([^`]*)`")


@dataclass(frozen=True)
class RowProblem:
    """Why one row breaks the declaration."""

    table: str
    row_id: str | None
    field: str | None
    value: Any
    rule: str

    def __str__(self) -> str:
        where = f"{self.table} row {self.row_id or '(no id)'}"
        if self.field is None:
            return f"{where}: {self.rule}"
        return f"{where}: field {self.field!r} = {_shown(self.value)}: {self.rule}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "id": self.row_id,
            "field": self.field,
            "value": _jsonable(self.value),
            "rule": self.rule,
        }


@functools.cache
def row_type(name: str) -> type[msgspec.Struct]:
    """The typed model of a row of ``name``: every field with its constraints."""
    declared = table(name)
    return msgspec.defstruct(
        _title(declared),
        [f.struct_field() for f in declared.columns],
        kw_only=True,
        forbid_unknown_fields=True,
    )


def row_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of each replicated table's rows, by table name (for the API document)."""
    _, components = msgspec.json.schema_components([row_type(t.name) for t in TABLES])
    return {t.name: components[_title(t)] for t in TABLES}


def check_row(name: str, row: Mapping[str, Any]) -> RowProblem | None:
    """The first way ``row`` breaks table ``name``'s declaration, or None if it keeps it.

    ``version`` may be absent (the server stamps it); every other field the declaration
    requires without a default must be there.
    """
    declared = table(name)
    if any(type(k) is not str for k in row):  # a database row's keys may be str subclasses
        row = {str(k): v for k, v in row.items()}
    row_id = row.get("id") if isinstance(row.get("id"), str) else None
    texts = "\x01".join(v for v in row.values() if isinstance(v, str))
    if "\x00" in texts or not _encodable(texts):  # asked of all the text at once: cheap
        return _text_problem(name, row, row_id)
    try:
        msgspec.convert(row, row_type(name), strict=True)
    except msgspec.ValidationError as exc:
        return _problem(declared, row, row_id, str(exc))
    for f in _json_fields(name):
        value = row.get(f.name)
        if isinstance(value, str):
            problem = _json_problem(value, f.json_type)
            if problem:
                return RowProblem(name, row_id, f.name, value, problem)
    return None


@functools.cache
def _json_fields(name: str) -> tuple[Field, ...]:
    return tuple(f for f in table(name).columns if f.kind == "json")


def _text_problem(name: str, row: Mapping[str, Any], row_id: str | None) -> RowProblem | None:
    """The field whose text no column keeps: a lone surrogate, or a NUL character."""
    for key, value in row.items():  # before msgspec, which cannot even word this error
        if isinstance(value, str) and not _encodable(value):
            shown_id = row_id if row_id is None or _encodable(row_id) else None
            return RowProblem(
                name, shown_id, str(key), value, "is not valid text (it holds a lone surrogate)"
            )
        if isinstance(value, str) and "\x00" in value:
            return RowProblem(
                name, row_id, str(key), value, "holds a NUL character, which no column keeps"
            )
    return None


def check_fields(name: str, values: Mapping[str, Any]) -> list[RowProblem]:
    """Every way the given fields of a row break the declaration, each field on its own: for
    a partial row (an import's columns, an update) where `check_row` would also ask for the
    fields not given."""
    declared = table(name)
    row_id = values.get("id") if isinstance(values.get("id"), str) else None
    found: list[RowProblem] = []
    known = {f.name: f for f in declared.columns}
    for key, value in values.items():
        f = known.get(key)
        if f is None:
            found.append(RowProblem(name, row_id, key, value, f"{name} has no such field"))
            continue
        if value is None and f.default is not None:
            continue  # a new row takes the default
        row = {**_stand_in(declared), key: value}
        problem = check_row(name, row)
        if problem is not None and problem.field == key:
            found.append(RowProblem(name, row_id, key, value, problem.rule))
    return found


def check_column(name: str, field: str, values: list[Any]) -> dict[int, RowProblem]:
    """`check_fields` for one field over many rows at once (an import's column), by index.

    The whole column is decoded by the field's own msgspec type in one call; only when that
    fails, or a text holds what msgspec cannot see (NUL, a lone surrogate), are its values
    checked one by one with `check_fields`, so the wording and the rules are the same.
    """
    declared = table(name)
    if field not in {c.name for c in declared.columns}:
        return {
            i: RowProblem(name, None, field, v, f"{name} has no such field")
            for i, v in enumerate(values)
        }
    f = declared.field(field)
    present = values if f.default is None else [v for v in values if v is not None]
    clean = f.kind != "json"
    if clean:
        try:  # a column of text, as most are: joined as it is, without sorting out its texts
            joined = "\x1f".join(present)
        except TypeError:
            joined = "\x1f".join([v for v in present if isinstance(v, str)])
        clean = "\x00" not in joined and _encodable(joined)
    if clean:
        try:
            msgspec.convert(present, GenericAlias(list, f.annotation), strict=True)
            return {}
        except msgspec.ValidationError:
            pass
    found: dict[int, RowProblem] = {}
    seen: dict[Any, list[RowProblem]] = {}
    for index, value in enumerate(values):
        key = (type(value), value)
        if key not in seen:
            seen[key] = check_fields(name, {field: value})
        if seen[key]:
            found[index] = seen[key][0]
    return found


@functools.cache
def _stand_in(declared: Table) -> dict[str, Any]:
    """A row that keeps every rule, to check one field at a time against."""
    stand_in: dict[str, Any] = {}
    for f in declared.columns:
        if f.kind in ("integer", "flag"):
            stand_in[f.name] = max(f.low, 0)
        elif f.choices:
            stand_in[f.name] = f.choices[0]
        else:
            stand_in[f.name] = {
                "decimal": "0",
                "date": "2000-01-01",
                "timestamp": "2000-01-01T00:00:00Z",
                "json": "{}" if f.json_type == "object" else "[]",
            }.get(f.kind, "x")
    return stand_in


def _problem(declared: Table, row: Mapping[str, Any], row_id: str | None, msg: str) -> RowProblem:
    found = _AT_FIELD.search(msg) or _NAMED_FIELD.search(msg)
    field = found.group(1) if found else None
    rule = msg.split(" - at ", 1)[0]
    if field is not None and msg.startswith("Object missing required field"):
        return RowProblem(declared.name, row_id, field, None, "is required")
    if field is not None and msg.startswith("Object contains unknown field"):
        return RowProblem(
            declared.name, row_id, field, row.get(field), f"{declared.name} has no such field"
        )
    if field is not None and field in {f.name for f in declared.columns}:
        rule = _plain_rule(declared, field, rule)
    return RowProblem(declared.name, row_id, field, row.get(field) if field else None, rule)


def _plain_rule(declared: Table, name: str, rule: str) -> str:
    """msgspec's wording, said in the declaration's terms where it helps."""
    f = declared.field(name)
    if f.choices and rule.startswith("Invalid enum value"):
        return f"must be one of {', '.join(f.choices)}"
    if f.kind == "decimal" and "regex" in rule:
        sign = "" if f.signed else "not negative, "
        return f"must be a decimal number ({sign}a point for the decimal mark, no exponent)"
    if f.kind == "timestamp" and "regex" in rule:
        return "must be an ISO 8601 timestamp such as 2026-12-07T09:30:00Z"
    if f.kind == "date" and "date" in rule:
        return "must be a date written YYYY-MM-DD"
    if f.kind in ("integer", "flag") and ("<=" in rule or ">=" in rule):
        return f"must be a whole number from {f.low} to {f.high}"
    if rule.startswith("Expected `str` of length"):
        return f"is longer than {f.longest} characters"
    wrong = _WRONG_TYPE.match(rule)
    if wrong and wrong.group(1) == "null":
        return "is required"
    if wrong:
        wanted = "text" if f.kind != "integer" and f.kind != "flag" else "a whole number"
        return f"must be {wanted}, not {_NOUNS.get(wrong.group(1), wrong.group(1))}"
    return rule


_WRONG_TYPE = re.compile(r"^Expected `[^`]*`, got `(\w+)`$")
_NOUNS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number with a fraction",
    "bool": "true or false",
    "null": "empty",
    "array": "a list",
    "object": "an object",
}


def _json_problem(text: str, json_type: str | None) -> str | None:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return "is not valid JSON"
    if json_type == "object" and not isinstance(value, dict):
        return "must be a JSON object"
    if json_type == "array" and not isinstance(value, list):
        return "must be a JSON array"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _title(declared: Table) -> str:
    return "".join(part.title() for part in declared.name.split("_")) + "Row"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else repr(value)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:200]
