"""A picture of the label about to print, for the station's preview.

The picture is made from the very PDF a PDF or system printer gets (`render_labels_pdf` of
the same item, stock and scheme), rasterised with pypdfium2: what the operator sees is what
prints, QR code included. A Zebra gets the same layout as ZPL (`workbench.labels.zpl` places
the same fields on the same template). On a sheet stock (an A4 of 24) the picture is the
first label's cell, not the whole page, so it is as large as a roll label's.
"""

from __future__ import annotations

import io

from workbench.labels.model import IdScheme, LabelItem
from workbench.labels.pdf import render_labels_pdf
from workbench.labels.templates import LabelTemplate, load_template

__all__ = ["PREVIEW_DPI", "label_preview_png"]

#: Enough for a crisp picture a few hundred pixels wide, and for the QR code to scan.
PREVIEW_DPI = 200
_MM_PER_INCH = 25.4


def label_preview_png(
    item: LabelItem, template: LabelTemplate | str, *, scheme: IdScheme, dpi: int = PREVIEW_DPI
) -> bytes:
    """One label of ``item`` on ``template`` as a PNG, from the PDF that prints; a
    :class:`~workbench.labels.LabelError` says why the label cannot be printed."""
    import pypdfium2 as pdfium

    if isinstance(template, str):
        template = load_template(template)
    pdf = render_labels_pdf([item], template, scheme=scheme)
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    if template.per_page > 1:  # a sheet: the first label's cell
        left_mm, top_mm = template.label_origin_mm(0)
        to_px = dpi / _MM_PER_INCH
        box = (
            round(left_mm * to_px),
            round(top_mm * to_px),
            round((left_mm + template.label_width_mm) * to_px),
            round((top_mm + template.label_height_mm) * to_px),
        )
        image = image.crop(box)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
