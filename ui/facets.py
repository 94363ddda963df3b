"""The filter panel beside the results: material type, GSM and width ranges, certifications,
supplier. It only collects choices and shows counts; the search applies them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.wheel_guard import guard_wheel

MATERIAL_TYPES = (("fabric", "Fabrics"), ("yarn", "Yarns"), ("trim", "Trims"))
ANY_SUPPLIER = "Any supplier"


def _range_box(maximum: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSpecialValueText("any")  # 0 means no bound
    box.setSuffix(suffix)
    box.setAccelerated(True)
    box.setSingleStep(10)
    box.setMaximumWidth(96)
    guard_wheel(box)  # scrolling past it never changes the filter
    return box


class FacetFilters(TypedDict):
    """The facet choices, named and typed as `SearchRequest`'s keyword arguments."""

    material_types: frozenset[str]
    certifications: frozenset[str]
    suppliers: frozenset[str]
    gsm_min: int | None
    gsm_max: int | None
    width_min_cm: int | None
    width_max_cm: int | None


class FacetPanel(QWidget):
    """Emits `changed` whenever a filter changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facetPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)

        types = QGroupBox("Material type")
        type_layout = QVBoxLayout(types)
        self.type_boxes: dict[str, QCheckBox] = {}
        self._type_labels = dict(MATERIAL_TYPES)
        for key, label in MATERIAL_TYPES:
            box = QCheckBox(label)
            box.toggled.connect(self.changed)
            type_layout.addWidget(box)
            self.type_boxes[key] = box
        layout.addWidget(types)

        ranges = QGroupBox("Weight and width")
        form = QFormLayout(ranges)
        self.gsm_min, self.gsm_max = _range_box(1000, " g/m²"), _range_box(1000, " g/m²")
        self.width_min, self.width_max = _range_box(400, " cm"), _range_box(400, " cm")
        for label, low, high in (
            ("GSM", self.gsm_min, self.gsm_max),
            ("Width", self.width_min, self.width_max),
        ):
            row = QHBoxLayout()
            row.addWidget(low)
            row.addWidget(QLabel("–"))
            row.addWidget(high)
            form.addRow(label, row)
            low.valueChanged.connect(self.changed)
            high.valueChanged.connect(self.changed)
        layout.addWidget(ranges)

        self.certs_group = QGroupBox("Certifications (all of)")
        self.certs_layout = QVBoxLayout(self.certs_group)
        self.cert_boxes: dict[str, QCheckBox] = {}
        layout.addWidget(self.certs_group)

        supplier_group = QGroupBox("Supplier")
        supplier_layout = QVBoxLayout(supplier_group)
        self.supplier = QComboBox()
        guard_wheel(self.supplier)
        self.supplier.setEditable(True)
        self.supplier.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.supplier.addItem(ANY_SUPPLIER)
        self.supplier.currentIndexChanged.connect(self.changed)
        supplier_layout.addWidget(self.supplier)
        layout.addWidget(supplier_group)

        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)

    # -- options from the replica ------------------------------------------------------------

    def set_options(self, certifications: Sequence[str], suppliers: Sequence[str]) -> None:
        for box in self.cert_boxes.values():
            box.deleteLater()
        self.cert_boxes = {}
        for cert in certifications:
            box = QCheckBox(cert)
            box.toggled.connect(self.changed)
            self.certs_layout.addWidget(box)
            self.cert_boxes[cert] = box
        self.supplier.blockSignals(True)
        self.supplier.clear()
        self.supplier.addItem(ANY_SUPPLIER)
        self.supplier.addItems(sorted(suppliers))
        completer = QCompleter(sorted(suppliers), self.supplier)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.supplier.setCompleter(completer)
        self.supplier.blockSignals(False)

    def show_counts(self, facets: Mapping[str, Mapping[str, int]]) -> None:
        """Put match counts beside the type and certification choices."""
        types = facets.get("material_type", {})
        for key, box in self.type_boxes.items():
            label = self._type_labels[key]
            box.setText(f"{label}  ({types.get(key, 0):,})" if facets else label)
        certs = facets.get("certifications", {})
        for cert, box in self.cert_boxes.items():
            box.setText(f"{cert}  ({certs.get(cert, 0):,})" if facets else cert)

    # -- the choices -------------------------------------------------------------------------

    def filters(self) -> FacetFilters:
        """The choices as `SearchRequest` keyword arguments."""

        def bound(box: QSpinBox) -> int | None:
            return box.value() or None

        supplier = self.supplier.currentText()
        return {
            "material_types": frozenset(k for k, b in self.type_boxes.items() if b.isChecked()),
            "certifications": frozenset(k for k, b in self.cert_boxes.items() if b.isChecked()),
            "suppliers": frozenset({supplier})
            if supplier and supplier != ANY_SUPPLIER and self.supplier.currentIndex() > 0
            else frozenset(),
            "gsm_min": bound(self.gsm_min),
            "gsm_max": bound(self.gsm_max),
            "width_min_cm": bound(self.width_min),
            "width_max_cm": bound(self.width_max),
        }

    def clear(self) -> None:
        widgets = [
            *self.type_boxes.values(),
            *self.cert_boxes.values(),
            self.supplier,
            self.gsm_min,
            self.gsm_max,
            self.width_min,
            self.width_max,
        ]
        for widget in widgets:
            widget.blockSignals(True)
        for box in [*self.type_boxes.values(), *self.cert_boxes.values()]:
            box.setChecked(False)
        for spin in (self.gsm_min, self.gsm_max, self.width_min, self.width_max):
            spin.setValue(0)
        self.supplier.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)
        self.changed.emit()
