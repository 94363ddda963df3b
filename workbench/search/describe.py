"""A search in words, for the header block of an export: what was searched for and how the
results were narrowed and sorted, so a workbook says which materials it holds."""

from __future__ import annotations

from workbench.search.request import SearchRequest


def _span(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low}–{high} {unit}"
    return f"at least {low} {unit}" if low is not None else f"at most {high} {unit}"


def describe_search(request: SearchRequest | None) -> list[tuple[str, str]]:
    """(label, value) lines: the words searched for, each filter set, the sort order."""
    if request is None:
        return [("Search", "all materials")]
    lines = [("Search", request.text.strip() or "all materials")]
    if request.match_any:
        lines.append(("Matching", "any of the words"))
    for label, chosen in (
        ("Types", request.material_types),
        ("Certifications", request.certifications),
        ("Suppliers", request.suppliers),
    ):
        if chosen:
            lines.append((label, ", ".join(sorted(chosen))))
    if request.gsm_min is not None or request.gsm_max is not None:
        lines.append(("GSM", _span(request.gsm_min, request.gsm_max, "g/m²")))
    if request.width_min_cm is not None or request.width_max_cm is not None:
        lines.append(("Width", _span(request.width_min_cm, request.width_max_cm, "cm")))
    if request.sort:
        order = "descending" if request.descending else "ascending"
        lines.append(("Sorted by", f"{request.sort.replace('_', ' ')}, {order}"))
    return lines
