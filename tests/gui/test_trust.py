"""The window you can trust with production: what is highlighted is what acts, what the editor
shows is what is saved, warnings stay until their cause is gone (issue 14)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import yaml
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from tests.gui.test_window import kubectl_current, window  # noqa: F401 - the fixture


def click_header(qtbot, page, column: int) -> None:
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_sorting_keeps_the_highlighted_row_on_the_entry_the_editor_shows(qtbot, window, app_state,  # noqa: F811
                                                                         wait_tasks, kubectl):
    page = window.page("Contexts")
    assert page.selected_name() == page.editor.name == "dev"  # the current context, not row 0
    assert page.select("staging")
    for _ in range(3):  # Name descending, ascending, descending: the highlight follows staging
        click_header(qtbot, page, 0)
        assert page.selected_name() == page.editor.name == "staging"
        row = page.table.currentIndex().row()
        assert page.proxy.index(row, 0).data(Qt.ItemDataRole.DisplayRole).endswith("staging")
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    wait_tasks(app_state)
    assert kubectl_current(kubectl) == "staging"


def test_ctrl_s_in_the_field_being_edited_saves_what_it_shows(qtbot, window, app_state, wait_tasks,  # noqa: F811
                                                              kubeconfig_file, kubectl):
    window.activateWindow()
    window.show_page("Clusters")
    page = window.page("Clusters")
    assert page.select("prod-cluster")
    field = page.editor.server
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "https://api.new.example.com:6443")
    assert window.save_action.isEnabled()  # typed in, not committed yet: Save is offered
    qtbot.keyClick(field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dialog = window.save_dialog
    assert dialog is not None and dialog.isVisible()
    assert "+    server: https://api.new.example.com:6443" in dialog.text(0)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_tasks(app_state)
    written = yaml.safe_load(kubeconfig_file.read_text())
    assert next(c for c in written["clusters"] if c["name"] == "prod-cluster")["cluster"]["server"] \
        == "https://api.new.example.com:6443"


def test_ctrl_z_in_a_field_undoes_the_window_edit_and_the_editor_shows_what_would_be_saved(
        qtbot, window, app_state, wait_tasks):  # noqa: F811
    window.activateWindow()
    window.show_page("Users")
    page = window.page("Users")
    assert page.select("ci-bot")
    old = app_state.workspace.users["ci-bot"].body["token"]
    field = page.editor.token.edit
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "tok-first")
    qtbot.keyClick(field, Qt.Key.Key_Return)  # committed: one edit on the stack
    assert app_state.workspace.users["ci-bot"].body["token"] == "tok-first"
    window.save()
    window.save_dialog.reject()  # cancelled: focus back in the field, as a person would have it
    field.setFocus()
    qtbot.keyClicks(field, "-and-more")  # typed on, not committed

    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    body = app_state.workspace.users["ci-bot"].body
    assert page.editor.token.text() == body["token"]  # the editor shows what Save would write
    assert body["token"] == "tok-first"  # the typed-on text became an edit, and that was undone
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert app_state.workspace.users["ci-bot"].body["token"] == old == page.editor.token.text()
    assert not app_state.is_dirty
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert app_state.workspace.users["ci-bot"].body["token"] == "tok-first" == page.editor.token.text()


def notices(win) -> str:
    """The text of every notice strip visible on top of the window."""
    from kubewallet.gui.widgets.banner import Banner

    return "\n".join(b.text for b in win.findChildren(Banner) if b.isVisible())


def expiring_kubeconfig(pki, days: int = 5) -> dict:
    from tests.gui.conftest import sample_kubeconfig

    data = sample_kubeconfig(pki)
    soon = pki.issue("jane", ("developers",), days=days)
    jane = next(u for u in data["users"] if u["name"] == "jane")["user"]
    jane.update({"client-certificate-data": soon.cert_b64, "client-key-data": soon.key_b64})
    return data


def test_the_expiry_warning_survives_a_switch_and_goes_when_dismissed(qtbot, kubeconfig_file, pki, gui_settings,
                                                                      wait_tasks, kubectl, artifacts_dir):
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules
    from tests.gui.conftest import write_kubeconfig_data

    write_kubeconfig_data(kubeconfig_file, expiring_kubeconfig(pki))
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.resize(1180, 720)
    win.show()
    state.load_now()
    qtbot.waitUntil(lambda: "jane" in notices(win), timeout=10_000)
    state.use_context("staging")
    wait_tasks(state)
    wait_tasks(state)  # the re-read after the switch, then the expiry check it starts
    assert kubectl_current(kubectl) == "staging"
    assert "jane" in notices(win) and "expires in" in notices(win)
    assert win.status_text.text() == "switched to context staging"  # what happened, not "loaded …"
    win.grab().save(str(artifacts_dir / "window-expiry-after-switch.png"))
    dismiss = win.expiry_banner.findChild(type(win.expiry_banner._close))
    dismiss.click()
    state.reload()
    wait_tasks(state)
    wait_tasks(state)
    assert not win.expiry_banner.isVisible()  # dismissed: not back at the next load
    state.tasks.shutdown()
    win.hide()


def test_an_imported_kubeconfig_gets_an_expiry_check(qtbot, tmp_path, monkeypatch, pki, gui_settings, wait_tasks):
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules
    from tests.gui.conftest import write_kubeconfig_data

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kube" / "config"))
    given = write_kubeconfig_data(tmp_path / "given.yaml", expiring_kubeconfig(pki, days=3))
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.show()
    state.load_now()
    wait_tasks(state)
    assert "jane" not in notices(win)
    assert "Import kubeconfig" in [a.text().replace("&", "").rstrip("…") for a in win.menuBar().actions()[0].menu().actions()]
    win.import_paths([str(given)])
    qtbot.waitUntil(lambda: "jane" in notices(win), timeout=20_000)
    state.tasks.shutdown()
    win.hide()


def test_import_is_in_the_palette_and_an_empty_search_says_so(qtbot, window, app_state, monkeypatch,  # noqa: F811
                                                              artifacts_dir):
    window.open_palette()
    palette = window.palette_dialog
    qtbot.keyClicks(palette.query, "import")
    assert palette.model.rowCount() >= 1
    first = palette.model.index(0).data(Qt.ItemDataRole.DisplayRole)
    assert "Import kubeconfig" in first
    chosen: list[bool] = []
    monkeypatch.setattr(window, "import_files", lambda: chosen.append(True))
    window.import_action.triggered.disconnect()
    window.import_action.triggered.connect(window.import_files)
    qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    assert chosen == [True]
    window.open_palette()
    qtbot.keyClicks(palette.query, "zzqqxx-nothing")
    assert palette.model.rowCount() == 0
    assert palette.empty.isVisible() and "No matches" in palette.empty.text()
    palette.grab().save(str(artifacts_dir / "palette-no-matches.png"))
    palette.hide()


def test_quitting_with_unsaved_edits_and_discard_is_clean(tmp_path, pki):
    """The real process: edit, quit, Discard; nothing on stderr (no 'Signal source has been
    deleted'), the file untouched."""
    from tests.gui.conftest import sample_kubeconfig, write_kubeconfig_data

    config = write_kubeconfig_data(tmp_path / "kube" / "config", sample_kubeconfig(pki))
    before = config.read_bytes()
    script = textwrap.dedent(f"""
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QMessageBox
        from kubewallet.gui import app as gui_app
        from kubewallet.kubeconfig import LoadingRules

        seen = []

        def drive():
            from PySide6.QtWidgets import QApplication
            window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "main-window")
            if window.state.workspace is None:
                QTimer.singleShot(50, drive)
                return
            page = window.page("Contexts")
            page.select("dev")
            page.editor.namespace.setEditText("edited")
            page.editor.namespace.lineEdit().editingFinished.emit()
            assert window.state.is_dirty

            def answer():
                box = window.close_question
                if box is None:
                    QTimer.singleShot(20, answer)
                    return
                seen.append(box.button(QMessageBox.StandardButton.Discard).text())
                box.button(QMessageBox.StandardButton.Discard).click()
            QTimer.singleShot(20, answer)
            window.quit()

        QTimer.singleShot(0, drive)
        code = gui_app.run(LoadingRules.from_env(explicit_path={str(config)!r}))
        print("discard-button=" + seen[0], flush=True)
        sys.exit(code)
        """)
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KUBECONFIG=str(config))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "discard-button=&Discard" in out.stdout  # a mnemonic: Alt+D
    platform_note = "This plugin does not support propagateSizeHints()"  # Qt's offscreen plugin
    assert [line for line in out.stderr.splitlines() if line != platform_note] == []  # no traceback
    assert config.read_bytes() == before


