"""Models behind the everyday switching paths: the command palette and the tray menu.

Both are plain data over `AppState`, testable without a window or a system tray (offscreen there
is none: `QSystemTrayIcon.isSystemTrayAvailable()` is False).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from kubewallet.kubeconfig.fuzzy import fuzzy_filter

ItemRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class PaletteItem:
    """One thing the palette can do: switch context, set namespace, open a page, run an action."""

    kind: str      # "context" | "folder-context" | "namespace" | "page" | "action"
    name: str
    detail: str = ""

    @property
    def label(self) -> str:
        return {"context": "Context", "folder-context": "Context (folder)", "namespace": "Namespace",
                "page": "Go to", "action": "Run"}.get(self.kind, self.kind) + ": " + self.name

    @property
    def search_text(self) -> str:
        return f"{self.name} {self.kind}"


def palette_items(ws: Any) -> list[PaletteItem]:
    """Contexts (current first), then every namespace named in the workspace."""
    if ws is None:
        return []
    items: list[PaletteItem] = []
    namespaces: set[str] = {"default"}
    current = ws.current_context
    for entry in ws.contexts.values():
        body = entry.body or {}
        ns = str(body.get("namespace") or "")
        if ns:
            namespaces.add(ns)
        detail = f"{body.get('cluster', '?')} · {body.get('user', '?')}" + (f" · {ns}" if ns else "")
        if entry.name == current:
            detail = "current · " + detail
        items.append(PaletteItem("context", entry.name, detail))
    current_ns = ""
    if current in ws.contexts:
        current_ns = str((ws.contexts[current].body or {}).get("namespace") or "")
    for ns in sorted(namespaces):
        detail = "current namespace" if ns == current_ns else f"set on context {current or '(none)'}"
        items.append(PaletteItem("namespace", ns, detail))
    return items


class PaletteModel(QAbstractListModel):
    """The palette's result list: `set_items` once, `set_query` per keystroke (fuzzy, best first)."""

    def __init__(self, parent: QObject | None = None, limit: int = 60) -> None:
        super().__init__(parent)
        self.items: list[PaletteItem] = []
        self.shown: list[PaletteItem] = []
        self._texts: list[str] = []
        self.limit = limit
        self.query = ""

    def set_items(self, items: list[PaletteItem]) -> None:
        self.items = list(items)
        self._texts = [i.search_text for i in self.items]
        self.set_query(self.query, force=True)

    def set_query(self, query: str, force: bool = False) -> None:
        if query == self.query and not force:
            return
        self.beginResetModel()
        self.query = query
        if query.strip():
            self.shown = [self.items[i] for i, _ in fuzzy_filter(query.strip(), self._texts, self.limit)]
        else:
            self.shown = self.items[: self.limit]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.shown)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.label}    {item.detail}" if item.detail else item.label
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{item.label}, {item.detail}" if item.detail else item.label
        if role == ItemRole:
            return item
        return None


@dataclass(frozen=True)
class TrayEntry:
    name: str
    checked: bool
    favourite: bool
    detail: str


class TrayMenuModel(QObject):
    """What the tray menu shows: favourites, then the other contexts (up to `limit`), the current
    one checked; and the tooltip (current context and namespace). `activate(name)` switches."""

    changed = Signal()

    def __init__(self, state: Any, limit: int = 25, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.limit = limit
        state.workspace_changed.connect(self.changed)
        state.current_context_changed.connect(self._state_changed)
        state.favourites_changed.connect(self._state_changed)
        self.folder_contexts: list[tuple[str, str]] = []   # (label, file name) of folder files
        self.open_folder: Any = None                        # the window's opener of one of them

    def _state_changed(self, _what: str) -> None:
        self.changed.emit()

    def set_folder_contexts(self, items: list[tuple[str, str]]) -> None:
        self.folder_contexts = list(items[: self.limit])
        self.changed.emit()

    def activate_folder(self, label: str) -> None:
        if self.open_folder is not None:
            self.open_folder(label)

    def favourites(self) -> set[str]:
        from kubewallet.gui.settings import favourites

        return favourites(self.state.settings, "contexts")

    def entries(self) -> list[TrayEntry]:
        ws = self.state.workspace
        if ws is None:
            return []
        favs = self.favourites()
        current = ws.current_context
        names = sorted(ws.contexts, key=lambda n: (n not in favs, n.lower()))
        shown = names[: self.limit]
        if current in ws.contexts and current not in shown:
            shown.append(current)
        out = []
        for name in shown:
            body = ws.contexts[name].body or {}
            out.append(TrayEntry(name, name == current, name in favs,
                                 str(body.get("namespace") or "")))
        return out

    def hidden_count(self) -> int:
        ws = self.state.workspace
        return max(0, len(ws.contexts) - len(self.entries())) if ws is not None else 0

    def tooltip(self) -> str:
        ws = self.state.workspace
        if ws is None:
            return "kubewallet"
        current = ws.current_context
        if not current:
            return "kubewallet\nno current context"
        ns = ""
        if current in ws.contexts:
            ns = str((ws.contexts[current].body or {}).get("namespace") or "")
        return f"kubewallet\ncontext: {current}\nnamespace: {ns or 'default'}"

    def activate(self, name: str):
        return self.state.use_context(name)
