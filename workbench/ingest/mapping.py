"""Mapping files: which columns of a file feed which of our fields, and how to read them.

A mapping is data (``resources/ingest/<kind>.json``), so a new export layout needs a new
mapping file, not new code; an admin passes their own with ``--mapping``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.paths import resources_dir

TYPES = ("text", "int", "decimal", "date", "choice")


class MappingError(ValueError):
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
    default: str | None = None
    #: for choices: our value -> the spellings a file may use
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    kind: str
    key: str
    fields: tuple[FieldRule, ...]
    #: a lone comma in numbers is the decimal separator (SAP's German format); None guesses
    decimal_comma: bool | None = None
    source: str = ""

    def rule(self, name: str) -> FieldRule:
        return next(f for f in self.fields if f.name == name)


def _rule(name: str, spec: dict[str, Any], source: str) -> FieldRule:
    kind = spec.get("type", "text")
    if kind not in TYPES:
        raise MappingError(f"{source}: field {name!r} has type {kind!r}; use one of {TYPES}")
    aliases = tuple(str(a) for a in spec.get("aliases", [])) or (name,)
    choices = {str(k): tuple(str(v) for v in vs) for k, vs in spec.get("choices", {}).items()}
    if kind == "choice" and not choices:
        raise MappingError(f"{source}: field {name!r} is a choice but lists no choices")
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
    )


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
    key = data.get("key")
    if key not in {f.name for f in fields}:
        raise MappingError(f"{path.name}: the key {key!r} is not one of its fields")
    return Mapping(
        kind=str(data.get("kind", path.stem)),
        key=key,
        fields=fields,
        decimal_comma=data.get("decimal_comma"),
        source=path.name,
    )
