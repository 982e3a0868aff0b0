"""The Access page: load manifests off the GUI thread, pick an identity, ask, matrix, who-can, risks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from kubewallet.gui.pages.access import AccessPage
from tests.unit.rbac.policies import SAMPLE

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, app_state, wait_tasks):
    page = AccessPage(app_state)
    qtbot.addWidget(page)
    page.resize(1180, 760)
    page.show()
    page.activated()
    wait_tasks(app_state)
    return page


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / "rbac.yaml"
    path.write_text(SAMPLE + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    return path


def _ask(page, verb, resource, namespace="", name="", sub=""):
    page.verb_box.setCurrentText(verb)
    page.resource_box.setCurrentText(resource)
    page.namespace_box.setCurrentText(namespace or "(cluster-wide)")
    page.name_edit.setText(name)
    page.subresource_edit.setText(sub)
    page.ask_button.click()
    return page.verdict_label.text(), page.explanation.toPlainText()


def test_load_ask_matrix_who_can_risks(qtbot, page, app_state, wait_tasks, policy_file, artifacts_dir):
    page.defaults_box.setChecked(False)
    wait_tasks(app_state)
    seen = []
    page.progress.valueChanged.connect(lambda v: seen.append(v))
    page.load_paths([str(policy_file)])
    wait_tasks(app_state)
    assert "1 Roles, 3 ClusterRoles, 3 RoleBindings, 4 ClusterRoleBindings" in page.summary_label.text()
    assert "ignored 1 other object(s) (1 ConfigMap)" in page.summary_label.text()
    assert seen and page.progress.isHidden()

    # the kubeconfig's current context (jane's client certificate) is an identity to pick
    assert page.identity_picker.itemText(0).startswith("Current context (dev): jane")

    page.select_subject("User", "alice")
    verdict, why = _ask(page, "get", "pods", "dev")
    assert verdict.startswith("✔  yes")
    assert 'RoleBinding "alice-reads/dev" of Role "pod-reader" to User "alice"' in why
    verdict, why = _ask(page, "get", "pods", "prod")
    assert verdict.startswith("✖  no")
    assert "RoleBinding dev/alice-reads grants this, but in namespace dev" in why

    page.select_subject("ServiceAccount", "ci", "dev")
    assert page.user_edit.text() == "system:serviceaccount:dev:ci"
    verdict, _ = _ask(page, "update", "deploy", "dev", sub="scale")
    assert verdict.startswith("✔  yes")

    page.tabs.setCurrentIndex(1)
    page.matrix_namespace.setCurrentText("dev")
    model = page.matrix_model
    rows = {model.data(model.index(r, 0)): r for r in range(model.rowCount())}
    assert model.allowed(rows["deployments.apps"], "create") and not model.allowed(rows["secrets"], "get")
    page.matrix_only_allowed.setChecked(True)
    assert model.rowCount() < len(rows) and model.rowCount() > 0

    page.tabs.setCurrentIndex(0)
    page.who_button.click()
    who = [page.who_model.data(page.who_model.index(r, 0)) for r in range(page.who_model.rowCount())]
    assert who == ["Group ops", "ServiceAccount dev/ci", "Group deployers"]  # cluster bindings first
    assert page.tabs.currentIndex() == 2

    page.defaults_box.setChecked(True)
    wait_tasks(app_state)
    page.severity_box.setCurrentText("high")
    wait_tasks(app_state)
    risks = [(page.risks_model.data(page.risks_model.index(r, 0)), page.risks_model.data(page.risks_model.index(r, 1)))
             for r in range(page.risks_model.rowCount())]
    assert ("critical", "Group system:masters") in risks and ("high", "User support") in risks

    page.tabs.setCurrentIndex(0)
    page.select_subject("User", "carol")
    _ask(page, "create", "widgets.example.com", "team-a", "w1")
    assert "aggregated from system:aggregate-to-edit, view, widget-admin" in page.explanation.toPlainText()
    page.grab().save(str(artifacts_dir / "access.png"))
    page.tabs.setCurrentIndex(1)
    page.matrix_only_allowed.setChecked(False)
    page.grab().save(str(artifacts_dir / "access-matrix.png"))
    page.tabs.setCurrentIndex(3)
    page.grab().save(str(artifacts_dir / "access-risks.png"))


def test_custom_identity_and_drop(qtbot, page, app_state, wait_tasks, policy_file):
    page.identity_picker.setCurrentIndex(page.identity_picker.findData("custom"))
    page.user_edit.setText("dave")
    page.groups_edit.setText("ops")
    page.user_edit.editingFinished.emit()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(policy_file))])
    event = QDropEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    page.dropEvent(event)
    wait_tasks(app_state)
    assert page.paths == [str(policy_file)]
    verdict, why = _ask(page, "get", "/logs/kube.log")
    assert verdict.startswith("✔  yes"), why
    assert "dave" in page.identity_label.text() and "ops" in page.identity_label.text()


def test_broken_manifest_shows_inline_and_keeps_the_previous_policy(qtbot, page, app_state, wait_tasks,
                                                                   policy_file, tmp_path):
    page.load_paths([str(policy_file)])
    wait_tasks(app_state)
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Role\nmetadata: [\n")
    page.load_paths([str(bad)])
    wait_tasks(app_state)
    assert page.banner.level == "error" and "bad.yaml:3:1: YAML" in page.banner.text
    assert page.loaded is not None and page.paths == [str(policy_file)]


def test_large_dump_loads_off_the_gui_thread_with_progress(qtbot, page, app_state, wait_tasks, tmp_path):
    import json

    folder = tmp_path / "dump"
    folder.mkdir()
    for i in range(12):
        items = [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                  "metadata": {"name": f"b{j}", "namespace": f"ns-{i}"},
                  "roleRef": {"kind": "ClusterRole", "name": "view"},
                  "subjects": [{"kind": "User", "name": f"u{j}"}]} for j in range(300)]
        (folder / f"part-{i:02d}.json").write_text(json.dumps({"kind": "List", "items": items}))
    texts = []
    page.progress.setFormat("")
    page.load_paths([str(folder)], replace=True)
    task = page._keyed_tasks["load"]
    task.progress.connect(lambda d, t, text: texts.append((d, t, text)))
    assert page.progress.isVisible()  # the GUI thread is free while the worker reads
    wait_tasks(app_state)
    assert texts and texts[-1][0] == texts[-1][1] == 13
    assert page.loaded.report.counts["RoleBinding"] == 3600


def test_a_subresource_on_a_url_is_refused_as_can_i_refuses_it(qtbot, page, app_state, wait_tasks, policy_file,
                                                               artifacts_dir):
    page.load_paths([str(policy_file)])
    wait_tasks(app_state)
    page.identity_picker.setCurrentIndex(page.identity_picker.findData("custom"))
    page.user_edit.setText("dave")
    page.groups_edit.setText("ops")
    page.user_edit.editingFinished.emit()
    verdict, _ = _ask(page, "get", "/logs/kube.log")
    assert verdict.startswith("✔  yes")
    _ask(page, "get", "/logs/kube.log", sub="status")
    assert page.banner.level == "error"
    assert "--subresource can not be used with NonResourceURL" in page.banner.text
    page.grab().save(str(artifacts_dir / "access-subresource-on-url.png"))
    page.who_button.click()
    assert "--subresource can not be used with NonResourceURL" in page.banner.text
    page.subresource_edit.setText("")
    _ask(page, "get", "/logs/kube.log")
    assert not page.banner.isVisible() or page.banner.level != "error"


def test_warnings_are_kubectls(qtbot, page, app_state, wait_tasks, policy_file):
    page.load_paths([str(policy_file)])
    wait_tasks(app_state)
    page.select_subject("User", "alice")
    _, why = _ask(page, "frobnicate", "nodes", "dev")
    assert "note: resource 'nodes' is not namespace scoped\nverb 'frobnicate' is not a known verb" in why


def test_the_demo_answers_from_its_manifests_and_follows_the_current_context(qtbot, tmp_path, monkeypatch,
                                                                            gui_settings, wait_tasks, artifacts_dir):
    """The demo's Access page, as a person first sees it: the demo's RBAC loaded, the question in
    the current context's namespace, and a switch clears the previous identity's answer."""
    from kubewallet.demo import build
    from kubewallet.gui.state import AppState
    from kubewallet.gui.window import MainWindow
    from kubewallet.kubeconfig import LoadingRules

    demo = build(tmp_path / "demo")
    for key, value in demo.env.items():
        monkeypatch.setenv(key, value)
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    state.load_now()
    win = MainWindow(state)
    win.resize(1180, 720)
    win.show()
    win.show_page("Access")
    page = win.page("Access")
    qtbot.waitUntil(lambda: page.loaded is not None and page.context_identity is not None, timeout=20_000)
    wait_tasks(state, 30)
    assert "demo-policy.yaml" in page.summary_label.toolTip()
    assert state.current_context == "staging" and page.context_identity.user == "deploy-bot"
    assert page.namespace_box.currentText() == "web"  # the context's namespace, not cluster-wide
    page.verb_box.setCurrentText("update")
    page.resource_box.setCurrentText("deployments")
    page.ask_button.click()
    assert page.verdict_label.text().startswith("✔  yes")
    assert 'Role "web-deployer"' in page.explanation.toPlainText()
    win.grab().save(str(artifacts_dir / "access-demo.png"))

    state.use_context("ci")
    qtbot.waitUntil(lambda: state.current_context == "ci", timeout=10_000)
    assert not page.verdict_label.text().startswith("✔")  # deploy-bot's answer is not left on screen
    qtbot.waitUntil(lambda: page.context_identity is not None
                    and page.context_identity.user == "system:serviceaccount:ci:builder", timeout=20_000)
    wait_tasks(state, 30)
    assert page.namespace_box.currentText() == "ci"
    assert page.verdict_label.text().startswith("✖  no")  # the builder may not update deployments
    page.verb_box.setCurrentText("create")
    page.resource_box.setCurrentText("pods")
    page.ask_button.click()
    assert page.verdict_label.text().startswith("✔  yes")
    state.tasks.shutdown()
    win.hide()
