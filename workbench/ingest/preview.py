"""What the app's Import dialog shows before anything is sent: which kind of data a file
holds, which of its columns feed which of our fields (and the admin's corrections), and every
problem, checked against the laptop's own replica."""

from __future__ import annotations

from dataclasses import replace

from workbench.ingest.layout import HEADER_SEARCH_ROWS
from workbench.ingest.mapping import KINDS, Mapping, load_mapping, norm
from workbench.ingest.readers import RawTable

#: never a heading in a file: a field the admin chose to leave unmapped looks for this
_UNMAPPED = "\x00unmapped"


def _matches(raw: RawTable, mapping: Mapping) -> tuple[int, int]:
    """(mapped columns, required columns found) in the file's best heading row."""
    aliases = {norm(a): r for r in mapping.fields for a in r.aliases}
    best = (0, 0)
    for row in (raw.row(i) for i in range(min(HEADER_SEARCH_ROWS, len(raw)))):
        rules = {aliases[norm(c)].name: aliases[norm(c)] for c in row if norm(c) in aliases}
        found = (len(rules), sum(1 for r in rules.values() if r.required))
        best = max(best, found)
    return best


def guess_kind(raw: RawTable) -> str | None:
    """The kind whose required columns the file holds most of (then: most columns)."""
    scored = []
    for kind in KINDS:
        mapping = load_mapping(kind)
        mapped, required = _matches(raw, mapping)
        needed = sum(1 for r in mapping.fields if r.required)
        if mapped >= 2:
            scored.append((required == needed, required, mapped, kind))
    return max(scored)[3] if scored else None


def override_columns(mapping: Mapping, columns: dict[str, str]) -> Mapping:
    """The mapping with some fields read from the headings the admin chose (``""``: leave
    the field unmapped). A chosen heading is taken away from every other field, so one
    column never feeds two fields."""
    unknown = sorted(set(columns) - {r.name for r in mapping.fields})
    if unknown:
        raise ValueError(f"{mapping.kind} has no field {unknown[0]!r}")
    taken = {norm(h) for h in columns.values() if h}
    fields = []
    for rule in mapping.fields:
        if rule.name in columns:
            heading = columns[rule.name]
            fields.append(replace(rule, aliases=(heading,) if heading else (_UNMAPPED,)))
        else:
            kept = tuple(a for a in rule.aliases if norm(a) not in taken)
            fields.append(replace(rule, aliases=kept or (_UNMAPPED,)))
    return replace(mapping, fields=tuple(fields), source=f"{mapping.source} (columns chosen)")
