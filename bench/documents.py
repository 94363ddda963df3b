"""Document benchmark: a buyer proposal of 20 styles built from the demo workspace and rendered
to PDF (offline: template texts, estimates and firm quotes, lead times, pictures).

    python bench/documents.py [--styles 20]

Prints one JSON line per figure: ``proposal_<n>_styles_s`` (building, with each style's
footprint, and rendering), with the build and render times apart, the page count and the
PDF's size; ``proposal_html_ms`` per document locale, the HTML with every date and number
written in that locale (`workbench.formats`, Babel), against the ISO/English baseline in the
same run, with the ratio and its share of the render; and ``esg_sheet_s``, one style's
footprint worked out and rendered.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdfium2 as pdfium
from PIL import Image

from workbench import documents
from workbench.capacity import load_capacity
from workbench.costing import choices as pick
from workbench.costing import load_rate_book
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.demo import generate_demo
from workbench.esg import render_esg_pdf
from workbench.proposals import proposal_html, render_proposal_pdf
from workbench.proposals.build import build_proposal
from workbench.proposals.esg import esg_lines_for, sheet_footprint
from workbench.replica import open_replica

#: how many times the HTML is made per locale, for a steady mean
HTML_ROUNDS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-docs-") as tmp:
        replica = open_replica(Path(tmp) / "replica.sqlite")
        generate_demo(replica, materials=5000, seed=9)
        conn = replica.conn
        fabrics = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM materials WHERE material_type = 'fabric' AND construction LIKE "
                "'%single knit%' ORDER BY code LIMIT ?",
                (args.styles,),
            )
        ]
        sheets = []
        for n, fabric_id in enumerate(fabrics):
            style = pick.starting_style(conn, fabric_id, f"BENCH-{n:03d}")
            row = documents.save_document(
                replica,
                "cost_sheets",
                {
                    "style_code": style.style_code,
                    "title": f"Style {n}",
                    "body": json.dumps(sheet_to_dict(CostSheet(style, "NORDV", 3000))),
                },
            )
            sheets.append(row["id"])
            picture = io.BytesIO()
            Image.new("RGB", (800, 800), (40 + n * 9, 110, 150)).save(picture, "JPEG")
            photo = Path(tmp) / f"photo-{n}.jpg"
            photo.write_bytes(picture.getvalue())
            documents.add_annotation(replica, fabric_id, "Photo", "bench", photo)
        started = time.perf_counter()
        book, capacity = load_rate_book(conn), load_capacity(conn)
        proposal = build_proposal(
            replica,
            sheets,
            brand_code="NORDV",
            book=book,
            capacity=capacity,
            esg=esg_lines_for(replica, book),
        )
        built = time.perf_counter()
        pdf = render_proposal_pdf(proposal)
        done = time.perf_counter()
        print(
            json.dumps(
                {
                    "bench": "documents",
                    "styles": len(sheets),
                    f"proposal_{len(sheets)}_styles_s": round(done - started, 3),
                    "build_s": round(built - started, 3),
                    "render_s": round(done - built, 3),
                    "pages": len(pdfium.PdfDocument(pdf)),
                    "pdf_kb": round(len(pdf) / 1024),
                }
            )
        )
        # the HTML written in a document locale, against ISO dates and English numbers
        timed = {}
        for locale in ("", "de_DE", "en_GB"):
            written = replace(proposal, locale=locale)
            proposal_html(written)  # Babel's locale data loaded once, as in the app
            started = time.perf_counter()
            for _ in range(HTML_ROUNDS):
                proposal_html(written)
            timed[locale] = (time.perf_counter() - started) / HTML_ROUNDS * 1000
        for locale in ("de_DE", "en_GB"):
            print(
                json.dumps(
                    {
                        "bench": "documents",
                        "locale": locale,
                        "proposal_html_ms": round(timed[locale], 2),
                        "baseline_iso_ms": round(timed[""], 2),
                        "ratio": round(timed[locale] / timed[""], 2),
                        "share_of_render": round(timed[locale] / 1000 / (done - built), 4),
                    }
                )
            )
        # one style's ESG sheet: the footprint worked out and rendered to PDF
        row = dict(conn.execute("SELECT * FROM cost_sheets WHERE id = ?", (sheets[0],)).fetchone())
        started = time.perf_counter()
        esg_pdf = render_esg_pdf(sheet_footprint(replica, book, row))
        seconds = round(time.perf_counter() - started, 3)
        print(
            json.dumps(
                {
                    "bench": "documents",
                    "esg_sheet_s": seconds,
                    "pages": len(pdfium.PdfDocument(esg_pdf)),
                }
            )
        )
        replica.close()


if __name__ == "__main__":
    main()