def test_one_shortcut_per_key_on_every_page_and_f5_reloads_the_page_in_view(qtbot, window, app_state,  # noqa: F811
                                                                            wait_tasks):
    window.activateWindow()
    for index, cls in enumerate(window.page_classes):
        window.show_page(index)
        seen: dict[str, str] = {}
        for action in window.findChildren(QAction):
            reachable = any(getattr(w, "isVisible", lambda: False)() for w in action.associatedObjects())
            if not (action.isEnabled() and reachable):
                continue
            for key in action.shortcuts():
                text = key.toString()
                assert text not in seen or seen[text] == action.text(), \
                    f"{cls.title}: {text} is bound to {seen[text]!r} and {action.text()!r}"
                seen[text] = action.text()
    for title in ("Certificates", "Who am I", "Contexts"):
        window.show_page(title)
        with qtbot.waitSignal(app_state.loading, timeout=2000, check_params_cb=lambda busy: not busy):
            qtbot.keyClick(window, Qt.Key.Key_F5)
        wait_tasks(app_state)


def test_the_smaller_things_say_what_is_true(qtbot, window, app_state, wait_tasks, artifacts_dir):  # noqa: F811
    """A new cluster gets no made-up server, counts agree in number, an empty list says so, the
    Tokens page opens on what to do, and Who am I offers the OIDC claim mapping only for tokens."""
    window.show_page("Clusters")
    clusters = window.page("Clusters")
    clusters.add_entry("fresh")
    assert app_state.workspace.clusters["fresh"].body.get("server", "") == ""
    assert clusters.editor.server_error.isVisibleTo(clusters) and "no server URL" in clusters.editor.server_error.text()
    clusters.filter.setText("prod")
    assert clusters.count.text() == "1 of 3"
    clusters.filter.setText("nothing-like-this")
    assert clusters.empty_label.isVisibleTo(clusters) and "No clusters match" in clusters.empty_label.text()
    clusters.filter.clear()

    window.show_page("Tokens")
    tokens = window.page("Tokens")
    assert tokens.empty_label.isVisibleTo(tokens) and not tokens.split.isVisibleTo(tokens)
    window.grab().save(str(artifacts_dir / "tokens-empty.png"))

    window.show_page("Who am I")
    who = window.page("Who am I")
    wait_tasks(app_state)
    assert who.context_box.currentText() == "dev"  # jane's client certificate
    assert not who.claims_box.isVisibleTo(who)
    who.context_box.setCurrentText("staging")  # ci-bot's bearer token
    who.run_whoami()
    wait_tasks(app_state)
    assert who.claims_box.isVisibleTo(who)


