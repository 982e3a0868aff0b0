"""The Contexts page: every context at a glance (current one marked, favourites pinned), its
editor, one-keystroke switching (Enter or double-click writes current-context at once), and a
Status column saying which contexts still work (`gui/checks.py`: ok, unreachable, TLS,
unauthorized, needs login; the reason in the tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QAction, QFontMetrics

from kubewallet.gui.checks import ContextChecks
from kubewallet.gui.editors.context import ContextEditor
from kubewallet.gui.models.entries import NameRole
from kubewallet.gui.pages.entries import EntriesPage
from kubewallet.probe.result import STATUS_WORDS


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
        self.columns.refit(measure=True)
        self.checks.changed.connect(self.model.status_changed)

    def _content_width(self, column: int) -> int:
        """The Status column keeps room for its longest word from the start, so results arriving
        one by one never need the columns measured again (nor get cut to "unreacha…")."""
        if column != self.model.status_column:
            return super()._content_width(column)
        font = self.table.font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        return max(metrics.horizontalAdvance(word) for word in (*STATUS_WORDS.values(), "checking…"))

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
