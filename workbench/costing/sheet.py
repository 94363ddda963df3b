"""A cost sheet as a document: the style's parameters, the brand and the quantity, as JSON.

The same body is saved as a synced document (``cost_sheets.body``), sent to the server's
pricing service for a firm quote, and read back into a `Style` by either side, so a laptop's
estimate and the server's quote are computed from identical inputs. Amounts travel as
decimal strings ("0.08"), never as JSON numbers that a reader might take as floats. A wrong
field is a `CostingError` naming it ("style.making.sam: …").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.costing.colourways import AS_STYLE, Colourway, check_split
from workbench.costing.errors import CostingError
from workbench.costing.inputs import (
    BodyMeasurements,
    Embroidery,
    FabricSpec,
    Making,
    MarkerConsumption,
    PrintSpec,
    Style,
    TrimLine,
)
from workbench.costing.marker import MarkerPlan
from workbench.costing.sizes import SizeLine, SizeRatio
from workbench.costing.terms import DELIVERY_FIELDS

#: 2: the sheet may carry colourways. A reader refuses a sheet of a later version by name
#: rather than cost it without what it cannot read; an edit written at version 1 over a
#: sheet with colourways comes from an app that does not know them and is refused
#: (`workbench.costing.register.refused_change`), so it never drops them.
SHEET_VERSION = 2


@dataclass(frozen=True)
class CostSheet:
    """What a merchandiser fills in: the style, who it is priced for, how many, and when
    (``costed_on`` None: today)."""

    style: Style
    brand: str = ""
    quantity: int = 1000
    costed_on: date | None = None
    title: str = ""
    #: the season it is costed for (SS27, AW27 ...), which the sheet browser filters by
    season: str = ""
    #: free notes kept with the sheet (not part of the costing)
    notes: str = ""
    #: freight, insurance, duty and commissions to the brand (`terms.DELIVERY_FIELDS`), in
    #: the brand's currency per piece and as fractions; None: the sheet prices FOB only
    delivery: dict[str, Decimal] | None = None
    #: the order's colours, each with what makes its cost differ and its pieces of the
    #: quantity (`workbench.costing.colourways`); empty: one colour, the style's
    colourways: tuple[Colourway, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_split(self.colourways, self.quantity)


# -- writing --------------------------------------------------------------------------------


def _d(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def consumption_to_dict(
    consumption: MarkerConsumption | BodyMeasurements | MarkerPlan | SizeRatio,
) -> dict[str, Any]:
    if isinstance(consumption, MarkerConsumption):
        return {"type": "marker", "quantity": _d(consumption.quantity), "uom": consumption.uom}
    if isinstance(consumption, MarkerPlan):
        plan = consumption
        return {
            "type": "marker_plan",
            "width_cm": _d(plan.width_cm),
            "garments": plan.garments,
            "length": _d(plan.length),
            "length_uom": plan.length_uom,
            "efficiency": _d(plan.efficiency),
            "pattern_area_m2": _d(plan.pattern_area_m2),
        }
    if isinstance(consumption, SizeRatio):
        return {
            "type": "size_ratio",
            "sizes": [
                {
                    "size": s.size,
                    "ratio": s.ratio,
                    "consumption": consumption_to_dict(s.consumption),
                }
                for s in consumption.sizes
            ],
        }
    b = consumption
    return {
        "type": "body",
        "body_length_cm": _d(b.body_length_cm),
        "sleeve_length_cm": _d(b.sleeve_length_cm),
        "half_chest_cm": _d(b.half_chest_cm),
        "length_allowance_cm": _d(b.length_allowance_cm),
        "width_allowance_cm": _d(b.width_allowance_cm),
    }


def _print_to_dict(printing: PrintSpec | None) -> dict[str, Any] | None:
    if printing is None:
        return None
    return {"technique": printing.technique, "placements": printing.placements}


def _embroidery_to_list(embroidery: tuple[Embroidery, ...]) -> list[dict[str, Any]]:
    return [
        {"stitches": e.stitches, "rate_code": e.rate_code, "label": e.label} for e in embroidery
    ]


def _trims_to_list(trims: tuple[TrimLine, ...]) -> list[dict[str, Any]]:
    return [
        {
            "material_id": t.material_id,
            "name": t.name,
            "quantity": _d(t.quantity),
            "packing": t.packing,
        }
        for t in trims
    ]


def colourway_to_dict(colourway: Colourway) -> dict[str, Any]:
    """A colourway: a field it leaves as the style's is left out (``"printing": null`` is no
    print, no ``"printing"`` the style's)."""
    data: dict[str, Any] = {"name": colourway.name, "pieces": colourway.pieces}
    if colourway.dye_class is not None:
        data["dye_class"], data["shade_depth"] = colourway.dye_class, colourway.shade_depth
    if colourway.printing is not AS_STYLE:
        data["printing"] = _print_to_dict(colourway.printing)
    if colourway.embroidery is not AS_STYLE:
        data["embroidery"] = _embroidery_to_list(colourway.embroidery)
    if colourway.trims:
        data["trims"] = _trims_to_list(colourway.trims)
    return data


