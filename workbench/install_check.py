"""Whether this install can do the work that rests on its largest libraries, each done for
real: the dashboards' order file (Arrow through pyarrow, pandas' text columns through
pyarrow.compute), a label PDF through the direct engine (fpdf2, HarfBuzz shaping a Devanagari
name where a font for it is installed) and through WeasyPrint, an Excel table written
(openpyxl) and read back (python-calamine), and a buyer's proposal PDF (WeasyPrint, dates and
numbers in a German document locale through Babel's CLDR data).

Why: the desktop bundle leaves out the parts of those libraries the app never loads
(packaging/workbench.spec). A part left out by mistake shows only when its feature runs, so
`packaging/build.sh --smoke` runs this in the built bundle (``workbench check-install``) and
checks what it wrote: the build fails, not a user's print job. Support can run it on a
laptop the same way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.replica.store import Replica

#: a Devanagari mill name and description: shaping puts the vowel sign of "मि" before its
#: consonant, which only HarfBuzz does
DEVANAGARI_MILL = "कावेरी मिल"
DEVANAGARI_DESCRIPTION = "सूती जर्सी 180"
LATIN_DESCRIPTION = "Single Jersey 180 Écru"


class InstallCheckError(WorkbenchError, RuntimeError):
    """A check found its feature broken in this install (the message names the check)."""


@dataclass(frozen=True)
class Checked:
    """One check passed: its name, the file it left (None: nothing kept) and what it did."""

    name: str
    path: Path | None
    detail: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "check": self.name,
            "file": None if self.path is None else str(self.path),
            "detail": self.detail,
        }


def check_order_file(replica: Replica) -> Checked:
    """The replica's orders written to an Arrow order file as the dashboards write it (sealed
    when the replica is encrypted) and read back equal, in a temporary folder: the file holds
    every order's value, so none is left behind."""
    from workbench.analytics import store_file
    from workbench.analytics.reading import OrderStore

    conn = replica.conn
    conn.execute("BEGIN")
    try:
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
        store = OrderStore.load(conn, int(row[0] or 0) if row is not None else 0)
    finally:
        conn.execute("COMMIT")
    with tempfile.TemporaryDirectory(prefix="workbench-check-") as folder:
        path = Path(folder) / f"replica{store_file.SUFFIX}"
        store_file.write(path, store, "install-check", replica.key)
        try:
            _stamp, back = store_file.read(path, replica.key)
        except store_file.Unusable as exc:
            raise InstallCheckError(f"order file: written but not read back: {exc}") from exc
    if not back.raw.equals(store.raw):
        raise InstallCheckError("order file: the orders read back differ from those written")
    sealed = "sealed" if replica.key is not None else "plain"
    return Checked("order file", None, f"{len(store.raw)} orders, {sealed}, read back equal")


def check_label_pdf(out: Path) -> list[Checked]:
    """A label PDF from each engine: ``label.pdf`` set directly (fpdf2 and HarfBuzz; with a
    Devanagari name when a font for it is installed) and ``label-weasyprint.pdf``."""
    from workbench.labels import IdScheme, LabelItem, render_labels_pdf
    from workbench.labels.fonts import fallback_font_file
    from workbench.labels.pdf import direct_engine_available

    devanagari = fallback_font_file(frozenset(map(ord, DEVANAGARI_MILL)), False) is not None
    item = LabelItem(
        code="CHECK-1",
        lot="L1",
        colour="Écru",
        mill=DEVANAGARI_MILL if devanagari else "Unit 2",
        description=DEVANAGARI_DESCRIPTION if devanagari else LATIN_DESCRIPTION,
    )
    scheme = IdScheme("id.example-mill.com", "install-check")
    checked = []
    script = "Devanagari and Latin" if devanagari else "Latin (no Devanagari font installed)"
    if direct_engine_available():
        path = out / "label.pdf"
        path.write_bytes(
            render_labels_pdf([item], "thermal-100x50", scheme=scheme, engine="direct")
        )
        checked.append(Checked("label PDF (direct)", path, script))
    path = out / "label-weasyprint.pdf"
    path.write_bytes(
        render_labels_pdf([item], "thermal-100x50", scheme=scheme, engine="weasyprint")
    )
    checked.append(Checked("label PDF (WeasyPrint)", path, script))
    return checked


def check_excel(out: Path) -> Checked:
    """``table.xlsx`` written as the app exports a table and read back as an import reads
    it: every cell must come back as written."""
    from workbench.export import export_table
    from workbench.ingest.readers import read_table

    headers = ["code", "description", "quantity", "price"]
    rows = [["M-1", LATIN_DESCRIPTION, 1200, 4.25], ["M-2", DEVANAGARI_DESCRIPTION, 30, 0.5]]
    path = out / "table.xlsx"
    export_table(path, headers, rows, sheet_name="Check")
    back = [list(r) for r in read_table(path).rows]
    expected = [headers, *[[str(v) for v in r] for r in rows]]
    if back != expected:
        raise InstallCheckError(f"Excel: {path.name} read back as {back}, not {expected}")
    return Checked("Excel", path, f"{len(rows)} rows written and read back")


def check_proposal_pdf(out: Path) -> Checked:
    """``proposal.pdf``: a one-style proposal in a German document locale."""
    from workbench.proposals.model import Proposal, ProposalStyle
    from workbench.proposals.render import render_proposal_pdf

    style = ProposalStyle(
        style_code="TS-041",
        title="Crew-neck tee",
        category="tops",
        fabric="Single Jersey 180",
        composition="100% organic cotton",
        description="A check of the proposal PDF.",
        description_source="template",
        price_per_piece=Decimal("4.25"),
        price_per_dozen=Decimal("51.00"),
        currency="EUR",
        price_basis="Estimate (not a firm quote)",
        quantity=1200,
        lead_time=date(2027, 3, 1),
        lead_time_days=84,
    )
    proposal = Proposal(
        title="Install check",
        brand_name="Nordvik",
        brand_code="NORDV",
        issued_on=date(2026, 12, 7),
        prepared_by="install check",
        styles=(style,),
        mill="Unit 2",
        locale="de_DE",
    )
    path = out / "proposal.pdf"
    path.write_bytes(render_proposal_pdf(proposal))
    return Checked("proposal PDF", path, "one style, de_DE")


def check_install(out: Path, replica: Replica | None) -> list[Checked]:
    """Every check, writing its files into ``out``; the order file needs a replica with
    orders (None: that check is left out). The first failure raises `InstallCheckError`."""
    out.mkdir(parents=True, exist_ok=True)
    checks: list[Callable[[], Checked | list[Checked]]] = [
        lambda: check_label_pdf(out),
        lambda: check_excel(out),
        lambda: check_proposal_pdf(out),
    ]
    if replica is not None:
        checks.insert(0, lambda: check_order_file(replica))
    done: list[Checked] = []
    for check in checks:
        result = check()
        done.extend(result if isinstance(result, list) else [result])
    return done
