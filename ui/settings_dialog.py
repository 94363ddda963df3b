"""Settings: the company's sync server (the address signing in offers), the AI provider
(address, models, key — the key to the OS keyring), label defaults, units and the reporting
currency.

They are kept in the data directory in use (``--data-dir`` when given, see
`workbench.paths`). What is typed is checked when the user leaves the field and again on
Save, and what is wrong is said under that field: a printer as the label station reads it
(`workbench.settings.printer_problem`), and a network printer's host must be known on this
network (looked up off the UI thread, so an unknown name such as "nowhere" is refused
before a label is sent to it); a currency must be an ISO 4217 code ("dollars!" is refused,
not cut to "DOL"), its name shown once it is one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.document_locale import document_locale_box
from ui.field_notes import NOTE_STYLE, FieldNotes
from ui.file_dialogs import ask_open_path
from ui.formats import sample
from ui.ops import OpRunner
from ui.wheel_guard import guard_wheel
from ui.wrapped_label import WrappedLabel
from workbench.credentials import NoKeyringError, save_api_key
from workbench.labels import template_names
from workbench.paths import data_dir
from workbench.proposals.model import INCOTERMS
from workbench.services.prompts import sent_in_words
from workbench.settings import (
    SETTINGS_FILE,
    Settings,
    SettingsError,
    currency_name,
    currency_problem,
    host_problem,
    printer_host,
    printer_problem,
    save_settings,
    with_ai,
)


class SettingsDialog(QDialog):
    #: the settings were saved (the dialog closes)
    saved = Signal(object)
    #: a printer's host was looked up: the printer text and what is wrong ("" if nothing)
    printer_checked = Signal(str, str)

    def __init__(
        self,
        settings: Settings,
        base: Path | None = None,
        parent: QWidget | None = None,
        ops: OpRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Mill Workbench")
        self.setStyleSheet(NOTE_STYLE)
        self.settings, self.base = settings, base
        self.ops = ops or OpRunner(self, max_threads=1)
        #: printer hosts looked up: (host, port) → what is wrong ("" when known)
        self._hosts: dict[tuple[str, int], str] = {}
        self.field_notes = FieldNotes()
        #: Save pressed while a printer's host was being looked up: save when it is known
        self._save_when_checked = False
        server = QGroupBox("Company server")
        sf = QFormLayout(server)
        self.server_url = QLineEdit(settings.server_url)
        self.server_url.setPlaceholderText("https://sync.your-mill.example")
        sf.addRow("Address:", self._noted(self.server_url))
        hint = QLabel("Offered when you sign in; each workspace remembers its own server.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        sf.addRow(hint)
        ai = QGroupBox("AI provider (any OpenAI-compatible API)")
        af = QFormLayout(ai)
        self.ai_url = QLineEdit(settings.ai.base_url)
        # Placeholders short enough to show whole at the size the dialog opens; the rest of
        # what they would say is in the field's tooltip.
        self.ai_url.setPlaceholderText("https://api.openai.com")
        self.ai_url.setToolTip(
            "Any OpenAI-compatible API: https://api.openai.com, or one on "
            "this network such as http://localhost:11434"
        )
        self.ai_key = QLineEdit()
        self.ai_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.ai_key.setPlaceholderText("kept in the system keyring")
        self.ai_key.setToolTip(
            "Kept in the system keyring; leave it empty to keep the key already saved"
        )
        self.chat_model = QLineEdit(settings.ai.chat_model)
        self.image_model = QLineEdit(settings.ai.image_model)
        for label, widget in (
            ("Address", self._noted(self.ai_url)),
            ("Key", self.ai_key),
            ("Text model", self.chat_model),
            ("Image model", self.image_model),
        ):
            af.addRow(label + ":", widget)
        self.ai_sent = WrappedLabel(sent_in_words())
        self.ai_sent.setObjectName("hint")
        af.addRow(self.ai_sent)
        labels = QGroupBox("Labels")
        lf = QFormLayout(labels)
        self.printer = QLineEdit(settings.label_printer)
        self.printer.setPlaceholderText("zpl://192.168.1.40:9100, pdf:/home/me/labels.pdf, …")
        self.printer.editingFinished.connect(self.check_printer)
        self.template = QComboBox()
        self.template.addItems(template_names())
        self.template.setCurrentText(settings.label_template)
        self.copies = QSpinBox()
        self.copies.setRange(1, 999)
        self.copies.setValue(settings.label_copies)
        lf.addRow("Printer:", self._noted(self.printer))
        lf.addRow("Template:", self.template)
        lf.addRow("Copies:", self.copies)
        units = QGroupBox("Units and currency")
        uf = QFormLayout(units)
        self.weight = QComboBox()
        self.weight.addItems(["kg", "lb"])
        self.weight.setCurrentText(settings.weight_unit)
        self.length = QComboBox()
        self.length.addItems(["m", "yd"])
        self.length.setCurrentText(settings.length_unit)
        self.currency = QLineEdit(settings.reporting_currency)
        self.currency.setPlaceholderText("an ISO 4217 code: USD, EUR, INR, …")
        self.currency.editingFinished.connect(self.check_currency)
        self.stale = QSpinBox()
        self.stale.setRange(1, 3650)
        self.stale.setValue(settings.stale_rate_days)
        self.stale.setSuffix(" days")
        self.formats = QLabel(f"{sample()}  (from this computer's language and region)")
        self.formats.setObjectName("hint")
        uf.addRow("Weight:", self.weight)
        uf.addRow("Length:", self.length)
        uf.addRow("Reporting currency:", self._noted(self.currency))
        uf.addRow("Flag rates older than:", self.stale)
        uf.addRow("Dates and numbers:", self.formats)
        proposals = QGroupBox("Proposals")
        pf = QFormLayout(proposals)
        self.company = QLineEdit(settings.company_name)
        self.company.setPlaceholderText("on a proposal's cover")
        self.company.setToolTip("The company name on a proposal's cover")
        self.logo = QLineEdit(settings.company_logo)
        self.logo.setPlaceholderText("a PNG or JPEG file")
        self.logo_button = QPushButton("Choose…")
        self.logo_button.clicked.connect(self.choose_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self._noted(self.logo), 1)
        logo_row.addWidget(self.logo_button, 0, Qt.AlignmentFlag.AlignTop)
        self.incoterm = QComboBox()
        for code, name in INCOTERMS.items():
            self.incoterm.addItem(f"{code} — {name}", code)
        self.incoterm.setCurrentIndex(max(0, self.incoterm.findData(settings.incoterm)))
        self.place = QLineEdit(settings.incoterm_place)
        self.place.setPlaceholderText("Tuticorin, Chennai, …")
        self.place.setToolTip("The Incoterm's named place or port")
        pf.addRow("Company:", self.company)
        pf.addRow("Logo:", logo_row)
        pf.addRow("Incoterm:", self.incoterm)
        pf.addRow("Named place:", self.place)
        self.document_locale = document_locale_box(settings.document_locale)
        pf.addRow("Buyer's documents:", self.document_locale)
        self.where = QLabel(f"Kept in {data_dir(base) / SETTINGS_FILE}")
        self.where.setObjectName("hint")
        self.where.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        for groups in ((server, ai, proposals), (labels, units)):
            column = QVBoxLayout()
            for group in groups:
                column.addWidget(group)
            column.addStretch(1)
            columns.addLayout(column, 1)
        layout.addLayout(columns)
        for widget in (self.where, self.message, buttons):
            layout.addWidget(widget)
        self._fields = {
            "server_url": self.server_url,
            "ai.base_url": self.ai_url,
            "label_printer": self.printer,
            "reporting_currency": self.currency,
            "company_logo": self.logo,
        }
        guard_wheel(self)  # scrolling past a box changes no setting
        self.check_currency()

    # -- notes under the fields --------------------------------------------------------------

    def _noted(self, edit: QLineEdit) -> QWidget:
        """``edit`` with the line under it where what is wrong with its value is said (and
        nothing once the user types again)."""
        edit.textEdited.connect(lambda _text: self._mark(edit, "", ""))
        return self.field_notes.noted(edit)

    def note_for(self, edit: QLineEdit) -> QLabel:
        """The line under ``edit`` saying what is wrong with its value."""
        return self.field_notes.note_for(edit)

    def _mark(self, edit: QLineEdit, text: str, state: str) -> None:
        """Say ``text`` under ``edit``; ``state`` "refused", "ok" or "" (nothing to say)."""
        self.field_notes.mark(edit, text, state)
        QTimer.singleShot(0, self._fit)

    def _fit(self) -> None:
        """Grow to show every line of the notes (wrapped text is not in the minimum size)."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > self.height():
            self.resize(self.width(), needed)

    # -- checks ------------------------------------------------------------------------------

    def check_currency(self) -> bool:
        """Say whether the currency is an ISO 4217 code (its name when it is)."""
        problem = currency_problem(self.currency.text())
        if problem:
            self._mark(self.currency, problem, "refused")
            return False
        self._mark(self.currency, currency_name(self.currency.text()), "ok")
        return True

    def check_printer(self) -> bool | None:
        """Check the printer as typed: False when it is refused, True when it can be used,
        None while its host is being looked up (``printer_checked`` follows)."""
        text = self.printer.text().strip()
        problem = printer_problem(text)
        if problem:
            self._mark(self.printer, problem, "refused")
            return False
        target = printer_host(text)
        if target is None:
            self._mark(self.printer, "", "")
            return True
        if target in self._hosts:
            known = self._hosts[target]
            self._mark(self.printer, known, "refused" if known else "ok")
            return not known
        self._mark(self.printer, f"looking up {target[0]}…", "")

        def done(problem: str | None) -> None:
            self._hosts[target] = problem or ""
            if self.printer.text().strip() == text:
                self._mark(
                    self.printer,
                    problem or f"{target[0]} found on this network",
                    "refused" if problem else "ok",
                )
            self.printer_checked.emit(text, problem or "")
            if self._save_when_checked:
                self._save_when_checked = False
                if not problem:
                    self.save()

        self.ops.run(
            lambda _ctx: host_problem(*target),
            success=done,
            failure=lambda exc: done(str(exc)),
            label="Looking up the printer",
            background=True,
        )
        return None

    def choose_logo(self) -> None:
        path = ask_open_path(self, "Company logo", "Images (*.png *.jpg *.jpeg)")
        if path:
            self.logo.setText(str(path))
            self._mark(self.logo, "", "")

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> Settings | None:
        """Save what the fields hold, and close; None (the dialog stays open, the field
        refused says why) when a value cannot be kept, or while a printer's host is being
        looked up (it is saved when the host is found)."""
        updated = with_ai(
            self.settings,
            base_url=self.ai_url.text().strip(),
            chat_model=self.chat_model.text().strip(),
            image_model=self.image_model.text().strip(),
        )
        updated = replace(
            updated,
            server_url=self.server_url.text().strip(),
            label_printer=self.printer.text().strip(),
            label_template=self.template.currentText(),
            label_copies=self.copies.value(),
            weight_unit=self.weight.currentText(),
            length_unit=self.length.currentText(),
            reporting_currency=self.currency.text().strip().upper(),
            stale_rate_days=self.stale.value(),
            company_name=self.company.text().strip(),
            company_logo=self.logo.text().strip(),
            incoterm=str(self.incoterm.currentData()),
            incoterm_place=self.place.text().strip(),
            document_locale=str(self.document_locale.currentData()),
        )
        currency_ok = self.check_currency()
        printer = self.check_printer()
        if not currency_ok or printer is False:
            self.message.setText("Not saved: a value is refused, as said under its field.")
            return None
        if printer is None:
            self._save_when_checked = True
            self.message.setText("Looking up the printer before saving…")
            return None
        try:
            save_settings(updated, self.base)
        except SettingsError as exc:
            edit = self._fields.get(exc.field)
            if edit is not None:
                self._mark(edit, str(exc), "refused")
            self.message.setText(f"Not saved: {exc}")
            return None
        if self.ai_key.text() and updated.ai.configured:
            try:
                save_api_key(updated.ai.base_url, self.ai_key.text())
            except NoKeyringError as exc:
                self.message.setText(str(exc))
        self.settings = updated
        self.saved.emit(updated)
        self.accept()
        return updated
