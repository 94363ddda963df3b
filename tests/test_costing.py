"""The costing engine: hand-computed cases, pricing rules, FX, staleness, and the replica adapter.

The hand cases use round rates so every expected figure can be checked on paper; the numbers in
the comments are that paper.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

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
    fabric_spec,
    find_yarn,
    kg_per_metre,
    load_rate_book,
    price_style,
    stale_lines,
    trim_line,
)
from workbench.costing.money import round_up_to
from workbench.demo import generate_demo
from workbench.replica import Replica, open_replica
from workbench.replica.store import utc_now

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


# -- price ------------------------------------------------------------------------------------

# The T-shirt costs ₹248.76406464; at INR→EUR 0.0100 (dated 2026-10-15) that is €2.4876406464.


def test_markup_rule_for_the_exact_category() -> None:
    price = price_style(tee(), book(), ON, brand="NORDV", quantity=1000)
    assert price.rule.method == "markup" and price.rule.category == "knit tops"
    assert price.cost_per_piece == D("2.4876406464")
    assert price.price_before_rounding == D("3.48269690496")  # × 1.40
    assert price.price_per_piece == D("3.50")  # rounded up to the rule's 0.10
    assert not price.min_margin_applied


def test_margin_rule_for_other_categories_rounds_up_to_005() -> None:
    price = price_style(tee(category="woven shirts"), book(), ON, brand="NORDV", quantity=1000)
    assert price.rule.method == "margin" and price.rule.category == "*"
    assert price.price_before_rounding == D("3.3168541952")  # ÷ (1 − 0.25)
    assert price.price_per_piece == D("3.35")  # up, not to the nearer 3.30
    assert price.margin == (D("3.35") - D("2.4876406464")) / D("3.35")


def test_price_per_dozen_is_twelve_pieces() -> None:
    price = price_style(tee(category="woven shirts"), book(), ON, brand="NORDV", quantity=1000)
    assert price.price_per_dozen == 12 * price.price_per_piece == D("40.20")


def test_moq_break_chooses_the_lower_margin_rule_at_5000() -> None:
    shirts = tee(category="woven shirts")
    below = price_style(shirts, book(), ON, brand="NORDV", quantity=4999)
    at = price_style(shirts, book(), ON, brand="NORDV", quantity=5000)
    assert (below.rule.rate, at.rule.rate) == (D("0.25"), D("0.23"))
    assert at.price_per_piece == D("3.25")  # 2.4876406464 ÷ 0.77 = 3.2307… → 3.25
    assert at.price_per_piece < below.price_per_piece


def test_exact_category_beats_star_even_with_a_higher_moq() -> None:
    price = price_style(tee(), book(), ON, brand="NORDV", quantity=5000)
    assert price.rule.category == "knit tops" and price.rule.moq_from == 0


def test_min_margin_raises_the_price_and_says_so() -> None:
    thin = (
        MarginRule("b-nordv", "markup", D("0.15"), date(2025, 1, 1), "*", D("0.18"), 0, D("0.05")),
    )
    price = price_style(tee(), book(margin_rules=thin), ON, brand="NORDV", quantity=1000)
    # markup 15 % is a margin of 0.15 / 1.15 = 13.0 % < 18 %: 2.4876406464 ÷ 0.82 = 3.0337…
    assert price.min_margin_applied
    assert price.price_per_piece == D("3.05")
    assert price.margin >= D("0.18")
    assert "13.0%" in price.notes[0] and "18.0%" in price.notes[0]


def test_latest_margin_rule_version_on_or_before_the_date() -> None:
    newer = MarginRule(
        "b-nordv", "margin", D("0.30"), date(2026, 6, 1), "*", D("0.15"), 0, D("0.05")
    )
    rates = book(margin_rules=(*RULES, newer))
    shirts = tee(category="woven shirts")
    assert price_style(shirts, rates, ON, brand="NORDV", quantity=100).rule.rate == D("0.30")
    spring = price_style(shirts, rates, date(2026, 3, 1), brand="NORDV", quantity=100)
    assert spring.rule.rate == D("0.25")


def test_two_rules_alike_but_for_their_margin_choose_the_same_one_in_any_order() -> None:
    """The laptop's estimate and the server's firm quote read the rules in different orders;
    two rules for the same brand, category, quantity and date must not price differently
    depending on which was read first."""
    first = MarginRule(
        "b-nordv", "margin", D("0.30"), date(2026, 6, 1), "*", None, 0, None, id="rule-a"
    )
    second = dataclasses.replace(first, rate=D("0.20"), id="rule-b")
    shirts = tee(category="woven shirts")
    one = price_style(
        shirts, book(margin_rules=(*RULES, first, second)), ON, brand="NORDV", quantity=100
    )
    other = price_style(
        shirts, book(margin_rules=(*RULES, second, first)), ON, brand="NORDV", quantity=100
    )
    assert one.rule == other.rule
    assert one.price_per_piece == other.price_per_piece


def test_fx_rate_dated_on_or_before_the_costing_date() -> None:
    price = price_style(tee(), book(), ON, brand="NORDV", quantity=1000)
    assert price.fx is not None and price.fx.as_of == date(2026, 10, 15)
    assert price.fx.rate == D("0.0100") and price.currency == "EUR"
    spring = price_style(tee(), book(), date(2026, 3, 1), brand="NORDV", quantity=1000)
    assert spring.fx is not None and spring.fx.rate == D("0.0105")


def test_fx_quoted_the_other_way_round_is_divided() -> None:
    eur_inr = (FxRate("EUR", "INR", D(100), date(2026, 10, 15)),)
    price = price_style(tee(), book(fx_rates=eur_inr), ON, brand="NORDV", quantity=1000)
    assert price.cost_per_piece == D("2.4876406464")


def test_no_fx_rate_on_or_before_the_date_is_an_error() -> None:
    with pytest.raises(CostingError) as error:
        price_style(tee(), book(), date(2025, 12, 1), brand="NORDV", quantity=1000)
    assert str(error.value) == (
        "no FX rate from INR to EUR on or before 2025-12-01 (the earliest is dated 2026-01-01)"
    )
    with pytest.raises(CostingError, match="no FX rate from INR to EUR"):
        price_style(tee(), book(fx_rates=()), ON, brand="NORDV", quantity=1000)


def test_no_margin_rule_is_an_error() -> None:
    with pytest.raises(CostingError, match="no margin rule for brand NORDV, category 'knit tops'"):
        price_style(tee(), book(margin_rules=()), ON, brand="NORDV", quantity=1000)


def test_round_up_to_a_price_point() -> None:
    assert round_up_to(D("3.05"), D("0.05")) == D("3.05")
    assert round_up_to(D("3.0501"), D("0.05")) == D("3.10")
    assert round_up_to(D("3.05") + D("1e-20"), D("0.05")) == D("3.05")  # division noise


def test_floats_are_refused_as_money() -> None:
    from workbench.costing.money import to_decimal

    with pytest.raises(TypeError):
        to_decimal(0.1)  # type: ignore[arg-type]
    assert to_decimal(" 412.50 ") == D("412.50")


# -- the replica adapter ----------------------------------------------------------------------


def _insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    row = {"version": 1, "deleted": 0, "updated_at": utc_now(), **values}
    columns, marks = ", ".join(row), ", ".join("?" * len(row))
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def test_rates_ignore_deleted_rows_and_keep_every_version(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    conn = replica.conn
    knit = {"process": "knitting", "basis": "per kg", "technique": "24G single knit"}
    _insert(
        conn,
        "cost_rates",
        id="r1",
        rate_code="KNT-SINGLE",
        rate="51.15",
        valid_from="2025-09-01",
        source="old",
        **knit,
    )
    _insert(
        conn,
        "cost_rates",
        id="r2",
        rate_code="KNT-SINGLE",
        rate="55.00",
        valid_from="2026-10-01",
        source="new",
        **knit,
    )
    _insert(
        conn,
        "cost_rates",
        id="r3",
        rate_code="KNT-SINGLE",
        rate="99.00",
        valid_from="2026-10-15",
        source="withdrawn",
        deleted=1,
        **knit,
    )
    _insert(
        conn,
        "cost_rates",
        id="r4",
        rate_code="DYE-REA-D",
        process="dyeing",
        basis="per kg",
        dye_class="reactive",
        shade_depth="dark",
        rate="185",
        description="Dyeing, reactive dyes, dark shade (process loss 8 %)",
        valid_from="2026-10-01",
    )
    _insert(conn, "brands", id="b1", code="CSTL", name="Coastline Basics", currency="USD")
    _insert(conn, "brands", id="b2", code="GONE", name="Gone", currency="USD", deleted=1)
    _insert(
        conn,
        "margin_rules",
        id="m1",
        brand_id="b1",
        method="margin",
        rate="0.28",
        min_margin="0.15",
        moq_from=0,
        price_rounding="0.05",
        valid_from="2025-01-01",
    )
    _insert(
        conn,
        "materials",
        id="fab",
        code="FAB-1",
        name="Single Jersey 160 Navy",
        material_type="fabric",
        category="single jersey",
        construction="24G single knit, tubular",
        gsm=160,
        width_cm=90,
        dye_class="reactive",
        shade_depth="dark",
        finish="",
        uom="kg",
        price="400",
    )
    _insert(
        conn,
        "materials",
        id="yrn",
        code="YRN-1",
        name="Ne 30/1 Yarn",
        material_type="yarn",
        category="combed yarn",
        yarn_count="Ne 30/1",
        uom="kg",
        price="300",
    )

    rates = load_rate_book(conn)
    assert rates.find("knitting", ON, technique="24G single knit").rate == D("55.00")
    assert rates.find("knitting", date(2026, 1, 1), technique="24G single knit").source == "old"
    assert rates.find("dyeing", ON, dye_class="reactive", shade_depth="dark").process_loss == D(
        "0.08"
    )
    assert [b.code for b in rates.brands] == ["CSTL"]
    assert rates.margin_rules[0].price_rounding == D("0.05")

    spec = fabric_spec(conn, "fab", yarn_material_id="yrn")
    assert (spec.kind, spec.gsm, spec.yarn_count) == ("knit", 160, "Ne 30/1")
    assert spec.width_cm == 180  # a 90 cm tube opens to 180 cm
    with pytest.raises(CostingError, match="no priced Ne 30/1 yarn"):
        find_yarn(conn, "Ne 30/1")  # the yarn has no yarn rate


TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Replica:
    replica = open_replica(tmp_path_factory.mktemp("costing") / "r.sqlite")
    generate_demo(replica, materials=300, seed=11, today=TODAY)
    return replica


def test_demo_replica_costs_and_prices_a_real_style(demo: Replica) -> None:
    conn = demo.conn
    fabric_id, construction = conn.execute(
        "SELECT id, construction FROM materials WHERE material_type = 'fabric' AND uom = 'kg' "
        "AND finish != '' AND deleted = 0 ORDER BY code LIMIT 1"
    ).fetchone()
    count = conn.execute(
        "SELECT yarn_count FROM materials WHERE material_type = 'yarn' ORDER BY code LIMIT 1"
    ).fetchone()[0]
    trim_ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM materials WHERE material_type = 'trim' ORDER BY code LIMIT 3"
        )
    ]
    mill = conn.execute("SELECT technique FROM cost_rates WHERE process = 'making'").fetchone()[0]
    brand_id, currency = conn.execute("SELECT id, currency FROM brands ORDER BY code").fetchone()
    fx = [
        FxRate("INR", c, D("0.011"), TODAY - timedelta(days=3))
        for c in ("EUR", "GBP", "USD", "AUD")
    ]

    book_ = load_rate_book(conn, fx_rates=fx)
    spec = fabric_spec(conn, fabric_id, yarn_material_id=find_yarn(conn, count))
    assert spec.kind == "knit" and spec.construction == construction
    style = Style(
        style_code="DEMO-TEE",
        category="knit tops",
        fabric=spec,
        consumption=BodyMeasurements(D(72), D(21), D(52)),
        making=Making(D("11.5"), mill, D("0.65")),
        wastage=D("0.03"),
        printing=PrintSpec("plastisol placement"),
        embroidery=(Embroidery(4000, "EMB-FLAT"),),
        trims=tuple(trim_line(conn, t, D(1)) for t in trim_ids),
    )
    cost = cost_style(style, book_, TODAY)
    assert cost.total > 0 and sum(line.share for line in cost.lines) == 1
    assert any(line.component == "Grey fabric lost in dyeing 10 %" for line in cost.lines)
    assert len([line for line in cost.lines if line.process == "trim"]) == 3
    for line in cost.lines:
        assert line.source and line.rate_code and line.valid_from <= TODAY, line

    price = price_style(style, book_, TODAY, brand=brand_id, quantity=5000)
    assert price.currency == currency and price.price_per_piece > price.cost_per_piece
    assert price.price_per_dozen == 12 * price.price_per_piece

    # a woven fabric of the demo costs per metre too
    woven_id = conn.execute(
        "SELECT id FROM materials WHERE material_type = 'fabric' AND uom = 'm' ORDER BY code"
    ).fetchone()[0]
    woven = cost_fabric(
        fabric_spec(conn, woven_id, yarn_material_id=spec.yarn_material_id), book_, TODAY
    )
    assert woven.spec.kind == "woven" and woven.per_m == woven.per_kg * woven.kg_per_m > 0