def style_to_dict(style: Style) -> dict[str, Any]:
    f = style.fabric
    consumption = consumption_to_dict(style.consumption)
    return {
        "style_code": style.style_code,
        "category": style.category,
        "fabric": {
            # a decimal string: "180" still reads as a whole number where older versions read
            "kind": f.kind,
            "gsm": f.gsm,
            "width_cm": _d(f.width_cm),
            "construction": f.construction,
            "yarn_material_id": f.yarn_material_id,
            "yarn_count": f.yarn_count,
            "dye_class": f.dye_class,
            "shade_depth": f.shade_depth,
            "finish": f.finish,
            "dyeing_loss": _d(f.dyeing_loss),
            "conversion_loss": _d(f.conversion_loss),
            "material_id": f.material_id,
            "name": f.name,
        },
        "consumption": consumption,
        "making": {
            "sam": _d(style.making.sam),
            "mill": style.making.mill,
            "line_efficiency": _d(style.making.line_efficiency),
        },
        "wastage": _d(style.wastage),
        "printing": _print_to_dict(style.printing),
        "embroidery": _embroidery_to_list(style.embroidery),
        "trims": _trims_to_list(style.trims),
        "factory_overheads": list(style.factory_overheads),
        "commercial_costs": list(style.commercial_costs),
    }


def sheet_to_dict(sheet: CostSheet) -> dict[str, Any]:
    return {
        "sheet_version": SHEET_VERSION,
        "title": sheet.title,
        "season": sheet.season,
        "brand": sheet.brand,
        "quantity": sheet.quantity,
        "costed_on": None if sheet.costed_on is None else sheet.costed_on.isoformat(),
        "notes": sheet.notes,
        **(
            {}
            if sheet.delivery is None
            else {"delivery": {k: str(v) for k, v in sheet.delivery.items()}}
        ),
        "style": style_to_dict(sheet.style),
        **(
            {"colourways": [colourway_to_dict(c) for c in sheet.colourways]}
            if sheet.colourways
            else {}
        ),
        **sheet.extra,
    }


# -- reading --------------------------------------------------------------------------------


