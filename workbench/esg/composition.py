"""Reading a fabric's composition ("60% Cotton 40% Polyester") into fibre shares.

Why strict: the composition decides most of a style's footprint, and a typo read leniently
("Cottn" silently dropped, or shares summing to 95 %) would put a wrong number on a buyer's
ESG sheet. So every part of the text must be "<percent>% <fibre>", the fibre must be one the
matrix knows (by name or alias), each fibre appears once and the shares add up to exactly
100 %; otherwise `EsgError` says which part is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from workbench.esg.errors import EsgError
from workbench.esg.matrix import Matrix, load_matrix

_HUNDRED = Decimal(100)
#: "<number> %" then the fibre name up to the next number; separators between parts are
#: spaces, commas, semicolons, slashes, plus signs, "&" or "and".
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*%\s*([^\d%]*)")
_SEPARATORS = " ,;/+&"


@dataclass(frozen=True)
class FibreShare:
    """``share`` (a fraction: 0.6 = 60 %) of the fibre ``fibre`` (a matrix key), as the
    composition wrote it (``written``); ``note`` says when a plain name was read as a
    default variant (plain "viscose" as viscose made in Asia)."""

    fibre: str
    share: Decimal
    written: str
    note: str = ""

    @property
    def percent(self) -> Decimal:
        return self.share * _HUNDRED


def fibre_mix(composition: str, matrix: Matrix | None = None) -> tuple[FibreShare, ...]:
    """The fibre shares of ``composition``, in the order written.

    >>> [(s.fibre, s.percent) for s in fibre_mix("60% Cotton 40% Polyester")]
    [('cotton', Decimal('60')), ('polyester', Decimal('40'))]
    """
    matrix = matrix or load_matrix()
    text = " ".join(composition.split())
    if not text:
        raise EsgError("the composition is empty: write it as '60% Cotton 40% Polyester'")
    parts = list(_PART.finditer(text))
    if not parts or text[: parts[0].start()].strip(_SEPARATORS):
        raise EsgError(
            f"composition {composition!r}: write each fibre as '<percent>% <fibre>', "
            "e.g. '60% Cotton 40% Polyester'"
        )
    shares: list[FibreShare] = []
    total = Decimal(0)
    seen: dict[str, str] = {}
    for part in parts:
        number, name = part.group(1), _clean_name(part.group(2))
        if not name:
            raise EsgError(f"composition {composition!r}: {number}% of what? (no fibre named)")
        try:
            percent = Decimal(number.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            raise EsgError(f"composition {composition!r}: {number!r} is not a number") from None
        if not Decimal(0) < percent <= _HUNDRED:
            raise EsgError(f"composition {composition!r}: {percent}% of {name} is not a share")
        try:
            fibre = matrix.fibre(name)
        except EsgError as exc:
            raise EsgError(f"composition {composition!r}: {exc}") from None
        if fibre.key in seen:
            raise EsgError(
                f"composition {composition!r} names {fibre.name} twice "
                f"({seen[fibre.key]!r} and {name!r})"
            )
        seen[fibre.key] = name
        note = ""
        if fibre.alias_note and _norm_name(name) != fibre.key:
            note = f"{name!r} read as {fibre.name}: {fibre.alias_note}"
        shares.append(FibreShare(fibre.key, percent / _HUNDRED, f"{number}% {name}", note))
        total += percent
    if total != _HUNDRED:
        raise EsgError(f"composition {composition!r} adds up to {total} %, not 100 %")
    return tuple(shares)


def _norm_name(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


def _clean_name(raw: str) -> str:
    name = raw.strip(_SEPARATORS + "-")
    if name.casefold().endswith(" and"):
        name = name[: -len(" and")]
    return name.strip(_SEPARATORS + "-")


def composition_text(shares: tuple[FibreShare, ...], matrix: Matrix | None = None) -> str:
    """The shares written back as a composition ("100% Organic cotton"), e.g. after a swap."""
    matrix = matrix or load_matrix()
    return " ".join(f"{_plain(s.percent)}% {matrix.fibres[s.fibre].name}" for s in shares)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
