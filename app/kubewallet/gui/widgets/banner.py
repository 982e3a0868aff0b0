"""Inline notices: errors and questions shown next to what caused them, never in a modal box.

`Banner` is a strip (icon-less, coloured from the palette) with a message and optional action
buttons ("Reload", "Keep my edits"), hidden until used. `FieldError` is a small red label for an
error about one input field, placed under that field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget

from kubewallet.gui.state import describe_error

_TINTS = {"error": QColor(220, 50, 47), "warning": QColor(230, 160, 0), "info": QColor(38, 139, 210)}


def _tint(palette: QPalette, level: str) -> tuple[str, str]:
    """A background that blends the level's colour into the window colour (so it reads in both
    light and dark palettes) and the palette's own text colour."""
    base = palette.color(QPalette.ColorRole.Window)
    tint = _TINTS.get(level, _TINTS["info"])
    mix = QColor(int(base.red() * 0.78 + tint.red() * 0.22), int(base.green() * 0.78 + tint.green() * 0.22),
                 int(base.blue() * 0.78 + tint.blue() * 0.22))
    return mix.name(), tint.name()


class Banner(QFrame):
    """A message strip with optional actions; `show_error`, `show_message`, `clear`."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Notice")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.level = ""
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName("Notice text")
        self._layout.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setAccessibleName("Dismiss notice")
        self._close.setToolTip("Dismiss")
        self._close.clicked.connect(self.clear)
        self._layout.addWidget(self._close)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_error(self, exc: BaseException | str) -> None:
        """Show an error: a `KubewalletError`'s message and hint; for other exceptions the type."""
        self.show_message(exc if isinstance(exc, str) else describe_error(exc), level="error")

    def show_message(self, text: str, level: str = "info",
                     actions: Sequence[tuple[str, Callable[[], None]]] = (),
                     closable: bool = True) -> None:
        for button in self._buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self._buttons = []
        for index, (label, callback) in enumerate(actions):
            button = QPushButton(label, self)
            button.setAccessibleName(label.replace("&", ""))
            button.clicked.connect(callback)
            self._layout.insertWidget(1 + index, button)
            self._buttons.append(button)
        self.level = level
        background, accent = _tint(self.palette(), level)
        self.setStyleSheet(f"QFrame#banner {{ background: {background}; border-left: 4px solid {accent};"
                           " border-radius: 3px; }")
        self.label.setText(text)
        self._close.setVisible(closable)
        self.setAccessibleDescription(f"{level}: {text}")
        self.show()

    def buttons(self) -> list[QPushButton]:
        return list(self._buttons)

    def clear(self) -> None:
        was_visible = self.isVisible()
        self.hide()
        self.label.clear()
        self.level = ""
        if was_visible:
            self.closed.emit()


class FieldError(QLabel):
    """An error about one field, shown under it in the palette's error tint; empty hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Field error")
        self.setStyleSheet(f"color: {_TINTS['error'].name()};")
        self.hide()

    def set_error(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))

    def set_error_from(self, exc: BaseException) -> None:
        self.set_error(describe_error(exc))
