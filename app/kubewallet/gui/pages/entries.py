"""The shared body of the Contexts, Clusters and Users pages: a filterable table beside an editor,
with add, duplicate, rename, delete and favourite actions (each with a shortcut)."""

from __future__ import annotations

import copy

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QScrollArea, QSplitter, QTableView, QVBoxLayout, QWidget)

from kubewallet.errors import KubewalletError
from kubewallet.gui import settings as keys
from kubewallet.gui.editors.base import EntryEditor
from kubewallet.gui.icons import icon
from kubewallet.gui.models.entries import IMPORTANT, EntriesFilter, EntriesModel, NameRole
from kubewallet.gui.pages.base import Page
from kubewallet.gui.state import AppState
from kubewallet.gui.widgets.columns import ColumnFitter


class FilterEdit(QLineEdit):
    """The filter box: Down moves into the table, Enter activates the first match."""

    def __init__(self, page: EntriesPage) -> None:
        super().__init__(page)
        self.page = page

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down:
            self.page.table.setFocus()
            if not self.page.table.currentIndex().isValid():
                self.page.select_row(0)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.page.proxy.rowCount():
            self.page.select_row(0)
            self.page.activate(self.page.proxy.index(0, 0))
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class EntriesPage(Page):
    abstract = True
    kind = ""
    editor_class: type[EntryEditor] = EntryEditor
    new_body: dict = {}

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        singular = self.kind[:-1]
        self.model = EntriesModel(self.kind, self)
        self.proxy = EntriesFilter(self)
        self.proxy.setSourceModel(self.model)

        self.filter = FilterEdit(self)
        self.filter.setPlaceholderText(f"Filter {self.kind}… (Ctrl+F)")
        self.filter.setToolTip("Type any part of a name, cluster, user, namespace or file; "
                               "Down moves to the list, Enter uses the first match")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(f"Filter {self.kind}")
        self.filter.textChanged.connect(self.set_filter)
        self.count = QLabel(self)
        self.count.setAccessibleName(f"Number of {self.kind} shown")
        self.count.setMinimumWidth(self.count.fontMetrics().horizontalAdvance(f"8888 of 8888 {self.kind}"))
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(f"{self.title} list")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        self.columns = ColumnFitter(self.table, self.model.headers.index(IMPORTANT[self.kind]),
                                    measure=self._content_width, follow_model=False)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(self.activate)

        self.editor = self.editor_class(state)
        scroll = QScrollArea(self)
        scroll.setWidget(self.editor)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(340)
        scroll.setAccessibleName(f"{singular.capitalize()} editor")

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self)
        self.empty_label.setAccessibleName(f"No {self.kind}")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)  # secondary text colour
        self.empty_label.hide()
        left_layout.addWidget(self.empty_label, 1)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([700, 360])
        self.splitter.setChildrenCollapsible(False)
        saved = state.settings.value(keys.SPLITTER.format(kind=self.kind))
        if saved is not None:
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(lambda *_: state.settings.setValue(
            keys.SPLITTER.format(kind=self.kind), self.splitter.saveState()))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        self._actions = self._make_actions(singular)
        self._notice_index = -1  # undo-stack index of the edit the banner offers to undo
        state.undo_stack.indexChanged.connect(self._undo_index_changed)
        state.current_context_changed.connect(self._current_context_changed)
        self.refresh()

    def _current_context_changed(self, _name: str) -> None:
        self.refresh()

    # --- actions ----------------------------------------------------------------------------
    def _action(self, text: str, shortcut: QKeySequence | str, slot, icon_name: str = "",
                tip: str = "") -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text.replace('&', '')} ({QKeySequence(shortcut).toString()})")
        action.triggered.connect(slot)
        self.addAction(action)  # the shortcut works while this page is visible
        return action

    def _make_actions(self, singular: str) -> list[QAction]:
        return [
            self._action(f"&New {singular}", "Ctrl+N", lambda: self.add_entry(), "list-add"),
            self._action("&Duplicate", "Ctrl+D", lambda: self.duplicate_entry(), "edit-copy"),
            self._action("&Rename…", "F2", lambda: self.rename_entry(), "edit-rename"),
            self._action("De&lete", "Del", lambda: self.delete_entry(), "edit-delete"),
            self._action("&Favourite", "Ctrl+B", lambda: self.toggle_favourite(), "favourite",
                         tip="Pin to the top of the list"),
            self._action("&Filter", "Ctrl+F", self.focus_filter, "edit-find", tip="Filter the list"),
        ]

    def page_actions(self) -> list[QAction]:
        return self._actions[:-1]

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    # --- model ------------------------------------------------------------------------------
    def favourites(self) -> set[str]:
        return keys.favourites(self.state.settings, self.kind)

    def refresh(self) -> None:
        selected = self.selected_name()
        self.model.set_workspace(self.state.workspace, self.favourites())
        ws = self.state.workspace
        file_column = len(self.model.headers) - 1
        self.table.setColumnHidden(file_column, ws is None or len(ws.files) < 2)
        self.columns.refit(measure=True)
        self._update_count()
        if selected and self.select(selected):
            self.editor.refresh()
        elif (preferred := self.preferred_name()) and self.select(preferred):
            pass
        elif self.proxy.rowCount():
            self.select_row(0)
        else:
            self.editor.set_entry(None)

    def preferred_name(self) -> str | None:
        """The entry to select when nothing is selected yet (the Contexts page: the current one)."""
        return None

    def _content_width(self, column: int) -> int:
        """A column's content width, measured on a sample (1,000 rows would be slow to measure),
        in bold (the current context's row) and with the marks the name column carries."""
        font = self.table.font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        marks = "★ ● " if column == 0 else " ⚠"
        if column < len(self.model.headers):
            texts = [r.cells[column] for r in self.model.rows[:200]]
        else:  # a column a provider adds (the Contexts page's check status): what the model shows
            texts = [str(self.model.index(i, column).data() or "") for i in range(min(200, self.model.rowCount()))]
        return max([0] + [metrics.horizontalAdvance(text + marks) for text in texts])

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if not total:
            self.empty_label.setText(f"No {self.kind} yet. Ctrl+N adds one; File ▸ Import kubeconfig "
                                     "(Ctrl+I) brings in a file you were given.")
        elif not shown:
            self.empty_label.setText(f"No {self.kind} match “{self.filter.text()}”. Esc clears the filter.")
        self.empty_label.setVisible(not shown)
        self.table.setVisible(bool(shown))
        noun = self.kind if total != 1 else self.kind[:-1]
        self.count.setText(f"{shown} of {total}" if shown != total else f"{total} {noun}")

    def set_filter(self, text: str) -> None:
        selected = self.selected_name()
        self.proxy.set_query(text)
        self._update_count()
        if selected and self.select(selected):
            return
        if self.proxy.rowCount():
            self.select_row(0)

    def selected_name(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(NameRole) if index.isValid() else None

    def select(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def select_row(self, row: int) -> None:
        index = self.proxy.index(row, 0)
        if index.isValid():
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = current.data(NameRole) if current.isValid() else None
        if name != self.editor.name:
            self.editor.set_entry(name)

    def activate(self, index: QModelIndex) -> None:
        """Enter / double-click on a row (the Contexts page makes it current)."""

    # --- editing ----------------------------------------------------------------------------
    def _entries(self) -> dict:
        return getattr(self.state.workspace, self.kind)

    def _unique(self, base: str) -> str:
        entries = self._entries()
        if base not in entries:
            return base
        n = 2
        while f"{base}-{n}" in entries:
            n += 1
        return f"{base}-{n}"

    def _ask_name(self, title: str, label: str, default: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, default)
        return text.strip() if ok and text.strip() else None

    def _guard(self) -> bool:
        if self.state.workspace is None:
            self.banner.show_error("no kubeconfig is loaded")
            return False
        return True

    def default_body(self) -> dict:
        return copy.deepcopy(self.new_body)

    def add_entry(self, name: str | None = None) -> str | None:
        if not self._guard():
            return None
        singular = self.kind[:-1]
        name = name or self._ask_name(f"New {singular}", "Name:", self._unique(f"new-{singular}"))
        if not name:
            return None
        if name in self._entries():
            self.banner.show_error(f"a {singular} named {name!r} already exists")
            return None
        self.state.set_entry(self.kind, name, self.default_body(), f"Add {singular} {name}")
        self.filter.clear()
        self.select(name)
        self.banner.clear()
        return name

    def duplicate_entry(self, name: str | None = None) -> str | None:
        source = self.selected_name()
        if not self._guard() or source is None:
            return None
        singular = self.kind[:-1]
        name = name or self._ask_name(f"Duplicate {singular}", f"Name of the copy of {source}:",
                                      self._unique(f"{source}-copy"))
        if not name:
            return None
        if name in self._entries():
            self.banner.show_error(f"a {singular} named {name!r} already exists")
            return None
        self.state.set_entry(self.kind, name, copy.deepcopy(self._entries()[source].body),
                             f"Duplicate {singular} {source} as {name}")
        self.select(name)
        return name

    def rename_entry(self, new: str | None = None, update_contexts: bool | None = None) -> str | None:
        old = self.selected_name()
        if not self._guard() or old is None:
            return None
        singular = self.kind[:-1]
        new = new or self._ask_name(f"Rename {singular}", f"New name for {old}:", old)
        if not new or new == old:
            return None
        users = self.state.referencing_contexts(self.kind, old) if self.kind != "contexts" else []
        if users and update_contexts is None:
            listed = ", ".join(users[:8]) + (f" and {len(users) - 8} more" if len(users) > 8 else "")
            answer = QMessageBox.question(
                self, f"Rename {singular}",
                f"{len(users)} context(s) name {singular} {old!r}: {listed}.\n\n"
                f"Update them to {new!r}? (If not, they are left pointing at a {singular} that no longer exists.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Yes)
            if answer == QMessageBox.StandardButton.Cancel:
                return None
            update_contexts = answer == QMessageBox.StandardButton.Yes
        try:
            self.state.rename_entry(self.kind, old, new, update_contexts=bool(update_contexts))
        except KubewalletError as exc:
            self.banner.show_error(exc)
            return None
        self.select(new)
        return new

    def delete_entry(self) -> None:
        name = self.selected_name()
        if not self._guard() or name is None:
            return
        singular = self.kind[:-1]
        dangling = self.state.referencing_contexts(self.kind, name) if self.kind != "contexts" else []
        self._notice_index = -1
        self.state.delete_entry(self.kind, name)
        if dangling:
            listed = ", ".join(dangling[:8]) + (f" and {len(dangling) - 8} more" if len(dangling) > 8 else "")
            self.banner.show_message(
                f"Deleted {singular} {name!r}. {len(dangling)} context(s) now point at nothing: {listed}.",
                level="warning", actions=[("&Undo", self._undo_and_clear)])
        else:
            self.banner.show_message(f"Deleted {singular} {name!r}.", level="info",
                                     actions=[("&Undo", self._undo_and_clear)])
        self._notice_index = self.state.undo_stack.index()

    def _undo_and_clear(self) -> None:
        if self.state.undo_stack.index() == self._notice_index:
            self.state.undo_stack.undo()
        self.banner.clear()

    def _undo_index_changed(self, index: int) -> None:
        """The banner's Undo button refers to one edit: once the history moved on (undone from
        the menu, or another edit made), the notice goes, so the button never undoes another."""
        if self._notice_index >= 0 and index != self._notice_index:
            self._notice_index = -1
            self.banner.clear()

    def toggle_favourite(self, name: str | None = None) -> None:
        name = name or self.selected_name()
        if name is None:
            return
        favs = self.favourites()
        favs.symmetric_difference_update({name})
        keys.set_favourites(self.state.settings, self.kind, favs)
        self.refresh()
        self.select(name)
        self.state.favourites_changed.emit(self.kind)  # the tray menu pins favourites too
