"""Label templates: page and label sizes, where the QR code and the text go, which fields.

Templates are data (``resources/labels/<name>.json``), so a mill with another label stock
adds a file, not code. Loading checks everything a print run would trip over later: sizes
are positive, the QR box and the text fit on the label and do not overlap, the grid of a
sheet fits on the page, the fields exist. Errors name the file and the field.

Two layouts:

- ``roll``: one label per page (thermal printers, roll stock); page and label are the
  same size.
- ``sheet``: a page with a grid of labels (``columns`` × ``rows``, first label at
  ``left_mm``/``top_mm``, the next ``pitch_x_mm``/``pitch_y_mm`` further on).

Positions are in millimetres from the top-left corner of the label; font sizes in points.

An optional ``barcode`` box (``x_mm``, ``y_mm``, ``width_mm``, ``height_mm``) holds the
GS1-128 symbol printed beside the QR code for items with a GTIN (:mod:`gs1_128`): the bars,
scaled to the box's width with their quiet zones, and under them the human-readable
interpretation (``(01) 09506000134352 (21) 12345``) in ``text_size_pt`` (default: the
lines' size), which takes a line of the box's height. Two more keys are for small labels:

- ``min_module_mm``: the narrowest bar (X-dimension) the label may print; a symbol that
  would come out finer is refused, or replaced by the next of ``ais``. Default 0.125 mm,
  one dot of a 203 dpi head.
- ``ais``: what the linear code carries, in order of preference, e.g.
  ``[[], ["01", "21"], ["01", "10"], ["01"]]``: the whole element string (``[]``), else the
  GTIN and serial, else the GTIN and lot, else the GTIN alone; the first the item has that
  fits at ``min_module_mm`` is printed (:func:`gs1_128.choose_symbol`). Default: the whole
  element string only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.labels.gs1 import LabelError
from workbench.labels.gs1_128 import MIN_BAR_MODULE_MM
from workbench.paths import resources_dir

__all__ = [
    "FIELDS",
    "LabelTemplate",
    "TemplateError",
    "load_template",
    "parse_template",
    "template_dir",
    "template_names",
]

#: The human-readable fields a template may show, in the words of the label.
FIELDS = (
    "description",
    "code",
    "style",
    "lot",
    "serial",
    "variant",
    "colour",
    "quantity",
    "date",
    "mill",
)
LAYOUTS = ("roll", "sheet")
_PT_TO_MM = 25.4 / 72
_EPSILON_MM = 1e-6
#: the human-readable line under the bars is set with this leading
_BARCODE_TEXT_LEADING = 1.2
#: bars shorter than this are refused in a template: a hand scanner's line must cross them
_MIN_BAR_HEIGHT_MM = 5.0
#: AIs a template's ``ais`` may name
_LINEAR_AIS = ("01", "10", "21", "22")


class TemplateError(LabelError):
    """A template file is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class LabelTemplate:
    """One label stock and how a label is laid out on it (all lengths in mm)."""

    name: str
    description: str
    layout: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    qr_x_mm: float
    qr_y_mm: float
    #: the QR box, quiet zone included
    qr_size_mm: float
    text_x_mm: float
    text_y_mm: float
    text_width_mm: float
    font_size_pt: float
    title_font_size_pt: float
    line_height: float
    fields: tuple[str, ...]
    #: field → caption printed before its value (overrides the built-in words)
    captions: dict[str, str] = field(default_factory=dict)
    columns: int = 1
    rows: int = 1
    left_mm: float = 0.0
    top_mm: float = 0.0
    pitch_x_mm: float = 0.0
    pitch_y_mm: float = 0.0
    #: the GS1-128 box (x, y, width, height), quiet zones included; None: no linear code
    barcode: tuple[float, float, float, float] | None = None
    #: the narrowest bar the label prints (X-dimension), in mm
    barcode_min_module_mm: float = MIN_BAR_MODULE_MM
    #: what the linear code carries, in order of preference (``()``: every AI)
    barcode_ais: tuple[tuple[str, ...], ...] = ((),)
    #: size of the human-readable interpretation under the bars; 0: the lines' size
    barcode_text_pt: float = 0.0
    source: str = ""

    @property
    def per_page(self) -> int:
        """Labels on one page."""
        return self.columns * self.rows

    def label_origin_mm(self, index: int) -> tuple[float, float]:
        """Top-left corner of the ``index``-th label of a page (row by row), in mm."""
        row, column = divmod(index, self.columns)
        return self.left_mm + column * self.pitch_x_mm, self.top_mm + row * self.pitch_y_mm

    def line_pitch_mm(self, title: bool = False) -> float:
        """Distance from one text line to the next."""
        size = self.title_font_size_pt if title else self.font_size_pt
        return size * self.line_height * _PT_TO_MM

    def text_height_mm(self) -> float:
        """Height of the text block when every field has a value."""
        return sum(self.line_pitch_mm(title=f == "description") for f in self.fields)

    @property
    def barcode_text_size_pt(self) -> float:
        """The size of the human-readable interpretation under the bars."""
        return self.barcode_text_pt or self.font_size_pt

    def barcode_text_pitch_mm(self) -> float:
        """The height the human-readable interpretation takes at the foot of the box."""
        return self.barcode_text_size_pt * _BARCODE_TEXT_LEADING * _PT_TO_MM

    def barcode_bars_mm(self) -> tuple[float, float, float, float]:
        """Where the bars go (x, y, width, height): the box less the line under them."""
        x, y, width, height = self.barcode or (0.0, 0.0, 0.0, 0.0)
        return x, y, width, height - self.barcode_text_pitch_mm()


