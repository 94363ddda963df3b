"""Turning a `SearchRequest` into one tantivy query.

Each typed word must match (AND), in any of three ways scored from best to worst: the exact
word, a word it begins (``jers`` → jersey), or a word within one or two typos (``cotten`` →
cotton). Exact words in the name score a little extra, and an exact material code outranks
everything. Facet filters are part of the same query, scored zero, so they narrow the matches
without changing their order.
"""

from __future__ import annotations

import tantivy
from tantivy import Occur, Query

from workbench.search.request import SearchRequest
from workbench.search.schema import SCHEMA
from workbench.search.text import ParsedQuery, parse

EXACT_BOOST = 3.0
PREFIX_BOOST = 1.5
FUZZY_BOOST = 1.0
NAME_BOOST = 1.5
CODE_BOOST = 100.0


def typo_distance(word: str) -> int:
    """Edits tolerated in a word: none for short words, where a typo is another word."""
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


def _known(searcher: tantivy.Searcher | None, field: str, word: str) -> bool:
    """Whether the index holds ``word`` as typed (unknown without a searcher: assume not)."""
    return searcher is not None and searcher.doc_freq(field, word) > 0


def word_query(
    field: str, word: str, searcher: tantivy.Searcher | None = None, *, fuzzy: bool = True
) -> Query:
    """Exact, prefix or typo matches of one word in one field.

    Typo expansion only runs for words the index does not hold as they are: a word that
    exists is taken as meant, which keeps common words (``cotton``) fast.
    """
    options: list[tuple[Occur, Query]] = [
        (Occur.Should, Query.boost_query(Query.term_query(SCHEMA, field, word), EXACT_BOOST))
    ]
    if len(word) >= 2 and not word.isdigit():
        prefix = Query.fuzzy_term_query(SCHEMA, field, word, 0, True, True)
        options.append((Occur.Should, Query.boost_query(prefix, PREFIX_BOOST)))
    distance = typo_distance(word) if fuzzy and not word.isdigit() else 0
    if distance and not _known(searcher, field, word):
        typo = Query.fuzzy_term_query(SCHEMA, field, word, distance, True, False)
        options.append((Occur.Should, Query.boost_query(typo, FUZZY_BOOST)))
    return Query.boolean_query(options)


def _name_boost(word: str, searcher: tantivy.Searcher | None) -> Query:
    """Extra score when the word (or, for a typo, its correction) is in the name."""
    distance = typo_distance(word) if not word.isdigit() else 0
    if distance and not _known(searcher, "all", word):
        in_name = Query.fuzzy_term_query(SCHEMA, "name", word, distance, True, False)
    else:
        in_name = Query.term_query(SCHEMA, "name", word)
    return Query.boost_query(in_name, NAME_BOOST)


def _filters(request: SearchRequest) -> list[Query]:
    filters: list[Query] = []

    def any_of(field: str, values: frozenset[str]) -> None:
        if values:
            filters.append(Query.term_set_query(SCHEMA, field, sorted(values)))

    any_of("type_f", request.material_types)
    any_of("supplier_f", request.suppliers)
    for cert in sorted(request.certifications):
        filters.append(Query.term_query(SCHEMA, "cert_f", cert))
    for field, low, high in (
        ("gsm", request.gsm_min, request.gsm_max),
        ("width_cm", request.width_min_cm, request.width_max_cm),
    ):
        if low is not None or high is not None:
            filters.append(
                Query.range_query(
                    SCHEMA,
                    field,
                    tantivy.FieldType.Integer,
                    low if low is not None else -(2**62),
                    high if high is not None else 2**62,
                )
            )
    return filters


def build_query(
    request: SearchRequest,
    parsed: ParsedQuery | None = None,
    searcher: tantivy.Searcher | None = None,
) -> Query:
    parsed = parsed or parse(request.text)
    clauses: list[tuple[Occur, Query]] = []
    words: list[tuple[Occur, Query]] = []
    for word in parsed.words:
        matches = word_query("all", word, searcher)
        in_name = _name_boost(word, searcher)
        words.append(
            (
                Occur.Should if request.match_any else Occur.Must,
                Query.boolean_query([(Occur.Must, matches), (Occur.Should, in_name)]),
            )
        )
    if request.match_any and words:
        clauses.append((Occur.Must, Query.boolean_query(words)))
    else:
        clauses += words
    for phrase in parsed.phrases:
        clauses.append((Occur.Must, Query.phrase_query(SCHEMA, "all", list(phrase))))
    for column, value in parsed.fields:
        if len(value) == 1:
            clauses.append((Occur.Must, word_query(column, value[0], searcher)))
        else:
            clauses.append((Occur.Must, Query.phrase_query(SCHEMA, column, list(value))))
    code = parsed.raw.strip().lower()
    if clauses and code and " " not in code:
        exact = Query.term_query(SCHEMA, "code_key", code)
        clauses.append((Occur.Should, Query.boost_query(exact, CODE_BOOST)))
    for condition in _filters(request):
        clauses.append((Occur.Must, Query.const_score_query(condition, 0.0)))
    if not any(occur == Occur.Must for occur, _ in clauses):
        clauses.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(clauses)
