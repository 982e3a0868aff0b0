"""PyInstaller's entry script for the bundle: the same dispatcher as the `kubewallet` console script.

Subcommand modules are imported by name at run time (`kubewallet.cli.main.COMMANDS`), which static
analysis cannot see; build-bundle.sh passes `--collect-submodules kubewallet` for that reason.
Started through the symlink `kubectl_complete-wallet`, it answers kubectl's plugin completion
(the console script of the same name in the wheel).

For the bundle's smoke test only: with `KUBEWALLET_BUNDLE_SCREENSHOT=PATH` in the environment,
the GUI saves its main window to PATH (PNG) once it has shown and loaded, then quits — proof
that the bundled Qt, its platform plugin and the window all work in the built binary. It wraps
`QApplication.exec` rather than adding to the GUI's own options, so it exists in the bundle only.
"""

import os
import sys


def _screenshot_on_exec(path: str, settle_ms: int = 1500, limit_ms: int = 20000) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    original = QApplication.exec
    waited = {"ms": 0}

    def shoot() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
        if not windows and waited["ms"] < limit_ms:
            waited["ms"] += 100
            QTimer.singleShot(100, shoot)
            return
        if not windows:
            print("bundle screenshot: no main window was shown", file=sys.stderr)
            QApplication.exit(3)
            return
        ok = windows[0].grab().save(path, "PNG")
        print(f"bundle screenshot: {path}" if ok else f"bundle screenshot: cannot write {path}", file=sys.stderr)
        QApplication.exit(0 if ok else 3)

    def exec_and_shoot(*_args):  # app.exec() or QApplication.exec(): the original is static
        QTimer.singleShot(settle_ms, shoot)
        return original()

    QApplication.exec = exec_and_shoot  # type: ignore[method-assign]


_shot = os.environ.pop("KUBEWALLET_BUNDLE_SCREENSHOT", "")
if _shot:
    _screenshot_on_exec(_shot)

if os.path.basename(sys.argv[0]) == "kubectl_complete-wallet":   # kubectl's plugin completion
    from kubewallet.cli.completion import kubectl_complete

    raise SystemExit(kubectl_complete())

from kubewallet.cli.main import main  # noqa: E402

raise SystemExit(main())
