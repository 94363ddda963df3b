"""The landed costs of docs/costing.md's three destinations, against figures worked out by
hand to the last digit: written here as literals, checked once more in exact fractions, and
read back from the page's "By hand" lines, so the code, the hand derivation and the document
agree digit for digit."""

from __future__ import annotations

import json
from decimal import Decimal as D
from fractions import Fraction as F
from pathlib import Path

import pytest

from tests.costing_examples import INDIA_FOB, INDIA_SHIPPING, SHIRT_SHIPPING, TSHIRT_SHIPPING
from tests.doc_tables import sections, tables
from workbench.costing import Shipping, Terms, delivery_terms
from workbench.paths import resources_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "costing.md"

#: section, FOB, shipping, and each figure as derived by hand (28 significant digits where a
#: division does not terminate: Decimal's default precision, rounded half even)
HAND = {
    "Worked example 1: a knitted T-shirt for Nordvik Outfitters": (
        D("3.35"),
        TSHIRT_SHIPPING,
        {
            "CFR": "3.53",
            "CIF": "3.549522373051784816490698844",
            "insurance": "0.019522373051784816490698844",
            "customs value": "3.549522373051784816490698844",
            "duty": "0.4259426847662141779788838613",
            "landed": "4.025465057817998994469582705",
        },
    ),
    "Worked example 2: a woven shirt for Coastline Basics": (
        D("6.80"),
        SHIRT_SHIPPING,
        {
            "CFR": "7.02",
            "CIF": "7.058823529411764705882352941",
            "insurance": "0.038823529411764705882352941",
            "customs value": "6.80",
            "duty": "1.122",
            "landed": "8.240823529411764705882352941",
        },
    ),
    "Worked example 3: a T-shirt into India": (
        INDIA_FOB,
        INDIA_SHIPPING,
        {
            "CFR": "274.50",
            "CIF": "275.7131378063479308959421454",
            "insurance": "1.2131378063479308959421454",
            "buying agent": "7.95",
            "customs value": "275.7131378063479308959421454",
            "duty": "60.65689031739654479710727199",
            "landed": "347.3200281237444756930494174",
        },
    ),
}


def _figure(terms: Terms, name: str) -> D:
    return {
        "CFR": terms.fob + terms.freight,
        "CIF": terms.cif,
        "insurance": terms.insurance,
        "buying agent": terms.buying_agent,
        "customs value": terms.customs_value,
        "duty": terms.duty,
        "landed": terms.landed,
    }[name]


@pytest.mark.parametrize("title", list(HAND))
def test_the_code_gives_the_hand_figures_to_the_last_digit(title: str) -> None:
    fob, shipping, figures = HAND[title]
    terms = delivery_terms(fob, shipping)
    for name, value in figures.items():
        assert _figure(terms, name) == D(value), name


@pytest.mark.parametrize("title", list(HAND))
def test_the_hand_figures_are_right_in_exact_fractions(title: str) -> None:
    """The same chain in exact rational arithmetic: each hand figure within one unit of its
    28th significant digit of the true value."""
    fob, s, figures = HAND[title]
    cfr = F(fob) + F(s.freight)
    cif = cfr / (1 - F(s.insurance_cover) * F(s.insurance_rate))
    agent = F(fob) * F(s.buying_agent_rate)
    value = (F(fob) if s.valuation == "FOB" else cif) + F(fob) * F(s.commission_rate)
    duty = value * F(s.duty_rate)
    exact = {
        "CFR": cfr,
        "CIF": cif,
        "insurance": cif - cfr,
        "buying agent": agent,
        "customs value": value,
        "duty": duty,
        "landed": cif + agent + F(fob) * F(s.commission_rate) + duty + F(s.local_freight),
    }
    for name, text in figures.items():
        assert abs(F(D(text)) - exact[name]) < F(1, 10**24), name


@pytest.mark.parametrize("title", list(HAND))
def test_the_page_states_the_hand_figures(title: str) -> None:
    section = sections(DOC.read_text("utf-8"))[title]
    stated = {}
    for line in section.splitlines():
        if line.startswith("- ") and " = " in line:  # "- duty = 0.12 × … = 0.4259…"
            name, *_, value = line[2:].split(" = ")
            stated[name] = value.split()[0]
    _, _, figures = HAND[title]
    assert {k: D(v) for k, v in stated.items()} == {k: D(v) for k, v in figures.items()}


def test_the_page_lists_every_destination_on_file_with_its_basis() -> None:
    data = json.loads((resources_dir() / "costing" / "customs_valuation.json").read_text("utf-8"))
    section = sections(DOC.read_text("utf-8"))[
        "Delivery terms: Incoterms, insurance and customs value"
    ]
    rows = tables(section)[1]
    shown = {row[0]: row[1] for row in rows}
    for code, spec in data["markets"].items():
        key = next(name for name in shown if spec["name"] in name)
        assert shown[key] == spec["basis"], code
        if code != "EU":
            assert f"({code})" in key
    assert len(rows) == len(data["markets"])


def test_a_shipping_without_a_basis_is_refused() -> None:
    with pytest.raises(TypeError):
        Shipping(freight=D(1))  # type: ignore[call-arg]
