"""The workspace window: a sidebar of pages (from the registry in `pages/__init__.py`), menus and
a toolbar whose every action has a shortcut, the Save/Revert/Undo flow, the outside-change
banner, the command palette and the tray.

Pages are built on first visit (the last page visited is built at start), so a cold start pays
only for what it paints.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QMessageBox, QProgressBar, QStackedWidget, QToolBar, QVBoxLayout, QWidget)

from kubewallet.gui import settings as keys
from kubewallet.gui.checks import ContextChecks
from kubewallet.gui.editors.base import EntryEditor
from kubewallet.gui.icons import app_icon, icon
from kubewallet.gui.models.switching import PaletteItem, TrayMenuModel, palette_items
from kubewallet.gui.pages import PageProblem, discover
from kubewallet.gui.pages.base import Page
from kubewallet.gui.state import AppState, describe_error
from kubewallet.gui.widgets.banner import Banner

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, state: AppState, page_classes: list[type[Page]] | None = None,
                 problems: list[PageProblem] | None = None) -> None:
        super().__init__()
        self.state = state
        if page_classes is None:
            page_classes, problems = discover()
        self.page_classes: list[type[Page]] = list(page_classes)
        self.pages: dict[int, Page] = {}
        self.save_dialog = None
        self.palette_dialog = None
        self.close_question: QMessageBox | None = None
        self._quitting = False
        self.setWindowIcon(app_icon())
        self.setAccessibleName("kubewallet")
        self.setObjectName("main-window")
        self.setMinimumSize(QSize(760, 480))

        self.setCentralWidget(self._build_central())
        self._make_actions()
        self._make_status_bar()
        self._build_tray()
        self._watch_expiry()
        # Contexts of the kubeconfig folders (~/.kube/config.d): read off the GUI thread on each
        # load, offered by the palette; each file stays its own kubectl world.
        self.folder_catalog = None
        state.workspace_changed.connect(self._load_folder_catalog)
        state.workspace_changed.connect(self._first_run_hints)
        self._plaintext_hint_shown = False
        self._follow_state()
        for problem in problems or []:
            self._message("warning", f"page {problem.module} not loaded: {problem.reason}")
        self._restore_place()

    def _build_central(self) -> QWidget:
        """The notice strips on top, then the sidebar of pages beside the page stack."""
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = Banner(central)
        self.banner.setAccessibleName("Window notice")
        outer.addWidget(self.banner)
        # Certificates about to stop working: a strip of their own, so a load, a switch or an
        # error shown above never clears the warning; it goes when its cause is gone or when
        # the person dismisses it.
        self.expiry_banner = Banner(central)
        self.expiry_banner.setAccessibleName("Certificate expiry warning")
        self.expiry_banner.closed.connect(self._expiry_dismissed)
        outer.addWidget(self.expiry_banner)
        # Suggestions (first run, plaintext secrets) live apart from notices and errors, so a
        # certificate warning never hides them and they never hide it.
        self.hint = Banner(central)
        self.hint.setAccessibleName("Suggestion")
        outer.addWidget(self.hint)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self._build_sidebar(central))
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        return central

    def _build_sidebar(self, parent: QWidget) -> QListWidget:
        """One row per page, and the stack holding a placeholder per page until its first visit."""
        self.sidebar = QListWidget(parent)
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setSpacing(2)
        self.stack = QStackedWidget(parent)
        for cls in self.page_classes:
            item = QListWidgetItem(icon(cls.icon), cls.title)
            item.setToolTip(f"{cls.title} ({cls.shortcut})" if cls.shortcut else cls.title)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{cls.title} page")
            item.setSizeHint(QSize(0, self.fontMetrics().height() + 16))
            self.sidebar.addItem(item)
            self.stack.addWidget(QWidget(self.stack))  # placeholder until first visit
        width = max([self.fontMetrics().horizontalAdvance(c.title) for c in self.page_classes] + [80])
        self.sidebar.setFixedWidth(width + 64)
        self.sidebar.currentRowChanged.connect(self.show_page)
        return self.sidebar

    def _build_tray(self) -> None:
        from kubewallet.gui.tray import Tray

        self.tray_model = TrayMenuModel(self.state, parent=self)
        self.tray = Tray(self.tray_model, self, open_palette=self.open_palette, quit_app=self.quit)
        self.tray_model.open_folder = self.open_folder_context

    def _watch_expiry(self) -> None:
        """Certificates about to stop working: checked after every load (a switch, an import, an
        outside change), and once a day for a window left open."""
        self.expiry_notice = None
        self._expiry_shown = ""       # the warning on screen (or dismissed): not announced twice
        self._expiry_dismissed_text = ""
        self._expiry_timer = QTimer(self)
        self._expiry_timer.setInterval(24 * 3600 * 1000)
        self._expiry_timer.timeout.connect(self.check_expiry)
        self._expiry_timer.start()
        self.state.loading.connect(self._check_expiry_after_load)

    def _follow_state(self) -> None:
        # bound methods, never lambdas, on the state's signals: Qt drops the connection when the
        # window goes, while a lambda would be called on a deleted window by a state outliving it
        state = self.state
        state.workspace_changed.connect(self._update_title)
        state.current_context_changed.connect(self._update_title)
        state.dirty_changed.connect(self._update_title)
        state.loading.connect(self._loading)
        state.load_progress.connect(self._progress)
        state.load_failed.connect(self._load_failed)
        state.outside_change.connect(self._outside_change)
        state.message.connect(self._message)
        state.tasks.progress.connect(self._task_progress)

    def _restore_place(self) -> None:
        """The size and the page of the last session."""
        geometry = self.state.settings.value(keys.GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 720)
        last = str(self.state.settings.value(keys.LAST_PAGE, "") or "")
        titles = [c.title for c in self.page_classes]
        self.sidebar.setCurrentRow(titles.index(last) if last in titles else 0)
        self._update_title()

    # --- first run ----------------------------------------------------------------------------
    def _first_run_hints(self) -> None:
        """With no kubeconfig at all: offer the demo, an import, or a first cluster. With secrets
        in plaintext: suggest, once and dismissibly, moving them into the keyring."""
        ws = self.state.workspace
        if ws is None:
            return
        if not any(f.exists for f in ws.files) and not ws.contexts and not ws.clusters:
            where = ", ".join(f.path for f in ws.files)
            self.hint.show_message(
                f"No kubeconfig yet ({where}). Try the demo workspace (a throwaway folder; nothing "
                "of yours is touched), import a kubeconfig you were given, or create your first "
                "cluster entry.", level="info",
                actions=[("Open the demo", self.open_demo), ("Import a file…", self.import_files),
                         ("Create a cluster", self.create_first_cluster)])
            return
        if self.hint.isVisible() and self.hint.text.startswith("No kubeconfig yet"):
            self.hint.clear()
        if self._plaintext_hint_shown or keys.flag(self.state.settings, keys.PLAINTEXT_HINT_DISMISSED):
            return
        from kubewallet.execplugin.inventory import INLINE, describe

        # the rows the Credentials page lists, so its flags and this count are the same users
        rows = [c for c in describe(ws) if c.location == INLINE]
        plain = sorted({c.user for c in rows})
        if not plain:
            return
        self._plaintext_hint_shown = True
        stuck = sorted({c.user for c in rows if not c.securable})
        names = ", ".join(plain[:4]) + (f" and {len(plain) - 4} more" if len(plain) > 4 else "")
        self.hint.show_message(
            f"{len(plain)} user{'s' if len(plain) > 1 else ''} keep{'' if len(plain) > 1 else 's'} "
            f"secrets in plaintext in your kubeconfig ({names}). The Credentials page moves them into "
            "kubewallet's vault; kubectl keeps working through its credential plugin"
            + (f"; {', '.join(stuck)} cannot move (the page says why)." if stuck else "."),
            level="warning",
            actions=[("Open Credentials", lambda: self.show_page("Credentials")),
                     ("Don't show again", self._dismiss_plaintext_hint)])

    def _dismiss_plaintext_hint(self) -> None:
        self.state.settings.setValue(keys.PLAINTEXT_HINT_DISMISSED, True)
        self.hint.clear()

    def open_demo(self) -> None:
        """Build the demo workspace in a temporary folder (off the GUI thread) and open it here."""
        import tempfile

        def build(directory: str):
            from kubewallet.demo import build as build_demo

            return build_demo(directory)

        def opened(demo) -> None:
            import os

            from kubewallet.kubeconfig import LoadingRules

            os.environ.update(demo.env)  # the demo's files and its own vault, never the real keyring
            self.hint.clear()
            self.state.use_rules(LoadingRules.from_env())
            self._message("info", f"demo workspace in {demo.directory}")

        self.state.run(build, tempfile.mkdtemp(prefix="kubewallet-demo-"), on_done=opened,
                       on_error=self.banner.show_error, name="build the demo workspace", owner=self)

    def import_files(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(self, "Import kubeconfig files")
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> None:
        """Merge kubeconfig files in, as `kubewallet import --rename` does (a taken name gets a
        suffix; nothing is dropped), off the GUI thread, then reload."""
        rules = self.state.rules

        def work(paths):
            from kubewallet.kubeconfig import run_edit
            from kubewallet.kubeconfig.transfer import import_files

            return run_edit(rules, lambda ws: import_files(ws, paths, on_conflict="rename"))

        def done(report) -> None:
            self.hint.clear()
            self.state.load(keep_edits=True, quiet=True)
            self._message("info", "; ".join(report.lines()[:3]) or "nothing new to import")

        self.state.run(work, list(paths), on_done=done, on_error=self.banner.show_error,
                       name="import kubeconfig files", owner=self)

    def create_first_cluster(self) -> None:
        self.show_page("Clusters")
        self.page("Clusters").add_entry()

    # --- certificate expiry ------------------------------------------------------------------
    def _check_expiry_after_load(self, busy: bool) -> None:
        if not busy:
            self.check_expiry()

    def check_expiry(self) -> None:
        """Warn on top of the window (and from the tray, when there is one) about certificates
        that expired or expire within 14 days: a client certificate that expired last night
        otherwise shows up only as kubectl's bare "You must be logged in to the server"."""
        ws = self.state.workspace
        if ws is None or self.state.load_error is not None:
            return

        def work(ws):
            import datetime as dt

            from kubewallet.inspect.notify import expiry_notice
            from kubewallet.inspect.sources import default_vault_reader

            return expiry_notice(ws, now=dt.datetime.now(dt.timezone.utc), vault_reader=default_vault_reader())

        self.state.run(work, ws, on_done=self._show_expiry, name="certificate expiry", owner=self,
                       on_error=lambda exc: log.warning("expiry check failed: %s", type(exc).__name__))

    def _show_expiry(self, notice) -> None:
        self.expiry_notice = notice
        if notice is None:  # the cause is gone (renewed, removed, another workspace)
            self._expiry_shown = self._expiry_dismissed_text = ""
            self.expiry_banner.clear()
            return
        text = f"{notice.title}. {notice.body}".replace("\n", "; ")
        if text in (self._expiry_shown, self._expiry_dismissed_text):
            return
        self._expiry_shown = text
        self.expiry_banner.show_message(text, level="error" if notice.expired else "warning",
                                        actions=[("Show &certificates", lambda: self.show_page("Certificates"))])
        self.tray.notify(notice.title, notice.body)

    def _expiry_dismissed(self) -> None:
        self._expiry_dismissed_text, self._expiry_shown = self._expiry_shown, ""

    # --- pages ------------------------------------------------------------------------------
    def page(self, index_or_title: int | str) -> Page:
        """The page (built on demand) by index or title."""
        index = index_or_title if isinstance(index_or_title, int) else \
            [c.title for c in self.page_classes].index(index_or_title)
        if index not in self.pages:
            cls = self.page_classes[index]
            try:
                page = cls(self.state)
            except Exception as exc:  # noqa: BLE001 - a broken page shows its error in its place
                log.exception("page %s failed to build", cls.title)
                page = _BrokenPage(self.state, cls.title, exc)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[index] = page
        return self.pages[index]

    def show_page(self, index: int | str) -> None:
        if isinstance(index, str):
            index = [c.title for c in self.page_classes].index(index)
        if index < 0:
            return
        if self.sidebar.currentRow() != index:
            self.sidebar.setCurrentRow(index)  # re-enters through currentRowChanged
            return
        page = self.page(index)
        self.stack.setCurrentIndex(index)
        self._page_actions(page)
        self.state.settings.setValue(keys.LAST_PAGE, self.page_classes[index].title)
        page.activated()
        self._update_title()

    def _page_actions(self, page: Page) -> None:
        for action in self._shown_page_actions:
            self.toolbar.removeAction(action)
        self.page_menu.clear()
        self._shown_page_actions = page.page_actions()
        for action in self._shown_page_actions:
            self.toolbar.addAction(action)
            self.page_menu.addAction(action)
        self.page_menu.setEnabled(bool(self._shown_page_actions))

    # --- actions, menus, status -------------------------------------------------------------
    def _act(self, text: str, shortcut, slot, icon_name: str = "", tip: str = "") -> QAction:
        action = QAction(icon(icon_name), text, self)
        sequence = QKeySequence(shortcut) if not isinstance(shortcut, list) else None
        if isinstance(shortcut, list):
            action.setShortcuts([QKeySequence(k) for k in shortcut])
            sequence = shortcut[0]
        else:
            action.setShortcut(sequence)
        shown = QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text.replace('&', '')} ({shown})" if shown else tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _history_action(self, verb: str, shortcuts: list[QKeySequence], slot, can, text_changed,
                        icon_name: str) -> QAction:
        """Undo/Redo of the one undo stack. Not QUndoStack's own actions: the field being edited
        is committed first, so the step undone is the one the editor shows (the fields hand their
        own Ctrl+Z to these actions; see `EntryEditor.eventFilter`)."""
        action = _HistoryAction(verb, self)
        action.setIcon(icon(icon_name))
        action.setShortcuts(shortcuts)
        shown = shortcuts[0].toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{verb} the last edit ({shown})")
        action.triggered.connect(slot)
        self.addAction(action)
        can.connect(action.setEnabled)
        text_changed.connect(action.describe)
        return action

    def _make_actions(self) -> None:
        stack = self.state.undo_stack
        undo = self._history_action("Undo", [QKeySequence(QKeySequence.StandardKey.Undo)], self.undo,
                                    stack.canUndoChanged, stack.undoTextChanged, "edit-undo")
        redo = self._history_action("Redo", [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")], self.redo,
                                    stack.canRedoChanged, stack.redoTextChanged, "edit-redo")
        self.undo_action, self.redo_action = undo, redo
        self.save_action = self._act("&Save…", "Ctrl+S", self.save, "document-save",
                                     "Review the changes and write them")
        self.save_action.setEnabled(False)
        self.state.dirty_changed.connect(self._update_save_action)
        self.state.field_edited.connect(self._update_save_action)
        self.revert_action = self._act("Re&vert", "Ctrl+Shift+R", self.revert, "document-revert",
                                       "Drop unsaved edits and re-read the files")
        self.reload_action = self._act("Re&load", "F5", self.reload_view, "view-refresh",
                                       "Re-read the files (keeping unsaved edits) and the page in view")
        self.import_action = self._act("&Import kubeconfig…", "Ctrl+I", self.import_files, "document-open",
                                       "Merge kubeconfig files in (a taken name gets a suffix)")
        self.palette_action = self._act("&Command palette…", "Ctrl+K", self.open_palette, "edit-find",
                                        "Switch context or namespace, open a page")
        self.tray_action = self._act("Keep running in the &tray when closed", "Ctrl+Shift+T",
                                     lambda on: self.state.settings.setValue(keys.LIVE_IN_TRAY, bool(on)))
        self.tray_action.setCheckable(True)
        self.tray_action.setChecked(keys.flag(self.state.settings, keys.LIVE_IN_TRAY))
        self.quit_action = self._act("&Quit", "Ctrl+Q", self.quit, "application-exit")
        self.close_action = self._act("&Close window", "Ctrl+W", self.close)
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.save_action, self.revert_action, self.reload_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        self.check_action = ContextChecks.of(self.state).action   # one action, also on the Contexts page
        self.addAction(self.check_action)
        file_menu.addAction(self.check_action)
        file_menu.addSeparator()
        file_menu.addAction(self.tray_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.palette_action)
        go_menu = bar.addMenu("&Go")
        self.go_actions: list[QAction] = []
        for index, cls in enumerate(self.page_classes):
            action = self._act(cls.title, cls.shortcut or "", lambda _c=False, i=index: self.show_page(i),
                               cls.icon, f"Open the {cls.title} page")
            go_menu.addAction(action)
            self.go_actions.append(action)
        self.page_menu = bar.addMenu("&Page")
        help_menu = bar.addMenu("&Help")
        self.about_action = self._act("&About kubewallet", "F1", self._about)
        help_menu.addAction(self.about_action)

        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setAccessibleName("Main toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.save_action, undo, redo, self.palette_action):
            self.toolbar.addAction(a)
        self.toolbar.addSeparator()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self._shown_page_actions: list[QAction] = []

    def _make_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_text = QLabel(self)
        self.status_text.setAccessibleName("Status")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Progress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.context_label = QLabel(self)
        self.context_label.setAccessibleName("Current context")
        bar.addWidget(self.status_text, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.context_label)
        self._clear_status = QTimer(self, singleShot=True, interval=6000)
        self._clear_status.timeout.connect(lambda: self.status_text.setText(""))

    def _message(self, level: str, text: str) -> None:
        self.status_text.setText(("⚠ " if level in ("warning", "error") else "") + text)
        self.status_text.setToolTip(text)
        if level == "info":
            self._clear_status.start()
        else:
            self._clear_status.stop()

    def _loading(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        quiet = self.state.quiet_load  # a re-read after our own write: its message stays
        if busy:
            self.progress.setRange(0, 0)
            if not quiet:
                self._message("info", "reading kubeconfig…")
        else:
            ws = self.state.workspace
            if self.state.load_error is None and ws is not None:
                if not quiet:
                    files = sum(1 for f in ws.files if f.exists)
                    contexts = len(ws.contexts)
                    self._message("info", f"loaded {contexts} context{'s' if contexts != 1 else ''} "
                                  f"from {files} file{'s' if files != 1 else ''}")
                if self.banner.level == "error":
                    self.banner.clear()

    def _task_progress(self, _name: str, done: int, total: int, text: str) -> None:
        self._progress(done, total, text)

    def _progress(self, done: int, total: int, text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if text and not (self.state.quiet_load and self.progress.isVisible()):
            self.status_text.setText(text)

    def _update_title(self, *_args) -> None:
        ws = self.state.workspace
        current = self.state.current_context
        ns = ""
        if ws is not None and current in ws.contexts:
            ns = str((ws.contexts[current].body or {}).get("namespace") or "")
        page = self.page_classes[self.sidebar.currentRow()].title if self.sidebar.currentRow() >= 0 else ""
        self.setWindowTitle(f"{page} — {current or 'no context'}[*] — kubewallet")
        self.setWindowModified(self.state.is_dirty)
        self.context_label.setText(f"● {current}" + (f" · {ns}" if ns else "") if current else "no current context")

    # --- the field being edited, undo, save ---------------------------------------------------
    def commit_field(self) -> None:
        """Commit the editor field that has the focus: a field commits when focus leaves it, and
        Save, Undo or quitting must act on what the editor shows, not on what it showed before."""
        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, EntryEditor):
            widget = widget.parentWidget()
        if widget is not None:
            widget.commit()

    def undo(self) -> None:
        self.commit_field()
        self.state.undo_stack.undo()

    def redo(self) -> None:
        self.commit_field()
        self.state.undo_stack.redo()

    def _update_save_action(self, *_args) -> None:
        """Save is offered for unsaved edits and for a field typed in but not committed yet."""
        self.save_action.setEnabled(self.state.workspace is not None
                                    and (self.state.is_dirty or self.state.field_pending))

    def reload_view(self) -> None:
        """F5: re-read the files (unsaved edits replayed over them); every page, the one in view
        included, refreshes from what was read."""
        self.state.load(keep_edits=True)

    def save(self) -> None:
        if self.state.workspace is None:
            return
        self.commit_field()
        self.state.field_pending = False
        diffs = self.state.pending_diff()
        if not diffs:
            self._message("info", "nothing to save")
            self.state.undo_stack.setClean()
            self._update_save_action()
            return
        from kubewallet.gui.dialogs.save_diff import SaveDialog

        self.save_dialog = SaveDialog(diffs, self)
        self.save_dialog.accepted.connect(self._save_confirmed)
        self.save_dialog.open()

    def _save_confirmed(self) -> None:
        self.state.save(on_error=lambda exc: self.banner.show_message(
            f"Not saved: {describe_error(exc)}", level="error", actions=[("&Retry", self.save)]))

    def revert(self) -> None:
        self.banner.clear()
        self.state.revert()

    def _outside_change(self, paths: list) -> None:
        names = ", ".join(p.name for p in paths)
        self.banner.show_message(
            f"{names} changed on disk (another program wrote it) while you have unsaved edits.",
            level="warning", closable=False, actions=[
                ("&Reload (drop my edits)", self._reload_drop),
                ("&Keep my edits (re-apply them over the new file)", self._reload_keep)])

    def _reload_drop(self) -> None:
        self.banner.clear()
        self.state.load(keep_edits=False)

    def _reload_keep(self) -> None:
        self.banner.clear()
        self.state.load(keep_edits=True)

    def _load_failed(self, exc: BaseException) -> None:
        self.banner.show_message(f"The kubeconfig could not be loaded: {describe_error(exc)}",
                                 level="error", actions=[("&Retry", lambda: self.state.load(keep_edits=True))])

    # --- palette ------------------------------------------------------------------------------
    def _load_folder_catalog(self) -> None:
        def work():
            from kubewallet.kubeconfig.folders import load_catalog

            return load_catalog()

        def done(catalog) -> None:
            self.folder_catalog = catalog
            self.tray_model.set_folder_contexts([(c.label, Path(c.file).name)
                                                 for c in catalog.contexts if c.folder])

        self.state.run(work, on_done=done, name="kubeconfig folders", owner=self,
                       on_error=lambda exc: log.warning("kubeconfig folders: %s", type(exc).__name__))

    def folder_items(self) -> list[PaletteItem]:
        catalog = self.folder_catalog
        if catalog is None:
            return []
        return [PaletteItem("folder-context", c.label, f"{Path(c.file).name} · {c.cluster or '?'}"
                            + (f" · {c.namespace}" if c.namespace else ""))
                for c in catalog.contexts if c.folder]

    def open_folder_context(self, label: str) -> None:
        """Make a folder file's context current in that file (lock, backup, atomic) and open the
        file here; a shell still needs `kw LABEL` (its KUBECONFIG is its own), which we say."""
        catalog = self.folder_catalog

        def work():
            from kubewallet.kubeconfig.folders import switch

            ctx = catalog.find(label)
            switch(catalog, ctx)
            return ctx, catalog.rules_for(ctx)

        def done(result) -> None:
            ctx, rules = result
            self.state.use_rules(rules)
            self.banner.show_message(f"Now editing {ctx.file}, where {ctx.name} is current. In a shell, "
                                     f"'kw {ctx.label}' points KUBECONFIG at it.", level="info")

        self.state.run(work, on_done=done, on_error=self.banner.show_error, name="switch folder context", owner=self)

    def palette_items(self) -> list[PaletteItem]:
        items = palette_items(self.state.workspace) + self.folder_items()
        items += [PaletteItem("page", cls.title, cls.shortcut) for cls in self.page_classes]
        items += [PaletteItem("action", _plain(a.text()), a.shortcut().toString())
                  for a in self._palette_actions()]
        return items

    def _palette_actions(self) -> list[QAction]:
        return [self.save_action, self.revert_action, self.reload_action, self.import_action, self.check_action]

    def open_palette(self) -> None:
        from kubewallet.gui.dialogs.command_palette import CommandPalette

        if self.palette_dialog is None:
            self.palette_dialog = CommandPalette(self.run_palette_item, self)
        if not self.isVisible():
            self.tray.show_window()
        self.palette_dialog.open_with(self.palette_items())

    def run_palette_item(self, item: PaletteItem) -> None:
        if item.kind == "context":
            self.state.use_context(item.name)
        elif item.kind == "folder-context":
            self.open_folder_context(item.name)
        elif item.kind == "namespace":
            self.state.set_namespace_now(item.name)
        elif item.kind == "page":
            self.show_page(item.name)
        elif item.kind == "action":
            for action in self._palette_actions():
                if _plain(action.text()) == item.name:
                    action.trigger()

    # --- lifetime -----------------------------------------------------------------------------
    def _about(self) -> None:
        from kubewallet import __version__

        self.banner.show_message(f"kubewallet {__version__}: kubeconfig files and the credentials they "
                                 "carry. Ctrl+K switches contexts from anywhere.", level="info")

    def quit(self) -> None:
        self._quitting = True
        if self.close():
            QApplication.quit()
        self._quitting = False

    def _ask_save_before_closing(self) -> QMessageBox.StandardButton:
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved edits", "Save your kubeconfig edits before closing?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        for button, text in ((QMessageBox.StandardButton.Save, "&Save…"),
                             (QMessageBox.StandardButton.Discard, "&Discard"),
                             (QMessageBox.StandardButton.Cancel, "&Cancel")):
            box.button(button).setText(text)
        self.close_question = box
        try:
            return QMessageBox.StandardButton(box.exec())
        finally:
            self.close_question = None
            box.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.state.settings.setValue(keys.GEOMETRY, self.saveGeometry())
        if not self._quitting and self.tray.available and self.tray_action.isChecked():
            event.ignore()
            self.hide()
            self.tray.notify("kubewallet", "Still running in the tray; its menu switches contexts.")
            return
        self.commit_field()
        if self.state.is_dirty:
            answer = self._ask_save_before_closing()
            if answer == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Save:
                event.ignore()
                self.save()
                return
            self.state.undo_stack.clear()  # discarded: nothing is left to ask about
        self.state.settings.sync()
        self.state.tasks.shutdown()
        event.accept()


class _HistoryAction(QAction):
    """Undo or Redo, its menu text naming the step ("Undo Edit cluster x"); the toolbar stays short."""

    def __init__(self, verb: str, parent: QMainWindow) -> None:
        super().__init__(f"&{verb}", parent)
        self.verb = verb
        self.setIconText(verb)
        self.setEnabled(False)

    def describe(self, what: str) -> None:
        self.setText(f"&{self.verb} {what}".rstrip())


def _plain(text: str) -> str:
    """An action's words without its mnemonic and ellipsis ("&Import kubeconfig…" → "Import kubeconfig")."""
    return text.replace("&", "").rstrip("…")


class _BrokenPage(Page):
    """Stands in for a page whose constructor raised: the error, in place."""

    abstract = True

    def __init__(self, state: AppState, title: str, exc: BaseException) -> None:
        super().__init__(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addStretch(1)
        self.banner.show_error(f"The {title} page failed to open: {describe_error(exc)}")
