"""The station's preview: a picture of the label about to print, made from the PDF that prints
(:func:`workbench.labels.preview.label_preview_png`, rendered on a worker by the window), or a
note saying why there is none ("Cannot print: lot 'bad lot' …").

Kept apart from the window because it only presents: the picture scaled to the room it has,
keeping its shape, with a caption naming the stock.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget


class LabelPreview(QWidget):
    """A caption over the label's picture (`image`), or over a note when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.caption = QLabel("Preview")
        self.caption.setObjectName("previewNote")
        layout.addWidget(self.caption)
        self.image = QLabel()
        self.image.setObjectName("labelPreview")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setWordWrap(True)
        self.image.setMinimumSize(QSize(160, 80))
        # the picture follows the room it is given, never the other way round
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.image, 1)
        self._pixmap: QPixmap | None = None
        self.show_note("Scan an order or lot number to see its label.")

    @property
    def pixmap(self) -> QPixmap | None:
        """The label's picture at full size, or None while a note is shown."""
        return self._pixmap

    def show_png(self, png: bytes, caption: str) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self._pixmap = pixmap
        self.caption.setText(f"Preview — {caption}")
        self.image.setText("")
        self.image.setToolTip("The label exactly as the PDF that prints it")
        self._scale()

    def show_note(self, text: str, *, error: bool = False) -> None:
        self._pixmap = None
        self.caption.setText("Preview")
        self.image.setPixmap(QPixmap())
        self.image.setText(text)
        self.image.setToolTip("")
        self.image.setStyleSheet("color: #7a1d12;" if error else "color: #5b6d75;")

    def _scale(self) -> None:
        if self._pixmap is None or self._pixmap.isNull():
            return
        room = self.image.contentsRect().size() - QSize(12, 12)
        if room.width() <= 0 or room.height() <= 0:
            return
        self.image.setPixmap(
            self._pixmap.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale()
