"""Label benchmark: 500 different labels as a PDF and as ZPL, per template.

    python bench/labels.py [--labels 500] [--repeat 3] [--weasyprint]

A label station printing a pallet's roll labels sends a few hundred at once, and the person
at the printer waits for them. Each label is different (its own order, lot and serial, so
its own QR code), with every text field filled, as the 100 × 50 mm roll label shows them.

Prints one JSON line per template: ``labels_500_pdf_s`` (the PDF through
``render_labels_pdf``, QR codes and font subsetting included; the best of ``--repeat``
runs), ``engine`` (the PDF engine used: ``direct`` or ``weasyprint``), ``pdf_kb``, and for
roll templates ``labels_500_zpl_s`` (ZPL for a Zebra; the printer draws the codes).
``--weasyprint`` adds the same PDF through WeasyPrint (``labels_500_weasyprint_s``) for
comparison. Target: PDF under 5 s for 500 labels.

Two more lines, each with its baseline measured in the same run and the ratio:
``labels-gs1-128`` (the same labels with GTINs, so each gets a GS1-128 beside its QR code,
against the template without its barcode box, PDF and ZPL) and ``labels-zpl-scripts`` (ZPL
whose description and colour are Hindi, drawn as ``^GF`` graphics, against Latin text).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.labels import (
    IdScheme,
    LabelItem,
    LabelTemplate,
    load_template,
    raster_text,
    render_labels_pdf,
    render_labels_zpl,
    template_names,
)
from workbench.labels.pdf import direct_engine_available

SCHEME = IdScheme("id.example-mill.com", "acme-mills")
COLOURS = ("Navy", "Écru", "Black", "Heather Grey", "Olive", "Rust", "Blush Pink")


def items(count: int) -> list[LabelItem]:
    """``count`` different roll labels: order numbers, lots, serials, weights, dates vary."""
    made = date(2026, 11, 24)
    return [
        LabelItem(
            code=f"PO-2026-{1000 + n // 20:07d}",
            kind="order",
            lot=f"L{2411 + n // 50}-{n % 50:02d}",
            serial=f"{n + 1:06d}",
            style=f"TS-{n % 400:03d}",
            colour=COLOURS[n % len(COLOURS)],
            quantity=Decimal(18000 + 37 * n) / 100,
            unit="kg",
            production_date=made - timedelta(days=n % 9),
            mill=f"Unit {1 + n % 4}",
            description=f"Single Jersey {160 + 10 * (n % 5)} GSM Cotton",
        )
        for n in range(count)
    ]


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--weasyprint", action="store_true", help="also time WeasyPrint")
    args = parser.parse_args()
    labels = items(args.labels)
    n = args.labels
    # warm up: imports, fonts, templates (a running app has them loaded already)
    render_labels_pdf(labels[:2], "thermal-100x50", scheme=SCHEME)
    render_labels_zpl(labels[:2], "thermal-100x50", scheme=SCHEME)
    if args.weasyprint:
        render_labels_pdf(labels[:2], "thermal-100x50", scheme=SCHEME, engine="weasyprint")
    for name in template_names():
        template = load_template(name)

        def pdf_run(t: LabelTemplate = template) -> bytes:
            return render_labels_pdf(labels, t, scheme=SCHEME)  # fonts embedded afresh

        pdf_s, pdf = best_of(args.repeat, pdf_run)
        assert isinstance(pdf, bytes)
        figures: dict[str, object] = {
            "bench": "labels",
            "labels": n,
            "template": name,
            f"labels_{n}_pdf_s": round(pdf_s, 3),
            "engine": "direct" if direct_engine_available() else "weasyprint",
            "pdf_kb": round(len(pdf) / 1024, 1),
        }
        if template.layout == "roll":
            zpl_s, _zpl = best_of(
                args.repeat, lambda t=template: render_labels_zpl(labels, t, 203, scheme=SCHEME)
            )
            figures[f"labels_{n}_zpl_s"] = round(zpl_s, 3)
        if args.weasyprint:
            slow_s, _pdf = best_of(
                1,
                lambda t=template: render_labels_pdf(labels, t, scheme=SCHEME, engine="weasyprint"),
            )
            figures[f"labels_{n}_weasyprint_s"] = round(slow_s, 3)
        print(json.dumps(figures), flush=True)

    compare_gs1_128(labels, args.repeat)
    compare_scripts(labels, args.repeat)


def _ratio_line(
    bench: str, labels: int, what: dict[str, float], baseline: dict[str, float]
) -> None:
    """One JSON line: each figure, its baseline from the same run, and their ratio."""
    figures: dict[str, object] = {"bench": bench, "labels": labels}
    for key, seconds in what.items():
        figures[f"{key}_s"] = round(seconds, 3)
        figures[f"{key}_baseline_s"] = round(baseline[key], 3)
        figures[f"{key}_ratio"] = round(seconds / baseline[key], 2)
    print(json.dumps(figures), flush=True)


def compare_gs1_128(labels: list[LabelItem], repeat: int) -> None:
    """The GS1-128's cost: GTIN labels with their barcode, against the same without."""
    gtins = ("09506000134352", "04006381333931", "00000096385074")
    traded = [replace(item, code=None, gtin=gtins[n % 3]) for n, item in enumerate(labels)]
    template = load_template("thermal-100x50")
    bare = replace(template, barcode=None)
    timed: dict[str, dict[str, float]] = {"with": {}, "without": {}}
    for key, t in (("with", template), ("without", bare)):
        timed[key]["pdf"] = best_of(repeat, lambda t=t: _fresh_pdf(traded, t))[0]
        timed[key]["zpl"] = best_of(
            repeat, lambda t=t: render_labels_zpl(traded, t, 203, scheme=SCHEME)
        )[0]
    _ratio_line("labels-gs1-128", len(traded), timed["with"], timed["without"])


def compare_scripts(labels: list[LabelItem], repeat: int) -> None:
    """ZPL with Hindi text (graphic fields) against the same labels in Latin text (^A0)."""
    hindi = [
        replace(item, description=f"सूती जर्सी {160 + n % 5 * 10} जीएसएम लॉट {n}", colour="नीला")
        for n, item in enumerate(labels)
    ]

    def fresh_hindi() -> str:
        raster_text._draw.cache_clear()  # every run draws its lines afresh, as a new job does
        return render_labels_zpl(hindi, "thermal-100x50", 203, scheme=SCHEME)

    hindi_s = best_of(repeat, fresh_hindi)[0]
    latin_s = best_of(
        repeat, lambda: render_labels_zpl(labels, "thermal-100x50", 203, scheme=SCHEME)
    )[0]
    _ratio_line("labels-zpl-scripts", len(labels), {"zpl": hindi_s}, {"zpl": latin_s})


def _fresh_pdf(labels: list[LabelItem], template: LabelTemplate) -> bytes:
    return render_labels_pdf(labels, template, scheme=SCHEME)


if __name__ == "__main__":
    main()
