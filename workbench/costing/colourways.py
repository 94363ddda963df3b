"""Costing by colourway: one style ordered in several colours, each priced on what makes its
cost differ, and the order's cost weighted by each colour's pieces.

Why per colourway and not one averaged sheet: merchandisers cost a White, a Navy and a
Heather grey of the same body separately because the colour changes the dyeing (a dark
reactive shade costs more and loses more in the dyehouse than a light one; a white is bleached
and optically brightened), often the print or embroidery (a discharge print on navy, no print
on the grey) and some trims (colour-matched buttons, a hang tag per colour). Everything else
(the body, the consumption, making, the overheads) is the style's. A colourway states only
what differs; a field it leaves as the style (`AS_STYLE`) is the style's.

    cost of the order  = Σ piecesᵢ × costᵢ ÷ Σ piecesᵢ      (per piece)
    price of the order = Σ piecesᵢ × priceᵢ ÷ Σ piecesᵢ     (per piece, each at the order's
                                                              whole quantity: the brand's
                                                              quantity break is the order's)

The pieces of the colourways are the order's split and add up to the sheet's quantity.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from workbench.costing.engine import cost_style, price_style
from workbench.costing.errors import CostingError
from workbench.costing.garment import CostResult
from workbench.costing.inputs import Brand, Embroidery, PrintSpec, Style, TrimLine
from workbench.costing.money import ZERO
from workbench.costing.pricing import PriceResult
from workbench.costing.ratebook import RateBook


class AsStyle(enum.Enum):
    """A colourway's field that is the style's own (the one value of this type)."""

    AS_STYLE = "as the style"


AS_STYLE = AsStyle.AS_STYLE


@dataclass(frozen=True)
class Colourway:
    """One colour of the order: its name, its pieces of the order and what differs.

    ``dye_class`` and ``shade_depth`` (both None: the style's dyeing) choose the dyeing rate,
    whose own process loss then applies ("reactive", "dark"; "reactive", "white" for a
    bleached white). ``printing`` is the colourway's print (None: no print) and
    ``embroidery`` its embroideries (``()``: none). ``trims`` differ by name: a trim named as
    one of the style's replaces it, another is added.
    """

    name: str
    pieces: int
    dye_class: str | None = None
    shade_depth: str | None = None
    printing: PrintSpec | AsStyle | None = AS_STYLE
    embroidery: tuple[Embroidery, ...] | AsStyle = AS_STYLE
    trims: tuple[TrimLine, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise CostingError("a colourway needs a name")
        if self.pieces < 1:
            raise CostingError(f"colourway {self.name}: {self.pieces} pieces is not an order")
        if (self.dye_class is None) != (self.shade_depth is None):
            raise CostingError(
                f"colourway {self.name}: give both the dye class and the shade depth, or neither"
            )
        names = [t.name for t in self.trims]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise CostingError(f"colourway {self.name}: trim {twice!r} is listed twice")

    def style(self, style: Style) -> Style:
        """``style`` as this colourway makes it."""
        fabric = style.fabric
        if self.dye_class is not None:
            # the shade's own dyeing rate states its loss; the style's override was for its own
            fabric = replace(
                fabric, dye_class=self.dye_class, shade_depth=self.shade_depth, dyeing_loss=None
            )
        mine = {t.name: t for t in self.trims}
        trims = tuple(mine.pop(t.name, t) for t in style.trims) + tuple(mine.values())
        return replace(
            style,
            fabric=fabric,
            printing=style.printing if self.printing is AS_STYLE else self.printing,
            embroidery=style.embroidery if self.embroidery is AS_STYLE else self.embroidery,
            trims=trims,
        )


def check_split(colourways: Sequence[Colourway], quantity: int) -> None:
    """The colourways' pieces must be the order's quantity, and each name used once."""
    names = [c.name.strip().casefold() for c in colourways]
    if len(set(names)) != len(names):
        twice = next(c.name for c in colourways if names.count(c.name.strip().casefold()) > 1)
        raise CostingError(f"colourway {twice} is on the sheet twice")
    pieces = sum(c.pieces for c in colourways)
    if colourways and pieces != quantity:
        raise CostingError(
            f"the colourways add up to {pieces:,} pieces but the order is {quantity:,}"
        )


def weighted(pairs: Sequence[tuple[int, Decimal]]) -> Decimal:
    """Σ piecesᵢ × amountᵢ ÷ Σ piecesᵢ, in full precision."""
    pieces = sum(p for p, _ in pairs)
    return sum((p * amount for p, amount in pairs), ZERO) / pieces


@dataclass(frozen=True)
class ColourwayCost:
    """A colourway with its own cost per piece (and price, when priced for a brand)."""

    colourway: Colourway
    cost: CostResult
    price: PriceResult | None = None


@dataclass(frozen=True)
class ColourwayCosting:
    """Each colourway's cost (and price), and the order's weighted figures."""

    colourways: tuple[ColourwayCost, ...]

    @property
    def cost(self) -> Decimal:
        """The order's cost per piece in the cost currency, weighted by pieces."""
        return weighted([(c.colourway.pieces, c.cost.total) for c in self.colourways])

    @property
    def price(self) -> Decimal | None:
        """The order's price per piece in the brand's currency, weighted by pieces (None
        when not priced)."""
        if any(c.price is None for c in self.colourways):
            return None
        return weighted(
            [(c.colourway.pieces, c.price.price_per_piece) for c in self.colourways if c.price]
        )

    @property
    def one_price(self) -> bool:
        """Whether every colourway has the same price (a proposal then shows one)."""
        return len({c.price.price_per_piece for c in self.colourways if c.price}) <= 1


def cost_colourways(
    style: Style,
    colourways: Sequence[Colourway],
    book: RateBook,
    on: date,
    *,
    brand: Brand | str | None = None,
    quantity: int = 0,
) -> ColourwayCosting:
    """Cost each colourway of ``style``; with a ``brand``, price each at the order's
    ``quantity`` too. A colourway the rates cannot cost is named in the error."""
    if not colourways:
        raise CostingError("the sheet has no colourways")
    results = []
    for colourway in colourways:
        own = colourway.style(style)
        try:
            if brand is None:
                results.append(ColourwayCost(colourway, cost_style(own, book, on)))
            else:
                price = price_style(own, book, on, brand=brand, quantity=quantity)
                results.append(ColourwayCost(colourway, price.cost, price))
        except CostingError as exc:
            raise CostingError(f"colourway {colourway.name}: {exc}") from None
    return ColourwayCosting(tuple(results))
