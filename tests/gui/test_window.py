"""The workspace window driven as a person would: filter, select, edit, undo, save (with the diff
shown, the file written, the real kubectl reading it), switch from the list, the tray menu and
the palette, and pick up a change another program made. Screenshots go to artifacts_dir."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from kubewallet.gui.models.entries import NameRole


def kubectl_json(kubectl: str, *args: str) -> dict:
    out = subprocess.run([kubectl, "config", "view", "--raw", "-o", "json", *args], capture_output=True,
                         text=True, check=True, env=os.environ.copy(), timeout=30)
    return json.loads(out.stdout)


def kubectl_current(kubectl: str) -> str:
    return subprocess.run([kubectl, "config", "current-context"], capture_output=True, text=True,
                          check=True, env=os.environ.copy(), timeout=30).stdout.strip()


def context_ns(doc: dict, name: str) -> str | None:
    return next(c["context"].get("namespace") for c in doc["contexts"] if c["name"] == name)


@pytest.fixture
def window(qtbot, app_state, wait_tasks):
    from kubewallet.gui.window import MainWindow

    win = MainWindow(app_state)  # closed below, not by qtbot: it would meet the "save?" question
    win.resize(1180, 700)
    win.show()
    qtbot.waitExposed(win)
    wait_tasks(app_state)
    yield win
    app_state.undo_stack.setClean()  # no "save?" question while the fixture closes the window
    win.close()
    win.deleteLater()


def shown_names(page) -> list[str]:
    return [page.proxy.index(r, 0).data(NameRole) for r in range(page.proxy.rowCount())]


def test_filter_select_and_switch_with_enter(qtbot, window, app_state, wait_tasks, kubectl, artifacts_dir):
    page = window.page("Contexts")
    assert set(shown_names(page)) == {"dev", "staging", "prod", "orphan"}
    dev_row = page.model.rows[page.model.row_of("dev")]
    assert dev_row.current and page.model.data(page.model.index(page.model.row_of("dev"), 0)).startswith("●")
    orphan = page.model.rows[page.model.row_of("orphan")]
    assert "user 'gone' does not exist" in orphan.problems

    qtbot.keyClicks(page.filter, "payments")  # a namespace: the filter searches every column
    assert shown_names(page) == ["prod"]
    page.filter.clear()
    qtbot.keyClicks(page.filter, "stag")
    assert shown_names(page) == ["staging"]
    assert page.selected_name() == "staging" and page.editor.name == "staging"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    wait_tasks(app_state)
    assert kubectl_current(kubectl) == "staging"
    assert app_state.current_context == "staging"
    assert "staging" in window.context_label.text()
    assert not app_state.is_dirty  # switching is written at once, not an unsaved edit
    page.filter.clear()
    qtbot.wait(50)
    window.grab().save(str(artifacts_dir / "window-contexts.png"))


def test_edit_undo_redo_then_save_shows_diff_and_kubectl_reads_it(qtbot, window, app_state, wait_tasks,
                                                                   kubectl, kubeconfig_file, artifacts_dir):
    page = window.page("Contexts")
    assert page.select("dev")
    editor = page.editor
    editor.namespace.setEditText("team-a")
    editor.namespace.lineEdit().editingFinished.emit()
    assert app_state.workspace.contexts["dev"].body["namespace"] == "team-a"
    assert app_state.is_dirty and window.isWindowModified() and window.save_action.isEnabled()
    assert "team-a" in page.model.rows[page.model.row_of("dev")].cells

    window.undo_action.trigger()
    assert app_state.workspace.contexts["dev"].body["namespace"] == "default"
    assert editor.namespace.currentText() == "default"
    assert not app_state.is_dirty
    window.redo_action.trigger()
    assert app_state.workspace.contexts["dev"].body["namespace"] == "team-a"

    window.save_action.trigger()
    dialog = window.save_dialog
    assert dialog is not None and dialog.isVisible()
    diff = dialog.text(0)
    assert "-    namespace: default" in diff and "+    namespace: team-a" in diff
    assert dialog.tabs.tabText(0) == kubeconfig_file.name
    dialog.grab().save(str(artifacts_dir / "save-diff.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_tasks(app_state)
    assert not app_state.is_dirty and not window.isWindowModified()
    assert yaml.safe_load(kubeconfig_file.read_text())["contexts"][0]["context"]["namespace"] == "team-a"
    assert context_ns(kubectl_json(kubectl), "dev") == "team-a"
    # the secrets carried in the file stayed as they were (a load/save round trip)
    doc = kubectl_json(kubectl)
    assert next(u for u in doc["users"] if u["name"] == "ci-bot")["user"]["token"].startswith("tok-")


def test_save_diff_masks_secrets_until_revealed(qtbot, window, app_state):
    page = window.page("Users")
    assert page.select("ci-bot")
    page.editor.token.setText("tok-new-secret-value")
    page.editor.token.editingFinished.emit()
    window.save()
    dialog = window.save_dialog
    assert "tok-new-secret-value" not in dialog.text(0) and "token: REDACTED" in dialog.text(0)
    dialog.reveal.setChecked(True)
    assert "tok-new-secret-value" in dialog.text(0)
    dialog.reject()
    assert app_state.is_dirty


def test_cluster_editor_ca_summary_and_insecure_warning(qtbot, window, app_state, wait_tasks, artifacts_dir):
    window.show_page("Clusters")
    page = window.page("Clusters")
    assert page.select("prod-cluster")
    wait_tasks(app_state)
    editor = page.editor
    assert "CN=kubewallet-test-ca" in editor.ca_summary.text() and "expires" in editor.ca_summary.text()
    assert editor.tls_server_name.text() == "api.prod.example.com"
    assert not editor.insecure_warning.isVisible()
    editor.ca_mode.setCurrentText("System trust store")
    editor.ca_mode.activated.emit(0)
    editor.insecure.setChecked(True)
    wait_tasks(app_state)
    body = app_state.workspace.clusters["prod-cluster"].body
    assert body["insecure-skip-tls-verify"] is True and "certificate-authority-data" not in body
    assert editor.insecure_warning.isVisible() and "TLS verification is OFF" in editor.insecure_warning.text()
    row = page.model.rows[page.model.row_of("prod-cluster")]
    assert row.cells[2] == "verification OFF"
    window.grab().save(str(artifacts_dir / "window-clusters.png"))
    # two undo steps back to the embedded CA
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert app_state.workspace.clusters["prod-cluster"].body.get("certificate-authority-data")


def test_user_editor_masks_secrets_until_revealed(qtbot, window, app_state, artifacts_dir):
    window.show_page("Users")
    page = window.page("Users")
    assert page.select("ci-bot")
    editor = page.editor
    assert editor.cred_kind.currentText() == "token"
    assert editor.token.edit.echoMode() == editor.token.edit.EchoMode.Password
    editor.token.reveal.setChecked(True)
    assert editor.token.edit.echoMode() == editor.token.edit.EchoMode.Normal
    page.select("jane")
    assert editor.cred_kind.currentText() == "client certificate"
    assert not editor.token.revealed  # a reveal does not follow to the next user
    assert editor.key_data.edit.echoMode() == editor.key_data.edit.EchoMode.Password
    page.select("sso")
    assert editor.cred_kind.currentText() == "exec" and editor.exec_command.text() == "kubewallet"
    qtbot.wait(50)  # let the toolbar lay out the page's actions before the screenshot
    window.grab().save(str(artifacts_dir / "window-users.png"))


def test_rename_cluster_updates_contexts_and_delete_warns_about_dangling(qtbot, window, app_state):
    window.show_page("Clusters")
    page = window.page("Clusters")
    page.select("dev-cluster")
    assert page.rename_entry("dev-main", update_contexts=True) == "dev-main"
    ws = app_state.workspace
    assert "dev-cluster" not in ws.clusters and "dev-main" in ws.clusters
    assert ws.contexts["dev"].body["cluster"] == ws.contexts["staging"].body["cluster"] == "dev-main"
    window.undo_action.trigger()  # the rename and the context updates are one step
    assert "dev-cluster" in ws.clusters and ws.contexts["dev"].body["cluster"] == "dev-cluster"

    window.show_page("Users")
    users = window.page("Users")
    users.select("jane")
    users.delete_entry()
    assert "jane" not in app_state.workspace.users
    assert users.banner.level == "warning" and "dev" in users.banner.text and "point at nothing" in users.banner.text
    contexts = window.page("Contexts")
    assert "user 'jane' does not exist" in contexts.model.rows[contexts.model.row_of("dev")].problems
    undo = users.banner.buttons()[0]
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    assert "jane" in app_state.workspace.users and not users.banner.isVisible()


def test_add_and_duplicate_go_to_the_files_kubectl_would_pick(qtbot, window, app_state, wait_tasks,
                                                             kubectl, kubeconfig_file):
    page = window.page("Contexts")
    assert page.add_entry("new-ctx") == "new-ctx"
    assert page.selected_name() == "new-ctx"
    page.select("prod")
    assert page.duplicate_entry("prod-copy") == "prod-copy"
    assert app_state.workspace.contexts["prod-copy"].body["namespace"] == "payments"
    app_state.save()
    wait_tasks(app_state)
    names = {c["name"] for c in kubectl_json(kubectl)["contexts"]}
    assert {"new-ctx", "prod-copy"} <= names


def test_tray_menu_model_switches_and_names_context_in_tooltip(qtbot, window, app_state, wait_tasks, kubectl):
    from kubewallet.gui.tray import build_menu

    model = window.tray_model
    assert window.tray.available is False  # offscreen: no tray host; the window copes
    entries = {e.name: e for e in model.entries()}
    assert entries["dev"].checked and not entries["prod"].checked
    assert "context: dev" in model.tooltip() and "namespace: default" in model.tooltip()

    menu = build_menu(QMenu(window), model, show_window=lambda: None, open_palette=lambda: None,
                      quit_app=lambda: None)
    prod = next(a for a in menu.actions() if a.data() == "prod")
    prod.trigger()
    wait_tasks(app_state)
    assert kubectl_current(kubectl) == "prod"
    assert "context: prod" in model.tooltip() and "namespace: payments" in model.tooltip()
    rebuilt = {a.data(): a.isChecked() for a in window.tray.menu.actions() if a.data()}
    assert rebuilt["prod"] and not rebuilt["dev"]

    page = window.page("Contexts")
    page.toggle_favourite("staging")
    assert model.entries()[0].name == "staging" and model.entries()[0].favourite
    assert page.model.rows[0].name == "staging"  # favourites pinned on the page too


def test_palette_switches_context_and_namespace(qtbot, window, app_state, wait_tasks, kubectl, artifacts_dir):
    window.palette_action.trigger()
    palette = window.palette_dialog
    assert palette.isVisible()
    qtbot.keyClicks(palette.query, "stg")  # fuzzy: s-t-g in order
    first = palette.model.shown[0]
    assert (first.kind, first.name) == ("context", "staging")
    palette.grab().save(str(artifacts_dir / "command-palette.png"))
    qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    wait_tasks(app_state)
    assert not palette.isVisible()
    assert kubectl_current(kubectl) == "staging"

    window.open_palette()
    qtbot.keyClicks(palette.query, "paymen")
    item = palette.model.shown[0]
    assert (item.kind, item.name) == ("namespace", "payments")
    qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    wait_tasks(app_state)
    assert context_ns(kubectl_json(kubectl), "staging") == "payments"
    assert app_state.workspace.contexts["staging"].body["namespace"] == "payments"


def test_outside_change_reloads_and_with_edits_offers_reload_or_keep(qtbot, window, app_state, wait_tasks,
                                                                     kubectl, artifacts_dir):
    subprocess.run([kubectl, "config", "set-context", "prod", "--namespace=outside-1"], check=True,
                   capture_output=True, env=os.environ.copy(), timeout=30)
    qtbot.waitUntil(lambda: app_state.workspace.contexts["prod"].body.get("namespace") == "outside-1",
                    timeout=5000)
    wait_tasks(app_state)
    assert not window.banner.isVisible()

    page = window.page("Contexts")
    page.select("dev")
    page.editor.namespace.setEditText("mine")
    page.editor.namespace.lineEdit().editingFinished.emit()
    subprocess.run([kubectl, "config", "set-context", "prod", "--namespace=outside-2"], check=True,
                   capture_output=True, env=os.environ.copy(), timeout=30)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert window.banner.level == "warning" and "changed on disk" in window.banner.text
    qtbot.wait(50)
    window.grab().save(str(artifacts_dir / "window-outside-change.png"))
    assert app_state.workspace.contexts["dev"].body["namespace"] == "mine"  # nothing lost yet
    keep = next(b for b in window.banner.buttons() if "Keep" in b.text())
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    wait_tasks(app_state)
    ws = app_state.workspace
    assert ws.contexts["prod"].body["namespace"] == "outside-2"   # their change
    assert ws.contexts["dev"].body["namespace"] == "mine"         # my edit, still unsaved
    assert app_state.is_dirty
    app_state.save()
    wait_tasks(app_state)
    doc = kubectl_json(kubectl)
    assert context_ns(doc, "prod") == "outside-2" and context_ns(doc, "dev") == "mine"


def test_revert_drops_edits(qtbot, window, app_state, wait_tasks):
    page = window.page("Contexts")
    page.select("dev")
    page.delete_entry()
    assert "dev" not in app_state.workspace.contexts
    window.revert_action.trigger()
    wait_tasks(app_state)
    assert "dev" in app_state.workspace.contexts and not app_state.is_dirty


def test_broken_kubeconfig_is_shown_inline(qtbot, tmp_path, gui_settings, wait_tasks, monkeypatch):
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    bad = tmp_path / "bad-config"
    bad.write_text("apiVersion: v1\nclusters:\n  - name: x\n    cluster: [unclosed\n")
    state = AppState(LoadingRules.from_env(str(bad)), settings=gui_settings)
    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    state.load()
    wait_tasks(state)
    assert win.banner.isVisible() and win.banner.level == "error"
    assert "bad-config" in win.banner.text and "Traceback" not in win.banner.text
    assert bad.read_text().endswith("[unclosed\n")  # never overwritten


def test_geometry_and_last_page_are_remembered(qtbot, app_state, wait_tasks):
    from kubewallet.gui.window import MainWindow

    first = MainWindow(app_state)
    qtbot.addWidget(first)
    first.resize(780, 520)  # inside the offscreen 800x600 screen: restoreGeometry clamps to it
    first.show()
    first.show_page("Users")
    first.close()
    second = MainWindow(app_state)
    qtbot.addWidget(second)
    assert second.stack.currentIndex() == [c.title for c in second.page_classes].index("Users")
    assert (second.size().width(), second.size().height()) == (780, 520)


def test_every_action_has_a_shortcut_and_widgets_have_accessible_names(window):
    from PySide6.QtWidgets import QLineEdit, QTableView

    for action in [window.save_action, window.undo_action, window.redo_action, window.revert_action,
                   window.reload_action, window.palette_action, window.quit_action, *window.go_actions]:
        assert not action.shortcut().isEmpty(), action.text()
    for title in ("Contexts", "Clusters", "Users"):
        page = window.page(title)
        for action in page.page_actions():
            assert not action.shortcut().isEmpty(), action.text()
        for widget in page.findChildren(QLineEdit) + page.findChildren(QTableView):
            if widget.isVisibleTo(page) and widget.parent() is not None \
                    and not isinstance(widget.parent(), type(window.sidebar)):
                assert widget.accessibleName() or widget.parent().accessibleName(), widget


def test_demo_opens_the_window(kubewallet_cmd, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    out = subprocess.run([*kubewallet_cmd, "--demo", "--report-startup"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    fields = dict(item.split("=") for item in out.stdout.split())
    assert int(fields["rows"]) > 0


def test_switching_leaves_unsaved_edits_unsaved(qtbot, window, app_state, wait_tasks, kubectl, kubeconfig_file):
    page = window.page("Contexts")
    page.select("prod")
    page.editor.namespace.setEditText("edited")
    page.editor.namespace.lineEdit().editingFinished.emit()
    page.select("staging")
    page.activate(page.table.currentIndex())
    wait_tasks(app_state)
    assert kubectl_current(kubectl) == "staging"
    assert context_ns(kubectl_json(kubectl), "prod") == "payments"      # the edit was not written
    assert app_state.workspace.contexts["prod"].body["namespace"] == "edited"  # and not lost
    assert app_state.is_dirty and list(app_state.pending_diff()) == [kubeconfig_file]


def test_demo_workspace_several_files_progress_and_undo_keeps_the_file(qtbot, tmp_path, monkeypatch,
                                                                      gui_settings, wait_tasks, artifacts_dir):
    from kubewallet.demo import build
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    demo = build(tmp_path / "demo")
    for key, value in demo.env.items():
        monkeypatch.setenv(key, value)
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.resize(1180, 700)
    win.show()
    with qtbot.waitSignal(state.workspace_changed, timeout=10000):
        progress = []
        state.load_progress.connect(lambda d, t, text: progress.append((d, t, text)))
        state.load()
    wait_tasks(state)
    assert progress[-1][:2] == (len(demo.files), len(demo.files))
    assert any(demo.files[1].name in text for _d, _t, text in progress)
    page = win.page("Contexts")
    assert not page.table.isColumnHidden(page.model.columnCount() - 1)  # the File column
    second = str(demo.files[1])
    name = next(n for n, e in state.workspace.contexts.items() if e.file == second)
    page.select(name)
    page.delete_entry()
    assert name not in state.workspace.contexts
    win.undo_action.trigger()
    assert state.workspace.contexts[name].file == second  # back in its own file, not the first
    assert not page.banner.isVisible()  # its Undo button would now undo something else
    qtbot.wait(50)
    win.grab().save(str(artifacts_dir / "window-demo.png"))
    state.undo_stack.setClean()
    win.close()


def test_live_in_tray_is_a_remembered_setting_and_without_a_tray_close_closes(qtbot, app_state):
    from kubewallet.gui import settings as keys
    from kubewallet.gui.window import MainWindow

    win = MainWindow(app_state)
    win.show()
    win.tray_action.trigger()
    assert keys.flag(app_state.settings, keys.LIVE_IN_TRAY)
    assert win.close()  # no tray host offscreen: hiding would leave the person no way back
    again = MainWindow(app_state)
    assert again.tray_action.isChecked()
    again.close()


def test_keyboard_reaches_palette_pages_and_filter(qtbot, window, app_state):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.page("Clusters")
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    page = window.page("Contexts")
    assert window.stack.currentWidget() is page
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter.hasFocus()
    qtbot.keyClicks(page.filter, "orph")
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.selected_name() == "orphan"
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.palette_dialog is not None and window.palette_dialog.isVisible()
    qtbot.keyClick(window.palette_dialog.query, Qt.Key.Key_Escape)
    assert not window.palette_dialog.isVisible()


def test_user_kind_change_is_one_undoable_edit(qtbot, window, app_state):
    window.show_page("Users")
    page = window.page("Users")
    page.select("ci-bot")
    editor = page.editor
    editor.cred_kind.setCurrentText("exec")
    editor.cred_kind.activated.emit(editor.cred_kind.currentIndex())
    body = app_state.workspace.users["ci-bot"].body
    assert "token" not in body and body["exec"]["apiVersion"] == "client.authentication.k8s.io/v1"
    editor.exec_command.setText("aws")
    editor.exec_args.setText("eks get-token --cluster-name 'my cluster'")
    editor.exec_args.editingFinished.emit()
    assert app_state.workspace.users["ci-bot"].body["exec"]["args"][-1] == "my cluster"
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert app_state.workspace.users["ci-bot"].body["token"].startswith("tok-")


def test_without_a_display_the_command_says_so(kubewallet_cmd):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run(kubewallet_cmd, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("error: no display") and "Traceback" not in out.stderr


def test_a_certificate_about_to_expire_is_announced_on_top_of_the_window(qtbot, kubeconfig_file, pki,
                                                                          gui_settings, wait_tasks, artifacts_dir):
    """The warning a person sees on start when a client certificate expires within 14 days."""
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules
    from tests.gui.conftest import sample_kubeconfig, write_kubeconfig_data

    data = sample_kubeconfig(pki)
    soon = pki.issue("jane", ("developers",), days=5)
    jane = next(u for u in data["users"] if u["name"] == "jane")["user"]
    jane.update({"client-certificate-data": soon.cert_b64, "client-key-data": soon.key_b64})
    write_kubeconfig_data(kubeconfig_file, data)
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.resize(1180, 720)
    win.show()
    state.load_now()
    wait_tasks(state)
    qtbot.waitUntil(lambda: win.expiry_notice is not None, timeout=10_000)
    assert win.expiry_banner.isVisible() and "jane" in win.expiry_banner.text and "expires in" in win.expiry_banner.text
    win.grab().save(str(artifacts_dir / "window-expiry-warning.png"))
    win.show_page("Contexts")
    state.tasks.shutdown()
    win.hide()
