"""Start the desktop application: the QApplication, the state, the window, the first load.

`first_paint` timing hooks exist for tests/benchmarks/bench_gui.py: with `report_timings`, the
app prints when the window first painted and when the contexts were shown, then quits.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from kubewallet.gui.icons import app_icon


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or ["kubewallet"])
    app.setApplicationName("kubewallet")
    app.setOrganizationName("kubewallet")
    app.setApplicationDisplayName("kubewallet")
    app.setDesktopFileName("kubewallet")
    app.setWindowIcon(app_icon())
    # the platform theme's palette is used as is: the window follows the system light/dark scheme
    return app  # type: ignore[return-value]


class _PaintProbe(QObject):
    """Records the first paint of the window and the moment the contexts are on screen."""

    def __init__(self, window, start: float) -> None:
        super().__init__(window)
        self.window, self.start = window, start
        self.epoch = time.time() - (time.perf_counter() - start)  # wall-clock time of `start`
        self.painted: float | None = None
        self.loaded: float | None = None
        window.installEventFilter(self)
        window.state.workspace_changed.connect(self._loaded)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self.painted is None:
            self.painted = time.perf_counter() - self.start
            self._maybe_done()
        return False

    def _loaded(self) -> None:
        if self.loaded is None:
            self.window.repaint()
            self.loaded = time.perf_counter() - self.start
            self._maybe_done()

    def _maybe_done(self) -> None:
        if self.painted is not None and self.loaded is not None:
            rows = self.window.page(0).proxy.rowCount() if hasattr(self.window.page(0), "proxy") else -1
            # seconds since `kubewallet gui` started, and wall-clock stamps for a caller that
            # measures from the moment it spawned the process (tests/benchmarks/bench_gui.py)
            print(f"first_paint={self.painted:.4f} contexts_shown={self.loaded:.4f} rows={rows} "
                  f"first_paint_epoch={self.epoch + self.painted:.4f} "
                  f"contexts_shown_epoch={self.epoch + self.loaded:.4f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)


def _route_uncaught_errors(state) -> None:
    """A bug in a slot must not vanish into a terminal nobody watches, nor pop up a traceback:
    the status bar says something went wrong, the log gets the traceback."""
    import logging

    from kubewallet.gui.state import describe_error

    def hook(kind, exc, tb) -> None:
        logging.getLogger("kubewallet.gui").error("uncaught error", exc_info=(kind, exc, tb))
        state.message.emit("error", describe_error(exc))

    sys.excepthook = hook


def run(rules, *, page: str | None = None, report_timings: float | None = None) -> int:
    """Open the window on `rules` (kubectl's loading rules) and run the event loop."""
    app = make_app(sys.argv[:1])
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow

    state = AppState(rules)
    window = MainWindow(state)
    if page:
        titles = [c.title.lower() for c in window.page_classes]
        if page.lower() in titles:
            window.show_page(titles.index(page.lower()))
    if report_timings is not None:
        _PaintProbe(window, report_timings)
    _route_uncaught_errors(state)
    window.show()
    state.load()
    return app.exec()
