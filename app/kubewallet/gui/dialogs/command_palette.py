"""The command palette (Ctrl+K): fuzzy search over contexts, namespaces, pages and actions;
Enter runs the highlighted one (switching a context or namespace is written at once).

Built once and shown/hidden (not a new dialog per press), so it opens instantly.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from kubewallet.gui.models.switching import ItemRole, PaletteItem, PaletteModel


class CommandPalette(QDialog):
    def __init__(self, run: Callable[[PaletteItem], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Command palette")
        self.setAccessibleName("Command palette")
        self._run = run
        self.model = PaletteModel(self)
        layout = QVBoxLayout(self)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Switch context, namespace, page… (type to search)")
        self.query.setAccessibleName("Command palette search")
        self.query.textChanged.connect(self._search)
        self.query.installEventFilter(self)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setAccessibleName("Matches")
        self.list.setUniformItemSizes(True)
        self.list.activated.connect(lambda index: self.run_item(index.data(ItemRole)))
        self.empty = QLabel("No matches. Try fewer letters, or part of a context, namespace, page or action.", self)
        self.empty.setAccessibleName("No matches")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.hint = QLabel("↑↓ choose · Enter run · Esc close", self)
        self.hint.setEnabled(False)
        layout.addWidget(self.query)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.hint)
        self.resize(620, 420)

    def open_with(self, items: list[PaletteItem]) -> None:
        self.model.set_items(items)
        self.query.clear()
        self._search("")
        if self.parent() is not None:
            parent = self.parentWidget()
            geo = parent.geometry()
            self.move(geo.x() + (geo.width() - self.width()) // 2, geo.y() + 80)
        self.show()
        self.raise_()
        self.activateWindow()
        self.query.setFocus()

    def _search(self, text: str) -> None:
        self.model.set_query(text)
        found = bool(self.model.rowCount())
        if found:
            self.list.setCurrentIndex(self.model.index(0))
        self.list.setVisible(found)
        self.empty.setVisible(not found)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                row = self.list.currentIndex().row()
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8,
                        Qt.Key.Key_PageUp: -8}[key]
                row = max(0, min(self.model.rowCount() - 1, row + step))
                self.list.setCurrentIndex(self.model.index(row))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.run_current()
                return True
        return super().eventFilter(obj, event)

    def run_current(self) -> None:
        index = self.list.currentIndex()
        if index.isValid():
            self.run_item(index.data(ItemRole))

    def run_item(self, item: PaletteItem | None) -> None:
        if item is None:
            return
        self.hide()
        self._run(item)
