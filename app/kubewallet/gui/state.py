"""`AppState`: the one object every window part and page shares.

It holds the loaded kubeconfig workspace (the core's `kubewallet.kubeconfig.Workspace`, loaded by
kubectl's rules), the undo stack every edit goes through, the settings, the background-task runner
and a file watcher. Widgets never read or write kubeconfig files themselves: they ask the state.

Why the state owns the watcher and the undo stack: an edit made on one page (renaming a user)
must show on every other page, survive an outside change to the file (replayed over the new
content when the person chooses "keep my edits"), and be saved in one go with a diff first.

Signals (all on the GUI thread):
- `workspace_changed()`        a workspace was (re)loaded, or an edit/undo/redo changed it: re-read it.
- `current_context_changed(str)` the current context switched (also emitted on reload if it differs).
- `dirty_changed(bool)`        unsaved edits appeared / are gone.
- `loading(bool)`, `load_progress(int, int, str)`  a (big) workspace is being read off the GUI thread.
- `load_failed(object)`        the workspace could not be loaded (a `KubewalletError`, shown inline).
- `outside_change(list)`       loaded files changed on disk while there are unsaved edits
                               (the window offers reload / keep); without edits the state reloads.
- `saved(list)`                the files written by `save()`.
- `message(str, str)`          (level, text) for the status bar: "info" | "warning" | "error".
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from kubewallet.errors import KubewalletError
from kubewallet.gui.tasks import Task, TaskRunner

if TYPE_CHECKING:  # the engine is imported lazily: the window paints before YAML is imported
    from kubewallet.kubeconfig import LoadingRules, Workspace

KINDS = ("contexts", "clusters", "users")


def describe_error(exc: BaseException) -> str:
    """The text a person sees for an error: our own errors as written, others by type only
    (a message from a foreign exception could carry a secret; its traceback goes to the log)."""
    if isinstance(exc, KubewalletError):
        return exc.one_line()
    if isinstance(exc, OSError):
        return f"{exc.strerror or type(exc).__name__}: {exc.filename}" if exc.filename else str(exc)
    return f"unexpected {type(exc).__name__} (details in the log)"


def _digest(paths: list[Path]) -> dict[Path, str]:
    out: dict[Path, str] = {}
    for path in paths:
        try:
            out[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            out[path] = ""
    return out


def _load(rules: LoadingRules, *, report: Callable[..., None]) -> tuple[Workspace, dict[Path, str]]:
    """Worker side of a load: the engine's loader (reporting each file), and a fingerprint of
    every file for the watcher."""
    from kubewallet.kubeconfig import load_workspace

    ws = load_workspace(rules, report=report)
    return ws, _digest([Path(f.path) for f in ws.files])


def _put(ws: Workspace, kind: str, name: str, body: dict, file: str) -> None:
    """Create or change an entry; a re-created entry (undoing a delete) goes back to the file it
    came from, not to the default file `set_entry` would pick for a new name."""
    ws.set_entry(kind, name, body, file=file or None)


class EntryEdit(QUndoCommand):
    """One undoable change of one named entry: create (before None), change, or delete (after None).

    Bodies are deep copies, so later edits to the workspace never reach into the history.
    `replay()` re-applies the change to a freshly reloaded workspace ("keep my edits").
    """

    def __init__(self, state: AppState, kind: str, name: str, before: dict | None,
                 after: dict | None, text: str, file: str = "") -> None:
        super().__init__(text)
        self.state, self.kind, self.name = state, kind, name
        self.before = copy.deepcopy(before)
        self.after = copy.deepcopy(after)
        entry = state.workspace.entries(kind).get(name)
        self.file = entry.file if entry is not None else file

    def _apply(self, body: dict | None) -> None:
        ws = self.state.workspace
        if body is None:
            if self.name in ws.entries(self.kind):
                ws.delete_entry(self.kind, self.name)
        else:
            _put(ws, self.kind, self.name, body, self.file)
            self.file = ws.entries(self.kind)[self.name].file
        self.state._edited()

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)

    def replay(self) -> None:
        entry = self.state.workspace.entries(self.kind).get(self.name)
        self.before = copy.deepcopy(entry.body) if entry is not None else None
        self._apply(self.after)


class UseContextEdit(QUndoCommand):
    """Setting `current-context` as an unsaved edit (the editor's "make current" without saving)."""

    def __init__(self, state: AppState, name: str, text: str = "") -> None:
        super().__init__(text or f"Use context {name}")
        self.state, self.name = state, name
        self.before = state.workspace.current_context

    def redo(self) -> None:
        self.state.workspace.use_context(self.name)
        self.state._edited()

    def undo(self) -> None:
        self.state.workspace.use_context(self.before)
        self.state._edited()

    def replay(self) -> None:
        self.before = self.state.workspace.current_context
        self.redo()


class AppState(QObject):
    """The loaded workspace and everything around it; see the module docstring for signals."""

    workspace_changed = Signal()
    current_context_changed = Signal(str)
    dirty_changed = Signal(bool)
    loading = Signal(bool)
    load_progress = Signal(int, int, str)
    load_failed = Signal(object)
    outside_change = Signal(list)
    saved = Signal(list)
    favourites_changed = Signal(str)
    message = Signal(str, str)
    field_edited = Signal()

    def __init__(self, rules: LoadingRules | None = None, *, settings: QSettings | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rules = rules
        self.workspace: Workspace | None = None
        self.load_error: BaseException | None = None
        self.settings = settings if settings is not None else QSettings("kubewallet", "kubewallet")
        self.tasks = TaskRunner(self)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.field_pending = False  # an editor field was typed in and not committed yet
        self._digests: dict[Path, str] = {}
        self._load_task: Task | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_fs_event)
        self._watcher.directoryChanged.connect(self._on_fs_event)
        self._watch_timer = QTimer(self, singleShot=True, interval=250)
        self._watch_timer.timeout.connect(self._check_outside_change)
        self._last_current = ""
        self.quiet_load = False

    # --- the workspace ----------------------------------------------------------------------
    @property
    def rules(self) -> LoadingRules:
        """kubectl's loading rules (`--kubeconfig`, else KUBECONFIG, else ~/.kube/config)."""
        if self._rules is None:
            from kubewallet.kubeconfig import LoadingRules

            self._rules = LoadingRules.from_env()
        return self._rules

    @property
    def is_dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def current_context(self) -> str:
        return self.workspace.current_context if self.workspace is not None else ""

    def load(self, *, keep_edits: bool = False, quiet: bool = False) -> Task:
        """(Re)load the workspace off the GUI thread; `workspace_changed` follows on success.

        With `keep_edits`, the unsaved edits are replayed over the freshly read files (an
        outside change merged under the person's own edits); otherwise they are dropped.
        `quiet`: the re-read that follows our own write (a switch, an import), whose status-bar
        message says what happened instead of "loaded N contexts".
        """
        if self._load_task is not None:
            self._load_task.cancel()
        self.quiet_load = quiet
        self.loading.emit(True)
        task = self.tasks.start(_load, self.rules, report=True, name="load kubeconfig",
                                on_progress=self.load_progress.emit)
        task.finished.connect(lambda result: self._loaded(result, keep_edits))
        task.failed.connect(self._load_failed)
        self._load_task = task
        return task

    def use_rules(self, rules: LoadingRules) -> Task:
        """Switch to other kubeconfig files (the demo workspace, from the first-run offer), dropping
        the edits made to the previous ones, and load them."""
        self._rules = rules
        self.undo_stack.clear()
        return self.load(keep_edits=False)

    def load_now(self) -> None:
        """Load on the calling thread (tests, tiny files); raises what the loader raises."""
        result = _load(self.rules, report=lambda *a: None)
        self._loaded(result, keep_edits=False)

    def reload(self) -> Task:
        """Drop unsaved edits and read the files again (also what Revert does)."""
        return self.load(keep_edits=False)

    revert = reload

    def _loaded(self, result: tuple[Workspace, dict[Path, str]], keep_edits: bool) -> None:
        ws, digests = result
        self._load_task = None
        commands = []
        if keep_edits:
            commands = [self.undo_stack.command(i) for i in range(self.undo_stack.index())]
        self.workspace, self.load_error, self._digests = ws, None, digests
        if keep_edits and commands:
            for cmd in commands:
                cmd.replay()  # re-captures each `before` against the new content
            self.undo_stack.resetClean()
        else:
            self.undo_stack.clear()
        self._watch(list(digests))
        self.loading.emit(False)
        self.workspace_changed.emit()
        self._emit_current()

    def _load_failed(self, exc: BaseException) -> None:
        self._load_task = None
        self.load_error = exc
        self.loading.emit(False)
        self.load_failed.emit(exc)
        self.message.emit("error", describe_error(exc))

    def _clean_changed(self, clean: bool) -> None:
        # a bound method, not a lambda: Qt drops the connection when this object goes away, so a
        # stack emptied during shutdown never emits on a deleted state
        self.dirty_changed.emit(not clean)

    def _emit_current(self) -> None:
        current = self.current_context
        if current != self._last_current:
            self._last_current = current
            self.current_context_changed.emit(current)

    def _edited(self) -> None:
        """Called by undo commands after they changed the in-memory workspace (the editors then
        show it again, so no typed-in field is left pending)."""
        self.field_pending = False
        self.workspace_changed.emit()
        self._emit_current()

    # --- undoable edits ---------------------------------------------------------------------
    def set_entry(self, kind: str, name: str, body: dict, text: str | None = None) -> None:
        """Create or change a cluster/user/context (undoable; saved by `save()`)."""
        entry = self.workspace.entries(kind).get(name)
        before = entry.body if entry is not None else None
        verb = "Edit" if entry is not None else "Add"
        self.undo_stack.push(EntryEdit(self, kind, name, before, body,
                                       text or f"{verb} {kind[:-1]} {name}"))

    def delete_entry(self, kind: str, name: str, text: str | None = None) -> None:
        """Delete a cluster/user/context (undoable)."""
        entry = self.workspace.entries(kind)[name]
        self.undo_stack.push(EntryEdit(self, kind, name, entry.body, None,
                                       text or f"Delete {kind[:-1]} {name}"))

    def rename_entry(self, kind: str, old: str, new: str, *, update_contexts: bool = True) -> None:
        """Rename an entry as one undo step; renaming a cluster/user also rewrites the contexts
        that name it (kubectl has no such command; without it they would dangle). Renaming the
        current context moves `current-context` along, as `kubectl config rename-context` does."""
        ws = self.workspace
        entries = ws.entries(kind)
        if new in entries:
            raise KubewalletError(f"a {kind[:-1]} named {new!r} already exists",
                                  hint="pick another name")
        body, origin = entries[old].body, entries[old].file
        self.undo_stack.beginMacro(f"Rename {kind[:-1]} {old} to {new}")
        try:
            self.undo_stack.push(EntryEdit(self, kind, new, None, body, "", file=origin))
            if kind != "contexts" and update_contexts:
                field = kind[:-1]  # "cluster" / "user"
                for ctx in list(ws.contexts.values()):
                    if ctx.body.get(field) == old:
                        self.undo_stack.push(EntryEdit(self, "contexts", ctx.name, ctx.body,
                                                       dict(ctx.body, **{field: new}), ""))
            self.undo_stack.push(EntryEdit(self, kind, old, body, None, ""))
            if kind == "contexts" and ws.current_context == old:
                self.undo_stack.push(UseContextEdit(self, new))
        finally:
            self.undo_stack.endMacro()

    def referencing_contexts(self, kind: str, name: str) -> list[str]:
        """Contexts that name this cluster/user (they dangle if it is deleted)."""
        field = kind[:-1]
        return sorted(c.name for c in self.workspace.contexts.values() if (c.body or {}).get(field) == name)

    # --- saving and switching ---------------------------------------------------------------
    def pending_diff(self) -> dict[Path, str]:
        """Per file, the unified YAML diff `save()` would write."""
        if self.workspace is None:
            return {}
        return {Path(p): d for p, d in self.workspace.pending_diff().items()}

    def save(self, on_done: Callable[[list[Path]], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None) -> Task:
        """Write the unsaved edits through the core's safe save (lock, backup, atomic replace)
        on a worker thread; `saved(paths)` follows and the undo stack becomes clean."""
        ws = self.workspace
        changed = [Path(p) for p in ws.pending_diff()]

        def work() -> dict[Path, str]:
            ws.save()
            return _digest([Path(f.path) for f in ws.files])

        def done(digests: dict[Path, str]) -> None:
            self._digests = digests
            self.undo_stack.setClean()
            self._watch(list(digests))
            self.message.emit("info", "saved " + ", ".join(p.name for p in changed))
            self.saved.emit(changed)
            if on_done is not None:
                on_done(changed)

        def failed(exc: BaseException) -> None:
            self.message.emit("error", describe_error(exc))
            if on_error is not None:
                on_error(exc)

        return self.tasks.start(work, on_done=done, on_error=failed, name="save kubeconfig")

    def use_context(self, name: str, on_error: Callable[[BaseException], None] | None = None) -> Task:
        """Make `name` current and write it at once, as `kubectl config use-context` does.

        Only `current-context` is written (under the lock, to the file kubectl would pick, with
        the engine's retry on a concurrent kubectl write); other unsaved edits stay unsaved: the
        files are then re-read and those edits replayed over them.
        """
        rules = self.rules
        watched = list(self._digests) or [Path(p) for p in rules.precedence]

        def work() -> dict[Path, str]:
            from kubewallet.kubeconfig import switch_to

            switch_to(rules, name)  # gone meanwhile (kubectl deleted it): an error, no write
            return _digest(watched)

        def done(digests: dict[Path, str]) -> None:
            self._digests = digests  # our own write: not an "outside change"
            if self.workspace is not None:
                # shown at once (the reload that follows brings the real files), not as an edit
                self.workspace.saved_current_context(name)
            self._emit_current()
            self.workspace_changed.emit()
            self.load(keep_edits=True, quiet=True)
            self.message.emit("info", f"switched to context {name}")

        def failed(exc: BaseException) -> None:
            self.message.emit("error", describe_error(exc))
            if on_error is not None:
                on_error(exc)

        return self.tasks.start(work, on_done=done, on_error=failed, name="use context")

    def set_namespace_now(self, namespace: str,
                          on_error: Callable[[BaseException], None] | None = None) -> Task:
        """Set the current context's namespace and write it at once, as
        `kubectl config set-context --current --namespace=NS` does."""
        rules = self.rules
        watched = list(self._digests) or [Path(p) for p in rules.precedence]

        def work() -> dict[Path, str]:
            from kubewallet.kubeconfig import switch_namespace

            switch_namespace(rules, namespace)
            return _digest(watched)

        def done(digests: dict[Path, str]) -> None:
            self._digests = digests
            self.load(keep_edits=True, quiet=True)
            self.message.emit("info", f"namespace {namespace} on context {self.current_context}")

        def failed(exc: BaseException) -> None:
            self.message.emit("error", describe_error(exc))
            if on_error is not None:
                on_error(exc)

        return self.tasks.start(work, on_done=done, on_error=failed, name="set namespace")

    # --- background work --------------------------------------------------------------------
    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
        """Run slow work off the GUI thread; see `kubewallet.gui.tasks.TaskRunner.start`."""
        return self.tasks.start(fn, *args, **kwargs)

    # --- outside changes --------------------------------------------------------------------
    def _watch(self, paths: list[Path]) -> None:
        """Watch each file and its directory: an atomic replace (ours, kubectl's, an editor's)
        swaps the inode, after which a watch on the file alone goes quiet."""
        old = self._watcher.files() + self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        wanted = {str(p) for p in paths if p.exists()} | {str(p.parent) for p in paths if p.parent.exists()}
        if wanted:
            self._watcher.addPaths(sorted(wanted))

    def _on_fs_event(self, _path: str) -> None:
        self._watch_timer.start()

    def _check_outside_change(self) -> None:
        if self.workspace is None:
            return
        paths = list(self._digests)

        def compare(now: dict[Path, str]) -> None:
            changed = [p for p in paths if now.get(p) != self._digests.get(p)]
            self._watch(paths)
            if not changed:
                return
            if self.is_dirty:
                self.outside_change.emit(changed)
            else:
                self.message.emit("info", "reloaded " + ", ".join(p.name for p in changed)
                                  + ": changed by another program")
                self.reload()

        self.tasks.start(_digest, paths, on_done=compare, name="check kubeconfig files")
