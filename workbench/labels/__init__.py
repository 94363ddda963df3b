"""QR labels for lots, rolls and bundles: what the code says, how it looks, how it prints.

- :mod:`~workbench.labels.gs1` builds and reads the URI in the code: a GS1 Digital Link for
  items with a GTIN, the workspace's own ID otherwise (the scheme is explained there).
- :mod:`~workbench.labels.qr` encodes it (error correction by printed size, 4-module quiet
  zone) as SVG or PNG.
- :mod:`~workbench.labels.templates` loads label stocks from ``resources/labels/*.json``.
- :mod:`~workbench.labels.model` turns a :class:`LabelItem` into a URI and text lines.
- :mod:`~workbench.labels.gs1_128` makes the GS1-128 barcode beside the QR code, with the
  same element string, for scanners that read only linear codes.
- :mod:`~workbench.labels.pdf` and :mod:`~workbench.labels.zpl` print them: a PDF for any
  printer, ZPL II for Zebra thermal printers; :mod:`~workbench.labels.raster_text` draws for
  ZPL the lines a Zebra's resident font cannot (in the fonts :mod:`~workbench.labels.fonts`
  finds, the PDF's).
- :mod:`~workbench.labels.serials` numbers a run's labels and keeps the serial blocks a
  station reserved for printing offline.

Nothing here imports Qt; fpdf2 and WeasyPrint are imported only when a PDF is made.
"""

from workbench.labels.gs1 import (
    DigitalLink,
    LabelError,
    gtin_check_digit,
    normalize_gtin,
    parse_digital_link,
)
from workbench.labels.model import IdScheme, Label, LabelItem, TextLine, prepare_labels
from workbench.labels.pdf import labels_html, render_labels_pdf
from workbench.labels.qr import QrSymbol, error_correction_for, make_qr, qr_png, qr_svg
from workbench.labels.templates import LabelTemplate, TemplateError, load_template, template_names
from workbench.labels.zpl import parse_zpl, render_labels_zpl

__all__ = [
    "DigitalLink",
    "IdScheme",
    "Label",
    "LabelError",
    "LabelItem",
    "LabelTemplate",
    "QrSymbol",
    "TemplateError",
    "TextLine",
    "error_correction_for",
    "gtin_check_digit",
    "labels_html",
    "load_template",
    "make_qr",
    "normalize_gtin",
    "parse_digital_link",
    "parse_zpl",
    "prepare_labels",
    "qr_png",
    "qr_svg",
    "render_labels_pdf",
    "render_labels_zpl",
    "template_names",
]
