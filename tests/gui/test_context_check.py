"""The Contexts page's Status column: filled by a background `check` at start and by "Check all
contexts", against the loopback API-server stand-in (a working token user, a revoked token, a
closed port, a listener that never answers, an exec plugin that needs a login); the window stays
responsive while a context waits out its timeout."""

from __future__ import annotations

import stat
import sys

import pytest

from tests.gui.conftest import write_kubeconfig_data
from tests.integration.probe.conftest import REVOKED, TOKEN, api, silent  # noqa: F401 (fixtures)
from tests.support.listeners import closed_port

pytestmark = pytest.mark.gui


@pytest.fixture
def check_state(qtbot, tmp_path, pki, api, silent, gui_settings, monkeypatch):
    from kubewallet.gui.state import AppState
    from kubewallet.kubeconfig import LoadingRules

    plugin = tmp_path / "kube" / "bin" / "login.py"
    plugin.parent.mkdir(parents=True)
    plugin.write_text(f"#!{sys.executable}\nimport sys\nprint('a browser login is needed', file=sys.stderr)\n"
                      "sys.exit(1)\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    ca = pki.cert_b64
    clusters = {"stub": api.cluster_entry(),
                "gone": {"server": f"https://127.0.0.1:{closed_port()}", "certificate-authority-data": ca},
                "hole": {"server": f"https://127.0.0.1:{silent.port}", "certificate-authority-data": ca}}
    users = {"alice": {"token": TOKEN}, "old": {"token": REVOKED},
             "sso": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "bin/login.py",
                              "args": ["oidc-login", "get-token"], "interactiveMode": "IfAvailable"}}}
    contexts = {"works": ("stub", "alice"), "revoked": ("stub", "old"), "deleted": ("gone", "alice"),
                "blackhole": ("hole", "alice"), "sso": ("stub", "sso")}
    data = {"apiVersion": "v1", "kind": "Config", "current-context": "works",
            "clusters": [{"name": n, "cluster": b} for n, b in clusters.items()],
            "users": [{"name": n, "user": b} for n, b in users.items()],
            "contexts": [{"name": n, "context": {"cluster": c, "user": u}} for n, (c, u) in contexts.items()]}
    path = write_kubeconfig_data(tmp_path / "kube" / "config", data)
    monkeypatch.setenv("KUBECONFIG", str(path))
    gui_settings.setValue("contexts/check_at_start", True)
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    state.load_now()
    yield state
    state.tasks.shutdown()


def _status(page) -> dict[str, tuple[str, str]]:
    from PySide6.QtCore import Qt

    model, col = page.model, page.model.status_column
    out = {}
    for row in range(model.rowCount()):
        index = model.index(row, col)
        out[model.rows[row].name] = (index.data(), index.data(Qt.ItemDataRole.ToolTipRole) or "")
    return out


def test_the_status_column_is_filled_at_start_without_blocking_the_window(qtbot, check_state, wait_tasks,
                                                                            artifacts_dir):
    from kubewallet.gui.checks import ContextChecks
    from kubewallet.gui.pages.contexts import ContextsPage

    checks = ContextChecks.of(check_state)
    checks.timeout = 2.0
    page = ContextsPage(check_state)
    qtbot.addWidget(page)
    page.resize(1250, 520)
    page.show()
    from PySide6.QtCore import Qt

    assert page.model.headerData(page.model.status_column, Qt.Orientation.Horizontal) == "Status"
    # the event loop keeps turning while the silent listener holds its context for 2 s
    qtbot.waitUntil(lambda: checks.busy, timeout=2000)
    qtbot.waitUntil(lambda: _status(page)["works"][0] == "ok", timeout=3000)
    assert checks.busy and _status(page)["blackhole"][0] == "checking…"
    wait_tasks(check_state)

    status = _status(page)
    assert status["works"][0] == "ok" and "works, as alice" in status["works"][1]
    assert status["revoked"][0] == "unauthorized" and "token refused (401)" in status["revoked"][1]
    assert status["deleted"][0] == "unreachable" and "nothing listens on" in status["deleted"][1]
    assert status["blackhole"][0] == "unreachable" and "within 2 s" in status["blackhole"][1]
    assert status["sso"][0] == "needs login"
    assert TOKEN not in "".join(t for _w, t in status.values())
    page.table.sortByColumn(page.model.status_column, Qt.SortOrder.AscendingOrder)
    assert [r.name for r in page.model.rows][-1] == "works"      # problems first, the one that works last
    page.grab().save(str(artifacts_dir / "contexts-status.png"))


def test_check_all_is_in_the_menu_palette_and_shortcut_and_can_be_turned_off_at_start(
        qtbot, check_state, wait_tasks, api):
    from kubewallet.gui.checks import ContextChecks
    from kubewallet.gui.window import MainWindow

    check_state.settings.setValue("contexts/check_at_start", False)
    window = MainWindow(check_state)
    qtbot.addWidget(window)
    window.show()
    wait_tasks(check_state)
    checks = ContextChecks.of(check_state)
    checks.timeout = 1.0
    assert checks.results == {} and api.requests == []      # the setting kept the start quiet

    file_menu = window.menuBar().actions()[0].menu()
    assert window.check_action in file_menu.actions()
    assert window.check_action.shortcut().toString() == "Ctrl+Shift+C"
    shortcuts = [a.shortcut().toString() for a in window.findChildren(type(window.check_action))
                 if not a.shortcut().isEmpty() and a is not window.check_action]
    assert "Ctrl+Shift+C" not in shortcuts
    assert "Check all contexts" in [i.name for i in window.palette_items() if i.kind == "action"]

    window.activateWindow()
    qtbot.keyClick(window, "C", modifier=qtbot_modifiers())
    qtbot.waitUntil(lambda: checks.busy or bool(checks.results), timeout=2000)
    wait_tasks(check_state)
    assert checks.results["works"].ok and not checks.results["revoked"].ok
    assert any(r.user == "alice" for r in api.authenticated())

    from kubewallet.gui.models.switching import PaletteItem

    checks.results.clear()
    window.run_palette_item(PaletteItem("action", "Check all contexts"))
    wait_tasks(check_state)
    assert set(checks.results) == {"works", "revoked", "deleted", "blackhole", "sso"}


def qtbot_modifiers():
    from PySide6.QtCore import Qt

    return Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

