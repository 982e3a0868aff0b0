"""A secret field: masked until the person explicitly reveals it (design: secrets never shown
unmasked without an explicit reveal, and never in screenshots by default)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget


class SecretField(QWidget):
    """A password-mode line edit with a Reveal toggle; `editingFinished` like a QLineEdit."""

    editingFinished = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(f"{label} (secret, hidden)")
        self.edit.editingFinished.connect(self.editingFinished)
        self.reveal = QToolButton(self)
        self.reveal.setText("Reveal")
        self.reveal.setCheckable(True)
        self.reveal.setAccessibleName(f"Reveal {label}")
        self.reveal.setToolTip(f"Show {label} in clear text")
        self.reveal.toggled.connect(self._toggle)
        self._label = label
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.reveal)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(f"{self._label} (secret, {'shown' if shown else 'hidden'})")
        self.reveal.setText("Hide" if shown else "Reveal")

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - QLineEdit's name
        if text != self.edit.text():
            self.edit.setText(text)

    def hide_secret(self) -> None:
        self.reveal.setChecked(False)

    @property
    def revealed(self) -> bool:
        return self.reveal.isChecked()
