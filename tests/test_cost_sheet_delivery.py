"""The cost sheet's delivery: typed freight, insurance and duty give each Incoterm's lines,
adding up to its price, with duty on the value the brand's country charges it on (FOB for
the United States, CIF for the EU), and the basis's source said on the sheet."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet, type_into
from ui.cost_sheet import CostSheetWindow
from ui.main_window import MainWindow

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def _ladder(sheet: CostSheetWindow) -> dict[str, list[str]]:
    table = sheet.panel.terms_table
    return {
        table.verticalHeaderItem(r).text(): [
            table.item(r, c).text() for c in range(table.columnCount())
        ]
        for r in range(table.rowCount())
    }


def _deliver(qtbot: QtBot, sheet: CostSheetWindow) -> None:
    for edit, text in (
        (sheet.inputs.delivery.freight, "0.22"),
        (sheet.inputs.delivery.insurance_rate, "0.5"),
        (sheet.inputs.delivery.duty_rate, "16.5"),
        (sheet.inputs.delivery.local_freight, "0.06"),
    ):
        with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
            type_into(qtbot, edit, text)
        assert blocker.args[0] is not None


def test_landed_for_a_us_brand_charges_duty_on_fob(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.brand.setCurrentIndex(sheet.inputs.brand.findData("CSTL"))
    assert "fill in freight" in sheet.panel.terms_label.text()
    _deliver(qtbot, sheet)
    terms, fob = sheet.terms, sheet.price.price_per_piece
    assert terms is not None and terms.valuation == "FOB"
    assert terms.duty == fob * D("0.165")
    assert terms.cif == (fob + D("0.22")) / (1 - D("1.10") * D("0.005"))
    ladder = _ladder(sheet)
    assert list(ladder) == ["FOB price", "Freight", "Insurance", "Duty", "Local freight", "Total"]
    for column in range(4):  # every Incoterm's lines add up to its total, as shown
        cells = [D(v[column].replace(",", "")) for v in ladder.values() if v[column]]
        assert sum(cells[:-1], D(0)) == cells[-1]
    assert ladder["Total"][3] == f"{terms.landed.quantize(D('0.01')):,.2f}"
    assert "1401a" in sheet.panel.terms_label.text()
    moved = [f"{name} {off:+.2f}" for rung in terms.incoterms() for name, off in rung.moved]
    assert all(m in sheet.panel.terms_label.text() for m in moved)
    saved = sheet.current_sheet().delivery
    assert saved == {
        "freight": D("0.22"),
        "insurance_rate": D("0.005"),
        "duty_rate": D("0.165"),
        "local_freight": D("0.06"),
    }
    sheet.grab().save(str(tmp_path / "cost-sheet-delivery.png"))  # as in docs/screenshots


def test_the_same_delivery_to_an_eu_brand_charges_duty_on_cif(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.brand.setCurrentIndex(sheet.inputs.brand.findData("NORDV"))
    _deliver(qtbot, sheet)
    terms = sheet.terms
    assert terms is not None and terms.valuation == "CIF"
    assert terms.duty == terms.cif * D("0.165")
    assert "Union Customs Code" in sheet.panel.terms_label.text()


def test_the_cover_and_commissions_typed_on_the_sheet(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.brand.setCurrentIndex(sheet.inputs.brand.findData("NORDV"))
    _deliver(qtbot, sheet)
    for edit, text in (
        (sheet.inputs.delivery.insurance_cover, "120"),
        (sheet.inputs.delivery.commission_rate, "2"),
        (sheet.inputs.delivery.buying_agent_rate, "5"),
    ):
        with qtbot.waitSignal(sheet.computed, timeout=5_000):
            type_into(qtbot, edit, text)
    terms, fob = sheet.terms, sheet.price.price_per_piece
    assert terms is not None
    assert terms.cif == (fob + D("0.22")) / (1 - D("1.20") * D("0.005"))
    assert terms.commission == fob * D("0.02") and terms.buying_agent == fob * D("0.05")
    assert terms.customs_value == terms.cif + terms.commission  # the agent's fee is not dutiable
    assert list(_ladder(sheet)) == [
        "FOB price",
        "Freight",
        "Insurance",
        "Commission",
        "Buying agent",
        "Duty",
        "Local freight",
        "Total",
    ]
    # a cover below the CIF value is refused beside the field
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.delivery.insurance_cover, "90")
    assert blocker.args[0] is None
    assert (
        "outside 100–200 %" in sheet.inputs.note_for(sheet.inputs.delivery.insurance_cover).text()
    )
