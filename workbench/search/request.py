"""What a material search asks for and what it answers: the contract between the search
engine, its SQL fallback and the views that present results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchRequest:
    """A query plus facet filters.

    ``text`` accepts free words (typo- and prefix-tolerant), ``"quoted phrases"`` and
    ``field:value`` terms for the fields in ``FIELDS``. An empty text with no filters lists
    every material. Filters combine with AND; values within one multi-valued filter with OR,
    except ``certifications`` where a material must hold every certification asked for.
    """

    text: str = ""
    material_types: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()
    suppliers: frozenset[str] = frozenset()
    gsm_min: int | None = None
    gsm_max: int | None = None
    width_min_cm: int | None = None
    width_max_cm: int | None = None
    limit: int = 500
    #: also count matches per material type, certification and supplier (costs a few ms)
    facets: bool = False
    #: a column of ``workbench.replica.queries.SORTABLE``; None sorts by relevance
    sort: str | None = None
    descending: bool = False
    #: any typed word may match, the more the better (finding the closest names to a
    #: description from another system); by default every word must match
    match_any: bool = False

    @property
    def has_filters(self) -> bool:
        return bool(
            self.material_types
            or self.certifications
            or self.suppliers
            or self.gsm_min is not None
            or self.gsm_max is not None
            or self.width_min_cm is not None
            or self.width_max_cm is not None
        )


@dataclass(frozen=True)
class SearchResult:
    """Matching material ids, best first (or in ``sort`` order), at most ``limit`` of them."""

    ids: tuple[str, ...]
    #: how many materials match in all (may exceed len(ids))
    total: int
    #: "index" when answered by the search index, "sql" by the fallback while it is rebuilt
    engine: str
    elapsed_ms: float
    #: counts over all matches: {"material_type": {"fabric": 120, …}, "certifications": …,
    #: "supplier": …}; may be empty when the engine cannot count cheaply
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


#: Field names accepted in ``field:value`` query terms, mapped to the material columns.
FIELDS: dict[str, str] = {
    "code": "code",
    "name": "name",
    "type": "material_type",
    "category": "category",
    "composition": "composition",
    "construction": "construction",
    "count": "yarn_count",
    "colour": "colour",
    "color": "colour",
    "finish": "finish",
    "dye": "dye_class",
    "cert": "certifications",
    "certification": "certifications",
    "supplier": "supplier",
    "mill": "mill",
    "description": "description",
}
