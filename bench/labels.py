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
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.labels import (
    IdScheme,
    LabelItem,
    LabelTemplate,
    load_template,
    render_labels_pdf,
    render_labels_zpl,
    template_names,
)
from workbench.labels import pdf as pdf_module
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
            # every run embeds its fonts afresh, as a job with new text does
            pdf_module._subset.cache_clear()
            return render_labels_pdf(labels, t, scheme=SCHEME)

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
            slow_s, _pdf = best_of(1, lambda t=template: render_labels_pdf(
                labels, t, scheme=SCHEME, engine="weasyprint"))  # fmt: skip
            figures[f"labels_{n}_weasyprint_s"] = round(slow_s, 3)
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
