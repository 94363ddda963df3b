"""Label PDF writers: the label code's (fpdf2) against its earlier ones and reportlab.

    python bench/label_pdf.py [--labels 500] [--repeat 3] [--set latin] [--writer own_writer]
                              [--at COMMIT]

The same 500 different labels as ``bench/labels.py``, with GTINs so each carries a GS1-128
beside its QR code, in two sets: ``latin`` (every line in DejaVu Sans) and ``devanagari``
(the same with the mill and colour in Hindi, which needs shaping and a fallback font, Lohit
Devanagari, as fontconfig picks it). Each writer lays the labels out as the templates say:
the QR code as a one-pixel-per-module image, the GS1-128 as a one-row image stretched to its
box, the lines in the style sheet's face, bold title, cut with an ellipsis.

One JSON line per writer, set and template: ``pdf_s`` (best of ``--repeat``, interleaved),
``baseline_s`` (``render_labels_pdf`` as it is, same run), ``ratio`` (the writer's time
over the label code's: above 1, the label code is faster), ``cpu_s`` and ``cpu_ratio`` (the
same in the process's CPU time, which other work on a shared machine disturbs far less than
it does the wall clock) and ``pdf_kb``. The target is
under 5 s for 500 labels. ``own_writer`` is the label code's hand-written writer of commit
569d90e, read from git (it sent Devanagari labels through WeasyPrint); ``--at COMMIT`` adds
the label code of any commit, to compare a change with what it replaced in the same run.
reportlab is measured where it is installed (it is not a dependency): its canvas does not
shape text, so its Devanagari lines come out with vowel signs in the wrong place, and it has
no fallback fonts (the bench switches fonts itself).
The figures, and those of the label code's earlier hand-written writer, are in
docs/adr/0006-label-pdf-writer.md.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.at_commit import module_at
from bench.labels import SCHEME, items
from workbench.labels import LabelItem, LabelTemplate, load_template, prepare_labels
from workbench.labels import pdf as pdf_module
from workbench.labels.fonts import fallback_font_file, find_font_file
from workbench.labels.qr import error_correction_for, make_qr

Writer = Callable[[Sequence[LabelItem], LabelTemplate], bytes]
GTINS = ("09506000134352", "04006381333931", "00000096385074")
PT_PER_MM = 72 / 25.4


def label_sets(count: int) -> dict[str, list[LabelItem]]:
    """The bench labels with GTINs, in Latin text and with two Devanagari lines."""
    latin = [replace(item, code=None, gtin=GTINS[n % 3]) for n, item in enumerate(items(count))]
    hindi = [replace(item, mill="कावेरी मिल", colour="नीला") for item in latin]
    return {"latin": latin, "devanagari": hindi}


def devanagari_font() -> Path:
    found = fallback_font_file(frozenset(map(ord, "कावेरी मिल नीला")), False)
    assert found is not None, "no Devanagari font for the bench"
    return found


# --- reportlab ------------------------------------------------------------------------------------


def by_reportlab(items_: Sequence[LabelItem], t: LabelTemplate) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    labels = prepare_labels(items_, t, SCHEME, 1)
    regular, bold = find_font_file(False), find_font_file(True)
    assert regular is not None and bold is not None
    if "LabelRegular" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("LabelRegular", str(regular)))
        pdfmetrics.registerFont(TTFont("LabelBold", str(bold)))
        pdfmetrics.registerFont(TTFont("LabelDeva", str(devanagari_font())))
    faces = {
        name: pdfmetrics.getFont(name).face for name in ("LabelRegular", "LabelBold", "LabelDeva")
    }
    ascent, descent = pdf_module._ascent_descent(regular)
    out = io.BytesIO()
    page_w, page_h = t.page_width_mm * PT_PER_MM, t.page_height_mm * PT_PER_MM
    pdf = canvas.Canvas(out, pagesize=(page_w, page_h), pageCompression=1)
    pdf.setProducer("Mill Workbench")
    pdf.setTitle(f"Labels ({t.name})")
    level = error_correction_for(t.qr_size_mm)
    images: dict[str, ImageReader] = {}
    qr_pt = t.qr_size_mm * PT_PER_MM
    width_pt = t.text_width_mm * PT_PER_MM

    def runs(text: str, font: str) -> list[tuple[str, str]]:
        """The text cut where its characters need the Devanagari font."""
        out_: list[tuple[str, str]] = []
        for ch in text:
            name = font if ord(ch) in faces[font].charToGlyph else "LabelDeva"
            if out_ and out_[-1][1] == name:
                out_[-1] = (out_[-1][0] + ch, name)
            else:
                out_.append((ch, name))
        return out_

    def width(text: str, font: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(run, name, size) for run, name in runs(text, font))

    for first in range(0, len(labels), t.per_page):
        for slot, label in enumerate(labels[first : first + t.per_page]):
            left, top = (v * PT_PER_MM for v in t.label_origin_mm(slot))
            image = images.get(label.uri)
            if image is None:
                image = images[label.uri] = ImageReader(
                    pdf_module._qr_image(make_qr(label.uri, level))
                )
            x = left + t.qr_x_mm * PT_PER_MM
            y = page_h - top - t.qr_y_mm * PT_PER_MM - qr_pt
            pdf.drawImage(image, x, y, qr_pt, qr_pt)
            if label.linear is not None and t.barcode is not None:
                bx, by, bw, bh = (v * PT_PER_MM for v in t.barcode)
                pdf.drawImage(
                    ImageReader(pdf_module._bars_image(label)),
                    left + bx,
                    page_h - top - by - bh,
                    bw,
                    bh,
                )
            line_top = top + t.text_y_mm * PT_PER_MM
            for line in label.lines:
                size = t.title_font_size_pt if line.is_title else t.font_size_pt
                pitch = t.line_pitch_mm(title=line.is_title) * PT_PER_MM
                font = "LabelBold" if line.is_title else "LabelRegular"
                text = pdf_module._fit_line(
                    line.text, lambda s, f=font, z=size: width(s, f, z), width_pt
                )
                baseline = (pitch - (ascent + descent) * size) / 2 + ascent * size
                x = left + t.text_x_mm * PT_PER_MM
                for run, name in runs(text, font):
                    pdf.setFont(name, size)
                    pdf.drawString(x, page_h - line_top - baseline, run)
                    x += pdfmetrics.stringWidth(run, name, size)
                line_top += pitch
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def by_label_code(items_: Sequence[LabelItem], t: LabelTemplate) -> bytes:
    """The product's writer: fpdf2 (it adds and embeds its fonts afresh for every job; a
    Latin job reads the faces' compact copies, cut in the warm-up once per machine, as the
    hand-written writer kept its faces loaded)."""
    return pdf_module.render_labels_pdf(items_, t, scheme=SCHEME)


#: the last commit whose label code wrote PDFs with a writer of its own (ADR 0006)
OWN_WRITER_COMMIT = "569d90e"


def writer_at(commit: str) -> types.ModuleType | None:
    """``workbench/labels/pdf.py`` as it was at ``commit``; None outside a clone."""
    return module_at(commit, "workbench/labels/pdf.py")


def by_module(module: types.ModuleType) -> Writer:
    """A writer for an earlier ``pdf.py``; the hand-written one's font subsets are cut afresh
    for every job (its faces stay loaded, as they did), and it sends Devanagari labels
    through WeasyPrint, as it did."""

    def write(items_: Sequence[LabelItem], t: LabelTemplate) -> bytes:
        if hasattr(module, "_subset"):
            module._subset.cache_clear()
        data: bytes = module.render_labels_pdf(items_, t, scheme=SCHEME)
        return data

    return write


WRITERS: dict[str, Writer] = {"label_code": by_label_code}
_OWN_WRITER = writer_at(OWN_WRITER_COMMIT)
if _OWN_WRITER is not None:
    WRITERS["own_writer"] = by_module(_OWN_WRITER)
else:
    print("not in a git clone: measured without the earlier own writer", file=sys.stderr)
if find_spec("reportlab") is not None:
    WRITERS["reportlab"] = by_reportlab
else:
    print("reportlab is not installed: measured without it", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--template", action="append", help="only these templates")
    parser.add_argument("--set", action="append", choices=("latin", "devanagari"))
    parser.add_argument("--writer", action="append", help="only these writers (label_code always)")
    parser.add_argument("--at", action="append", default=[], help="also the label code at COMMIT")
    args = parser.parse_args()
    if args.writer:
        for key in [key for key in WRITERS if key != "label_code" and key not in args.writer]:
            del WRITERS[key]
    for commit in args.at:
        module = writer_at(commit)
        if module is None:
            parser.error(f"cannot read workbench/labels/pdf.py at {commit}")
        WRITERS[f"label_code_at_{commit}"] = by_module(module)
    sets = label_sets(args.labels)
    versions = {"fpdf2": version("fpdf2")}
    if "reportlab" in WRITERS:
        versions["reportlab"] = version("reportlab")
    for name in args.template or ["thermal-100x50", "thermal-50x25", "a4-sheet-3x8"]:
        template = load_template(name)
        for set_name in args.set or list(sets):
            labels = sets[set_name]
            for writer in WRITERS.values():  # warm up: imports, fonts
                writer(labels[:2], template)
            best: dict[str, float] = {}
            cpu: dict[str, float] = {}
            size: dict[str, int] = {}
            for _ in range(args.repeat):
                for key, writer in WRITERS.items():  # interleaved: load hits all alike
                    started, started_cpu = time.perf_counter(), time.process_time()
                    pdf = writer(labels, template)
                    best[key] = min(best.get(key, 1e9), time.perf_counter() - started)
                    cpu[key] = min(cpu.get(key, 1e9), time.process_time() - started_cpu)
                    size[key] = len(pdf)
            for key in WRITERS:
                print(
                    json.dumps(
                        {
                            "bench": "label-pdf",
                            "writer": key,
                            "set": set_name,
                            "template": name,
                            "labels": args.labels,
                            "pdf_s": round(best[key], 3),
                            "baseline_s": round(best["label_code"], 3),
                            "ratio": round(best[key] / best["label_code"], 2),
                            "cpu_s": round(cpu[key], 3),
                            "cpu_ratio": round(cpu[key] / cpu["label_code"], 2),
                            "pdf_kb": round(size[key] / 1024, 1),
                            **versions,
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main()
