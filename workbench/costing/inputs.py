"""What the engine is given: the rates in force (from the replica or a test) and the style.

Why frozen dataclasses of `Decimal` and `date`: a costing must be reproducible from its inputs
(the server re-costs a laptop's estimate into a firm quote), so inputs are plain immutable
values with explicit units in their names; nothing here knows SQLite, Qt or HTTP.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from workbench.costing.errors import CostingError
from workbench.costing.marker import MarkerPlan
from workbench.costing.money import ONE, ZERO
from workbench.costing.sizes import SizeRatio

# -- rates and rules ------------------------------------------------------------------------------


@functools.cache
def basis_unit(basis: str) -> str:
    """The quantity unit a rate basis charges for: "per kg" → "kg", "per metre" → "m",
    "per piece" → "pc", "per minute" → "min", "per 1000 stitches" → "1000 stitches",
    "percent" → "percent". Free text in the master, so a few spellings are accepted."""
    text = " ".join(basis.casefold().replace(",", "").split())
    text = text.removeprefix("per ").strip()
    aliases = {
        "kg": "kg",
        "kilo": "kg",
        "kilogram": "kg",
        "m": "m",
        "metre": "m",
        "meter": "m",
        "mtr": "m",
        "piece": "pc",
        "pc": "pc",
        "pcs": "pc",
        "unit": "pc",
        "minute": "min",
        "min": "min",
        "1000 stitches": "1000 stitches",
        "thousand stitches": "1000 stitches",
        "percent": "percent",
        "%": "percent",
        "pct": "percent",
    }
    return aliases.get(text, text)


@dataclass(frozen=True)
class Rate:
    """One row of the cost-rate master: a price for a process, valid from a date.

    ``rate`` is per ``basis`` in ``currency``; for basis "percent" it is a percentage (12 =
    12 %). ``process_loss`` (a fraction) is set on dyeing rates that state one.
    """

    rate_code: str
    process: str
    basis: str
    rate: Decimal
    valid_from: date
    source: str = ""
    description: str = ""
    currency: str = "INR"
    material_id: str | None = None
    dye_class: str | None = None
    shade_depth: str | None = None
    technique: str | None = None
    process_loss: Decimal | None = None

    @property
    def unit(self) -> str:
        return basis_unit(self.basis)  # cached per spelling


@dataclass(frozen=True)
class MarginRule:
    """How a brand prices a category from an order quantity on, valid from a date.

    ``method`` "margin": ``rate`` is the margin on the selling price (price = cost / (1 − rate));
    "markup": ``rate`` is the markup on cost (price = cost × (1 + rate)). ``min_margin`` is the
    floor on the margin on selling price, whatever the method. ``price_rounding`` is the price
    point the price is rounded *up* to (None: up to the cent).
    """

    brand_id: str
    method: Literal["margin", "markup"]
    rate: Decimal
    valid_from: date
    category: str = "*"
    min_margin: Decimal | None = None
    moq_from: int = 0
    price_rounding: Decimal | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if self.method not in ("margin", "markup"):
            raise CostingError(
                f"margin rule method must be 'margin' or 'markup', not {self.method!r}"
            )
        if self.rate < 0 or (self.method == "margin" and self.rate >= ONE):
            raise CostingError(f"a {self.method} rate of {self.rate} cannot price anything")
        if self.min_margin is not None and not ZERO <= self.min_margin < ONE:
            raise CostingError(f"a minimum margin of {self.min_margin} is not a fraction below 1")


@dataclass(frozen=True)
class FxRate:
    """1 ``from_currency`` = ``rate`` ``to_currency``, as quoted on ``as_of``."""

    from_currency: str
    to_currency: str
    rate: Decimal
    as_of: date

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise CostingError(
                f"FX rate {self.from_currency}→{self.to_currency} of {self.rate} is not positive"
            )


@dataclass(frozen=True)
class Brand:
    """A customer; its ``currency`` is the one its prices are quoted in."""

    id: str
    code: str
    name: str
    currency: str
    country: str = ""


# -- the style ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FabricSpec:
    """The fabric a style is cut from, as far as its cost chain needs it.

    ``width_cm`` is the *cuttable* width (for tubular knits, twice the flat tube width), to
    any decimals: a 72″ fabric is 182.88 cm (`workbench.costing.units`).
    ``construction`` selects the knitting or weaving rate: the longest rate technique that the
    construction starts with wins ("24G single knit, tubular" → "24G single knit").
    ``dye_class`` None means greige or yarn-dyed: no dyeing and no dyeing loss.
    ``dyeing_loss`` overrides the loss the dyeing rate states (a fraction: 0.10 = 10 %).
    ``conversion_loss`` is the yarn lost in knitting or weaving, as a fraction of the grey
    fabric (None: the trade's usual 0.5 %).
    """

    kind: Literal["knit", "woven"]
    gsm: int
    width_cm: Decimal
    construction: str
    yarn_material_id: str
    yarn_count: str
    dye_class: str | None = None
    shade_depth: str | None = None
    finish: str = ""
    dyeing_loss: Decimal | None = None
    conversion_loss: Decimal | None = None
    material_id: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.width_cm, int):  # a whole width, as the materials table holds it
            object.__setattr__(self, "width_cm", Decimal(self.width_cm))
        if self.kind not in ("knit", "woven"):
            raise CostingError(f"fabric kind must be 'knit' or 'woven', not {self.kind!r}")
        if self.gsm <= 0 or self.width_cm <= 0:
            raise CostingError(
                f"fabric {self.name or self.construction!r} needs a positive GSM and width "
                f"(got {self.gsm} g/m², {self.width_cm} cm)"
            )
        if self.dye_class is not None and not self.shade_depth:
            raise CostingError(f"dyed fabric (dye class {self.dye_class!r}) needs a shade depth")
        for name, loss in (("dyeing", self.dyeing_loss), ("conversion", self.conversion_loss)):
            if loss is not None and not ZERO <= loss < ONE:
                raise CostingError(f"a {name} loss of {loss} is not a fraction below 1")


@dataclass(frozen=True)
class MarkerConsumption:
    """Fabric per piece as the marker gives it (marker efficiency is already in it), in kg,
    metres or yards (1 yd = 0.9144 m exactly)."""

    quantity: Decimal
    uom: Literal["kg", "m", "yd"]

    def __post_init__(self) -> None:
        if self.uom not in ("kg", "m", "yd"):
            raise CostingError(f"marker consumption is in kg, m or yd, not {self.uom!r}")
        if self.quantity <= 0:
            raise CostingError(f"marker consumption must be positive, not {self.quantity}")


@dataclass(frozen=True)
class BodyMeasurements:
    """Fabric per piece estimated from the garment's measurements, before a marker exists.

    The knit-top convention of the trade (see docs/costing.md): length = body length + sleeve
    length + length allowance (hems, shoulder and armhole seams); width = ½ chest + width
    allowance (side seam); front and back make the × 2. The allowance for the fabric lost
    between pattern pieces is the style's wastage, added after.
    """

    body_length_cm: Decimal
    sleeve_length_cm: Decimal
    half_chest_cm: Decimal
    length_allowance_cm: Decimal = Decimal(9)
    width_allowance_cm: Decimal = Decimal(3)

    def __post_init__(self) -> None:
        if self.body_length_cm <= 0 or self.half_chest_cm <= 0 or self.sleeve_length_cm < 0:
            raise CostingError("body length and chest must be positive, sleeves not negative")
        if self.length_allowance_cm < 0 or self.width_allowance_cm < 0:
            raise CostingError("seam allowances cannot be negative")


@dataclass(frozen=True)
class PrintSpec:
    """A print by technique. Per-metre techniques (all-over prints) go into the fabric cost;
    per-piece techniques (placement prints) are charged ``placements`` times per garment."""

    technique: str
    placements: int = 1


@dataclass(frozen=True)
class Embroidery:
    """An embroidery of ``stitches`` stitches, priced by the rate ``rate_code`` per 1,000."""

    stitches: int
    rate_code: str = "EMB-FLAT"
    label: str = ""


@dataclass(frozen=True)
class Making:
    """Cut-make-trim labour: standard allowed minutes at a mill's cost per minute, divided by
    the line efficiency because a line at 60 % takes 1/0.6 times the standard minutes."""

    sam: Decimal
    mill: str
    line_efficiency: Decimal

    def __post_init__(self) -> None:
        if self.sam <= 0:
            raise CostingError(f"SAM must be positive, not {self.sam}")
        if not ZERO < self.line_efficiency <= ONE:
            raise CostingError(
                f"line efficiency {self.line_efficiency} is not a fraction between 0 and 1"
            )


@dataclass(frozen=True)
class TrimLine:
    """A trim or packing item: ``quantity`` per piece (pieces or metres) of a trim material,
    priced by that material's trim rate. ``name`` is what the breakdown calls it ("button")."""

    material_id: str
    name: str
    quantity: Decimal
    packing: bool = False

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise CostingError(f"trim {self.name!r} needs a positive quantity per piece")


@dataclass(frozen=True)
class Style:
    """Everything a style's cost depends on besides the rates.

    ``wastage`` (a fraction) is added on top of the fabric consumption: cutting ends, shade
    bands and rejects. ``factory_overheads`` name percent overhead rates applied to the
    manufacturing cost; ``commercial_costs`` name overhead rates (percent of the factory cost,
    or a flat amount per piece for a "per piece" basis: testing, freight, duty where it
    applies) added after that. ``category`` selects the brand's margin rule.
    """

    style_code: str
    category: str
    fabric: FabricSpec
    consumption: MarkerConsumption | BodyMeasurements | MarkerPlan | SizeRatio
    making: Making
    wastage: Decimal = ZERO
    printing: PrintSpec | None = None
    embroidery: tuple[Embroidery, ...] = ()
    trims: tuple[TrimLine, ...] = ()
    factory_overheads: tuple[str, ...] = ("Factory overhead",)
    commercial_costs: tuple[str, ...] = ("Commercial cost", "Testing")

    def __post_init__(self) -> None:
        if not ZERO <= self.wastage < ONE:
            raise CostingError(f"wastage {self.wastage} is not a fraction below 1")
