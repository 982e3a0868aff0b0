# kubewallet's replacement for PyInstaller's PySide6 run-time hook (registered for 'PySide6' in
# ../rthooks.dat, which PyInstaller reads before its own and so uses instead).
#
# Why: PyInstaller's hook imports PySide6.QtCore at start-up (to register an in-memory qt.conf),
# which loads shiboken6, libQt6Core and ICU on *every* run, about 35 ms, although only `kubewallet
# gui` uses Qt: `kubewallet credential get` (run by kubectl on every call) and `kubewallet use`
# would pay it each time. Pointing Qt at the bundled plugins through QT_PLUGIN_PATH is all the
# window needs (checked by packaging/smoke-test.sh, offscreen and on Xvfb).


def _pyi_rthook():
    import os
    import sys

    qt = os.path.join(sys._MEIPASS, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")


_pyi_rthook()
del _pyi_rthook
