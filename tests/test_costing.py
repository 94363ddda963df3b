"""The costing engine: hand-computed fabric and garment cases, staleness and missing rates.

The hand cases use round rates so every expected figure can be checked on paper; the numbers in
the comments are that paper.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from workbench.costing import (
    BodyMeasurements,
    Brand,
    CostingError,
    Embroidery,
    FabricSpec,
    FxRate,
    Making,
    MarginRule,
    MarkerConsumption,
    PrintSpec,
    Rate,
    RateBook,
    Style,
    TrimLine,
    cost_fabric,
    cost_style,
    kg_per_metre,
    stale_lines,
)

ON = date(2026, 11, 1)  # the costing date of the hand cases
CURRENT = date(2026, 10, 1)  # current rates: valid from here
OLDER = date(2025, 9, 1)  # last year's rates: 7 % cheaper
MILL = "Kongu Unit 1, Tiruppur"


def _rate(code: str, process: str, basis: str, amount: str, **keys: object) -> list[Rate]:
    """A rate in two versions, as the master holds them: current, and 7 % cheaper last year."""
    current = D(amount)
    return [
        Rate(code, process, basis, current, CURRENT, f"Mill quotation {CURRENT:%Y-%m}", **keys),
        Rate(code, process, basis, current * D("0.93"), OLDER, f"SAP {OLDER:%Y-%m}", **keys),
    ]  # type: ignore[arg-type]


RATES: tuple[Rate, ...] = (
    *_rate("YRN-NE30-1", "yarn", "per kg", "310", material_id="yarn-30"),
    *_rate("KNT-SINGLE", "knitting", "per kg", "50", technique="24G single knit"),
    *_rate("KNT-LYCRA", "knitting", "per kg", "85", technique="24G single knit, elastane plated"),
    *_rate("WEA-POPLIN", "weaving", "per m", "27", technique="1/1 plain 133x72"),
    *_rate(
        "DYE-REA-D",
        "dyeing",
        "per kg",
        "135",
        dye_class="reactive",
        shade_depth="dark",
        process_loss=D("0.10"),
    ),
    *_rate("DYE-REA-L", "dyeing", "per kg", "80", dye_class="reactive", shade_depth="light"),
    *_rate("FIN-BIOWAS", "finishing", "per kg", "20", technique="bio-wash"),
    *_rate("PRT-ROTARY", "printing", "per m", "36", technique="rotary screen"),
    *_rate("PRT-PLASTI", "printing", "per piece", "8", technique="plastisol placement"),
    *_rate("EMB-FLAT", "embroidery", "per 1000 stitches", "4.5"),
    *_rate("CPM-01", "making", "per minute", "5", technique=MILL),
    *_rate("TRIM", "trim", "per piece", "2", material_id="label-main"),
    *_rate("TRIM", "trim", "per piece", "0.80", material_id="label-care"),
    # the poly bag was last priced over a year ago: its only version is old
    Rate(
        "TRIM",
        "trim",
        "per piece",
        D("1.70"),
        OLDER,
        "Supplier price list 2025-09",
        material_id="polybag",
    ),
    *_rate("OVH-FACT", "overhead", "percent", "12", description="Factory overhead"),
    *_rate("OVH-COMM", "overhead", "percent", "3", description="Commercial cost"),
    *_rate("OVH-TEST", "overhead", "percent", "1", description="Testing"),
)

NORDV = Brand("b-nordv", "NORDV", "Nordvik Outfitters", "EUR", "SE")
RULES = (
    MarginRule("b-nordv", "margin", D("0.25"), date(2025, 1, 1), "*", D("0.15"), 0, D("0.05")),
    MarginRule("b-nordv", "margin", D("0.23"), date(2025, 1, 1), "*", D("0.15"), 5000, D("0.05")),
    MarginRule(
        "b-nordv", "markup", D("0.40"), date(2025, 1, 1), "knit tops", D("0.18"), 0, D("0.10")
    ),
)
FX = (
    FxRate("INR", "EUR", D("0.0105"), date(2026, 1, 1)),
    FxRate("INR", "EUR", D("0.0100"), date(2026, 10, 15)),
    FxRate("INR", "EUR", D("0.0090"), date(2026, 12, 1)),  # after the costing date: unused
)


def book(**changes: object) -> RateBook:
    base = RateBook(rates=RATES, margin_rules=RULES, brands=(NORDV,), fx_rates=FX)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


JERSEY = FabricSpec(
    kind="knit",
    gsm=160,
    width_cm=180,  # kg per m = 160 × 180 / 100 / 1000 = 0.288
    construction="24G single knit, open width",
    yarn_material_id="yarn-30",
    yarn_count="Ne 30/1",
    dye_class="reactive",
    shade_depth="dark",
    finish="bio-wash",
)


def tee(**changes: object) -> Style:
    """A single-jersey T-shirt with a placement print, a small embroidery and basic trims."""
    style = Style(
        style_code="TEE-001",
        category="knit tops",
        fabric=JERSEY,
        consumption=MarkerConsumption(D("0.2"), "kg"),
        making=Making(sam=D(10), mill=MILL, line_efficiency=D("0.8")),
        wastage=D("0.05"),
        printing=PrintSpec("plastisol placement"),
        embroidery=(Embroidery(5000),),
        trims=(
            TrimLine("label-main", "main label", D(1)),
            TrimLine("label-care", "care label", D(1)),
            TrimLine("polybag", "poly bag", D(1), packing=True),
        ),
    )
    return dataclasses.replace(style, **changes)  # type: ignore[arg-type]


# -- fabric -----------------------------------------------------------------------------------


def test_knit_fabric_per_kg_and_per_metre() -> None:
    fabric = cost_fabric(JERSEY, book(), ON)
    amounts = {line.component: line.amount for line in fabric.lines}
    # grey = 1.005 kg yarn × 310 + knitting 50 = 361.55; dyed = 1.10 × grey + dyeing 135
    assert amounts == {
        "Yarn Ne 30/1": D("311.55"),
        "Knitting": D(50),
        "Dyeing reactive dark": D(135),
        "Grey fabric lost in dyeing 10 %": D("36.155"),  # 0.10 kg × 361.55
        "Finishing bio-wash": D(20),
    }
    assert fabric.kg_per_m == D("0.288")
    assert fabric.per_kg == D("552.705")
    assert fabric.per_m == D("159.17904")  # 552.705 × 0.288


def test_per_metre_print_goes_into_the_fabric_through_its_weight_per_metre() -> None:
    fabric = cost_fabric(JERSEY, book(), ON, PrintSpec("rotary screen"))
    line = next(line for line in fabric.lines if line.component == "Print rotary screen")
    assert line.unit == "m" and line.rate == D(36)
    assert round(line.amount, 12) == D(125)  # 36 per m ÷ 0.288 kg per m
    assert round(fabric.per_kg, 12) == D("677.705")


def test_woven_fabric_converts_weaving_per_metre_to_per_kg() -> None:
    poplin = FabricSpec(
        kind="woven",
        gsm=120,
        width_cm=150,
        construction="1/1 plain 133x72",
        yarn_material_id="yarn-30",
        yarn_count="Ne 30/1",
        dye_class="reactive",
        shade_depth="light",
    )
    fabric = cost_fabric(poplin, book(), ON)
    assert fabric.kg_per_m == kg_per_metre(120, 150) == D("0.18")
    weaving = next(line for line in fabric.lines if line.component == "Weaving")
    assert weaving.unit == "m" and round(weaving.quantity, 12) == round(1 / D("0.18"), 12)
    assert round(weaving.amount, 12) == D(150)  # 27 per m ÷ 0.18 kg per m
    # grey 311.55 + 150 = 461.55; the light-shade rate states no loss, so the default 10 %:
    # 1.10 × 461.55 + 80 = 587.705 per kg
    assert round(fabric.per_kg, 12) == D("587.705")
    assert round(fabric.per_m, 12) == D("105.7869")


def test_the_longest_matching_knitting_technique_wins() -> None:
    plated = dataclasses.replace(JERSEY, construction="24G single knit, elastane plated, tubular")
    assert cost_fabric(plated, book(), ON).lines[1].rate_code == "KNT-LYCRA"
    assert cost_fabric(JERSEY, book(), ON).lines[1].rate_code == "KNT-SINGLE"


# -- garment ----------------------------------------------------------------------------------


def test_single_jersey_tshirt_hand_computed() -> None:
    result = cost_style(tee(), book(), ON)
    assert result.consumption_kg == D("0.21")  # 0.2 kg from the marker + 5 % wastage
    amounts = {line.component: line.amount for line in result.lines}
    assert amounts == {
        "Yarn Ne 30/1": D("65.4255"),  # 1.005 × 310 × 0.21
        "Knitting": D("10.50"),
        "Dyeing reactive dark": D("28.35"),
        "Grey fabric lost in dyeing 10 %": D("7.59255"),  # 36.155 × 0.21
        "Finishing bio-wash": D("4.20"),
        "Print plastisol placement": D(8),
        "Embroidery": D("22.5"),  # 5,000 stitches = 5 × 4.50
        "Making": D("62.5"),  # 10 SAM ÷ 0.8 efficiency = 12.5 min × 5.00
        "Trims: main label": D(2),
        "Trims: care label": D("0.80"),
        "Packing: poly bag": D("1.70"),
        "Factory overhead": D("25.628166"),  # 12 % of 213.56805
        "Commercial cost": D("7.17588648"),  # 3 % of 239.196216
        "Testing": D("2.39196216"),  # 1 % of 239.196216
    }
    assert result.manufacturing_cost == D("213.56805")
    assert result.factory_cost == D("239.196216")
    assert result.total == D("248.76406464")
    assert result.total_shown == D("248.76")
    making = result.line("Making")
    assert (making.quantity, making.unit, making.rate) == (D("12.5"), "min", D(5))


def test_shares_sum_to_exactly_one() -> None:
    result = cost_style(tee(), book(), ON)
    assert sum(line.share for line in result.lines) == 1
    for line in result.lines:
        assert abs(line.share - line.amount / result.total) < D("0.0001")
    assert result.line("Making").share == D("0.2512")  # 62.5 / 248.76406464 = 0.25124…


def test_consumption_from_body_measurements() -> None:
    body = BodyMeasurements(
        body_length_cm=D(70),
        sleeve_length_cm=D(20),
        half_chest_cm=D(50),
        length_allowance_cm=D(6),
        width_allowance_cm=D(4),
    )
    result = cost_style(tee(consumption=body), book(), ON)
    # (70 + 20 + 6) × (50 + 4) × 2 × 160 / 10,000,000 = 0.165888 kg; + 5 % = 0.1741824 kg
    assert result.consumption_kg == D("0.1741824")
    assert result.line("Yarn Ne 30/1").amount == D("0.1741824") * D("1.005") * 310
    assert result.consumption_m == D("0.1741824") / D("0.288")


def test_marker_consumption_in_metres_is_weighed() -> None:
    result = cost_style(tee(consumption=MarkerConsumption(D("0.5"), "m"), wastage=D(0)), book(), ON)
    assert result.consumption_kg == D("0.144")  # 0.5 m × 0.288 kg per m


def test_an_earlier_costing_date_uses_last_years_rates() -> None:
    result = cost_style(tee(), book(), date(2026, 3, 1))
    knitting = result.line("Knitting")
    assert knitting.rate == D("46.50") and knitting.valid_from == OLDER
    assert result.line("Yarn Ne 30/1").rate == D("288.30")
    assert result.total < cost_style(tee(), book(), ON).total


def test_a_missing_rate_names_what_is_missing() -> None:
    vat = dataclasses.replace(JERSEY, dye_class="vat")
    with pytest.raises(CostingError) as error:
        cost_style(tee(fabric=vat), book(), ON)
    expected = "no dyeing rate for dye class 'vat', shade 'dark' on or before 2026-11-01"
    assert str(error.value) == expected


def test_a_costing_before_any_rate_says_when_rates_start() -> None:
    with pytest.raises(
        CostingError,
        match=r"no yarn rate for yarn Ne 30/1 .* on or before "
        r"2025-01-01 \(the earliest is valid from 2025-09-01\)",
    ):
        cost_style(tee(), book(), date(2025, 1, 1))


def test_missing_making_rate_names_the_mill() -> None:
    other = Making(sam=D(10), mill="Padma Works 3, Dhaka", line_efficiency=D("0.7"))
    with pytest.raises(CostingError, match="no making rate for mill 'Padma Works 3, Dhaka'"):
        cost_style(tee(making=other), book(), ON)


def test_stale_lines_flag_rates_older_than_the_limit() -> None:
    result = cost_style(tee(), book(), ON)
    stale = stale_lines(result, ON, max_age_days=180)
    assert [line.component for line in stale] == ["Packing: poly bag"]
    assert stale[0].source == "Supplier price list 2025-09"
    assert len(stale_lines(result, ON, max_age_days=30)) == len(result.lines)  # all 31+ days old
    assert stale_lines(result, ON, max_age_days=500) == ()
