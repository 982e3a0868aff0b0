"""The editor base: fill from the workspace, commit one field at a time as an undoable edit.

A field commits when focus leaves it (or on Enter). The window commits the focused field before
Save, Undo/Redo and quitting, and a field's own Ctrl+Z is handed to the window's Undo: one undo
stack, so what the editor shows is always what Save would write.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kubewallet.gui.state import AppState
from kubewallet.gui.widgets.secret import SecretField


class EntryEditor(QWidget):
    kind = ""  # "contexts" | "clusters" | "users"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.name: str | None = None
        self._filling = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 4, 4)
        self.heading = QLabel(self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.origin = QLabel(self)
        self.origin.setWordWrap(True)
        self.origin.setEnabled(False)  # the palette's disabled text colour: secondary information
        outer.addWidget(self.origin)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        outer.addLayout(self.form)
        outer.addStretch(1)
        self.empty_text = f"Select a {self.kind[:-1]} to edit it."
        self._fields_hooked = False
        self.set_entry(None)

    def showEvent(self, event) -> None:  # noqa: N802
        # pickers take the width the form gives them, never their longest item's ("client.
        # authentication.k8s.io/v1beta1"), so the pane never grows wider than the space beside
        # the list; their own minimum is a dozen characters
        from PySide6.QtWidgets import QComboBox, QSizePolicy

        for box in self.findChildren(QComboBox):
            box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            box.setMinimumWidth(box.fontMetrics().averageCharWidth() * 12 + 40)
        if not self._fields_hooked:
            self._fields_hooked = True
            for edit in self.findChildren(QLineEdit):
                edit.textEdited.connect(self._field_edited)
                edit.installEventFilter(self)
        super().showEvent(event)

    def _field_edited(self, _text: str) -> None:
        self.state.field_pending = True
        self.state.field_edited.emit()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        """A field's own undo would change what it shows but not what Save writes: Ctrl+Z and
        Ctrl+Shift+Z go to the window's Undo/Redo instead (which commit the field first)."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and (
                event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)
                or event.keyCombination().toCombined() == QKeySequence("Ctrl+Shift+Z")[0].toCombined()):
            return True
        return super().eventFilter(obj, event)

    def entry(self) -> Any:
        ws = self.state.workspace
        if ws is None or self.name is None:
            return None
        return getattr(ws, self.kind).get(self.name)

    def set_entry(self, name: str | None) -> None:
        """Show `name` (None: nothing selected) and fill the fields from the workspace."""
        self.name = name
        self.refresh()

    def refresh(self) -> None:
        entry = self.entry()
        for i in range(self.form.rowCount()):
            for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole):
                item = self.form.itemAt(i, role)
                if item is not None and item.widget() is not None:
                    item.widget().setEnabled(entry is not None)
        if entry is None:
            self.heading.setText(self.empty_text if self.name is None else f"{self.name} (gone)")
            self.origin.setText("")
            return
        self.heading.setText(entry.name)
        self.heading.setAccessibleName(f"Editing {self.kind[:-1]} {entry.name}")
        # a zero-width space after each "/" lets a long path wrap instead of widening the pane
        self.origin.setText("defined in " + str(entry.file).replace("/", "/\u200b"))
        self.origin.setToolTip(str(entry.file))
        self._filling = True
        try:
            self.fill(copy.deepcopy(entry.body or {}))
        finally:
            self._filling = False
        self._show_starts()

    def _show_starts(self) -> None:
        """Fields open on the start of their value ("https://staging.k8s…", not "…s.k8s:6443"),
        with the whole value in the tooltip (never a secret's)."""
        for edit in self.findChildren(QLineEdit):
            if not edit.hasFocus():
                edit.setCursorPosition(0)
            if not isinstance(edit.parentWidget(), SecretField):
                edit.setToolTip(edit.text())
    def fill(self, body: dict) -> None:
        raise NotImplementedError

    def build(self, body: dict) -> dict:
        """Return the new body from the fields (body is a copy of the current one)."""
        raise NotImplementedError

    def commit(self, *_args: Any) -> None:
        if self._filling:
            return
        entry = self.entry()
        if entry is None:
            return
        before = entry.body or {}
        after = self.build(copy.deepcopy(before))
        if after != before:
            self.state.set_entry(self.kind, entry.name, after)


def set_or_drop(body: dict, key: str, value: Any) -> None:
    """kubectl omits empty optional fields (`omitempty`); so do we."""
    if value in ("", None, False, [], {}):
        body.pop(key, None)
    else:
        body[key] = value
