"""Mapping files: which columns of a file feed which of our fields, and how to read them.

A mapping is data (``resources/ingest/<kind>.json``), so a new export layout needs a new
mapping file, not new code; an admin passes their own with ``--mapping``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.ingest.values import Mark
from workbench.paths import resources_dir

#: the kinds of master data there is a shipped mapping for, in the order they depend on each
#: other (rates and orders name materials and brands; capacity and calendars name work centres)
KINDS = (
    "materials",
    "brands",
    "work_centres",
    "cost_rates",
    "margin_rules",
    "capacity",
    "calendars",
    "orders",
    "fx_rates",
)

TYPES = ("text", "int", "decimal", "fraction", "date", "choice", "reference")


class MappingError(WorkbenchError, ValueError):
    """The mapping file itself is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class FieldRule:
    name: str
    aliases: tuple[str, ...]
    type: str = "text"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    default: Any = None
    #: for choices: our value -> the spellings a file may use
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: for references: the table and the business-key column a file names a row by; the
    #: field holds that row's id once resolved (a cost rate's material code -> material_id)
    references: tuple[str, str] | None = None
    #: False for a column that only helps read others (SAP's weight unit GEWEI): not written
    store: bool = True
    #: numbers in a unit another column names, converted to this field's unit
    unit: UnitRule | None = None
    #: where the field's own column is missing or empty: read it from these text fields
    from_text: TextRule | None = None
    #: for choices: values whose choice comes from another field (SAP material types such as
    #: HALB, whose kind the material group tells)
    by_field: ByFieldRule | None = None
    #: for choices: values refused with a reason (SAP's DIEN: a service is not a material)
    refused: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitRule:
    """``"unit": {"field": "weight_unit", "to": "KG", "factors": {"G": "0.001", ...}}``: the
    value is in the unit the row's ``field`` names (or the column heading names: ``Gross
    weight (kg)``), multiplied by its factor."""

    field: str
    to: str
    factors: dict[str, Decimal]


@dataclass(frozen=True)
class TextRule:
    """``"from_text": {"fields": ["name"], "pattern": "(?P<value>\\d+) ?g/m²"}``."""

    fields: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ByFieldRule:
    """``"by_field": {"field": "category", "when": ["HALB"], "choices": {"yarn": ["YARN"]}}``:
    for the values in ``when``, the choice is the one ``field``'s value is spelt for."""

    field: str
    when: frozenset[str]
    choices: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Mapping:
    kind: str
    #: the business key: the fields that name one row (a material's code; a margin rule's
    #: brand, category, quantity break and start date)
    keys: tuple[str, ...]
    fields: tuple[FieldRule, ...]
    #: the files' decimal mark where the mapping knows it (an SAP system's user format);
    #: None: each file's numbers tell it, and a number nothing tells is rejected as ambiguous
    decimal_mark: Mark | None = None
    source: str = ""
    #: the table rows are written to (a kind's name unless the mapping says otherwise)
    table: str = ""

    def rule(self, name: str) -> FieldRule:
        return next(f for f in self.fields if f.name == name)

    def key_of(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values.get(k) for k in self.keys)

    @functools.cached_property
    def reference_fields(self) -> tuple[FieldRule, ...]:
        return tuple(f for f in self.fields if f.references)


def norm(text: str) -> str:
    """Lower case, whitespace runs as one space: how headings and choices are compared."""
    return " ".join(text.lower().split())