def _section(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise TemplateError(f"{source}: {key!r} is missing or not an object")
    return value


def _number(
    section: dict[str, Any], key: str, where: str, source: str, *, minimum: float = 0.0
) -> float:
    """A length or size; sizes (``width``, ``height``, ``size``) must also be above zero."""
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TemplateError(f"{source}: {where}.{key} must be a number, not {value!r}")
    if value < minimum:
        raise TemplateError(f"{source}: {where}.{key} is {value}; it must be at least {minimum:g}")
    if value <= 0 and key.startswith(("width", "height", "size", "font", "title", "line")):
        raise TemplateError(f"{source}: {where}.{key} is {value}; it must be above zero")
    return float(value)


def _count(section: dict[str, Any], key: str, where: str, source: str) -> int:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TemplateError(f"{source}: {where}.{key} must be a whole number of 1 or more")
    return value


def _fits(source: str, what: str, start: float, size: float, limit: float, room: str) -> None:
    if start + size > limit + _EPSILON_MM:
        raise TemplateError(
            f"{source}: {what} ends at {start + size:g} mm, beyond the {room} ({limit:g} mm)"
        )


def parse_template(data: Any, source: str) -> LabelTemplate:
    """Build and check a template from parsed JSON; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: a template is a JSON object")
    layout = data.get("layout")
    if layout not in LAYOUTS:
        raise TemplateError(f"{source}: layout is {layout!r}; use one of {', '.join(LAYOUTS)}")
    page = _section(data, "page", source)
    label = _section(data, "label", source)
    qr = _section(data, "qr", source)
    text = _section(data, "text", source)
    page_w = _number(page, "width_mm", "page", source)
    page_h = _number(page, "height_mm", "page", source)
    label_w = _number(label, "width_mm", "label", source)
    label_h = _number(label, "height_mm", "label", source)
    grid: dict[str, Any] = {}
    linear: dict[str, Any] = {}
    if layout == "sheet":
        spec = _section(data, "grid", source)
        grid = {
            "columns": _count(spec, "columns", "grid", source),
            "rows": _count(spec, "rows", "grid", source),
            "left_mm": _number(spec, "left_mm", "grid", source),
            "top_mm": _number(spec, "top_mm", "grid", source),
            "pitch_x_mm": _number(spec, "pitch_x_mm", "grid", source, minimum=label_w),
            "pitch_y_mm": _number(spec, "pitch_y_mm", "grid", source, minimum=label_h),
        }
        span_w = (grid["columns"] - 1) * grid["pitch_x_mm"] + label_w
        span_h = (grid["rows"] - 1) * grid["pitch_y_mm"] + label_h
        _fits(source, "grid (columns)", grid["left_mm"], span_w, page_w, "page width")
        _fits(source, "grid (rows)", grid["top_mm"], span_h, page_h, "page height")
    else:
        if "grid" in data:
            raise TemplateError(f"{source}: grid is for sheet layouts; a roll has one label")
        if abs(page_w - label_w) > _EPSILON_MM or abs(page_h - label_h) > _EPSILON_MM:
            raise TemplateError(
                f"{source}: page ({page_w:g} × {page_h:g} mm) and label ({label_w:g} × "
                f"{label_h:g} mm) must be the same size for a roll"
            )
    fields = text.get("fields")
    if not isinstance(fields, list) or not fields:
        raise TemplateError(f"{source}: text.fields must list at least one field")
    for name in fields:
        if name not in FIELDS:
            raise TemplateError(
                f"{source}: text.fields has {name!r}; use any of {', '.join(FIELDS)}"
            )
    if len(set(fields)) != len(fields):
        raise TemplateError(f"{source}: text.fields names a field twice")
    captions = text.get("captions", {})
    if not isinstance(captions, dict) or not all(
        k in FIELDS and isinstance(v, str) for k, v in captions.items()
    ):
        raise TemplateError(f"{source}: text.captions maps field names to caption text")
    barcode = None
    if "barcode" in data:
        spec = _section(data, "barcode", source)
        barcode = (
            _number(spec, "x_mm", "barcode", source),
            _number(spec, "y_mm", "barcode", source),
            _number(spec, "width_mm", "barcode", source, minimum=20.0),
            _number(spec, "height_mm", "barcode", source, minimum=5.0),
        )
        linear = _linear_options(spec, source)
    template = LabelTemplate(
        name=str(data.get("name", Path(source).stem)),
        description=str(data.get("description", "")),
        layout=layout,
        page_width_mm=page_w,
        page_height_mm=page_h,
        label_width_mm=label_w,
        label_height_mm=label_h,
        qr_x_mm=_number(qr, "x_mm", "qr", source),
        qr_y_mm=_number(qr, "y_mm", "qr", source),
        qr_size_mm=_number(qr, "size_mm", "qr", source, minimum=10.0),
        text_x_mm=_number(text, "x_mm", "text", source),
        text_y_mm=_number(text, "y_mm", "text", source),
        text_width_mm=_number(text, "width_mm", "text", source, minimum=5.0),
        font_size_pt=_number(text, "font_size_pt", "text", source, minimum=4.0),
        title_font_size_pt=_number(text, "title_font_size_pt", "text", source, minimum=4.0),
        line_height=_number(text, "line_height", "text", source, minimum=1.0),
        fields=tuple(fields),
        captions=dict(captions),
        barcode=barcode,
        source=source,
        **linear,
        **grid,
    )
    _check_geometry(template)
    return template


def _linear_options(spec: dict[str, Any], source: str) -> dict[str, Any]:
    """The barcode box's optional keys: X-dimension, AIs carried, interpretation size."""
    out: dict[str, Any] = {}
    if "min_module_mm" in spec:
        out["barcode_min_module_mm"] = _number(
            spec, "min_module_mm", "barcode", source, minimum=MIN_BAR_MODULE_MM
        )
    if "text_size_pt" in spec:
        out["barcode_text_pt"] = _number(spec, "text_size_pt", "barcode", source, minimum=4.0)
    if "ais" in spec:
        choices = spec["ais"]
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, list) and all(ai in _LINEAR_AIS for ai in c) for c in choices)
            or any(c and "01" not in c for c in choices)
        ):
            raise TemplateError(
                f"{source}: barcode.ais lists what the linear code carries, in order: lists "
                f"of AIs from {', '.join(_LINEAR_AIS)}, each with 01 (the GTIN), or [] for "
                f"every AI"
            )
        out["barcode_ais"] = tuple(tuple(c) for c in choices)
    return out


