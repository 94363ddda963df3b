"""Pictures of the label PDFs, one per shipped template, rendered with pypdfium2 from the PDF
that prints: a roll template shows four labels one under the other (a GTIN item with its
GS1-128, a workspace order with every field, a mill name in Devanagari, a GTIN item with
Japanese lines), the A4 sheet its first page.

    python docs/screenshots/labels.py [TAG] [FOLDER]

Writes ``labels-TAG-<template>.png`` (TAG defaults to ``now``) into FOLDER
(``docs/screenshots``), so the pictures of two versions of the PDF writer can be put side
by side.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pypdfium2 as pdfium
from PIL import Image

from workbench.labels import IdScheme, LabelItem, load_template, render_labels_pdf, template_names

SCHEME = IdScheme("id.example-mill.com", "acme-mills")
ROLL_DPI = 200
SHEET_DPI = 100


def sample_items() -> list[LabelItem]:
    """The labels pictured: a GTIN item, a workspace order with every field, Hindi lines, and
    a GTIN item with Japanese lines (Katakana and Kanji) and a four-digit serial."""
    return [
        LabelItem(
            gtin="09506000134352",
            lot="L2411-07",
            serial="000101",
            style="TS-041",
            colour="Écru",
            quantity=Decimal("182.40"),
            unit="kg",
            production_date=date(2026, 11, 24),
            mill="Unit 2",
            description="Single Jersey 180 GSM Organic Cotton",
        ),
        LabelItem(
            code="PO-2026-0000042",
            kind="order",
            lot="L2411-08",
            serial="000102",
            style="TS-042",
            colour="Heather Grey",
            quantity=Decimal("1200"),
            unit="pc",
            production_date=date(2026, 11, 24),
            mill="Unit 3",
            description="Rib 2×2 220 GSM Cotton Elastane",
        ),
        LabelItem(
            code="PO-2026-0000043",
            kind="order",
            lot="L2411-09",
            serial="000103",
            colour="नीला",
            quantity=Decimal("52.25"),
            unit="kg",
            production_date=date(2026, 11, 25),
            mill="कावेरी मिल",
            description="सूती जर्सी 180 जीएसएम",
        ),
        LabelItem(
            gtin="4006381333931",
            lot="L2411-10",
            serial="1042",
            style="TS-043",
            colour="ネイビー",
            quantity=Decimal("24.5"),
            unit="kg",
            production_date=date(2026, 11, 26),
            mill="カワセ ミル",
            description="天竺ニット 綿100%",
        ),
    ]


def _pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def _stacked(images: list[Image.Image], gap: int = 12) -> Image.Image:
    """Labels one under the other on a grey ground, so each label's edge shows."""
    width = max(i.width for i in images) + 2 * gap
    height = sum(i.height for i in images) + gap * (len(images) + 1)
    out = Image.new("RGB", (width, height), (160, 160, 160))
    y = gap
    for image in images:
        out.paste(image, (gap, y))
        y += image.height + gap
    return out


def picture(template_name: str) -> Image.Image:
    """The picture of ``template_name``'s labels, from the PDF :func:`render_labels_pdf`
    writes for them."""
    template = load_template(template_name)
    if template.per_page > 1:
        items = (sample_items() * 8)[: template.per_page]
        return _pages(render_labels_pdf(items, template, scheme=SCHEME), SHEET_DPI)[0]
    pages = [
        _pages(render_labels_pdf([item], template, scheme=SCHEME), ROLL_DPI)[0]
        for item in sample_items()
    ]
    return _stacked(pages)


def main() -> None:
    tag = sys.argv[1] if len(sys.argv) > 1 else "now"
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent
    for name in template_names():
        out = io.BytesIO()
        picture(name).save(out, "PNG", optimize=True)
        path = folder / f"labels-{tag}-{name}.png"
        path.write_bytes(out.getvalue())
        print(path)


if __name__ == "__main__":
    main()
