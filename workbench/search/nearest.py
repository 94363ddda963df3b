"""Why a search found nothing, and the materials nearest to what was asked.

An empty table says nothing: was the word misspelt beyond repair, does no material hold all
the words, or did a filter hide every match? :func:`explain_no_match` asks the same search a
few looser questions, loosest last, and says which one answered:

1. the filters left out: the words match materials the filters hide ("12 without the
   filters");
2. any of the words instead of all of them (the nearest hold some);
3. each word cut short, a letter at a time down to three, so "cottonz" finds "cotton…"
   where the typo tolerance (one or two letters) gave up.

Each step is one search (milliseconds), so this runs on the worker that found nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from workbench.search.request import SearchRequest
from workbench.search.service import MaterialSearch
from workbench.search.text import parse

__all__ = ["NEAREST", "NoMatch", "explain_no_match"]

#: How many nearest materials are offered.
NEAREST = 8
#: Words are not cut shorter than this: two letters match too much to mean anything.
SHORTEST_STEM = 3


@dataclass(frozen=True)
class NoMatch:
    """A search that found nothing, in words, and what is nearest."""

    #: what was typed, as typed
    text: str
    #: the headline: "No materials match 'cottonz'"
    title: str
    #: why, and what the nearest are: "No material holds the word 'cottonz' … begin like it"
    reason: str
    #: ids of the nearest materials, best first (may be empty)
    nearest: tuple[str, ...] = ()
    #: matches of the words with the filters left out (0 without filters)
    without_filters: int = 0


def _unfiltered(request: SearchRequest) -> SearchRequest:
    return replace(
        request,
        material_types=frozenset(),
        certifications=frozenset(),
        suppliers=frozenset(),
        gsm_min=None,
        gsm_max=None,
        width_min_cm=None,
        width_max_cm=None,
    )


def _quoted(words: list[str]) -> str:
    return ", ".join(f"'{word}'" for word in words)


def explain_no_match(
    search: MaterialSearch, request: SearchRequest, limit: int = NEAREST
) -> NoMatch:
    """Why ``request`` (which found nothing) found nothing, and up to ``limit`` nearest
    materials (see the module notes)."""
    text = request.text.strip()
    title = f"No materials match '{text}'" if text else "No materials match the filters"
    parsed = parse(text)
    if parsed.is_empty and not request.has_filters:
        return NoMatch(
            text,
            "No materials yet",
            "This workspace holds no materials: sync "
            "with the company's server, or import master data.",
        )
    loose = replace(_unfiltered(request), limit=limit, facets=False, sort=None)
    if request.has_filters:
        if parsed.is_empty:
            return NoMatch(
                text, title, "No material passes all the filters chosen: clear one or more of them."
            )
        found = search.search(loose)
        if found.total:
            noun = "material matches" if found.total == 1 else "materials match"
            return NoMatch(
                text,
                f"{title} with the filters chosen",
                f"{found.total:,} {noun} without the filters; the nearest are below.",
                found.ids,
                found.total,
            )
    words = [
        *parsed.words,
        *(w for p in parsed.phrases for w in p),
        *(w for _, value in parsed.fields for w in value),
    ]
    if not words:
        return NoMatch(text, title, "Type a code, a name or a composition.")
    if len(words) > 1 or parsed.phrases or parsed.fields:
        found = search.search(replace(loose, text=" ".join(words), match_any=True))
        if found.total:
            return NoMatch(
                text,
                title,
                f"No material holds all of {_quoted(words)}; the nearest hold some of them.",
                found.ids,
            )
    longest = max(len(word) for word in words)
    for cut in range(1, longest - SHORTEST_STEM + 1):
        stems = [word[: max(SHORTEST_STEM, len(word) - cut)] for word in words]
        if stems == words:
            continue
        found = search.search(replace(loose, text=" ".join(stems), match_any=True))
        if found.total:
            return NoMatch(
                text,
                title,
                f"No material holds {_quoted(words)}, even with a typo; the nearest are "
                f"found with {'it' if len(words) == 1 else 'them'} cut short "
                f"({_quoted([stem + '…' for stem in stems])}).",
                found.ids,
            )
    return NoMatch(
        text,
        title,
        f"No material holds {_quoted(words)}, even with a typo or "
        "cut short: check the spelling, or search by code.",
    )