@functools.cache
def choice_spellings(choices: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """Every accepted spelling of a choice field, normalised -> our value (built once)."""
    found: dict[str, str] = {}
    for value, spellings in choices:
        for spelling in (value, *spellings):
            found.setdefault(norm(spelling), value)
    return found


def _rule(name: str, spec: dict[str, Any], source: str) -> FieldRule:
    kind = spec.get("type", "text")
    if kind not in TYPES:
        raise MappingError(f"{source}: field {name!r} has type {kind!r}; use one of {TYPES}")
    aliases = tuple(str(a) for a in spec.get("aliases", [])) or (name,)
    choices = {str(k): tuple(str(v) for v in vs) for k, vs in spec.get("choices", {}).items()}
    if kind == "choice" and not choices:
        raise MappingError(f"{source}: field {name!r} is a choice but lists no choices")
    unit = _unit(name, spec.get("unit"), source)
    from_text = None
    if "from_text" in spec:
        found = spec["from_text"]
        try:
            pattern = re.compile(found["pattern"], re.IGNORECASE)
        except (KeyError, TypeError, re.error) as exc:
            raise MappingError(
                f"{source}: field {name!r} has no usable from_text pattern ({exc})"
            ) from None
        if "value" not in pattern.groupindex:
            raise MappingError(
                f"{source}: field {name!r}: a from_text pattern names its number (?P<value>...)"
            )
        from_text = TextRule(tuple(found.get("fields", ["name"])), pattern)
    by_field = None
    if "by_field" in spec:
        found = spec["by_field"]
        by_field = ByFieldRule(
            str(found["field"]),
            frozenset(" ".join(str(w).lower().split()) for w in found["when"]),
            {str(k): tuple(str(v) for v in vs) for k, vs in found["choices"].items()},
        )
    references = None
    if kind == "reference":
        table, by = spec.get("table"), spec.get("by", "code")
        if not table:
            raise MappingError(f"{source}: field {name!r} is a reference but names no table")
        references = (str(table), str(by))
    return FieldRule(
        name=name,
        aliases=aliases,
        type=kind,
        required=bool(spec.get("required", False)),
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        max_length=spec.get("max_length"),
        default=spec.get("default"),
        choices=choices,
        references=references,
        store=bool(spec.get("store", True)),
        unit=unit,
        from_text=from_text,
        by_field=by_field,
        refused={str(k): str(v) for k, v in spec.get("refused", {}).items()},
    )


def _unit(name: str, spec: Any, source: str) -> UnitRule | None:
    if spec is None:
        return None
    try:
        factors = {str(k).upper(): Decimal(str(v)) for k, v in spec["factors"].items()}
        return UnitRule(str(spec["field"]), str(spec["to"]).upper(), factors)
    except (KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        raise MappingError(
            f"{source}: field {name!r}: a unit needs field, to and factors ({exc})"
        ) from None


def _decimal_mark(data: dict[str, Any], source: str) -> Mark | None:
    """``"decimal_mark": "comma"`` (or ``","``), ``"point"`` (``"."``) or absent."""
    given = data.get("decimal_mark")
    if given is None:
        return None
    found = {"comma": ",", ",": ",", "point": ".", ".": "."}.get(str(given).lower())
    if found is None:
        raise MappingError(f'{source}: decimal_mark is {given!r}; use "comma" or "point"')
    return found  # type: ignore[return-value]


def load_mapping(kind_or_path: str | Path) -> Mapping:
    """The shipped mapping for a kind (``"materials"``), or a mapping file by path."""
    path = Path(kind_or_path)
    if not path.suffix:
        path = resources_dir() / "ingest" / f"{kind_or_path}.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise MappingError(f"there is no mapping {path.name!r} ({path})") from None
    except ValueError as exc:
        raise MappingError(f"{path.name} is not valid JSON: {exc}") from None
    fields = tuple(_rule(name, spec, path.name) for name, spec in data.get("fields", {}).items())
    seen: dict[str, str] = {}
    for rule in fields:
        for alias in rule.aliases:
            other = seen.setdefault(" ".join(alias.lower().split()), rule.name)
            if other != rule.name:
                raise MappingError(
                    f"{path.name}: the heading {alias!r} is given for both "
                    f"{other!r} and {rule.name!r}"
                )
    key = data.get("key")
    keys = tuple(key) if isinstance(key, list) else (key,)
    names = {f.name for f in fields}
    for k in keys:
        if k not in names:
            raise MappingError(f"{path.name}: the key {k!r} is not one of its fields")
    for rule in fields:
        for named in (
            (rule.unit.field if rule.unit else None),
            (rule.by_field.field if rule.by_field else None),
            *(rule.from_text.fields if rule.from_text else ()),
        ):
            if named is not None and named not in names:
                raise MappingError(
                    f"{path.name}: field {rule.name!r} reads {named!r}, which is "
                    "not one of its fields"
                )
    kind = str(data.get("kind", path.stem))
    return Mapping(
        kind=kind,
        keys=keys,
        fields=fields,
        decimal_mark=_decimal_mark(data, path.name),
        source=path.name,
        table=str(data.get("table", kind)),
    )
