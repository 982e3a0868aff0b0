"""Background work for the GUI: run a plain function on a worker thread, get its result,
error and progress back *on the GUI thread*.

Why a wrapper and not bare `QThreadPool.start(callable)`: a worker thread must never touch a
widget, and a Python callable connected to a signal emitted from a worker runs on that worker.
Here the worker only emits private signals of a `Task` (a `QObject` living on the GUI thread)
through queued connections; the task re-emits its public `finished` / `failed` / `progress`
signals from the GUI thread, so whatever you connect to them may update widgets freely.

    task = state.run(load_rbac_dump, path, on_done=self._show, on_error=self.banner.show_error)

    def slow(path, *, report):              # ask for progress with run(..., report=True)
        for i, chunk in enumerate(chunks):
            report(i, len(chunks), f"reading {path.name}")   # raises TaskCancelled once cancelled
        return result

The function runs without a Qt event loop: it may do blocking I/O, parse YAML, talk to the
keyring or the network, but must not create or touch widgets. A cancelled task (`task.cancel()`,
e.g. when a newer request supersedes it) delivers nothing.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class TaskCancelled(Exception):
    """Raised inside a worker by `report()` once its task has been cancelled."""


class Task(QObject):
    """One unit of background work; its public signals always fire on the GUI thread."""

    finished = Signal(object)            # the function's return value
    failed = Signal(object)              # the exception it raised (a KubewalletError, usually)
    progress = Signal(int, int, str)     # done, total (0 = unknown), what is happening
    ended = Signal()                     # after finished or failed (not after a cancel)

    # emitted from the worker thread, delivered queued to the slots below (GUI thread)
    _result = Signal(object)
    _error = Signal(object)
    _progress = Signal(int, int, str)

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict, *, name: str,
                 report: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._fn, self._args, self._kwargs, self._report = fn, args, kwargs, report
        self._cancelled = False
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.elapsed = 0.0
        self._result.connect(self._on_result, Qt.ConnectionType.QueuedConnection)
        self._error.connect(self._on_error, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    # --- worker side ------------------------------------------------------------------------
    def report(self, done: int, total: int = 0, text: str = "") -> None:
        """Called by the function on the worker thread; raises `TaskCancelled` once cancelled."""
        if self._cancelled:
            raise TaskCancelled(self.name)
        self._progress.emit(int(done), int(total), text)

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            kwargs = dict(self._kwargs, report=self.report) if self._report else self._kwargs
            value = self._fn(*self._args, **kwargs)
        except TaskCancelled:
            return
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI, never swallowed
            self.elapsed = time.perf_counter() - start
            if not isinstance(exc, Exception) or type(exc).__module__.split(".")[0] != "kubewallet":
                log.error("task %s failed:\n%s", self.name, traceback.format_exc())
            self._error.emit(exc)
            return
        self.elapsed = time.perf_counter() - start
        self._result.emit(value)

    # --- GUI side ---------------------------------------------------------------------------
    def cancel(self) -> None:
        """Drop the result: nothing will be delivered (the function itself runs to its next
        `report()` call, or to its end)."""
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @Slot(object)
    def _on_result(self, value: Any) -> None:
        if self._cancelled:
            return self._finish()
        self.result, self.done = value, True
        self.finished.emit(value)
        self.ended.emit()
        self._finish()

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        if self._cancelled:
            return self._finish()
        self.error, self.done = exc, True
        self.failed.emit(exc)
        self.ended.emit()
        self._finish()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if not self._cancelled:
            self.progress.emit(done, total, text)

    def _finish(self) -> None:
        runner = self.parent()
        if isinstance(runner, TaskRunner):
            runner._forget(self)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        self._task._run()


class TaskRunner(QObject):
    """The application's pool of worker threads (`AppState.tasks`); pages call `AppState.run`."""

    busy_changed = Signal(bool)
    progress = Signal(str, int, int, str)    # task name, done, total, text (for the status bar)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: set[Task] = set()

    def start(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None,
              on_progress: Callable[[int, int, str], None] | None = None,
              report: bool = False, name: str | None = None, owner: QObject | None = None,
              **kwargs: Any) -> Task:
        """Run `fn(*args, **kwargs)` on a worker; callbacks run on the GUI thread.

        With `report=True` the function also receives `report(done, total, text)`. With an
        `owner` (the window or page whose callbacks these are), the task is cancelled when the
        owner is destroyed: its callbacks would otherwise reach a deleted widget.
        """
        task = Task(fn, args, kwargs, name=name or getattr(fn, "__name__", "task"),
                    report=report, parent=self)
        if owner is not None:
            owner.destroyed.connect(task.cancel)
        if on_done is not None:
            task.finished.connect(on_done)
        if on_error is not None:
            task.failed.connect(on_error)
        if on_progress is not None:
            task.progress.connect(on_progress)
        task.progress.connect(lambda d, t, text, n=task.name: self.progress.emit(n, d, t, text))
        was_idle = not self._active
        self._active.add(task)
        if was_idle:
            self.busy_changed.emit(True)
        self.pool.start(_Runnable(task))
        return task

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def _forget(self, task: Task) -> None:
        self._active.discard(task)
        task.setParent(None)
        task.deleteLater()
        if not self._active:
            self.busy_changed.emit(False)

    def wait(self, timeout: float = 10.0) -> bool:
        """Process events until every task has delivered (tests and shutdown); True if idle."""
        deadline = time.monotonic() + timeout
        while self._active and time.monotonic() < deadline:
            self.pool.waitForDone(10)
            QCoreApplication.processEvents()
        QCoreApplication.processEvents()
        return not self._active

    def shutdown(self) -> None:
        for task in list(self._active):
            task.cancel()
        self.pool.clear()
        self.pool.waitForDone(3000)
