"""Table models for the Contexts, Clusters and Users pages, and the filter proxy over them.

Rows are computed once per workspace change by plain functions (`context_rows`, ...; no Qt),
so the model's `data()` only indexes tuples. Filtering precomputes one lowercase haystack per
row and, per keystroke, one list of booleans; `filterAcceptsRow` is a list lookup. That keeps a
keystroke on 1,000 contexts well under a frame (see tests/benchmarks/bench_gui.py).

Sorting happens in the source model (a Python sort on precomputed keys, favourites pinned
first), not through `QSortFilterProxyModel.lessThan`, which would call into Python for each of
the ~n·log n comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont

NameRole = Qt.ItemDataRole.UserRole + 1
CurrentRole = Qt.ItemDataRole.UserRole + 2
FavouriteRole = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Row:
    """One line of a table: the entry name, its cells, and what to flag about it."""

    name: str
    cells: tuple[str, ...]          # display text per column (column 0 is the name)
    file: Path
    current: bool = False
    favourite: bool = False
    problems: tuple[str, ...] = ()  # e.g. "user 'gone' does not exist" (dangling references)
    flagged: frozenset[int] = frozenset()  # columns to show in the error colour
    haystack: str = ""              # lowercase text the filter searches (computed)

    def __post_init__(self) -> None:
        object.__setattr__(self, "haystack", " ".join(self.cells).lower())


def credential_kind(user: dict) -> str:
    """What a kubeconfig user authenticates with, in the words the Users page shows."""
    if user.get("exec"):
        command = str(user["exec"].get("command", ""))
        args = " ".join(map(str, user["exec"].get("args") or []))
        if "oidc-login" in args or "kubelogin" in command:
            return "exec (OIDC)"
        return f"exec ({Path(command).name})" if command else "exec"
    if user.get("auth-provider"):
        return f"auth-provider ({user['auth-provider'].get('name', '?')})"
    if user.get("client-certificate-data") or user.get("client-certificate"):
        return "client certificate"
    if user.get("token") or user.get("tokenFile"):
        return "token"
    if user.get("username") or user.get("password"):
        return "basic auth"
    return "none"


def _short(path: Path, files: list[Path]) -> str:
    """A file name short enough for a column: the name, with the parent when names collide."""
    names = [p.name for p in files]
    return f"{path.parent.name}/{path.name}" if names.count(path.name) > 1 else path.name


def context_rows(ws: Any, favourites: set[str]) -> list[Row]:
    files = [Path(f.path) for f in ws.files]
    rows = []
    current = ws.current_context
    for entry in ws.contexts.values():
        body = entry.body or {}
        cluster, user = str(body.get("cluster", "") or ""), str(body.get("user", "") or "")
        problems, flagged = [], set()
        if not cluster:
            problems.append("no cluster set")
            flagged.add(1)
        elif cluster not in ws.clusters:
            problems.append(f"cluster {cluster!r} does not exist")
            flagged.add(1)
        if user and user not in ws.users:
            problems.append(f"user {user!r} does not exist")
            flagged.add(2)
        rows.append(Row(entry.name, (entry.name, cluster, user, str(body.get("namespace", "") or ""),
                                     _short(Path(entry.file), files)), Path(entry.file),
                        current=entry.name == current, favourite=entry.name in favourites,
                        problems=tuple(problems), flagged=frozenset(flagged)))
    return rows


def _usage(ws: Any, field: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in ws.contexts.values():
        name = (entry.body or {}).get(field)
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def cluster_rows(ws: Any, favourites: set[str]) -> list[Row]:
    files = [Path(f.path) for f in ws.files]
    used = _usage(ws, "cluster")
    rows = []
    for entry in ws.clusters.values():
        body = entry.body or {}
        if body.get("insecure-skip-tls-verify"):
            ca = "verification OFF"
        elif body.get("certificate-authority-data"):
            ca = "embedded CA"
        elif body.get("certificate-authority"):
            ca = f"file {Path(str(body['certificate-authority'])).name}"
        else:
            ca = "system roots"
        problems = ("TLS verification is disabled",) if body.get("insecure-skip-tls-verify") else ()
        rows.append(Row(entry.name, (entry.name, str(body.get("server", "")), ca,
                                     str(used.get(entry.name, 0)), _short(Path(entry.file), files)),
                        Path(entry.file), favourite=entry.name in favourites, problems=problems,
                        flagged=frozenset({2}) if problems else frozenset()))
    return rows


def user_rows(ws: Any, favourites: set[str]) -> list[Row]:
    files = [Path(f.path) for f in ws.files]
    used = _usage(ws, "user")
    return [Row(e.name, (e.name, credential_kind(e.body or {}), str(used.get(e.name, 0)),
                         _short(Path(e.file), files)), Path(e.file), favourite=e.name in favourites)
            for e in ws.users.values()]


HEADERS = {
    "contexts": ("Name", "Cluster", "User", "Namespace", "File"),
    "clusters": ("Name", "Server", "Certificate authority", "Contexts", "File"),
    "users": ("Name", "Credential", "Contexts", "File"),
}
ROWS = {"contexts": context_rows, "clusters": cluster_rows, "users": user_rows}
IMPORTANT = {"contexts": "Name", "clusters": "Server", "users": "Name"}
"""The column that gets its whole width first (and any room to spare) on each page."""

# name -> (word, tooltip, is a problem), or None: the cells of an extra column asked for on display
StatusProvider = Callable[[str], "tuple[str, str, bool] | None"]


class EntriesModel(QAbstractTableModel):
    """The rows of one kind (contexts, clusters or users) of the loaded workspace."""

    def __init__(self, kind: str, parent=None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.headers = HEADERS[kind]
        self.rows: list[Row] = []
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self._index: dict[str, int] = {}
        self._status: StatusProvider | None = None
        self._status_header = ""

    # --- an extra column after the others, filled by a provider (the Contexts page's check) ---
    def set_status_provider(self, provider: StatusProvider | None, header: str = "Status") -> None:
        self.beginResetModel()
        self._status, self._status_header = provider, header
        self.endResetModel()

    @property
    def status_column(self) -> int:
        """The provider's column (-1 without one)."""
        return len(self.headers) if self._status is not None else -1

    def status_changed(self) -> None:
        """The provider has new cells: repaint that column (no reset, selection kept)."""
        if self._status is not None and self.rows:
            col = self.status_column
            self.dataChanged.emit(self.index(0, col), self.index(len(self.rows) - 1, col))

    def _status_cell(self, name: str) -> tuple[str, str, bool]:
        return (self._status(name) if self._status is not None else None) or ("", "", False)

    # --- filling ----------------------------------------------------------------------------
    def set_workspace(self, ws: Any, favourites: set[str]) -> None:
        self.beginResetModel()
        self.rows = ROWS[self.kind](ws, favourites) if ws is not None else []
        self._sort_rows()
        self.endResetModel()

    def _sort_rows(self) -> None:
        column, order = self._sort
        reverse = order == Qt.SortOrder.DescendingOrder
        if column == self.status_column:
            # problems first (ascending), then the rest, each by word: what needs a look on top
            self.rows.sort(key=lambda r: (not self._status_cell(r.name)[2], self._status_cell(r.name)[0], r.name),
                           reverse=reverse)
        else:
            column = min(column, len(self.headers) - 1)
            key_num = self.headers[column] == "Contexts"
            self.rows.sort(key=lambda r: (int(r.cells[column]) if key_num else r.cells[column].lower(), r.name),
                           reverse=reverse)
        # favourites pinned on top whatever the sort (a stable sort keeps the order within)
        self.rows.sort(key=lambda r: not r.favourite)
        self._index = {r.name: i for i, r in enumerate(self.rows)}

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-order the rows, moving Qt's persistent indexes with them: the view's current row and
        selection are persistent indexes, and a sort that left them on their old row numbers would
        highlight another entry than the one the editor shows (and Enter would act on it)."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        names = [self.rows[i.row()].name if 0 <= i.row() < len(self.rows) else None for i in persistent]
        self._sort = (column, order)
        self._sort_rows()
        moved = [self.index(self._index[n], i.column()) if n in self._index else QModelIndex()
                 for i, n in zip(persistent, names)]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def row_of(self, name: str) -> int:
        return self._index.get(name, -1)

    # --- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers) + (self._status is not None)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._status_header if section == self.status_column else self.headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if col == self.status_column:
            return self._status_data(row, role)
        if role == Qt.ItemDataRole.DisplayRole:
            text = row.cells[col]
            if col == 0:
                marks = ("★ " if row.favourite else "") + ("● " if row.current else "")
                return marks + text
            if col in row.flagged and text:
                return f"{text} ⚠"
            return text or ("—" if col in row.flagged else "")
        if role == Qt.ItemDataRole.FontRole and row.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and col in row.flagged:
            return _error_colour()
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [row.name] + ([f"{self.headers[col]}: {row.cells[col]}"] if col and row.cells[col] else []) \
                + (["current context"] if row.current else []) \
                + (["favourite"] if row.favourite else []) + list(row.problems) + [f"from {row.file}"]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            extra = (", current" if row.current else "") + (", favourite" if row.favourite else "")
            problems = (", " + "; ".join(row.problems)) if row.problems else ""
            return f"{self.headers[col]}: {row.cells[col] or 'none'}{extra if col == 0 else ''}{problems if col in row.flagged else ''}"
        if role == NameRole:
            return row.name
        if role == CurrentRole:
            return row.current
        if role == FavouriteRole:
            return row.favourite
        return None


    def _status_data(self, row: Row, role: int):
        text, tip, problem = self._status_cell(row.name)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip or None
        if role == Qt.ItemDataRole.ForegroundRole and problem:
            return _error_colour()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self._status_header}: {text or 'not checked'}" + (f", {tip}" if tip else "")
        if role == NameRole:
            return row.name
        return None


def _error_colour() -> QColor:
    """Red that reads on both light and dark window colours."""
    return QColor(214, 48, 49)


class EntriesFilter(QSortFilterProxyModel):
    """Filter-as-you-type over every column: each word of the query must appear in the row.

    `sort()` is forwarded to the source model (see the module docstring).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()
        self.setDynamicSortFilter(False)

    def set_query(self, text: str) -> None:
        words = tuple(text.lower().split())
        if words == self._words:
            return
        self.beginFilterChange()
        self._words = words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def query(self) -> str:
        return " ".join(self._words)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        words = self._words
        if not words:
            return True
        hay = self.sourceModel().rows[source_row].haystack
        for word in words:
            if word not in hay:
                return False
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if model is not None and column >= 0:
            model.sort(column, order)
