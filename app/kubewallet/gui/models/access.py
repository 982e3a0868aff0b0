"""Item models of the Access page: the access matrix, who-can grants and RBAC risks.

Each adapts a core result (`kubewallet.rbac.matrix.Matrix`, a list of `authorizer.Grant`, a list
of `risks.Risk`) without computing anything itself, so a table always shows exactly what the
command line would print for the same question.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from kubewallet.gui.models.table import ItemsTableModel
from kubewallet.rbac.authorizer import Grant
from kubewallet.rbac.matrix import Matrix
from kubewallet.rbac.risks import Risk

ItemRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(int(a.red() * (1 - t) + b.red() * t), int(a.green() * (1 - t) + b.green() * t),
                  int(a.blue() * (1 - t) + b.blue() * t))


def verdict_colours() -> tuple[QColor, QColor]:
    """Soft yes/no backgrounds derived from the palette's base colour (light and dark themes)."""
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    return _mix(base, QColor(46, 160, 67), 0.28), _mix(base, QColor(218, 54, 51), 0.22)


class _Table(ItemsTableModel):
    def cell(self, item: Any, column: int) -> str:
        raise NotImplementedError

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == DISPLAY:
            return self.cell(item, index.column())
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item)
        return None

    def tooltip(self, item: Any) -> str | None:
        return None


class MatrixModel(QAbstractTableModel):
    """Resources down, verbs across; a cell is ✔ or ✖ with a tinted background."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.matrix: Matrix | None = None

    def set_matrix(self, matrix: Matrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.verbs) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if self.matrix is None or role != DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return "Resource" if section == 0 else self.matrix.verbs[section - 1]

    def allowed(self, row: int, verb: str) -> bool:
        assert self.matrix is not None
        return self.matrix.rows[row].cells[self.matrix.verbs.index(verb)]

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or self.matrix is None:
            return None
        row = self.matrix.rows[index.row()]
        if index.column() == 0:
            return row.name if role == DISPLAY else None
        ok = row.cells[index.column() - 1]
        verb = self.matrix.verbs[index.column() - 1]
        if role == DISPLAY:
            return "✔" if ok else "✖"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            yes, no = verdict_colours()
            return yes if ok else no
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"in {self.matrix.namespace}" if self.matrix.namespace else "cluster-wide"
            return f"{verb} {row.name} {where}: {'yes' if ok else 'no'}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{verb} {row.name}: {'allowed' if ok else 'denied'}"
        return None


class WhoCanModel(_Table):
    COLUMNS = ("Subject", "Binding", "Role", "Rule")

    def cell(self, g: Grant, column: int) -> str:
        if column == 0:
            return g.subject.describe(g.binding.namespace)
        if column == 1:
            return g.binding.ref
        if column == 2:
            return g.role.ref if g.role else ""
        return f"{g.rule_index}: {g.rule.describe()}"


class RisksModel(_Table):
    COLUMNS = ("Severity", "Subject", "Risk", "Scope", "Through")

    def cell(self, r: Risk, column: int) -> str:
        return (r.severity, r.subject.describe(), r.title, r.scope, f"{r.binding} → {r.role}")[column]

    def tooltip(self, r: Risk) -> str:
        return r.path

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            colours = {"critical": QColor(214, 48, 49), "high": QColor(230, 126, 34),
                       "medium": QColor(181, 137, 0)}
            return colours.get(self.items[index.row()].severity)
        return super().data(index, role)