def _check_geometry(t: LabelTemplate) -> None:
    s = t.source
    _fits(s, "qr (x_mm + size_mm)", t.qr_x_mm, t.qr_size_mm, t.label_width_mm, "label width")
    _fits(s, "qr (y_mm + size_mm)", t.qr_y_mm, t.qr_size_mm, t.label_height_mm, "label height")
    _fits(
        s, "text (x_mm + width_mm)", t.text_x_mm, t.text_width_mm, t.label_width_mm, "label width"
    )
    text_h = t.text_height_mm()
    if t.text_y_mm + text_h > t.label_height_mm + _EPSILON_MM:
        raise TemplateError(
            f"{s}: text.fields: {len(t.fields)} lines need {text_h:.1f} mm from text.y_mm "
            f"{t.text_y_mm:g} mm, but the label is {t.label_height_mm:g} mm high; show fewer "
            f"fields or use smaller fonts"
        )
    overlap_x = t.qr_x_mm < t.text_x_mm + t.text_width_mm and t.text_x_mm < t.qr_x_mm + t.qr_size_mm
    overlap_y = t.qr_y_mm < t.text_y_mm + text_h and t.text_y_mm < t.qr_y_mm + t.qr_size_mm
    if overlap_x and overlap_y:
        raise TemplateError(
            f"{s}: text (x_mm {t.text_x_mm:g}) overlaps the QR box (x_mm {t.qr_x_mm:g}, "
            f"size_mm {t.qr_size_mm:g}); the quiet zone around a QR code must stay clear"
        )

    if t.barcode is not None:
        _check_barcode(t, text_h)