def test_one_plaintext_count_and_a_reason_on_every_disabled_action(qtbot, tmp_path, monkeypatch, gui_settings,
                                                                    wait_tasks, artifacts_dir):
    """The demo: the banner counts the users the Credentials page flags unsafe, the buttons that do
    not apply say why, and the words name the vault in use (an encrypted file here)."""
    import re

    from kubewallet.demo import build
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    demo = build(tmp_path / "demo")
    for key, value in demo.env.items():
        monkeypatch.setenv(key, value)
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.resize(1180, 720)
    win.show()
    state.load_now()
    wait_tasks(state, 30)
    counted = int(re.match(r"(\d+) users? keep", win.hint.text).group(1))
    win.show_page("Credentials")
    page = win.page("Credentials")
    wait_tasks(state, 30)
    unsafe = [page.model.index(r, 3).data() for r in range(page.model.rowCount())]
    flagged = [text for text in unsafe if text.startswith("unsafe")]
    assert counted == len(flagged) == 5
    assert "basic-user" in win.hint.text
    assert "keyring" not in page.secure_button.text() and "encrypted vault" in page.secure_button.text()

    page.select_user("basic-user")
    assert not page.secure_button.isEnabled() and not page.unsecure_button.isEnabled()
    assert "cannot move to the encrypted vault file" in page.reason_label.text()
    assert page.secure_button.toolTip() == page.reason_label.text()
    page.select_user("alice@prod-eu")  # secured by the demo: Restore applies, Move says why not
    assert page.unsecure_button.isEnabled() and not page.secure_button.isEnabled()
    assert "already in the encrypted vault file" in page.secure_button.toolTip()
    win.grab().save(str(artifacts_dir / "credentials-reasons.png"))
    state.tasks.shutdown()
    win.hide()
