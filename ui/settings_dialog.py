"""Settings: the company's sync server (the address signing in offers), the AI provider
(address, models, key — the key to the OS keyring), label defaults, units and the reporting
currency."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.credentials import NoKeyringError, save_api_key
from workbench.labels import template_names
from workbench.settings import Settings, SettingsError, save_settings, with_ai


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, base: Path | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Settings — Mill Workbench")
        self.settings, self.base = settings, base
        server = QGroupBox("Company server")
        sf = QFormLayout(server)
        self.server_url = QLineEdit(settings.server_url)
        self.server_url.setPlaceholderText("https://sync.your-mill.example")
        sf.addRow("Address:", self.server_url)
        hint = QLabel("Offered when you sign in; each workspace remembers its own server.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        sf.addRow(hint)
        ai = QGroupBox("AI provider (any OpenAI-compatible API)")
        af = QFormLayout(ai)
        self.ai_url = QLineEdit(settings.ai.base_url)
        self.ai_url.setPlaceholderText("https://api.openai.com  or  http://localhost:11434")
        self.ai_key = QLineEdit()
        self.ai_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.ai_key.setPlaceholderText("kept in the system keyring; leave empty to keep it")
        self.chat_model = QLineEdit(settings.ai.chat_model)
        self.image_model = QLineEdit(settings.ai.image_model)
        for label, widget in (("Address", self.ai_url), ("Key", self.ai_key),
                              ("Text model", self.chat_model), ("Image model", self.image_model)):
            af.addRow(label + ":", widget)  # fmt: skip
        labels = QGroupBox("Labels")
        lf = QFormLayout(labels)
        self.printer = QLineEdit(settings.label_printer)
        self.printer.setPlaceholderText("zpl://192.168.1.40:9100, pdf:/home/me/labels, …")
        self.template = QComboBox()
        self.template.addItems(template_names())
        self.template.setCurrentText(settings.label_template)
        self.copies = QSpinBox()
        self.copies.setRange(1, 999)
        self.copies.setValue(settings.label_copies)
        lf.addRow("Printer:", self.printer)
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
        self.currency.setMaxLength(3)
        self.stale = QSpinBox()
        self.stale.setRange(1, 3650)
        self.stale.setValue(settings.stale_rate_days)
        self.stale.setSuffix(" days")
        uf.addRow("Weight:", self.weight)
        uf.addRow("Length:", self.length)
        uf.addRow("Reporting currency:", self.currency)
        uf.addRow("Flag rates older than:", self.stale)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (server, ai, labels, units, self.message, buttons):
            layout.addWidget(widget)

    def save(self) -> Settings | None:
        from dataclasses import replace

        updated = with_ai(self.settings, base_url=self.ai_url.text().strip(),
                          chat_model=self.chat_model.text().strip(),
                          image_model=self.image_model.text().strip())  # fmt: skip
        updated = replace(updated, server_url=self.server_url.text().strip(),
                          label_printer=self.printer.text().strip(),
                          label_template=self.template.currentText(),
                          label_copies=self.copies.value(), weight_unit=self.weight.currentText(),
                          length_unit=self.length.currentText(),
                          reporting_currency=self.currency.text().strip().upper(),
                          stale_rate_days=self.stale.value())  # fmt: skip
        try:
            save_settings(updated, self.base)
        except SettingsError as exc:
            self.message.setText(str(exc))
            return None
        if self.ai_key.text() and updated.ai.configured:
            try:
                save_api_key(updated.ai.base_url, self.ai_key.text())
            except NoKeyringError as exc:
                self.message.setText(str(exc))
        self.settings = updated
        self.accept()
        return updated
