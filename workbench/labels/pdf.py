"""Labels as a PDF, laid out by WeasyPrint from the HTML and CSS in ``resources/labels/``.

Roll templates give one label per page, the page the size of the label (a thermal printer
driver feeds one label per page); sheet templates give pages of the sheet's size with the
labels on its grid. Every job is one HTML document, however many labels: WeasyPrint's cost
per document (fonts, style sheets) is paid once.

The QR codes are embedded as PNG data URIs with one pixel per module and interpolation off.
That prints exactly as sharp as an SVG would (a PDF image scaled up without interpolation
keeps its hard edges at any resolution), and WeasyPrint handled 500 such images about
2.5 times faster than 500 inline SVG paths when we measured. :meth:`QrSymbol.svg` remains
for other HTML uses. For the same reason each label's text is one preformatted block, not
an element per line: WeasyPrint's cost grows with elements far more than with lines.

The markup is plain ``string.Template`` with every value passed through ``html.escape``:
a lot or a description typed at the label station can never become markup.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from functools import lru_cache
from string import Template

from workbench.labels.gs1 import LabelError
from workbench.labels.model import IdScheme, Label, LabelItem, prepare_labels
from workbench.labels.qr import check_module_size, error_correction_for, make_qr
from workbench.labels.templates import LabelTemplate, load_template, template_dir

__all__ = ["labels_html", "render_labels_pdf"]

_PT_PER_MM = 72 / 25.4


@lru_cache(maxsize=8)
def _resource(name: str) -> Template:
    return Template((template_dir() / name).read_text("utf-8"))


def _num(value: float) -> str:
    """A CSS number without trailing zeros (mm or pt: the unit is in the style sheet)."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _css(template: LabelTemplate) -> str:
    t = template
    return _resource("labels.css").substitute(
        page_width=_num(t.page_width_mm),
        page_height=_num(t.page_height_mm),
        label_width=_num(t.label_width_mm),
        label_height=_num(t.label_height_mm),
        qr_x=_num(t.qr_x_mm),
        qr_y=_num(t.qr_y_mm),
        qr_size=_num(t.qr_size_mm),
        text_x=_num(t.text_x_mm),
        text_y=_num(t.text_y_mm),
        text_width=_num(t.text_width_mm),
        font_size=_num(t.font_size_pt),
        line_pitch=_num(t.line_pitch_mm() * _PT_PER_MM),
        title_font_size=_num(t.title_font_size_pt),
        title_line_pitch=_num(t.line_pitch_mm(title=True) * _PT_PER_MM),
    )


def _lines_html(label: Label) -> str:
    """The label's lines for the ``white-space: pre`` text block: one per line, the title
    in bold."""
    out = []
    for line in label.lines:
        text = html.escape(line.text)
        out.append(f'<b class="title">{text}</b>' if line.is_title else text)
    return "\n".join(out)


def labels_html(labels: Iterable[Label], template: LabelTemplate) -> str:
    """The HTML document for ``labels`` on ``template`` (what :func:`render_labels_pdf`
    hands to WeasyPrint; useful for a preview)."""
    level = error_correction_for(template.qr_size_mm)
    fragment = _resource("label.html")
    images: dict[str, str] = {}  # copies of a label share one encoded symbol
    pages: list[str] = []
    current: list[str] = []
    for index, label in enumerate(labels):
        slot = index % template.per_page
        if slot == 0 and current:
            pages.append(f'<section class="page">{"".join(current)}</section>')
            current = []
        image = images.get(label.uri)
        if image is None:
            symbol = make_qr(label.uri, level)
            check_module_size(
                template.qr_size_mm / symbol.size_with_quiet_zone, symbol.size, template.qr_size_mm
            )
            png = symbol.png()
            image = images[label.uri] = "data:image/png;base64," + base64.b64encode(png).decode()
        left, top = template.label_origin_mm(slot)
        current.append(
            fragment.substitute(
                left=_num(left),
                top=_num(top),
                qr=image,
                uri=html.escape(label.uri),
                lines=_lines_html(label),
            ).strip()
        )
    if current:
        pages.append(f'<section class="page">{"".join(current)}</section>')
    if not pages:
        raise LabelError("there are no labels to print")
    return _resource("labels.html").substitute(
        title=html.escape(f"Labels ({template.name})"),
        css=_css(template),
        pages="\n".join(pages),
    )


def render_labels_pdf(
    items: Iterable[LabelItem],
    template: LabelTemplate | str,
    *,
    scheme: IdScheme,
    copies: int = 1,
) -> bytes:
    """A PDF of ``items`` (each ``copies`` times) on ``template`` (a template or its name).

    Every item is validated before anything is laid out; a :class:`LabelError` names the
    item and the field.
    """
    # WeasyPrint takes about a second to import; only printing should pay for it.
    import weasyprint

    if isinstance(template, str):
        template = load_template(template)
    labels = prepare_labels(items, template, scheme, copies)
    document = labels_html(labels, template)
    pdf = weasyprint.HTML(string=document, base_url=str(template_dir())).write_pdf()
    assert pdf is not None
    return pdf
