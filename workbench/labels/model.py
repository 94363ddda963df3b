"""What is printed on a label: the item, the scheme its URI follows, and the text lines.

A :class:`LabelItem` is what the label station knows about a lot, roll or bundle. With an
:class:`IdScheme` (the workspace's resolver and name) it becomes a URI (:mod:`gs1`), and with
a template's field list it becomes the human-readable lines printed beside the code, so a
person without a scanner reads the same facts the code carries.

The URI carries the identifier (GTIN or workspace code), variant, lot and serial, the
production date (AI 11) and the net quantity when GS1 has an AI for its unit (310n kg,
311n m, 314n m², 30 pieces), so a scanner off-line still knows what it holds and how much.
Style, colour, mill and description are printed as text but kept out of the URI: the
resolver's page shows them, so a correction there reaches labels already printed, and the
symbol stays small enough for a 50 × 25 mm label.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from workbench.labels.gs1 import (
    DigitalLink,
    LabelError,
    gs1_date,
    measure_attribute,
    normalize_gtin,
)
from workbench.labels.gs1_128 import LinearSymbol, choose_symbol
from workbench.labels.templates import LabelTemplate

__all__ = ["CAPTIONS", "IdScheme", "Label", "LabelItem", "TextLine", "prepare_labels"]

#: The words printed before each value, unless a template overrides them.
CAPTIONS: Mapping[str, str] = {
    "description": "",
    "code": "",
    "style": "Style",
    "lot": "Lot",
    "serial": "Serial",
    "variant": "Variant",
    "colour": "Colour",
    "quantity": "Qty",
    "date": "Made",
    "mill": "Mill",
}


@dataclass(frozen=True)
class IdScheme:
    """Where a workspace's label URIs point: its resolver host and its workspace name."""

    resolver: str
    workspace: str

    def __post_init__(self) -> None:
        # Validate once, up front, with the rules the links themselves use.
        DigitalLink(self.resolver, workspace=self.workspace, kind="material", code="x")


@dataclass(frozen=True)
class TextLine:
    """One human-readable line: which field, its caption and its value."""

    field: str
    caption: str
    value: str

    @property
    def text(self) -> str:
        """The line as printed: caption, a space, the value (or the value alone)."""
        return f"{self.caption} {self.value}" if self.caption else self.value

    @property
    def is_title(self) -> bool:
        """The description is set larger and bold, as the label's heading."""
        return self.field == "description"


def _format_quantity(quantity: Decimal) -> str:
    """``125.50`` → ``125.5``, ``1E+2`` → ``100``: as a person writes it."""
    return format(quantity.normalize(), "f")


