"""The worked examples of docs/costing.md — a knitted T-shirt to Sweden, a woven shirt to the
United States, a T-shirt into India — as engine inputs. The tests check the document's every
figure against what the engine computes from these, so the document and the engine cannot
drift apart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from workbench.costing import (
    BodyMeasurements,
    Brand,
    Embroidery,
    FabricSpec,
    FxRate,
    Making,
    MarginRule,
    MarkerConsumption,
    PrintSpec,
    Rate,
    RateBook,
    Shipping,
    Style,
    TrimLine,
    cost_per_minute,
)

ON = date(2026, 11, 24)
VALID = date(2026, 10, 1)
MILL = "Kongu Unit 1, Tiruppur"
SHIRT_MILL = "Padma Works 2, Bengaluru"


def _r(code: str, process: str, basis: str, amount: str, **keys: object) -> Rate:
    return Rate(code, process, basis, D(amount), VALID, "Mill quotation 2026-10", **keys)  # type: ignore[arg-type]


RATES = (
    _r("YRN-NE30", "yarn", "per kg", "290", material_id="yarn-ne30"),
    _r("YRN-NE40", "yarn", "per kg", "330", material_id="yarn-ne40"),
    _r("KNT-SINGLE", "knitting", "per kg", "55", technique="24G single knit"),
    _r("WEA-POPLIN", "weaving", "per m", "24", technique="1/1 plain 133x72"),
    _r(
        "DYE-REA-M",
        "dyeing",
        "per kg",
        "102",
        dye_class="reactive",
        shade_depth="medium",
        process_loss=D("0.10"),
    ),
    _r(
        "DYE-REA-L",
        "dyeing",
        "per kg",
        "80",
        dye_class="reactive",
        shade_depth="light",
        process_loss=D("0.08"),
    ),
    _r("FIN-COMPAC", "finishing", "per kg", "18", technique="compacted"),
    _r("FIN-EASYCA", "finishing", "per kg", "35", technique="easy care"),
    _r("PRT-PLASTI", "printing", "per piece", "8", technique="plastisol placement"),
    _r("EMB-FLAT", "embroidery", "per 1000 stitches", "4.5"),
    # ₹37,440 a month per operator over 26 days × 8 h: ₹3.00 a minute
    _r("CPM-01", "making", "per minute", str(cost_per_minute(D(37440), 26, D(8))), technique=MILL),
    _r("CPM-02", "making", "per minute", "3.20", technique=SHIRT_MILL),
    _r("TRIM", "trim", "per piece", "2.20", material_id="main-label"),
    _r("TRIM", "trim", "per piece", "0.60", material_id="care-label"),
    _r("TRIM", "trim", "per piece", "1.50", material_id="hang-tag"),
    _r("TRIM", "trim", "per piece", "0.55", material_id="button-18l"),
    _r("TRIM", "trim", "per piece", "1.80", material_id="poly-bag"),
    _r("TRIM", "trim", "per piece", "4.00", material_id="carton-share"),
    _r("OVH-FACT", "overhead", "percent", "12", description="Factory overhead"),
    _r("OVH-COMM", "overhead", "percent", "3", description="Commercial cost"),
    _r("OVH-TEST", "overhead", "percent", "1", description="Testing"),
)

NORDVIK = Brand("b-nordvik", "NORDV", "Nordvik Outfitters", "EUR", "SE")
COASTLINE = Brand("b-coast", "CSTL", "Coastline Basics", "USD", "US")
RULES = (
    MarginRule("b-nordvik", "margin", D("0.28"), date(2026, 1, 1), "*", D("0.15"), 0, D("0.05")),
    MarginRule(
        "b-coast", "markup", D("0.35"), date(2026, 1, 1), "woven shirts", D("0.20"), 0, D("0.10")
    ),
)
FX = (
    FxRate("INR", "EUR", D("0.0102"), date(2026, 11, 2)),
    FxRate("INR", "USD", D("0.01185"), date(2026, 11, 2)),
)
BOOK = RateBook(rates=RATES, margin_rules=RULES, brands=(NORDVIK, COASTLINE), fx_rates=FX)

JERSEY = FabricSpec(
    kind="knit",
    gsm=180,
    width_cm=180,
    construction="24G single knit, open width",
    yarn_material_id="yarn-ne30",
    yarn_count="Ne 30/1",
    dye_class="reactive",
    shade_depth="medium",
    finish="compacted",
    name="Single jersey 180, reactive medium",
)

TSHIRT = Style(
    style_code="NV-TEE-01",
    category="knit tops",
    fabric=JERSEY,
    # body 76 cm + 5 allowance, sleeve 23 + 4, ½ chest 58 + 3: the trade's worked example
    consumption=BodyMeasurements(
        D(76), D(23), D(58), length_allowance_cm=D(9), width_allowance_cm=D(3)
    ),
    making=Making(sam=D(12), mill=MILL, line_efficiency=D("0.65")),
    wastage=D("0.08"),
    printing=PrintSpec("plastisol placement"),
    trims=(
        TrimLine("main-label", "main label", D(1)),
        TrimLine("care-label", "care label", D(1)),
        TrimLine("hang-tag", "hang tag", D(1)),
        TrimLine("poly-bag", "poly bag", D(1), packing=True),
        TrimLine("carton-share", "carton share", D(1), packing=True),
    ),
)
TSHIRT_SHIPPING = Shipping.for_country(
    NORDVIK.country,
    freight=D("0.18"),
    insurance_rate=D("0.005"),
    duty_rate=D("0.12"),
    local_freight=D("0.05"),
)

POPLIN = FabricSpec(
    kind="woven",
    gsm=120,
    width_cm=147,
    construction="1/1 plain 133x72",
    yarn_material_id="yarn-ne40",
    yarn_count="Ne 40/1",
    dye_class="reactive",
    shade_depth="light",
    finish="easy care",
    conversion_loss=D("0.02"),
    name="Poplin 133x72 Ne 40/1, reactive light",
)

SHIRT = Style(
    style_code="CB-SHIRT-07",
    category="woven shirts",
    fabric=POPLIN,
    consumption=MarkerConsumption(D("1.65"), "m"),
    making=Making(sam=D(24), mill=SHIRT_MILL, line_efficiency=D("0.55")),
    wastage=D("0.03"),
    embroidery=(Embroidery(6000, "EMB-FLAT", "chest logo"),),
    trims=(
        TrimLine("button-18l", "buttons", D(9)),
        TrimLine("main-label", "main label", D(1)),
        TrimLine("care-label", "care label", D(1)),
        TrimLine("poly-bag", "poly bag", D(1), packing=True),
    ),
)
SHIRT_SHIPPING = Shipping.for_country(
    COASTLINE.country,
    freight=D("0.22"),
    insurance_rate=D("0.005"),
    duty_rate=D("0.165"),
    local_freight=D("0.06"),
)

#: worked example 3: a tee bought at FOB ₹265.00 by a Mumbai retailer through a buying agent
INDIA_FOB = D("265.00")
INDIA_SHIPPING = Shipping.for_country(
    "IN",
    freight=D("9.50"),
    insurance_rate=D("0.004"),
    duty_rate=D("0.22"),
    local_freight=D("3.00"),
    buying_agent_rate=D("0.03"),
)

TSHIRT_ORDER = ("NORDV", 3000)
SHIRT_ORDER = ("CSTL", 2400)
