"""Contexts of a kubeconfig folder (~/.kube/config.d style) in the command palette."""

from __future__ import annotations

import os
import subprocess

import yaml


def test_the_palette_offers_folder_contexts_and_opens_the_file_it_switched(
        qtbot, app_state, wait_tasks, tmp_path, monkeypatch, kubectl):
    from kubewallet.gui.window import MainWindow

    folder = tmp_path / "config.d"
    folder.mkdir()
    customer = folder / "acme.yaml"
    customer.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "acme", "cluster": {"server": "https://acme.example:6443"}}],
        "users": [{"name": "acme-admin", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": "acme-dev", "context": {"cluster": "acme", "user": "acme-admin", "namespace": "dev"}},
                     {"name": "acme-prod", "context": {"cluster": "acme", "user": "acme-admin"}}],
        "current-context": "acme-dev"}))
    customer.chmod(0o600)
    main_file = os.environ["KUBECONFIG"]
    main_before = open(main_file, "rb").read()
    monkeypatch.setenv("KUBEWALLET_KUBECONFIG_DIRS", str(folder))

    win = MainWindow(app_state)
    win.show()
    app_state.workspace_changed.emit()
    qtbot.waitUntil(lambda: win.folder_catalog is not None, timeout=10_000)
    folder_items = [i for i in win.palette_items() if i.kind == "folder-context"]
    assert {i.name for i in folder_items} == {"acme-dev", "acme-prod"}
    assert all("acme.yaml" in i.detail for i in folder_items)

    # The tray menu lists them too, in a submenu of their own.
    from PySide6.QtWidgets import QMenu

    from kubewallet.gui.tray import build_menu

    menu = build_menu(QMenu(), win.tray_model, show_window=lambda: None, open_palette=lambda: None,
                      quit_app=lambda: None)
    sub = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert sub.title() == "Kubeconfig folders"
    assert [a.data() for a in sub.actions()] == ["acme-dev", "acme-prod"]

    win.run_palette_item(next(i for i in folder_items if i.name == "acme-prod"))
    qtbot.waitUntil(lambda: app_state.workspace is not None and "acme-prod" in app_state.workspace.contexts,
                    timeout=10_000)
    wait_tasks(app_state)
    assert app_state.current_context == "acme-prod"
    assert [f.path for f in app_state.workspace.files] == [str(customer)]
    current = subprocess.run([kubectl, "config", "current-context"], capture_output=True, text=True,
                             env=dict(os.environ, KUBECONFIG=str(customer)), check=True).stdout.strip()
    assert current == "acme-prod"
    assert open(main_file, "rb").read() == main_before   # the main kubeconfig is not touched
    assert "kw acme-prod" in win.banner.text
    win.hide()
