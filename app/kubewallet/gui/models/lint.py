"""The lint findings table of the Who am I page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from kubewallet.gui.models.table import ItemsTableModel
from kubewallet.inspect.lint import Finding

FindingRole = Qt.ItemDataRole.UserRole + 1
SEVERITY_COLOURS = {"error": QColor(214, 48, 49), "warning": QColor(230, 126, 34),
                    "info": QColor(38, 139, 210)}


class FindingsModel(ItemsTableModel):
    COLUMNS = ("Severity", "Subject", "Finding", "Fix")

    @property
    def findings(self) -> list[Finding]:
        return self.items

    def set_findings(self, findings: list[Finding]) -> None:
        self.set_items(findings)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self.findings[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (f.severity, f.subject, f.message, f.fix)[index.column()]
        if role == FindingRole:
            return f
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return SEVERITY_COLOURS[f.severity]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{f.code}: {f.message}" + (f"\nfix: {f.fix}" if f.fix else "")
        return None
