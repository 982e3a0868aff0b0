"""The system tray icon: a menu listing contexts (the current one checked) that switches them,
and a tooltip naming the current context and namespace.

The menu is rebuilt from `TrayMenuModel` (testable without a tray). Where no tray exists
(offscreen, a bare X server) `QSystemTrayIcon.isSystemTrayAvailable()` is False: no icon is
created and closing the window quits as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from kubewallet.gui.icons import app_icon
from kubewallet.gui.models.switching import TrayMenuModel


def build_menu(menu: QMenu, model: TrayMenuModel, *, show_window: Callable[[], None],
               open_palette: Callable[[], None], quit_app: Callable[[], None]) -> QMenu:
    """Fill `menu` from the model (also used by the tests, with no tray present)."""
    menu.clear()
    group = QActionGroup(menu)
    group.setExclusive(True)
    entries = model.entries()
    if not entries:
        empty = menu.addAction("No contexts")
        empty.setEnabled(False)
    for entry in entries:
        label = ("★ " if entry.favourite else "") + entry.name
        if entry.detail:
            label += f"  ({entry.detail})"
        action = QAction(label.replace("&", "&&"), menu)
        action.setCheckable(True)
        action.setChecked(entry.checked)
        action.setData(entry.name)
        action.triggered.connect(lambda _checked=False, n=entry.name: model.activate(n))
        group.addAction(action)
        menu.addAction(action)
    hidden = model.hidden_count()
    if hidden:
        more = menu.addAction(f"{hidden} more… (Ctrl+K)")
        more.triggered.connect(open_palette)
    if model.folder_contexts:
        folders = menu.addMenu("Kubeconfig folders")
        for label, file_name in model.folder_contexts:
            action = folders.addAction(f"{label}  ({file_name})".replace("&", "&&"))
            action.setData(label)
            action.triggered.connect(lambda _checked=False, name=label: model.activate_folder(name))
    menu.addSeparator()
    menu.addAction("Show kubewallet").triggered.connect(show_window)
    menu.addAction("Quit").triggered.connect(quit_app)
    return menu


class Tray:
    """Owns the tray icon when a tray exists; `available` says whether one does."""

    def __init__(self, model: TrayMenuModel, window: QWidget, *, open_palette: Callable[[], None],
                 quit_app: Callable[[], None]) -> None:
        self.model = model
        self.window = window
        self._open_palette, self._quit = open_palette, quit_app
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon: QSystemTrayIcon | None = None
        self.menu = QMenu(window)
        if self.available:
            self.icon = QSystemTrayIcon(app_icon(), window)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._activated)
            self.icon.show()
        model.changed.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        build_menu(self.menu, self.model, show_window=self.show_window, open_palette=self._open_palette,
                   quit_app=self._quit)
        if self.icon is not None:
            self.icon.setToolTip(self.model.tooltip())

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_window()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def notify(self, title: str, text: str) -> None:
        if self.icon is not None:
            self.icon.showMessage(title, text, app_icon(), 3000)
