"""The Contexts page: every context at a glance (current one marked, favourites pinned), its
editor, one-keystroke switching (Enter or double-click writes current-context at once), and a
Status column saying which contexts still work (`gui/checks.py`: ok, unreachable, TLS,
unauthorized, needs login; the reason in the tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QAction

from kubewallet.gui.checks import ContextChecks
from kubewallet.gui.editors.context import ContextEditor
from kubewallet.gui.models.entries import NameRole
from kubewallet.gui.pages.entries import EntriesPage


class ContextsPage(EntriesPage):
    title = "Contexts"
    icon = "contexts"
    shortcut = "Ctrl+1"
    order = 10
    kind = "contexts"
    editor_class = ContextEditor

    def __init__(self, state, parent=None) -> None:
        self.checks = ContextChecks.of(state)
        super().__init__(state, parent)
        self.model.set_status_provider(self.checks.cell)  # a model reset: select the current context again
        if self.preferred_name():
            self.select(self.preferred_name())
        self.table.setColumnWidth(self.model.status_column, self.table.fontMetrics().horizontalAdvance("unauthorized") + 40)
        self.checks.changed.connect(self.model.status_changed)

    def default_body(self) -> dict:
        ws = self.state.workspace
        body: dict = {"cluster": next(iter(sorted(ws.clusters)), ""), "user": next(iter(sorted(ws.users)), "")}
        return body

    def preferred_name(self) -> str | None:
        return self.state.current_context or None

    def _make_actions(self, singular: str) -> list[QAction]:
        actions = super()._make_actions(singular)
        use = self._action("&Use context", "Ctrl+Return", lambda: self.use_selected(), "go-jump",
                           tip="Make the selected context current (Enter in the list)")
        return [use, self.checks.action, *actions]

    def use_selected(self) -> None:
        name = self.selected_name()
        if name:
            self.state.use_context(name, on_error=self.banner.show_error)

    def activate(self, index: QModelIndex) -> None:
        name = index.data(NameRole) if index.isValid() else None
        if name:
            self.state.use_context(name, on_error=self.banner.show_error)
