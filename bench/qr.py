"""QR encoders for labels: the label code's own (`workbench.labels.qr.make_qr`) against the
public APIs of qrcode and segno, on 500 different roll labels.

    python bench/qr.py [--labels 500] [--repeat 3]

For each encoder, two figures from the same 500 labels of `bench/labels.py`: the symbols
alone (``encode_s``: every label's GS1 Digital Link at the level its 100 × 50 mm template
prints) and the whole PDF with that encoder in place (``pdf_s``, `render_labels_pdf`, the
target being under 5 s). Also the symbols' mean side in modules (a larger symbol in the
same printed box has smaller modules) and how many are module for module the label code's
own. One JSON line per encoder, best of ``--repeat`` (interleaved), ``ratio`` = its PDF time
over the label code's. segno is measured where it is installed. The figures are in
docs/adr/0005-qr-encoder.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode

from bench.labels import SCHEME, items
from workbench.labels import load_template, render_labels_pdf
from workbench.labels import pdf as pdf_module
from workbench.labels.qr import QrSymbol, error_correction_for, make_qr

Encoder = Callable[[str, str], QrSymbol]
TEMPLATE = "thermal-100x50"
LEVELS = {"M": qrcode.constants.ERROR_CORRECT_M, "Q": qrcode.constants.ERROR_CORRECT_Q}


def by_qrcode(data: str, level: str) -> QrSymbol:
    """qrcode's public API: ``QRCode``, ``add_data``, ``make(fit=True)``."""
    code = qrcode.QRCode(error_correction=LEVELS[level], border=0)
    code.add_data(data)
    code.make(fit=True)
    return QrSymbol(data, level, int(code.version), tuple(map(tuple, code.modules)))


def by_segno(data: str, level: str) -> QrSymbol:
    """segno's public API: ``make_qr`` at the level asked, never raised."""
    import segno

    code = segno.make_qr(data, error=level.lower(), boost_error=False)
    modules = tuple(tuple(bool(m) for m in row) for row in code.matrix)
    return QrSymbol(data, level, int(code.version), modules)


def uris(count: int) -> list[str]:
    """The codes `render_labels_pdf` encodes for ``count`` bench labels, recorded once."""
    seen: list[str] = []

    def recording(data: str, level: str = "Q") -> QrSymbol:
        seen.append(data)
        return make_qr(data, level)

    pdf_module.make_qr = recording
    try:
        render_labels_pdf(items(count), TEMPLATE, scheme=SCHEME)
    finally:
        pdf_module.make_qr = make_qr
    return seen


def timed_pdf(encoder: Encoder, count: int) -> float:
    pdf_module.make_qr = encoder
    try:
        started = time.perf_counter()
        render_labels_pdf(items(count), TEMPLATE, scheme=SCHEME)
        return time.perf_counter() - started
    finally:
        pdf_module.make_qr = make_qr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    encoders: dict[str, Encoder] = {"label_code": make_qr, "qrcode_public": by_qrcode}
    versions = {"qrcode": version("qrcode")}
    if find_spec("segno") is not None:
        encoders["segno_public"] = by_segno
        versions["segno"] = version("segno")
    else:
        print("segno is not installed: measured without it", file=sys.stderr)
    level = error_correction_for(load_template(TEMPLATE).qr_size_mm)
    codes = uris(args.labels)
    reference = [make_qr(code, level).modules for code in codes]
    encode: dict[str, float] = {}
    pdf: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, encoder in encoders.items():  # interleaved: the machine's load hits all alike
            started = time.perf_counter()
            symbols = [encoder(code, level) for code in codes]
            encode[name] = min(encode.get(name, 1e9), time.perf_counter() - started)
            pdf[name] = min(pdf.get(name, 1e9), timed_pdf(encoder, args.labels))
    for name, encoder in encoders.items():
        symbols = [encoder(code, level) for code in codes]
        print(
            json.dumps(
                {
                    "bench": "qr",
                    "encoder": name,
                    "labels": args.labels,
                    "template": TEMPLATE,
                    "level": level,
                    "encode_s": round(encode[name], 3),
                    "pdf_s": round(pdf[name], 3),
                    "ratio": round(pdf[name] / pdf["label_code"], 2),
                    "mean_modules": round(sum(s.size for s in symbols) / len(symbols), 1),
                    "same_symbols": sum(
                        s.modules == r for s, r in zip(symbols, reference, strict=True)
                    ),
                    **versions,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