class _Reader:
    """Typed access to one JSON object, with the path of each field for messages."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise CostingError(f"{path} must be an object")
        self.data, self.path = data, path

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise CostingError(f"{self.path}.{name} is missing")
        return value

    def text(self, name: str, required: bool = True, default: str = "") -> str:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise CostingError(f"{self.path}.{name} must be text")
        return value

    def opt_text(self, name: str) -> str | None:
        value = self._get(name, False)
        return None if value in (None, "") else self.text(name)

    def integer(self, name: str, required: bool = True, default: int = 0) -> int:
        value = self._get(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise CostingError(f"{self.path}.{name} must be a whole number")
        try:
            return int(value)
        except ValueError:
            raise CostingError(f"{self.path}.{name} must be a whole number") from None

    def decimal(self, name: str, required: bool = True) -> Decimal | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, float | bool):
            raise CostingError(f"{self.path}.{name} must be a decimal string, not a float")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CostingError(f"{self.path}.{name} is not a number: {value!r}") from None
        if not number.is_finite():
            raise CostingError(f"{self.path}.{name} is not a number: {value!r}")
        return number

    def need(self, name: str) -> Decimal:
        value = self.decimal(name)
        assert value is not None
        return value

    def obj(self, name: str) -> _Reader:
        return _Reader(self._get(name, True), f"{self.path}.{name}")

    def items(self, name: str) -> list[_Reader]:
        value = self._get(name, False) or []
        if not isinstance(value, list):
            raise CostingError(f"{self.path}.{name} must be a list")
        return [_Reader(v, f"{self.path}.{name}[{i}]") for i, v in enumerate(value)]


def _consumption(
    c: _Reader, sizes: bool
) -> MarkerConsumption | BodyMeasurements | MarkerPlan | SizeRatio:
    """A consumption as `consumption_to_dict` writes it; a size's own is never a ratio."""
    kind = c.text("type")
    if kind == "marker":
        # the unit is checked by MarkerConsumption itself (kg, m or yd), hence the ignore
        return MarkerConsumption(c.need("quantity"), c.text("uom"))  # type: ignore[arg-type]
    if kind == "marker_plan":
        return MarkerPlan(
            width_cm=c.need("width_cm"),
            garments=c.integer("garments"),
            length=c.decimal("length", False),
            length_uom=c.text("length_uom", False, "m"),  # type: ignore[arg-type]
            efficiency=c.decimal("efficiency", False),
            pattern_area_m2=c.decimal("pattern_area_m2", False),
        )
    if kind == "body":
        return BodyMeasurements(
            c.need("body_length_cm"),
            c.need("sleeve_length_cm"),
            c.need("half_chest_cm"),
            **{
                k: v
                for k in ("length_allowance_cm", "width_allowance_cm")
                if (v := c.decimal(k, False)) is not None
            },
        )
    if kind == "size_ratio" and sizes:
        lines = []
        for s in c.items("sizes"):
            inner = _consumption(s.obj("consumption"), sizes=False)
            assert not isinstance(inner, SizeRatio)
            lines.append(SizeLine(s.text("size"), s.integer("ratio"), inner))
        return SizeRatio(tuple(lines))
    allowed = "'marker', 'marker_plan', 'body'" + (" or 'size_ratio'" if sizes else "")
    raise CostingError(f"{c.path}.type must be {allowed}")


def _printing(r: _Reader) -> PrintSpec | None:
    if r.data.get("printing") is None:
        return None
    p = r.obj("printing")
    return PrintSpec(p.text("technique"), p.integer("placements", False, 1))


def _embroidery(r: _Reader) -> tuple[Embroidery, ...]:
    return tuple(
        Embroidery(
            e.integer("stitches"),
            e.text("rate_code", False, "EMB-FLAT"),
            e.text("label", False),
        )
        for e in r.items("embroidery")
    )


def _trims(r: _Reader) -> tuple[TrimLine, ...]:
    return tuple(
        TrimLine(
            t.text("material_id"),
            t.text("name", False),
            t.need("quantity"),
            bool(t.data.get("packing", False)),
        )
        for t in r.items("trims")
    )


def _colourways(r: _Reader) -> tuple[Colourway, ...]:
    """The sheet's colourways as `colourway_to_dict` writes them; an error names the
    colourway's place ("sheet.colourways[1].pieces ...")."""
    colourways = []
    for c in r.items("colourways"):
        try:
            colourways.append(
                Colourway(
                    name=c.text("name"),
                    pieces=c.integer("pieces"),
                    dye_class=c.opt_text("dye_class"),
                    shade_depth=c.opt_text("shade_depth"),
                    printing=_printing(c) if "printing" in c.data else AS_STYLE,
                    embroidery=_embroidery(c) if "embroidery" in c.data else AS_STYLE,
                    trims=_trims(c),
                )
            )
        except CostingError as exc:
            message = str(exc)
            raise CostingError(
                message if message.startswith(c.path) else f"{c.path}: {message}"
            ) from None
    return tuple(colourways)


