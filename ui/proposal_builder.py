"""The proposal builder: choose a brand and the cost sheets to show, preview the PDF page by
page, save it, export the line sheet, and issue it. Building and rendering run on a worker.

Issuing asks first, then renders the proposal as issued (no draft mark), records *that*
file's SHA-256 with the synced document and locks the version: the preview shows the issued
file, Save PDF saves it, and nothing that would change it stays enabled.

The brands and the cost sheets to choose from are read on a worker too; until they arrive
the lists are empty and the message says they are being read."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import ask_save_first
from ui.document_locale import app_locale
from ui.file_dialogs import ask_save_path
from ui.keys import bindings
from ui.ops import OpContext, OpRunner
from ui.wheel_guard import guard_wheel
from workbench.capacity import load_capacity
from workbench.costing import choices as pick
from workbench.costing import load_rate_book
from workbench.costing.register import recent_sheets
from workbench.proposals import Proposal, export_line_sheet, render_proposal_pdf
from workbench.proposals.build import build_proposal
from workbench.proposals.esg import esg_lines_for
from workbench.proposals.issue import issue_proposal, save_proposal
from workbench.services.ai import AIClient
from workbench.services.writer import forget
from workbench.settings import proposal_sender
from workbench.workspace import Workspace

PREVIEW_SCALE = 0.9


@dataclass
class Rendered:
    proposal: Proposal
    pdf: bytes
    pages: list[bytes]  # PNG of each page, for the preview


def render(proposal: Proposal) -> Rendered:
    """The proposal as PDF, and each page as PNG for the preview (on a worker)."""
    pdf = render_proposal_pdf(proposal)
    pages = []
    for page in pdfium.PdfDocument(pdf):
        out = io.BytesIO()
        page.render(scale=PREVIEW_SCALE).to_pil().save(out, "PNG")
        pages.append(out.getvalue())
    return Rendered(proposal, pdf, pages)


class ProposalBuilder(QMainWindow):
    #: a proposal was built and rendered: the Rendered
    rendered = Signal(object)
    #: the proposal was issued: the saved document row
    issued = Signal(dict)
    #: the brands and cost sheets to choose from are listed
    listed = Signal()

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner,
        parent: QWidget | None = None,
        ai: Callable[[], AIClient | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ai = ai
        self.setWindowTitle("Buyer proposal — Mill Workbench")
        self.resize(1300, 860)
        self.workspace, self.ops = workspace, ops
        self.result: Rendered | None = None
        self.document: dict[str, Any] | None = None
        #: issued: this version is final and cannot be changed
        self.locked = False
        #: the preview on screen went somewhere (a saved PDF or an issued version): closing the
        #: builder then loses nothing, so it asks nothing
        self.kept = False
        #: the brands and cost sheets to choose from have been read
        self.is_listed = False

        self.brand = QComboBox()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Spring/Summer 2027 knits")
        self.sheets = QListWidget()
        form = QFormLayout()
        form.addRow("Brand:", self.brand)
        form.addRow("Title:", self.title_edit)
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(lambda: self.build())
        self.save_button = QPushButton("Save PDF…")
        self.save_button.clicked.connect(self.choose_pdf)
        self.sheet_button = QPushButton("Export line sheet…")
        self.sheet_button.clicked.connect(self.choose_line_sheet)
        self.issue_button = QPushButton("Issue")
        self.issue_button.setToolTip("Record this PDF as issued (its SHA-256 goes with it)")
        self.issue_button.clicked.connect(self.issue)
        self.illustrate = QCheckBox("Illustrate styles without a photo (AI service)")
        self.rewrite_button = QPushButton("Write the texts again")
        self.rewrite_button.setToolTip(
            "Ask the AI service for new descriptions of the ticked styles"
        )
        self.rewrite_button.clicked.connect(self.rewrite)
        self.message = QLabel("Reading the brands and cost sheets…")
        self.message.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addWidget(QLabel("Styles (cost sheets):"))
        left_layout.addWidget(self.sheets, 1)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.sheet_button, self.issue_button):
            buttons.addWidget(button)
        left_layout.addWidget(self.illustrate)
        left_layout.addWidget(self.rewrite_button)
        left_layout.addWidget(self.message)
        left_layout.addLayout(buttons)

        self.pages_host = QWidget()
        self.pages_layout = QVBoxLayout(self.pages_host)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages_host)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setSizes([380, 920])
        self.setCentralWidget(split)
        guard_wheel(left)  # scrolling past the brand never changes whom the proposal is for
        close = QAction("Close", self)
        close.setShortcuts(bindings(QKeySequence.StandardKey.Close, "Ctrl+W"))
        close.triggered.connect(self.close)
        self.addAction(close)
        self._enable()
        self._list_choices()

    def _list_choices(self) -> None:
        """Fill the brands and the cost sheets (newest first) from the replica, on a worker."""
        replica = self.workspace.replica

        def read(_ctx: OpContext) -> tuple[list[pick.Choice], list[dict[str, Any]]]:
            return pick.brands(replica.conn), recent_sheets(replica.conn)

        def show(choices: tuple[list[pick.Choice], list[dict[str, Any]]]) -> None:
            brands, sheets = choices
            for choice in brands:
                self.brand.addItem(choice.label, choice.value)
            for row in sheets:  # a sheet's version and status tell its versions apart
                item = QListWidgetItem(
                    f"{row['style_code']}  {row['title']}  · v{row['revision']} {row['status']}"
                )
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.sheets.addItem(item)
            self.message.setText("Tick the styles to show, then Preview.")
            self.is_listed = True
            self.listed.emit()

        def failed(exc: BaseException) -> None:
            self.message.setText(f"The cost sheets could not be read: {exc}")

        self.ops.run(
            read, success=show, failure=failed, label="Listing cost sheets", background=True
        )

    def chosen_sheets(self) -> list[str]:
        return [
            str(self.sheets.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.sheets.count())
            if self.sheets.item(i).checkState() == Qt.CheckState.Checked
        ]

    def check(self, *sheet_ids: str) -> None:
        for i in range(self.sheets.count()):
            item = self.sheets.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in sheet_ids:
                item.setCheckState(Qt.CheckState.Checked)

    def build(self, write_again: bool = False) -> None:
        """Build and render the proposal of the ticked styles on a worker; ``write_again``
        first forgets their descriptions there, so the AI writes them anew."""
        sheets = self.chosen_sheets()
        if not sheets:
            self.message.setText("Tick at least one style.")
            return
        replica, brand = self.workspace.replica, str(self.brand.currentData())
        title = self.title_edit.text().strip()
        make_ai = self._ai
        illustrate = self.illustrate.isChecked()
        sender = proposal_sender(app_locale=app_locale())

        def work(ctx: OpContext) -> Rendered:
            if write_again:
                for sheet_id in sheets:
                    forget(replica, sheet_id, "style_description")
            conn = replica.conn
            book = load_rate_book(conn)
            client = make_ai() if make_ai else None
            try:
                proposal = build_proposal(
                    replica,
                    sheets,
                    brand_code=brand,
                    book=book,
                    capacity=load_capacity(conn),
                    title=title,
                    esg=esg_lines_for(replica, book, locale=sender.locale),
                    ai=client,
                    illustrate=illustrate,
                    sender=sender,
                )
            finally:
                if client is not None:
                    client.close()
            ctx.check()
            return render(proposal)

        def failed(exc: BaseException) -> None:
            self.message.setText(f"The proposal could not be made: {exc}")

        self.result = None
        self.kept = False
        self._enable()
        self.ops.run(
            work,
            success=self._show,
            failure=failed,
            label="Building the proposal",
            changes=frozenset({"ai_jobs"}) if write_again else frozenset(),
        )

    def rewrite(self) -> None:
        """Build again with the ticked styles' descriptions forgotten: the AI writes anew."""
        self.build(write_again=True)

    def _show(self, result: Rendered) -> None:
        self.result = result
        while (item := self.pages_layout.takeAt(0)) is not None:  # None: the layout is empty
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        for png in result.pages:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(QImage.fromData(png)))
            label.setStyleSheet("border: 1px solid #c9d3d9; margin: 6px; background: white;")
            self.pages_layout.addWidget(label)
        standard = sum(1 for s in result.proposal.styles if s.description_source == "template")
        estimates = sum(1 for s in result.proposal.styles if s.price_basis.startswith("Estimate"))
        notes = []
        if standard:
            notes.append(
                f"{standard} description(s) are standard text (the AI writes them when online)"
            )
        if estimates:
            notes.append(f"{estimates} price(s) are estimates, not firm quotes")
        self.message.setText(f"{len(result.pages)} pages. " + "; ".join(notes))
        self._enable()
        self.rendered.emit(result)

    def choose_pdf(self) -> None:
        if self.result is None:
            return
        path = ask_save_path(self, "Save proposal", "proposal.pdf", "PDF (*.pdf)")
        if path:
            path.write_bytes(self.result.pdf)
            self.kept = True

    def choose_line_sheet(self) -> None:
        if self.result is None:
            return
        path = ask_save_path(
            self, "Export line sheet", "line-sheet.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            self.export_line_sheet(path)

    def export_line_sheet(self, path: Path) -> int:
        assert self.result is not None
        return export_line_sheet(self.result.proposal, path)

    def issue(self) -> None:
        """Ask, then issue on a worker: render the proposal as issued, save it and record the
        SHA-256 of the issued file; the builder then shows that file and is locked."""
        if self.result is None or self.locked:
            return
        if not self._confirm_issue(self.result.proposal):
            return
        replica = self.workspace.replica
        proposal = replace(self.result.proposal, state="issued")
        sheets, known = self.chosen_sheets(), self.document["id"] if self.document else None

        def work(_ctx: OpContext) -> tuple[Rendered, dict[str, Any]]:
            issued = render(proposal)
            saved = save_proposal(
                replica,
                title=proposal.title,
                brand_code=proposal.brand_code,
                sheet_ids=sheets,
                proposal_id=known,
            )
            return issued, issue_proposal(replica, saved["id"], issued.pdf)

        def done(outcome: tuple[Rendered, dict[str, Any]]) -> None:
            issued, self.document = outcome
            self.locked = self.kept = True
            self._show(issued)
            digest = self.document["pdf_sha256"]
            self.message.setText(
                f"Issued: this version is final. SHA-256 {digest[:16]}… is "
                "recorded with the proposal and reaches the server on the next "
                "sync; Save PDF saves the issued file."
            )
            self.issued.emit(self.document)

        def failed(exc: BaseException) -> None:
            self.message.setText(f"Not issued: {exc}")
            self._enable()

        self.issue_button.setEnabled(False)
        self.ops.run(
            work,
            success=done,
            failure=failed,
            label="Issuing the proposal",
            changes=frozenset({"proposals"}),
        )

    def _confirm_issue(self, proposal: Proposal) -> bool:
        count = len(proposal.styles)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Issue proposal",
            f"Issue “{proposal.title}” to {proposal.brand_name} "
            f"({proposal.brand_code}), {count} style{'s' if count != 1 else ''}?"
            "\n\nThe PDF becomes final, without the draft mark; its SHA-256 is "
            "recorded and this version can no longer be changed.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        issue = box.addButton("Issue", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is issue

    def has_unsaved_work(self) -> bool:
        """A preview is on screen that was neither saved as a PDF nor issued: its pages (and
        any texts the AI service wrote for it) would be lost with the window."""
        return self.result is not None and not self.kept

    def discard(self) -> None:
        """Let the preview go without asking, as the user's Discard does."""
        self.kept = True

    def confirm_close(self) -> bool:
        """Whether the builder may close: nothing to lose, or the user saved the PDF or chose to
        discard it."""
        if not self.has_unsaved_work():
            return True
        assert self.result is not None
        answer = ask_save_first(
            self,
            "Proposal not kept",
            f"The proposal for {self.result.proposal.brand_code} was previewed but neither "
            "issued nor saved as a PDF. Save the PDF before closing?",
        )
        if answer == QMessageBox.StandardButton.Save:
            self.choose_pdf()
            return self.kept
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_close():
            event.ignore()
            return
        self.kept = True  # asked once: quitting after this close asks nothing more
        super().closeEvent(event)

    def _enable(self) -> None:
        ready = self.result is not None
        for button in (self.save_button, self.sheet_button):
            button.setEnabled(ready)
        self.issue_button.setEnabled(ready and not self.locked)
        if self.locked:
            self.issue_button.setText("Issued")
            self.issue_button.setToolTip("This version is issued: its PDF is final")
        for widget in (
            self.preview_button,
            self.rewrite_button,
            self.brand,
            self.title_edit,
            self.sheets,
            self.illustrate,
        ):
            widget.setEnabled(not self.locked)
