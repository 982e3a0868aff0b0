"""The first run: no kubeconfig at all, and a kubeconfig that keeps secrets in plaintext."""

from __future__ import annotations

import pytest

DEMO_ENV = ("KUBEWALLET_VAULT_FILE", "KUBEWALLET_VAULT_PASSPHRASE", "KUBEWALLET_OIDC_CLAIMS_FILE", "KUBEWALLET_RBAC",
            "KUBEWALLET_NO_AGENT_AUTOSTART")


@pytest.fixture
def empty_window(qtbot, tmp_path, monkeypatch, gui_settings, wait_tasks):
    """A window started with KUBECONFIG naming a file that does not exist."""
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kube" / "config"))
    for name in DEMO_ENV:  # opening the demo sets these: recorded (set, then removed) so that
        monkeypatch.setenv(name, "")  # teardown removes them again; delenv alone records
        monkeypatch.delenv(name)      # nothing for a variable that is absent
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    win = MainWindow(state)
    win.resize(1180, 720)
    win.show()
    state.load_now()
    wait_tasks(state)
    yield win
    state.tasks.shutdown()
    win.hide()


def buttons(banner) -> list[str]:
    return [b.text() for b in banner.buttons()]


def test_no_kubeconfig_offers_the_demo_an_import_or_a_first_cluster(empty_window, qtbot, wait_tasks, artifacts_dir):
    win = empty_window
    assert win.hint.isVisible() and "No kubeconfig yet" in win.hint.text
    assert buttons(win.hint) == ["Open the demo", "Import a file…", "Create a cluster"]
    win.grab().save(str(artifacts_dir / "first-run.png"))
    win.open_demo()
    qtbot.waitUntil(lambda: win.state.workspace is not None and "staging" in win.state.workspace.contexts,
                    timeout=20_000)
    wait_tasks(win.state)
    assert win.state.current_context == "staging"
    assert "No kubeconfig yet" not in (win.hint.text if win.hint.isVisible() else "")


def test_import_from_the_welcome_brings_the_file_in(empty_window, qtbot, wait_tasks, tmp_path):
    import yaml

    from kubewallet.demo import build

    demo = build(tmp_path / "given")
    win = empty_window
    win.import_paths([str(demo.files[1])])
    qtbot.waitUntil(lambda: win.state.workspace is not None and "team-a" in win.state.workspace.contexts,
                    timeout=20_000)
    written = yaml.safe_load((tmp_path / "kube" / "config").read_text())
    assert {c["name"] for c in written["contexts"]} == {"team-a", "team-b"}
    assert (tmp_path / "kube" / "config").stat().st_mode & 0o777 == 0o600


def test_plaintext_secrets_get_a_one_time_dismissible_suggestion(qtbot, app_state, gui_settings, wait_tasks):
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    win = MainWindow(app_state)
    win.show()
    app_state.workspace_changed.emit()
    assert win.hint.isVisible() and "plaintext" in win.hint.text
    assert "ci-bot" in win.hint.text and "jane" in win.hint.text
    dismiss = next(b for b in win.hint.buttons() if b.text() == "Don't show again")
    dismiss.click()
    assert not win.hint.isVisible()
    win.hide()
    again = AppState(LoadingRules.from_env(), settings=gui_settings)
    second = MainWindow(again)
    again.load_now()
    assert not second.hint.isVisible()
    again.tasks.shutdown()
