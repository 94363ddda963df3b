"""The compact copies of the label faces fpdf2 reads for a job whose characters they hold:
the same PDF, byte for byte, as from the whole faces; the whole faces for any other job, and
when no copy can be kept."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.test_label_printing import SCHEME, items
from workbench.labels import LabelItem
from workbench.labels import pdf as label_pdf
from workbench.labels.compact_faces import compact_face, compact_face_dir
from workbench.labels.pdf import direct_engine_available, render_labels_pdf

pytestmark = pytest.mark.skipif(
    not direct_engine_available(), reason="no font file for the direct engine"
)


@pytest.fixture
def faces_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The font files fpdf2 is given, in the order it is given them."""
    from fpdf import FPDF

    read: list[Path] = []
    add_font = FPDF.add_font

    def recording(self: FPDF, family: str, style: str, fname: str, **kw: Any) -> None:
        read.append(Path(fname))
        add_font(self, family, style, fname, **kw)

    monkeypatch.setattr(FPDF, "add_font", recording)
    yield read


def _latin_job() -> list[LabelItem]:
    """Each kind of line: lot, colour with accents, the title cut with an ellipsis, a
    GS1-128 with the line under its bars."""
    long = LabelItem(code="X-1", lot="L1", description="Single Jersey 180 GSM Écru " * 4)
    symbols = LabelItem(code="X-3", colour="Grün – “Nº 4” 5 € ™", description="Piqué")
    return [*items(), long, symbols, replace(items()[1], serial="000102", lot="B/77")]


def _without_date(pdf: bytes) -> bytes:
    """The PDF without its creation date and the file ID fpdf2 derives from all its bytes."""
    return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<\w+><\w+>\]", b"", pdf)


@pytest.mark.parametrize("template", ["thermal-100x50", "thermal-50x25", "a4-sheet-3x8"])
def test_a_latin_job_reads_the_compact_faces_and_prints_the_same_pdf(
    template: str, faces_read: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    faces = label_pdf._font_files()
    assert faces is not None
    compact = render_labels_pdf(_latin_job(), template, scheme=SCHEME, engine="direct")
    regular, bold = faces_read
    assert regular.parent == bold.parent == compact_face_dir(), faces_read
    assert regular.stat().st_size < faces[0].stat().st_size / 4  # a cut copy

    monkeypatch.setattr(label_pdf, "compact_face", lambda path: None)
    whole = render_labels_pdf(_latin_job(), template, scheme=SCHEME, engine="direct")
    assert faces_read[2:] == list(faces)
    assert _without_date(compact) == _without_date(whole)


@pytest.mark.parametrize(
    "mill",
    [
        "Ελαφρύ Трикотаж",  # Greek and Cyrillic: in the face, not in its compact copy
        "कावेरी मिल",  # Devanagari: a fallback font, shaped
        "Cafe\u0301",  # a combining accent: shaped in the face itself
    ],
)
def test_a_job_with_characters_outside_the_copies_reads_the_whole_faces(
    mill: str, faces_read: list[Path]
) -> None:
    job = [*items(), LabelItem(code="X-2", mill=mill)]
    pdf = render_labels_pdf(job, "thermal-100x50", scheme=SCHEME, engine="direct")
    assert faces_read[:2] == list(label_pdf._font_files() or ())
    assert pdf.startswith(b"%PDF")


def test_with_no_room_for_the_copies_a_job_reads_the_whole_faces(
    faces_read: list[Path], private_data_dir: Path
) -> None:
    (private_data_dir / "cache").write_text("a file where the folder would be")
    pdf = render_labels_pdf(_latin_job(), "thermal-100x50", scheme=SCHEME, engine="direct")
    assert faces_read == list(label_pdf._font_files() or ())
    assert pdf.startswith(b"%PDF") and not compact_face_dir().exists()


def test_a_face_file_changed_on_disk_gets_a_copy_of_its_own(tmp_path: Path) -> None:
    files = label_pdf._font_files()
    assert files is not None
    face = tmp_path / "LabelFace.ttf"
    shutil.copyfile(files[0], face)
    first = compact_face(face)
    assert first is not None and first.is_file()
    os.utime(face, ns=(1_000_000_000, 1_000_000_000))  # a font package updated the file
    second = compact_face(face)
    assert second is not None and second.is_file() and second != first
    assert compact_face(face) == second  # kept, not cut again