def _check_barcode(t: LabelTemplate, text_h: float) -> None:
    """The GS1-128 box fits the label and keeps clear of the QR box and the text: its
    quiet zones are inside it, and a bar printed over text does not scan."""
    s = t.source
    x, y, width, height = t.barcode or (0.0, 0.0, 0.0, 0.0)
    _fits(s, "barcode (x_mm + width_mm)", x, width, t.label_width_mm, "label width")
    _fits(s, "barcode (y_mm + height_mm)", y, height, t.label_height_mm, "label height")
    for what, (bx, by, bw, bh) in (
        ("the QR box", (t.qr_x_mm, t.qr_y_mm, t.qr_size_mm, t.qr_size_mm)),
        ("the text", (t.text_x_mm, t.text_y_mm, t.text_width_mm, text_h)),
    ):
        if x < bx + bw and bx < x + width and y < by + bh and by < y + height:
            raise TemplateError(
                f"{s}: barcode (x_mm {x:g}, y_mm {y:g}, {width:g} × {height:g} mm) overlaps "
                f"{what}; a linear code and its quiet zones need their own room"
            )
    bars = t.barcode_bars_mm()[3]
    if bars < _MIN_BAR_HEIGHT_MM - _EPSILON_MM:
        raise TemplateError(
            f"{s}: barcode.height_mm {height:g} leaves {bars:.1f} mm of bars above the "
            f"{t.barcode_text_size_pt:g} pt line under them; bars need at least "
            f"{_MIN_BAR_HEIGHT_MM:g} mm"
        )


def template_dir() -> Path:
    """Where the shipped templates live."""
    return resources_dir() / "labels"


def template_names() -> list[str]:
    """Names of the shipped templates, for a picker."""
    return sorted(p.stem for p in template_dir().glob("*.json"))


def load_template(name_or_path: str | Path) -> LabelTemplate:
    """A shipped template by name (``"thermal-100x50"``), or a template file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = template_dir() / f"{name_or_path}.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        known = ", ".join(template_names())
        raise TemplateError(f"there is no label template {path.name!r}; known: {known}") from None
    except ValueError as exc:
        raise TemplateError(f"{path.name} is not valid JSON: {exc}") from None
    template = parse_template(data, path.name)
    if template.name != path.stem:
        raise TemplateError(
            f"{path.name}: name is {template.name!r}; it must match the file name "
            f"({path.stem!r}) so a print job names its template unambiguously"
        )
    return template
