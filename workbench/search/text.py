"""Reading what a person typed into a search box: words, "quoted phrases", field:value.

Forgiving by design: unbalanced quotes, stray colons and symbols never raise; what cannot be
read as a phrase or a field term is read as words. Words are split the way the index's
default tokenizer splits text (letters and digits, lower-cased), so a query word always
meets the index on the same terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.search.request import FIELDS

MAX_QUERY_CHARS = 500
MAX_WORDS = 12
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')
_FIELD = re.compile(r"(?<![\w:])([A-Za-z_]+):(\"[^\"]*\"|[^\s\"]+)")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    #: (material column, words) for field:value terms
    fields: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.fields)


def parse(text: str) -> ParsedQuery:
    raw = text.strip()[:MAX_QUERY_CHARS]
    rest = raw
    fields: list[tuple[str, tuple[str, ...]]] = []

    def take_field(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in FIELDS:
            return match.group(0)  # not a field we know: keep it as words
        value = words(match.group(2).strip('"'))
        if value:
            fields.append((FIELDS[name], tuple(value)))
        return " "

    rest = _FIELD.sub(take_field, rest)
    phrases: list[tuple[str, ...]] = []

    def take_phrase(match: re.Match[str]) -> str:
        inner = tuple(words(match.group(1)))
        if len(inner) > 1:
            phrases.append(inner)
            return " "
        return " ".join(inner)

    rest = _PHRASE.sub(take_phrase, rest)
    plain = words(rest)[:MAX_WORDS]
    return ParsedQuery(raw, tuple(plain), tuple(phrases[:4]), tuple(fields[:6]))
