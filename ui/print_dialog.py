"""Label PDFs on the operating system's printers (the ``system:<name>`` printers).

Qt prints by painting on a ``QPrinter``; it cannot hand a PDF to a printer. So each page of
the labels' PDF is rasterised with pypdfium2 at the printer's own resolution (a 203 dpi
thermal driver gets 203 dpi, so no module of a QR code is resampled) and painted on the page
with smoothing off, the page set to the label's size with no margins. The same path serves
a desktop laser printer with the A4 sheet template.

``QPainter`` may paint on a ``QPrinter`` from a worker thread (Qt allows it for printers,
images and pictures, not for widgets), so :func:`system_print` runs in the station's print
op and the window stays responsive while a long job spools. Only choosing the printer, in
``QPrintDialog``, happens on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from workbench.labels.printing import PrinterError

__all__ = ["MAX_RASTER_DPI", "choose_system_printer", "print_pdf", "system_print"]

#: Pages are rasterised at the printer's resolution, but not above this: an A4 sheet at
#: 1200 dpi is 140 million pixels, and 600 dpi already gives a 29 mm code 12 dots a module.
MAX_RASTER_DPI = 600


def _page_size(width_pt: float, height_pt: float) -> QPageSize:
    return QPageSize(
        QSizeF(width_pt, height_pt),
        QPageSize.Unit.Point,
        "Label",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )


def print_pdf(printer: QPrinter, pdf: bytes) -> int:
    """Paint every page of ``pdf`` on ``printer``, each page at its own size; returns the
    number of pages. Raises :class:`PrinterError` when the printer cannot start the job."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - installed with the app's printing extras
        raise PrinterError("printing to a system printer needs the pypdfium2 package") from None

    document = pdfium.PdfDocument(pdf)
    try:
        pages = len(document)
        if pages == 0:
            raise PrinterError("the labels' PDF has no pages")
        printer.setFullPage(True)
        painter = QPainter()
        for number in range(pages):
            page = document[number]
            width_pt, height_pt = page.get_size()
            layout = QPageLayout(
                _page_size(width_pt, height_pt),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
            printer.setPageLayout(layout)
            if number == 0:
                if not painter.begin(printer):
                    name = printer.printerName() or printer.outputFileName() or "the printer"
                    raise PrinterError(f"{name} did not accept the job (is it installed?)")
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            elif not printer.newPage():
                painter.end()
                raise PrinterError(f"the printer stopped taking pages at page {number + 1}")
            dpi = min(printer.resolution(), MAX_RASTER_DPI)
            bitmap = page.render(
                scale=dpi / 72, grayscale=True, optimize_mode="print", no_smoothimage=True
            )
            image = bitmap.to_pil().convert("L")
            raster = QImage(
                image.tobytes(),
                image.width,
                image.height,
                image.width,
                QImage.Format.Format_Grayscale8,
            ).copy()
            target = printer.pageLayout().fullRectPixels(printer.resolution())
            painter.drawImage(QRectF(target), raster)
            page.close()
        painter.end()
    finally:
        document.close()
    return pages


def system_print(pdf: bytes, name: str) -> None:
    """Print ``pdf`` on the system printer called ``name`` ("" for the default one): the
    ``system_print`` the label jobs take (:mod:`workbench.labels.jobs`)."""
    info = QPrinterInfo.printerInfo(name) if name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        known = ", ".join(QPrinterInfo.availablePrinterNames()) or "none"
        raise PrinterError(
            f"there is no printer {name!r} on this computer (printers: {known})"
            if name
            else f"this computer has no default printer (printers: {known})"
        )
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName("Labels")
    print_pdf(printer, pdf)


def choose_system_printer(
    parent: QWidget, current: str, chosen: Callable[[str], None]
) -> QPrintDialog:
    """Open the system's print dialog (without blocking); ``chosen`` gets the printer's name
    when the user accepts."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if current:
        printer.setPrinterName(current)
    dialog = QPrintDialog(printer, parent)
    dialog.printer_kept = printer  # type: ignore[attr-defined]  # the dialog holds a pointer
    dialog.setWindowTitle("Choose the label printer")
    dialog.accepted.connect(lambda: chosen(dialog.printer().printerName()))
    QDialog.open(dialog)  # window-modal, not exec(); PySide's QPrintDialog.open wants a slot
    return dialog
