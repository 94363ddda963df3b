"""Reading a markdown document's sections and tables, for tests that check every figure a
document states against the code that computes it (docs/costing.md, docs/esg.md)."""

from __future__ import annotations

import re


def sections(text: str, level: str = "## ") -> dict[str, str]:
    """Heading -> the section's text, for headings of one level (``"## "``, ``"### "``)."""
    parts = re.split(rf"^{re.escape(level)}", text, flags=re.M)
    return {p.split("\n", 1)[0]: p for p in parts[1:]}


def tables(section: str) -> list[list[list[str]]]:
    """Every markdown table of a section, as rows of cells (header and rule rows dropped)."""
    found, current = [], []
    for line in [*section.splitlines(), ""]:
        if line.startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif current:
            found.append(current[2:])
            current = []
    return found