@dataclass(frozen=True)
class LabelItem:
    """One thing to label. Give ``gtin`` for a trade item, else ``code`` (and ``kind``)."""

    gtin: str | None = None
    #: the workspace's own code, when there is no GTIN (material code, lot number, ...)
    code: str | None = None
    #: what ``code`` names, a lower-case word in the workspace ID ("material", "bundle", ...)
    kind: str = "material"
    lot: str | None = None
    serial: str | None = None
    variant: str | None = None
    style: str | None = None
    colour: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    production_date: date | None = None
    mill: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if (self.gtin is None) == (self.code is None):
            raise LabelError(
                f"label item (gtin {self.gtin!r}, code {self.code!r}): give a GTIN or a "
                f"workspace code, exactly one of them"
            )
        if self.quantity is not None:
            try:
                quantity = Decimal(str(self.quantity))
            except InvalidOperation:
                raise LabelError(f"quantity {self.quantity!r} is not a number") from None
            if not quantity.is_finite():
                raise LabelError(f"quantity {self.quantity!r} is not a number")
            object.__setattr__(self, "quantity", quantity)
            if not self.unit:
                raise LabelError(f"quantity {quantity}: give its unit (kg, m, pc, ...)")

    def digital_link(self, scheme: IdScheme) -> DigitalLink:
        """The validated link this item's QR code carries."""
        attributes: dict[str, str] = {}
        if self.production_date is not None:
            attributes["11"] = gs1_date(self.production_date)
        if self.quantity is not None and self.unit:
            measure = measure_attribute(self.quantity, self.unit)
            if measure is not None:
                attributes[measure[0]] = measure[1]
        identity: dict[str, str | None]
        if self.gtin is not None:
            identity = {"gtin": self.gtin}
        else:
            identity = {"workspace": scheme.workspace, "kind": self.kind, "code": self.code}
        return DigitalLink(
            scheme.resolver,
            variant=self.variant,
            lot=self.lot,
            serial=self.serial,
            attributes=attributes,
            **identity,
        )

    def uri(self, scheme: IdScheme) -> str:
        """The URI printed in the QR code."""
        return self.digital_link(scheme).uri

    def value(self, field: str) -> str | None:
        """The printed value of one template field, or None when the item has none."""
        if field == "code":
            # GS1 prints the GTIN of AI (01) with all 14 digits, as the URI holds it.
            return f"GTIN {normalize_gtin(self.gtin)}" if self.gtin is not None else self.code
        if field == "quantity":
            if self.quantity is None:
                return None
            return f"{_format_quantity(self.quantity)} {self.unit}"
        if field == "date":
            return self.production_date.isoformat() if self.production_date else None
        value = getattr(self, field)
        # one line per field: tabs, newlines and runs of spaces typed into a form become
        # single spaces, so neither the PDF nor the printer breaks or garbles a line
        text = " ".join(str(value).split()) if value is not None else ""
        return text or None

    def text_lines(
        self, fields: Iterable[str], captions: Mapping[str, str] | None = None
    ) -> list[TextLine]:
        """The lines to print for ``fields``, in order, skipping fields without a value."""
        words = {**CAPTIONS, **(captions or {})}
        lines = []
        for field in fields:
            value = self.value(field)
            if value is not None:
                lines.append(TextLine(field, words.get(field, ""), value))
        return lines


@dataclass(frozen=True)
class Label:
    """A label ready to print: the URI for the QR code, the text lines beside it and, for
    an item with a GTIN, the GS1-128 symbol with the same element string as the URI."""

    uri: str
    lines: tuple[TextLine, ...]
    linear: LinearSymbol | None = None


def _bar_module_mm(template: LabelTemplate, dots_per_mm: float | None) -> float:
    """The narrowest bar the output can print at the template's X-dimension: the
    X-dimension itself in a PDF, the next whole number of printer dots in ZPL."""
    minimum = template.barcode_min_module_mm
    if dots_per_mm is None:
        return minimum
    return math.ceil(minimum * dots_per_mm - 1e-6) / dots_per_mm


def prepare_labels(
    items: Iterable[LabelItem],
    template: LabelTemplate,
    scheme: IdScheme,
    copies: int = 1,
    *,
    dots_per_mm: float | None = None,
) -> list[Label]:
    """Every item as a printable label, each repeated ``copies`` times, in order.

    All URIs are built (and so validated) before anything is rendered: a bad lot on the
    400th item stops the job before a printer wastes 399 labels. The error names the item.

    The GS1-128 carries the first of the template's AI choices that fits its box at the
    template's X-dimension; ``dots_per_mm`` is a printer's (ZPL), whose bars are whole
    dots, so a choice that fits a PDF may not fit a 300 dpi head.
    """
    if copies < 1:
        raise LabelError(f"copies {copies}: print at least one copy")
    labels: list[Label] = []
    box = template.barcode[2] if template.barcode is not None else 0.0
    module = _bar_module_mm(template, dots_per_mm)

    def fits(symbol: LinearSymbol) -> bool:
        return symbol.width_modules * module <= box + 1e-6

    for number, item in enumerate(items, start=1):
        try:
            link = item.digital_link(scheme)
        except LabelError as exc:
            raise LabelError(f"item {number}: {exc}") from None
        linear = None
        if template.barcode is not None:
            try:
                linear = choose_symbol(link, template.barcode_ais, fits)
                if linear is not None and not fits(linear):
                    linear.check_fits(box, template.barcode_min_module_mm)
                    linear.check_fits(box, module)  # a printer's whole dots
            except LabelError as exc:
                raise LabelError(f"item {number}: {exc}") from None
        label = Label(link.uri, tuple(item.text_lines(template.fields, template.captions)), linear)
        labels.extend([label] * copies)
    return labels
