"""The page contract: how a page of the kubewallet window is written.

Writing a page
--------------
A page is a module `kubewallet/gui/pages/<name>.py` holding one `Page` subclass, listed in
`PAGE_MODULES` in `pages/__init__.py` (the window imports it lazily; a missing module is skipped)::

    from kubewallet.gui.pages.base import Page

    class CertificatesPage(Page):
        title = "Certificates"          # sidebar text and window title
        icon = "certificates"           # resources/icons/certificates.svg, else the theme icon
        shortcut = "Ctrl+5"             # jumps to the page (Contexts/Clusters/Users use Ctrl+1..3)
        order = 50                      # sidebar position: 10 contexts, 20 clusters, 30 users,
                                        # 40 credentials, 50 certificates, 60 tokens,
                                        # 70 identity, 80 access
        def __init__(self, state, parent=None):
            super().__init__(state, parent)
            layout = QVBoxLayout(self)
            layout.addWidget(self.banner)      # the inline error/notice strip, hidden until used
            ...                                # a QTableView over a model in gui/models/
            self.refresh()

        def refresh(self):                     # called when the workspace changed (load, edit,
            ...                                # undo, outside change): re-read self.state.workspace

- `self.state` is the shared `AppState` (`kubewallet.gui.state`): `state.workspace` (the core's
  `Workspace`: `.contexts/.clusters/.users` dicts of `NamedEntry(name, body, file)`,
  `.current_context`, `.files`, `.resolve_path(entry, value)`; None until loaded),
  `state.current_context`, `state.settings` (a `QSettings`; prefix your keys with your page
  name: `"certificates/warn_days"`), `state.undo_stack`, and its signals (`workspace_changed`,
  `current_context_changed(str)`, `dirty_changed(bool)`, `message(level, text)`).
- Change the kubeconfig only through the state, so the edit is undoable, shows in the Save diff
  and on every page: `state.set_entry(kind, name, body)`, `state.delete_entry(kind, name)`,
  `state.rename_entry(kind, old, new)` (kind: "contexts" | "clusters" | "users"; body: the
  mapping under `cluster:`/`user:`/`context:`). If core code of yours wrote a file itself (e.g.
  "secure this user" through the vault), call `state.load(keep_edits=True)` afterwards (re-reads
  the files and replays the person's unsaved edits over them; `state.reload()` drops them).
- Writes that take effect at once, like kubectl's: `state.use_context(name)`,
  `state.set_namespace_now(ns)`. `state.pending_diff()` / `state.save()` for the rest.
- Favourites: `kubewallet.gui.settings.favourites(state.settings, kind)`; `state.favourites_changed`.
- Items are shown through a Qt item model (`QAbstractTableModel` in `gui/models/<name>.py`) over
  core objects; no widget per row; widgets never parse YAML or touch the keyring.
- Give every interactive widget an accessible name (`setAccessibleName`) and every action a
  keyboard shortcut; use the palette's colours (`self.palette()`), never hard-coded ones, so the
  page follows light and dark themes.
- `page_actions()` may return `QAction`s; the window shows them in the toolbar while the page
  is visible (with their shortcuts) and in the "Page" menu.
- `activated()` is called each time the page becomes visible (e.g. start a lazy first load).

Slow work (files, keyring, network, parsing a large dump)
--------------------------------------------------------
Never on the GUI thread. Use `self.run_task(fn, *args, on_done=..., report=False)`:
`fn(*args)` runs on a worker thread and must not touch widgets; `on_done(result)` runs on the GUI
thread. A failure is shown in `self.banner` automatically (pass `on_error=` to handle it
yourself). With `report=True`, `fn` receives `report(done, total, text)` for progress (shown in
the window's status bar); a task whose page asked again is superseded: `run_task(..., key="x")`
cancels the previous task with the same key, so stale results never land.

Errors
------
Inline, next to their cause, never a modal traceback: `self.banner.show_error(exc)` (a
`KubewalletError` shows its message and hint; any other exception only its type, details in
the log, because foreign messages may carry secrets), `self.banner.show_message(text,
level="warning", actions=[("Reload", callback)])`, `self.banner.clear()`. For an error about one
field, a `QLabel` under the field works too; `kubewallet.gui.widgets.banner.FieldError` is one.

Testing a page standalone
-------------------------
`tests/gui/conftest.py` has fixtures for any page test (pytest-qt, offscreen):
- `kubeconfig_file` (a temp kubeconfig with contexts `dev` (current), `staging`, `prod` and
  `orphan` (its user is missing), clusters `dev-cluster`/`prod-cluster` with a CA from the `pki`
  fixture, users `jane` (client certificate), `ci-bot` (token) and `sso` (exec oidc-login);
  KUBECONFIG points at it), `write_kubeconfig(path, data)`, `sample_kubeconfig(pki)` in
  `tests.gui.conftest` to build variants;
- `app_state`: an `AppState` loaded (synchronously) from it, with settings in a temp INI file;
- `wait_tasks(state)`: process events until every background task has delivered.
Construct the page directly and save a screenshot::

    def test_certificates_page(qtbot, app_state, wait_tasks, artifacts_dir):
        page = CertificatesPage(app_state)
        qtbot.addWidget(page)
        page.resize(1000, 640); page.show()
        wait_tasks(app_state)
        ...
        page.grab().save(str(artifacts_dir / "certificates.png"))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from kubewallet.gui.state import AppState
from kubewallet.gui.tasks import Task
from kubewallet.gui.widgets.banner import Banner


class Page(QWidget):
    """Base of every sidebar page; subclasses set the class attributes and build their widgets."""

    title: ClassVar[str] = "Page"
    icon: ClassVar[str] = ""          # name of resources/icons/<icon>.svg (or a freedesktop theme icon)
    shortcut: ClassVar[str] = ""      # QKeySequence text, e.g. "Ctrl+5"
    order: ClassVar[int] = 100        # sidebar position (lower first)
    abstract: ClassVar[bool] = True   # set on intermediate bases; the registry skips them

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.banner = Banner(self)
        self._keyed_tasks: dict[str, Task] = {}
        self.setObjectName(f"page-{type(self).__name__}")
        self.setAccessibleName(f"{self.title} page")
        state.workspace_changed.connect(self._on_workspace_changed)

    # --- hooks for subclasses ---------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read `self.state.workspace` (after a load, an edit, an undo, an outside change)."""

    def activated(self) -> None:
        """The page just became visible."""

    def page_actions(self) -> list[QAction]:
        """Actions shown in the window's toolbar and "Page" menu while this page is visible."""
        return []

    # --- services ---------------------------------------------------------------------------
    def run_task(self, fn: Callable[..., Any], *args: Any,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 key: str | None = None, report: bool = False, **kwargs: Any) -> Task:
        """Run `fn(*args, **kwargs)` off the GUI thread; see the module docstring."""
        if key is not None and key in self._keyed_tasks:
            self._keyed_tasks.pop(key).cancel()
        task = self.state.run(fn, *args, on_done=on_done,
                              on_error=on_error if on_error is not None else self.banner.show_error,
                              report=report, name=f"{self.title}: {getattr(fn, '__name__', 'task')}", owner=self,
                              **kwargs)
        if key is not None:
            self._keyed_tasks[key] = task
            task.ended.connect(lambda k=key, t=task: self._keyed_tasks.get(k) is t
                               and self._keyed_tasks.pop(k))
        return task

    def _on_workspace_changed(self) -> None:
        if self.state.workspace is not None:
            self.refresh()
