"""The Credentials page's table: one row per kubeconfig user, where its secret lives.

Rows are `kubewallet.execplugin.inventory.UserCredential` values (computed off the GUI thread);
inline plaintext is flagged, the vault shown as safe. No secret value is ever in this model.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QStyle

from kubewallet.gui.models.table import ItemsTableModel
from kubewallet.execplugin.inventory import FILE, INLINE, NONE, PLUGIN, VAULT, UserCredential

RowRole = Qt.ItemDataRole.UserRole + 1

WHERE_WORDS = {INLINE: "in the kubeconfig, in plaintext", FILE: "a file on disk",
               VAULT: "the vault (encrypted)", PLUGIN: "an exec plugin", NONE: "no credential"}
STATUS_WORDS = {INLINE: "unsafe: move it", FILE: "as safe as the file",
                VAULT: "safe", PLUGIN: "kept by the plugin", NONE: "—"}


class CredentialsTableModel(ItemsTableModel):
    COLUMNS = ("User", "Credential", "Where the secret lives", "Status", "Detail", "Kubeconfig file")

    @property
    def rows(self) -> list[UserCredential]:
        return self.items

    def set_rows(self, rows: list[UserCredential]) -> None:
        self.set_items(rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.user, row.kind, WHERE_WORDS[row.location], STATUS_WORDS[row.location],
                    row.detail, os.path.basename(row.file))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (row.user, row.kind, WHERE_WORDS[row.location], STATUS_WORDS[row.location],
                    row.detail, row.file)[col]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.user}: {row.kind}, {WHERE_WORDS[row.location]}, {STATUS_WORDS[row.location]}"
        if role == Qt.ItemDataRole.DecorationRole and col == 3:
            style = QApplication.style()
            pixmap = {INLINE: QStyle.StandardPixmap.SP_MessageBoxWarning,
                      FILE: QStyle.StandardPixmap.SP_MessageBoxInformation,
                      VAULT: QStyle.StandardPixmap.SP_DialogApplyButton}.get(row.location)
            return style.standardIcon(pixmap) if pixmap is not None else None
        if role == Qt.ItemDataRole.FontRole and col == 3 and row.location == INLINE:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def row_at(self, index: int) -> UserCredential | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None
