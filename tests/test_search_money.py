"""The search index holds no money, and sorting by a column the index cannot sort (price among
them) is still right over every match, not just over the first page of relevant ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tantivy

from tests.test_search import insert
from workbench.replica import Replica, open_replica
from workbench.search import MaterialSearch, SearchRequest
from workbench.search.schema import FAST_SORT, SCHEMA

COUNT = 300


def jersey(n: int) -> tuple[Any, ...]:
    """Materials 0–149 carry "jersey" in the name (the most relevant) and cost 1000 and up;
    150–299 carry it only in the description and are the cheapest, cheaper the later they
    come, so neither relevance nor index order puts the cheapest first."""
    named = n < COUNT // 2
    name = f"Single Jersey {n} GSM Cotton" if named else f"Interlock {n} GSM Cotton"
    price = f"{1000 + n}.00" if named else f"{COUNT - n}.25"
    colour = f"Colour {COUNT - n:03d}"
    return (
        f"j{n:03d}",
        f"FAB-J{n:04d}",
        name,
        "fabric" if n % 2 else "trim",
        "knit",
        "100% Cotton",
        "single knit",
        None,
        160,
        180,
        colour,
        "",
        "Mill Supplier",
        "",
        "kg",
        price,
        "" if named else "Backed like a jersey.",
        n + 1,
    )


@pytest.fixture
def search(tmp_path: Path) -> Iterator[MaterialSearch]:
    replica = open_replica(tmp_path / "replica.sqlite")
    insert(replica, [jersey(n) for n in range(COUNT)])
    search = MaterialSearch(replica, tmp_path / "index")
    search.rebuild()
    yield search
    search.close()
    replica.close()


def cheapest(replica: Replica, where: str = "1", descending: bool = False) -> list[str]:
    direction = "DESC" if descending else "ASC"
    return [
        row[0]
        for row in replica.conn.execute(
            f"SELECT id FROM materials WHERE deleted = 0 AND {where} "
            f"ORDER BY CAST(price AS REAL) {direction}, code LIMIT 10"
        )
    ]


def test_sorting_matches_by_price_sorts_every_match(search: MaterialSearch) -> None:
    relevant = search.search(SearchRequest(text="jersey", limit=10)).ids
    assert all(int(i[1:]) < COUNT // 2 for i in relevant)  # the named, dearer ones first
    result = search.search(SearchRequest(text="jersey", sort="price", limit=10))
    assert result.engine == "index" and result.total == COUNT
    assert list(result.ids) == cheapest(search.replica)
    dearest = search.search(SearchRequest(text="jersey", sort="price", descending=True, limit=10))
    assert list(dearest.ids) == cheapest(search.replica, descending=True)


def test_sorting_matches_by_any_column_the_index_cannot_sort(search: MaterialSearch) -> None:
    result = search.search(SearchRequest(text="jersey", sort="colour", limit=5))
    assert list(result.ids) == ["j299", "j298", "j297", "j296", "j295"]


def test_a_filtered_listing_sorted_by_price(search: MaterialSearch) -> None:
    request = SearchRequest(material_types=frozenset({"fabric"}), sort="price", limit=10)
    result = search.search(request)
    assert result.engine == "index" and result.total == COUNT // 2
    assert list(result.ids) == cheapest(search.replica, "material_type = 'fabric'")
    everything = search.search(SearchRequest(sort="price", limit=10))
    assert list(everything.ids) == cheapest(search.replica)


def test_the_index_holds_no_price(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "replica.sqlite")
    row = list(jersey(0))
    row[15] = "98765.4321"
    insert(replica, [tuple(row), (*jersey(1)[:15], "12345.6789", *jersey(1)[16:])])
    search = MaterialSearch(replica, tmp_path / "index")
    search.rebuild()
    search.close()
    assert "price" not in FAST_SORT
    with pytest.raises(ValueError):
        tantivy.Query.range_query(SCHEMA, "price", tantivy.FieldType.Float, 0.0, 1e9)
    files = [p for p in (tmp_path / "index").rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for price in (b"98765.4321", b"98765.43", b"12345.6789", b"12345.67"):
            assert price not in data, path
    replica.close()
