"""Landed cost per destination: the customs valuation basis of the buyer's country, CIF
insurance on 110 % of the CIF value, the lines of each Incoterm, and shown lines that add up to
the shown totals. Every expected figure is written out by hand from the rule it checks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from workbench.costing import CostingError, Shipping, delivery_terms
from workbench.costing.customs import customs_valuation
from workbench.costing.rounding import allocate_cents


def test_the_united_states_values_imports_without_freight_and_insurance() -> None:
    # 19 USC 1401a: transaction value, excluding international freight and insurance
    terms = delivery_terms(
        D("6.80"),
        Shipping.for_country(
            "US",
            freight=D("0.22"),
            insurance_rate=D("0.005"),
            duty_rate=D("0.165"),
            local_freight=D("0.06"),
        ),
    )
    assert terms.valuation == "FOB"
    assert terms.customs_value == D("6.80")
    assert terms.duty == D("1.12200")  # 6.80 × 16.5 %, not 7.05 × 16.5 %
    cif = D("7.02") / (1 - D("1.10") * D("0.005"))
    assert terms.cif == cif
    assert terms.landed == cif + D("1.122") + D("0.06")


@pytest.mark.parametrize("country", ["SE", "DE", "IN", "GB"])
def test_the_eu_the_uk_and_india_value_imports_on_cif(country: str) -> None:
    terms = delivery_terms(
        D("3.35"),
        Shipping.for_country(
            country, freight=D("0.18"), insurance_rate=D("0.005"), duty_rate=D("0.12")
        ),
    )
    assert terms.valuation == "CIF"
    assert terms.customs_value == terms.cif
    assert terms.duty == terms.cif * D("0.12")


def test_cif_insurance_covers_110_percent_of_the_cif_value() -> None:
    # Incoterms 2020 CIF A5: cover of at least the contract price plus 10 %; the premium is
    # part of the CIF price it insures, so CIF = CFR / (1 - 1.1 × rate)
    terms = delivery_terms(
        D("3.35"), Shipping(valuation="CIF", freight=D("0.18"), insurance_rate=D("0.005"))
    )
    cif = D("3.53") / D("0.9945")
    assert terms.cif == cif
    assert terms.insurance == cif - D("3.53")
    # the premium is 0.5 % of 110 % of that CIF value (to the 24th decimal: 28-digit division)
    assert abs(terms.insurance - D("1.10") * D("0.005") * cif) < D("1e-24")
    assert terms.insurance.quantize(D("0.0001")) == D("0.0195")  # 0.0177 on (FOB + freight)


def test_the_cover_is_configurable() -> None:
    terms = delivery_terms(
        D("10"), Shipping(valuation="CIF", insurance_rate=D("0.01"), insurance_cover=D("1"))
    )
    assert terms.cif == D("10") / D("0.99")


def test_commission_is_dutiable_and_the_buying_agents_fee_is_not() -> None:
    # 19 USC 1401a(b)(1)(B) adds selling commissions, excludes buying commissions;
    # UCC Art. 71(1)(a)(i) adds commissions "except buying commissions"
    terms = delivery_terms(
        D("5.00"),
        Shipping(
            valuation="FOB",
            duty_rate=D("0.10"),
            commission_rate=D("0.02"),
            buying_agent_rate=D("0.05"),
        ),
    )
    assert terms.commission == D("0.10")
    assert terms.buying_agent == D("0.25")
    assert terms.customs_value == D("5.10")
    assert terms.duty == D("0.510")
    assert terms.landed == D("5.00") + D("0.10") + D("0.25") + D("0.510")


def test_each_incoterm_lists_its_own_lines() -> None:
    terms = delivery_terms(
        D("3.35"),
        Shipping(
            valuation="CIF",
            freight=D("0.18"),
            insurance_rate=D("0.005"),
            duty_rate=D("0.12"),
            local_freight=D("0.05"),
            commission_rate=D("0.01"),
        ),
    )
    ladder = terms.incoterms()
    assert [i.incoterm for i in ladder] == ["FOB", "CFR", "CIF", "Landed"]
    assert [name for name, _ in ladder[0].lines] == ["FOB price"]
    assert [name for name, _ in ladder[1].lines] == ["FOB price", "Freight"]
    assert [name for name, _ in ladder[2].lines] == ["FOB price", "Freight", "Insurance"]
    assert [name for name, _ in ladder[3].lines] == [
        "FOB price",
        "Freight",
        "Insurance",
        "Commission",
        "Duty",
        "Local freight",
    ]
    for stage in ladder:  # what is shown adds up to the total shown, to the cent
        assert sum((amount for _, amount in stage.lines), D(0)) == stage.total
    assert ladder[2].total == D("3.55") and ladder[3].total == terms.landed.quantize(D("0.01"))


def test_the_shown_lines_of_the_tee_add_up_to_the_landed_cost() -> None:
    # the old sheet showed CIF 3.55 + duty 0.43 + local freight 0.05 against landed 4.02
    terms = delivery_terms(
        D("3.35"),
        Shipping(
            valuation="CIF",
            freight=D("0.18"),
            insurance_rate=D("0.005"),
            duty_rate=D("0.12"),
            local_freight=D("0.05"),
        ),
    )
    landed = terms.incoterms()[-1]
    shown = dict(landed.lines)
    cif = D("3.53") / D("0.9945")
    assert landed.total == (cif * D("1.12") + D("0.05")).quantize(D("0.01"))
    assert sum(shown.values(), D(0)) == landed.total


def test_an_unknown_destination_is_refused_by_name() -> None:
    with pytest.raises(CostingError, match="ZZ"):
        customs_valuation("ZZ")
    assert "1401a" in customs_valuation("US").source
    assert "70" in customs_valuation("FR").source and customs_valuation("FR").basis == "CIF"
    assert "2007" in customs_valuation("IN").source


def test_allocation_gives_the_rounding_difference_to_the_largest_remainders() -> None:
    amounts = [D("0.334"), D("0.333"), D("0.333")]  # 1.000; one by one 0.33 × 3 = 0.99
    shown, difference = allocate_cents(amounts)
    assert shown == (D("0.34"), D("0.33"), D("0.33"))  # 0.004 is the largest remainder
    assert difference == D("0.01")
    assert allocate_cents([D("1.25"), D("2.50")]) == ((D("1.25"), D("2.50")), D("0.00"))
    # a target set from outside (a subtotal already shown) is met exactly
    assert allocate_cents([D("0.426"), D("0.05")], D("0.47"))[0] == (D("0.42"), D("0.05"))


def test_a_sheet_keeps_its_delivery_and_is_landed_for_its_brands_country() -> None:
    from tests.costing_examples import TSHIRT
    from workbench.costing import landed_terms
    from workbench.costing.sheet import CostSheet, sheet_from_dict, sheet_to_dict

    delivery = {
        "freight": D("0.22"),
        "insurance_rate": D("0.005"),
        "duty_rate": D("0.165"),
        "local_freight": D("0.06"),
    }
    read = sheet_from_dict(sheet_to_dict(CostSheet(TSHIRT, "CSTL", 2400, delivery=delivery)))
    assert read.delivery == delivery
    terms = landed_terms(D("6.80"), "US", read.delivery)
    assert terms.valuation == "FOB" and terms.duty == D("1.122")
    assert "1401a" in terms.valuation_source
    with pytest.raises(CostingError, match="no country"):
        landed_terms(D("6.80"), "", delivery)
    data = sheet_to_dict(CostSheet(TSHIRT, "CSTL", 2400, delivery=delivery))
    data["delivery"]["freight_usd"] = "1"
    with pytest.raises(CostingError, match=r"sheet\.delivery\.freight_usd"):
        sheet_from_dict(data)


def test_a_rung_says_which_line_took_its_rounding() -> None:
    # FOB 4.20 + freight 0.22 + insurance 0.0244… = CIF 4.44; duty 0.693 and local freight
    # 0.06 make landed 5.1974… = 5.20, so duty is shown 0.70, a cent above its own 0.69
    terms = delivery_terms(
        D("4.20"),
        Shipping(
            valuation="FOB",
            freight=D("0.22"),
            insurance_rate=D("0.005"),
            duty_rate=D("0.165"),
            local_freight=D("0.06"),
        ),
    )
    landed = terms.incoterms()[-1]
    assert dict(landed.lines)["Duty"] == D("0.70") and landed.total == D("5.20")
    assert landed.moved == (("Duty", D("0.01")),)
    assert terms.incoterms()[2].moved == ()
