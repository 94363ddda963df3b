"""What a replicated column may hold, said once and read three ways.

A `Field` is one column of a replicated table: its kind (text, whole number, decimal text,
date, timestamp, JSON text, flag), whether it may be empty, its default, its allowed values or
range, the table its ids point at, and the roles that receive it empty. From that one
statement come

- the replica's column definition with its CHECK clauses (`Field.ddl`), so a laptop's SQLite
  refuses what the server would refuse;
- the typed model the server decodes pushed rows with (`Field.annotation`, a msgspec type
  with its constraints), whose JSON Schema is the row's schema in the API document;
- the server's column (`Field.server_type`).

The Python rules are never looser than the SQL ones: anything the server accepts, every
replica's CHECKs accept too. A row the server took and a replica then refused would stop
every laptop's sync at that row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

Kind = Literal["text", "integer", "decimal", "date", "timestamp", "json", "flag"]

#: The server stores whole numbers as PostgreSQL ``integer`` (4 bytes) unless a column says
#: otherwise; a value past this would fail there, so it is refused before.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

#: Decimal text as every amount, rate and fraction is stored: no exponent, no thousands mark,
#: a point for the decimal mark; at most 18 digits before it and 12 after.
DECIMAL_PATTERN = r"^-?[0-9]{1,18}(\.[0-9]{1,12})?$"
UNSIGNED_DECIMAL_PATTERN = r"^[0-9]{1,18}(\.[0-9]{1,12})?$"
#: ISO 8601 timestamps: a date, then optionally a time with seconds, fraction and offset.
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)

#: Longest text any column takes unless it says otherwise (names, codes, notes).
TEXT_MAX = 2_000
#: JSON documents (a cost sheet's inputs, a label job's items) and attachments.
DOCUMENT_MAX = 8_000_000


@dataclass(frozen=True)
class Field:
    """One column of a replicated table (see the module docstring for what reads it)."""

    name: str
    kind: Kind = "text"
    #: NOT NULL: a row must carry a value (the default counts)
    required: bool = True
    #: the value a row gets when it leaves the field out (the replica's DEFAULT clause)
    default: str | int | None = None
    #: the only values allowed (text fields)
    choices: tuple[str, ...] = ()
    #: inclusive bounds (integer fields)
    minimum: int | None = None
    maximum: int | None = None
    #: longest text, in characters
    max_length: int | None = None
    #: decimal fields: whether a minus sign is allowed
    signed: bool = False
    #: JSON fields: the document's top-level type
    json_type: Literal["object", "array"] | None = None
    #: the replicated table whose ``id`` this field holds (checked when a device pushes)
    references: str | None = None
    #: roles whose replicas receive this field empty (it must then be nullable)
    withheld_from: frozenset[str] = frozenset()
    #: a short note kept beside the column in the replica's schema
    note: str = ""

    def __post_init__(self) -> None:
        if self.withheld_from and self.required:
            raise ValueError(f"{self.name}: a field withheld from a role must be nullable")
        if self.choices and self.default is not None and self.default not in self.choices:
            raise ValueError(f"{self.name}: default {self.default!r} is not one of its choices")

    # -- bounds -------------------------------------------------------------------------

    @property
    def low(self) -> int:
        if self.minimum is not None:
            return self.minimum
        return 0 if self.kind == "flag" else -INT32_MAX - 1

    @property
    def high(self) -> int:
        if self.maximum is not None:
            return self.maximum
        return 1 if self.kind == "flag" else INT32_MAX

    @property
    def longest(self) -> int:
        if self.max_length is not None:
            return self.max_length
        return {"json": DOCUMENT_MAX, "decimal": 40, "timestamp": 40, "date": 10}.get(
            self.kind, TEXT_MAX
        )

    # -- the replica ---------------------------------------------------------------------

    @property
    def sql_type(self) -> str:
        return "INTEGER" if self.kind in ("integer", "flag") else "TEXT"

    def checks(self) -> list[str]:
        """SQL conditions every value must meet (NULL passes, as in any CHECK)."""
        n = self.name
        if self.kind in ("integer", "flag"):
            in_range = f"{n} BETWEEN {self.low} AND {self.high}"
            return [f"typeof({n}) IN ('integer', 'null')", in_range]
        if self.choices:
            return [f"{n} IN ({', '.join(_sql_text(c) for c in self.choices)})"]
        # Lengths are the server's to hold (it checks every row it takes): in the replica they
        # would cost a third of what the CHECKs cost on every row written, for no reading
        # that depends on them.
        found: list[str] = []
        if self.kind == "decimal":
            allowed = "0-9.-" if self.signed else "0-9."
            found.append(f"{n} GLOB '*[0-9]*' AND {n} NOT GLOB '*[^{allowed}]*'")
        elif self.kind == "date":
            found.append(f"{n} IS date({n})")
        elif self.kind == "timestamp":
            found.append(f"{n} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'")
        elif self.kind == "json":
            found.append(f"json_valid({n})")
            if self.json_type:
                found.append(f"json_type({n}) = '{self.json_type}'")
        return found

    def ddl(self, primary_key: bool = False) -> str:
        parts = [self.name, self.sql_type]
        if primary_key:
            parts.append("PRIMARY KEY")
        if self.required:
            parts.append("NOT NULL")
        if self.default is not None:
            parts.append(f"DEFAULT {_sql_literal(self.default)}")
        if self.checks():
            parts.append(f"CHECK ({' AND '.join(self.checks())})")
        return " ".join(parts)

    # -- the wire ------------------------------------------------------------------------

    @property
    def annotation(self) -> Any:
        """The msgspec type a pushed value is decoded with (None allowed where nullable)."""
        kind: Any
        if self.kind in ("integer", "flag"):
            kind = Annotated[int, msgspec.Meta(ge=self.low, le=self.high)]
        elif self.choices:
            kind = Literal[self.choices]
        elif self.kind == "date":
            kind = datetime.date
        else:
            meta: dict[str, Any] = {"max_length": self.longest}
            if self.kind == "decimal":
                meta["pattern"] = DECIMAL_PATTERN if self.signed else UNSIGNED_DECIMAL_PATTERN
            elif self.kind == "timestamp":
                meta["pattern"] = TIMESTAMP_PATTERN
            if self.note:
                meta["description"] = self.note
            kind = Annotated[str, msgspec.Meta(**meta)]
        return kind if self.required else kind | None

    def struct_field(self) -> tuple[str, Any] | tuple[str, Any, Any]:
        """This field as one entry of `msgspec.defstruct`'s field list."""
        if self.default is not None:
            return (self.name, self.annotation, self.default)
        if not self.required:
            return (self.name, self.annotation, None)
        return (self.name, self.annotation)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_literal(value: str | int) -> str:
    return _sql_text(value) if isinstance(value, str) else str(int(value))
