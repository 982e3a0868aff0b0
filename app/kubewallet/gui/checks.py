"""The window's side of `kubewallet check`: which contexts still work, for the Contexts page's
Status column.

One `ContextChecks` per `AppState` (`ContextChecks.of(state)`), so the check that runs at start
(unless the setting `contexts/check_at_start` is off) lands whether or not the Contexts page
has been opened yet, and the "Check all contexts" action is one `QAction` wherever it is shown
(File menu, the Contexts page's toolbar, the palette). The work is `probe.check_contexts` on a
worker thread over a copy of the workspace (edits made meanwhile are not raced); each result
reaches the GUI thread as it comes (the task's progress signal drains a queue), so a context
that answers in 50 ms does not wait for one that times out. Exec plugins never ask a person here.
"""

from __future__ import annotations

import copy
import itertools
from collections import deque
from weakref import WeakKeyDictionary

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from kubewallet.gui import settings as keys
from kubewallet.gui.icons import icon
from kubewallet.probe.result import CheckResult

SHORTCUT = "Ctrl+Shift+C"
TIMEOUT = 5.0


class ContextChecks(QObject):
    """Check results per context name, and the action that refreshes them."""

    changed = Signal()

    _of: WeakKeyDictionary = WeakKeyDictionary()

    @classmethod
    def of(cls, state) -> ContextChecks:
        found = cls._of.get(state)
        if found is None:
            found = cls._of[state] = cls(state)
        return found

    def __init__(self, state) -> None:
        super().__init__(state)
        self.state = state
        self.results: dict[str, CheckResult] = {}
        self.running: set[str] = set()
        self.timeout = TIMEOUT
        self.vault_reader_factory = None   # None: the user's vault, opened on first use (offline whoami)
        self._task = None
        self._started = False
        self._rules = None
        self.action = QAction(icon("view-refresh"), "Check &all contexts", self)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip(f"Connect, verify TLS and authenticate every context, off the window "
                               f"({QKeySequence(SHORTCUT).toString()})")
        self.action.triggered.connect(self.check_all)
        state.workspace_changed.connect(self._first_check)
        if state.workspace is not None:
            QTimer.singleShot(0, self._first_check)

    def _first_check(self) -> None:
        """At start, and again when the window opens another kubeconfig (a folder's file): the
        results of one set of files say nothing about contexts of the same name in another."""
        if self.state.workspace is None:
            return
        if self._started and self.state.rules == self._rules:
            return
        if self._started:
            self.results.clear()
            self.changed.emit()
        self._started, self._rules = True, self.state.rules
        if keys.flag(self.state.settings, keys.CHECK_AT_START, default=True):
            self.check_all()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def check_all(self) -> None:
        from kubewallet.inspect.sources import default_vault_reader
        from kubewallet.probe.check import CheckOptions, check_contexts

        ws = self.state.workspace
        if ws is None:
            return
        self._started, self._rules = True, self.state.rules
        if self._task is not None:
            self._task.cancel()
        snapshot = copy.deepcopy(ws)
        names = list(snapshot.contexts)
        inbox: deque[CheckResult] = deque()
        finished = itertools.count(1)
        self.running = set(names)
        self.changed.emit()

        def check(*, report) -> list[CheckResult]:
            def arrived(result: CheckResult) -> None:
                inbox.append(result)
                report(next(finished), len(names), f"checked {result.context}")

            reader = (self.vault_reader_factory or default_vault_reader)()
            return check_contexts(snapshot, names, CheckOptions(timeout=self.timeout, vault_reader=reader),
                                  on_result=arrived)

        def drain(*_progress) -> None:
            while inbox:
                result = inbox.popleft()
                self.results[result.context] = result
                self.running.discard(result.context)
            self.changed.emit()

        def done(results: list[CheckResult]) -> None:
            self._task = None
            self.results = {r.context: r for r in results}
            self.running.clear()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self._task = None
            self.running.clear()
            self.changed.emit()
            self.state.message.emit("error", f"the context check failed: {exc}")

        self._task = self.state.run(check, report=True, on_done=done, on_error=failed, on_progress=drain,
                                    name="check contexts")

    def cell(self, name: str) -> tuple[str, str, bool] | None:
        """(word, tooltip, is a problem) for the Status column; None before any check."""
        if name in self.running and name not in self.results:
            return "checking…", "kubewallet is checking this context", False
        result = self.results.get(name)
        if result is None:
            return None
        lines = [result.message] + [f"⚠ {d}" for d in result.differences] + \
            [f"warning: {w}" for w in result.warnings]
        if result.ok and result.groups:
            lines.append("groups: " + ", ".join(result.groups))
        lines.append(f"stage {result.stage}, {result.seconds:.2f} s")
        return result.status_word, "\n".join(lines), not result.ok
