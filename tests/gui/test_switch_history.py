"""A switch made in the window (the Contexts list, the tray menu, the folder palette) leaves the
same trail as `kubewallet use`: `kubewallet use -`, run afterwards as a separate process, goes
back to the context the window left."""

from __future__ import annotations

import os
import subprocess

import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from tests.gui.test_window import kubectl_current, window  # noqa: F401 - the fixture


def use_back(kubewallet_cmd: list[str], **env: str) -> str:
    out = subprocess.run([*kubewallet_cmd, "use", "-"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, **env))
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


def test_enter_in_the_window_then_use_dash_returns(qtbot, window, app_state, wait_tasks, kubectl,  # noqa: F811
                                                   kubewallet_cmd):
    page = window.page("Contexts")
    assert page.select("staging")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    wait_tasks(app_state)
    assert kubectl_current(kubectl) == "staging"
    assert 'Switched to context "dev"' in use_back(kubewallet_cmd)
    assert kubectl_current(kubectl) == "dev"


def test_the_tray_menu_then_use_dash_returns(qtbot, window, app_state, wait_tasks, kubectl,  # noqa: F811
                                             kubewallet_cmd):
    from kubewallet.gui.tray import build_menu

    menu = build_menu(QMenu(window), window.tray_model, show_window=lambda: None, open_palette=lambda: None,
                      quit_app=lambda: None)
    next(a for a in menu.actions() if a.data() == "prod").trigger()
    wait_tasks(app_state)
    assert kubectl_current(kubectl) == "prod"
    use_back(kubewallet_cmd)
    assert kubectl_current(kubectl) == "dev"
    use_back(kubewallet_cmd)  # twice toggles, as kubectx - does
    assert kubectl_current(kubectl) == "prod"


def test_the_folder_palette_then_use_dash_returns(qtbot, app_state, wait_tasks, tmp_path, monkeypatch, kubectl,
                                                  kubewallet_cmd):
    from kubewallet.gui.window import MainWindow

    folder = tmp_path / "config.d"
    folder.mkdir()
    customer = folder / "acme.yaml"
    customer.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "acme", "cluster": {"server": "https://acme.example:6443"}}],
        "users": [{"name": "acme-admin", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": "acme-dev", "context": {"cluster": "acme", "user": "acme-admin"}}],
        "current-context": "acme-dev"}))
    customer.chmod(0o600)
    monkeypatch.setenv("KUBEWALLET_KUBECONFIG_DIRS", str(folder))
    main_file = os.environ["KUBECONFIG"]
    win = MainWindow(app_state)
    win.show()
    app_state.workspace_changed.emit()
    qtbot.waitUntil(lambda: win.folder_catalog is not None, timeout=10_000)
    item = next(i for i in win.palette_items() if i.kind == "folder-context" and i.name == "acme-dev")
    win.run_palette_item(item)
    qtbot.waitUntil(lambda: app_state.workspace is not None and "acme-dev" in app_state.workspace.contexts,
                    timeout=10_000)
    wait_tasks(app_state)
    # back in the main kubeconfig, on the context that was active when the window left it
    said = use_back(kubewallet_cmd, KUBECONFIG=main_file)
    assert 'Switched to context "dev"' in said
    assert kubectl_current(kubectl) == "dev"
    win.hide()