def style_from_dict(data: Any, path: str = "style") -> Style:
    r = _Reader(data, path)
    try:
        f = r.obj("fabric")
        fabric = FabricSpec(
            # the text is checked by FabricSpec itself (knit or woven), hence the ignore
            kind=f.text("kind"),  # type: ignore[arg-type]
            gsm=f.integer("gsm"),
            width_cm=f.need("width_cm"),
            construction=f.text("construction"),
            yarn_material_id=f.text("yarn_material_id"),
            yarn_count=f.text("yarn_count", False),
            dye_class=f.opt_text("dye_class"),
            shade_depth=f.opt_text("shade_depth"),
            finish=f.text("finish", False),
            dyeing_loss=f.decimal("dyeing_loss", False),
            conversion_loss=f.decimal("conversion_loss", False),
            material_id=f.opt_text("material_id"),
            name=f.text("name", False),
        )
        consumption = _consumption(r.obj("consumption"), sizes=True)
        m = r.obj("making")
        making = Making(m.need("sam"), m.text("mill"), m.need("line_efficiency"))
        printing = _printing(r)
        style = Style(
            style_code=r.text("style_code"),
            category=r.text("category", False, "*"),
            fabric=fabric,
            consumption=consumption,
            making=making,
            wastage=r.decimal("wastage", False) or Decimal(0),
            printing=printing,
            embroidery=_embroidery(r),
            trims=_trims(r),
        )
        overheads = r.data.get("factory_overheads")
        commercial = r.data.get("commercial_costs")
        if overheads is not None or commercial is not None:
            from dataclasses import replace

            style = replace(
                style,
                factory_overheads=tuple(
                    overheads if overheads is not None else style.factory_overheads
                ),
                commercial_costs=tuple(
                    commercial if commercial is not None else style.commercial_costs
                ),
            )
        return style
    except CostingError as exc:
        message = str(exc)
        raise CostingError(message if message.startswith(path) else f"{path}: {message}") from None


def sheet_from_dict(data: Any) -> CostSheet:
    r = _Reader(data, "sheet")
    costed = r.opt_text("costed_on")
    try:
        costed_on = None if costed is None else date.fromisoformat(costed)
    except ValueError:
        raise CostingError(f"sheet.costed_on is not an ISO date: {costed!r}") from None
    known = {
        "sheet_version",
        "title",
        "brand",
        "quantity",
        "costed_on",
        "notes",
        "style",
        "delivery",
        "season",
        "colourways",
    }
    version = r.integer("sheet_version", False, 1)
    if version > SHEET_VERSION:
        raise CostingError(
            f"the sheet was saved by a later version of Mill Workbench (sheet version "
            f"{version}; this one reads up to {SHEET_VERSION}): update to open it"
        )
    delivery = None
    if r.data.get("delivery") is not None:
        d = r.obj("delivery")
        unknown = set(d.data) - set(DELIVERY_FIELDS)
        if unknown:
            raise CostingError(f"sheet.delivery.{sorted(unknown)[0]} is not a delivery term")
        delivery = {k: d.need(k) for k in d.data if d.data[k] is not None}
        for k, v in delivery.items():
            if v < 0:
                raise CostingError(f"sheet.delivery.{k} cannot be negative")
    colourways = _colourways(r)
    quantity = r.integer("quantity", False, 1000)
    try:
        check_split(colourways, quantity)
    except CostingError as exc:
        raise CostingError(f"sheet.colourways: {exc}") from None
    return CostSheet(
        style=style_from_dict(r.data.get("style"), "style"),
        brand=r.text("brand", False),
        quantity=quantity,
        costed_on=costed_on,
        title=r.text("title", False),
        season=r.text("season", False),
        notes=r.text("notes", False),
        delivery=delivery,
        colourways=colourways,
        extra={k: v for k, v in r.data.items() if k not in known},
    )
