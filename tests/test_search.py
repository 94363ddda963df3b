"""Material search: typos, prefixes, phrases, fields, facets, ranking, and an index that is
derived, stamped, refreshed and rebuilt while the SQL fallback answers."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.errors import Cancelled
from workbench.replica import Replica, open_replica
from workbench.replica.store import utc_now
from workbench.search import IndexState, MaterialSearch, SearchRequest

COLUMNS = (
    "id",
    "code",
    "name",
    "material_type",
    "category",
    "composition",
    "construction",
    "yarn_count",
    "gsm",
    "width_cm",
    "colour",
    "certifications",
    "supplier",
    "mill",
    "uom",
    "price",
    "description",
    "version",
)

MATERIALS: list[tuple[Any, ...]] = [
    (
        "m1",
        "FAB-0000001",
        "Single Jersey 180 GSM Combed Cotton Navy",
        "fabric",
        "single jersey",
        "100% Cotton",
        "24G single knit",
        None,
        180,
        180,
        "Navy",
        "OEKO-TEX,BCI",
        "Kongu Knit Fabrics",
        "Noyyal Unit 1",
        "kg",
        "412.50",
        "Soft single jersey.",
        1,
    ),
    (
        "m2",
        "FAB-0000002",
        "Pique 220 GSM Organic Cotton White",
        "fabric",
        "pique",
        "100% Organic Cotton",
        "24G pique",
        None,
        220,
        175,
        "Optical White",
        "GOTS,OCS",
        "Kongu Knit Fabrics",
        "Noyyal Unit 1",
        "kg",
        "498.00",
        "Polo pique.",
        2,
    ),
    (
        "m3",
        "FAB-0000003",
        "Rib 1x1 240 GSM Viscose Black",
        "fabric",
        "rib 1x1",
        "100% Viscose",
        "18G 1x1 rib",
        None,
        240,
        170,
        "Black",
        "FSC",
        "Meghna Textiles",
        "Padma Mill 2",
        "kg",
        "520.00",
        "Rib for cuffs.",
        3,
    ),
    (
        "m4",
        "FAB-0000004",
        "Denim 420 GSM Cotton Indigo",
        "fabric",
        "denim",
        "100% Cotton",
        "3/1 RHT denim",
        None,
        420,
        150,
        "Indigo",
        "",
        "Meghna Denim Mills",
        "Padma Mill 2",
        "m",
        "310.00",
        "Heavy denim, jersey-lined pockets not included.",
        4,
    ),
    (
        "m5",
        "YRN-0000001",
        "Ne 30/1 Combed Compact Cotton Yarn",
        "yarn",
        "combed compact yarn",
        "100% Cotton",
        "Ne 30/1 combed compact",
        "Ne 30/1",
        None,
        None,
        "Raw White",
        "BCI",
        "Amaravathi Spinning Mills",
        "",
        "kg",
        "305.00",
        "Knitting yarn.",
        5,
    ),
    (
        "m6",
        "TRM-0000001",
        "4-hole polyester button 18L, Black",
        "trim",
        "button",
        "",
        "",
        None,
        None,
        None,
        "Black",
        "",
        "Lotus Trims & Accessories",
        "",
        "pc",
        "0.60",
        "Shirt button.",
        6,
    ),
    (
        "m7",
        "FAB-0000007",
        "Single Jersey 160 GSM Recycled Polyester Black",
        "fabric",
        "single jersey",
        "100% Recycled Polyester",
        "28G single knit",
        None,
        160,
        185,
        "Black",
        "GRS",
        "Sunrise Knit Composite",
        "Lotus Works 3",
        "kg",
        "360.00",
        "Sports jersey.",
        7,
    ),
]


def insert(replica: Replica, rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" * (len(COLUMNS) + 1))
    with replica.transaction() as conn:
        conn.executemany(
            f"INSERT OR REPLACE INTO materials ({', '.join(COLUMNS)}, updated_at) VALUES ({marks})",
            [(*row, utc_now()) for row in rows],
        )


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    replica = open_replica(tmp_path / "replica.sqlite")
    insert(replica, MATERIALS)
    return replica


@pytest.fixture
def search(replica: Replica, tmp_path: Path) -> Iterator[MaterialSearch]:
    search = MaterialSearch(replica, tmp_path / "index")
    search.rebuild()
    yield search
    search.close()


def codes(search: MaterialSearch, text: str = "", **filters: Any) -> list[str]:
    result = search.search(SearchRequest(text=text, **filters))
    rows = search.replica.conn.execute(
        "SELECT id, code FROM materials WHERE id IN (SELECT value FROM json_each(?))",
        (__import__("json").dumps(list(result.ids)),),
    ).fetchall()
    by_id = dict(rows)  # type: ignore[arg-type]
    return [by_id[i] for i in result.ids]


def test_typos_find_what_was_meant(search: MaterialSearch) -> None:
    # the denim mentions jersey in its description: it matches, below the jersey itself
    assert codes(search, "cotten jersy") == ["FAB-0000001", "FAB-0000004"]
    assert "FAB-0000003" in codes(search, "viscoce")


def test_prefixes_find_whole_words(search: MaterialSearch) -> None:
    assert set(codes(search, "jers")) == {"FAB-0000001", "FAB-0000007", "FAB-0000004"}
    assert set(codes(search, "butt")) == {"TRM-0000001"}


def test_phrases_keep_word_order(search: MaterialSearch) -> None:
    assert set(codes(search, '"single jersey"')) == {"FAB-0000001", "FAB-0000007"}
    assert codes(search, '"jersey single"') == []


def test_field_queries_target_one_column(search: MaterialSearch) -> None:
    assert codes(search, "composition:viscose") == ["FAB-0000003"]
    assert set(codes(search, "supplier:meghna")) == {"FAB-0000003", "FAB-0000004"}
    assert codes(search, "composition:jersey") == []
    assert set(codes(search, 'supplier:"kongu knit" pique')) == {"FAB-0000002"}


def test_every_word_must_match(search: MaterialSearch) -> None:
    assert codes(search, "black viscose") == ["FAB-0000003"]
    assert codes(search, "black denim") == []


def test_an_exact_code_comes_first(search: MaterialSearch) -> None:
    assert codes(search, "FAB-0000004")[0] == "FAB-0000004"
    assert codes(search, "fab-0000002")[0] == "FAB-0000002"


def test_exact_words_rank_above_typos(search: MaterialSearch, replica: Replica) -> None:
    insert(
        replica,
        [
            (
                "m8",
                "FAB-0000008",
                "Cotten Drill Khaki",
                "fabric",
                "twill",
                "Cotton",
                "",
                None,
                250,
                150,
                "Khaki",
                "",
                "X",
                "",
                "m",
                "1",
                "",
                8,
            )
        ],
    )
    search.refresh()
    assert codes(search, "cotten")[0] == "FAB-0000008"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"material_types": frozenset({"yarn", "trim"})}, {"YRN-0000001", "TRM-0000001"}),
        ({"certifications": frozenset({"GOTS"})}, {"FAB-0000002"}),
        ({"certifications": frozenset({"OEKO-TEX", "BCI"})}, {"FAB-0000001"}),
        (
            {"suppliers": frozenset({"Meghna Textiles", "Meghna Denim Mills"})},
            {"FAB-0000003", "FAB-0000004"},
        ),
        ({"gsm_min": 200, "gsm_max": 240}, {"FAB-0000002", "FAB-0000003"}),
        ({"width_min_cm": 176}, {"FAB-0000001", "FAB-0000007"}),
        ({"width_max_cm": 150, "material_types": frozenset({"fabric"})}, {"FAB-0000004"}),
    ],
)
def test_facet_filters(search: MaterialSearch, filters: dict, expected: set[str]) -> None:
    assert set(codes(search, **filters)) == expected
    fallback = search.search(SearchRequest(**filters))
    assert fallback.total == len(expected)


def test_filters_combine_with_text(search: MaterialSearch) -> None:
    assert codes(search, "jersey", gsm_max=170) == ["FAB-0000007"]
    assert codes(search, "cotton", material_types=frozenset({"yarn"})) == ["YRN-0000001"]


def test_facet_counts_cover_every_match(search: MaterialSearch) -> None:
    result = search.search(SearchRequest(text="cotton", facets=True, limit=1))
    assert result.total == 4 and len(result.ids) == 1
    assert result.facets["material_type"] == {"fabric": 3, "yarn": 1}
    assert result.facets["certifications"] == {"BCI": 2, "GOTS": 1, "OCS": 1, "OEKO-TEX": 1}
    assert result.facets["supplier"]["Kongu Knit Fabrics"] == 2


def test_an_empty_query_lists_everything_by_code(search: MaterialSearch) -> None:
    listed = codes(search)
    assert listed == sorted(code for _, code, *_ in MATERIALS)
    assert search.search(SearchRequest()).total == len(MATERIALS)


def test_sorting_by_a_column(search: MaterialSearch) -> None:
    assert codes(search, "jersey", sort="price")[0] == "FAB-0000004"  # 310.00
    assert codes(search, "jersey", sort="price", descending=True)[0] == "FAB-0000001"
    assert codes(search, "", sort="name")[0] == "TRM-0000001"  # "4-hole …" sorts first
    assert codes(search, "fabric", sort="colour")[0] == "FAB-0000003"  # Black


def test_refresh_applies_inserts_updates_and_tombstones(
    search: MaterialSearch, replica: Replica
) -> None:
    assert search.state is IndexState.READY and search.stamp == 7
    insert(
        replica,
        [
            (
                "m9",
                "FAB-0000009",
                "Fleece 300 GSM Cotton Grey",
                "fabric",
                "fleece",
                "100% Cotton",
                "",
                None,
                300,
                180,
                "Heather Grey",
                "",
                "X",
                "",
                "kg",
                "450.00",
                "",
                9,
            ),
            (
                "m3",
                "FAB-0000003",
                "Rib 1x1 240 GSM Modal Black",
                "fabric",
                "rib 1x1",
                "100% Modal",
                "",
                None,
                240,
                170,
                "Black",
                "",
                "Meghna Textiles",
                "",
                "kg",
                "520.00",
                "",
                10,
            ),
        ],
    )
    with replica.transaction() as conn:
        conn.execute("UPDATE materials SET deleted = 1, version = 11 WHERE id = 'm6'")
    assert search.check() is IndexState.STALE
    assert search.search(SearchRequest(text="fleece")).engine == "index"  # stale still answers
    assert search.refresh() == 3
    assert search.state is IndexState.READY and search.stamp == 11
    assert codes(search, "fleece") == ["FAB-0000009"]
    assert codes(search, "composition:modal") == ["FAB-0000003"]
    assert codes(search, "composition:viscose") == []
    assert codes(search, "button") == []
    assert search.search(SearchRequest()).total == 7


def test_a_deleted_index_falls_back_then_rebuilds(search: MaterialSearch) -> None:
    shutil.rmtree(search.index_dir)
    assert search.check() is IndexState.MISSING
    answer = search.search(SearchRequest(text="viscose"))
    assert answer.engine == "sql" and answer.total == 1
    assert search.ensure_ready() is IndexState.READY
    assert search.search(SearchRequest(text="viscose")).engine == "index"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "stamp", "ahead"])
def test_a_damaged_index_is_detected_and_repaired(search: MaterialSearch, damage: str) -> None:
    # Damage happens to files at rest (a crash, a disk error), then the app opens them.
    search.close()
    files = [p for p in search.index_dir.iterdir() if p.is_file() and p.suffix != ".json"]

    def rewrite(path: Path, data: bytes) -> None:
        # a new file under the old name, as a crashed writer or a disk repair leaves it
        (path.parent / "damaged.tmp").write_bytes(data)
        (path.parent / "damaged.tmp").replace(path)

    if damage == "truncate":
        for path in files:
            rewrite(path, path.read_bytes()[: max(1, path.stat().st_size // 3)])
    elif damage == "garbage":
        for path in files:
            rewrite(path, b"\x00garbage" * 50)
    elif damage == "empty":
        for path in files:
            rewrite(path, b"")
    elif damage == "stamp":
        (search.index_dir / "stamp.json").write_text("{not json")
    else:
        (search.index_dir / "stamp.json").write_text(
            '{"format": 1, "version": 999, "documents": 7}'
        )
    reopened = MaterialSearch(search.replica, search.index_dir)
    assert reopened.state is IndexState.CORRUPT
    assert reopened.last_error
    answer = reopened.search(SearchRequest(text="denim"))
    assert (answer.engine, answer.total) == ("sql", 1)
    assert reopened.ensure_ready() is IndexState.READY
    assert codes(reopened, "denim") == ["FAB-0000004"]


def test_a_cancelled_rebuild_keeps_the_old_index(search: MaterialSearch, replica: Replica) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        search.rebuild(cancel=cancel)
    assert search.state is IndexState.READY
    assert codes(search, "denim") == ["FAB-0000004"]
    assert not list(search.index_dir.parent.glob("index.building-*"))


def test_searches_keep_answering_while_the_index_is_built(replica: Replica, tmp_path: Path) -> None:
    search = MaterialSearch(replica, tmp_path / "fresh")
    seen: list[str] = []

    def during_build(done: int, total: int) -> None:
        seen.append(search.search(SearchRequest(text="denim")).engine)

    search.rebuild(progress=during_build)
    assert seen and set(seen) == {"sql"}
    assert search.search(SearchRequest(text="denim")).engine == "index"


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"unbalanced',
        ":",
        "::::",
        "a:",
        ":b",
        "cotton:",
        "((",
        "*",
        "-",
        "AND OR NOT",
        "😀 emoji",
        "x" * 5000,
        "composition:",
        'supplier:"',
        "\\",
        "%_%",
        "'; DROP TABLE x",
    ],
)
def test_odd_input_never_raises(search: MaterialSearch, text: str) -> None:
    for engine_down in (False, True):
        if engine_down:
            shutil.rmtree(search.index_dir)
            search.check()
        result = search.search(SearchRequest(text=text))
        assert result.total >= 0


@pytest.mark.parametrize("text", ["cotton", "black", "jersey", "composition:cotton", "mill:padma"])
def test_the_fallback_agrees_on_plain_queries(search: MaterialSearch, text: str) -> None:
    indexed = set(codes(search, text))
    shutil.rmtree(search.index_dir)
    search.check()
    assert set(codes(search, text)) == indexed
