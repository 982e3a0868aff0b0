"""The Who am I page: identity per context, OIDC claim mapping saved per cluster, and the lint
findings with their Fix buttons (chmod, move to the real vault, renew)."""

from __future__ import annotations

import os
import stat

import pytest

from tests.gui.conftest import write_kubeconfig_data
from tests.support.inspect import Signer, legacy_sa_claims, oidc_claims

pytestmark = pytest.mark.gui
ISS = "https://issuer.example"


@pytest.fixture
def id_state(qtbot, tmp_path, pki, gui_settings, monkeypatch):
    from kubewallet.gui.state import AppState
    from kubewallet.kubeconfig import LoadingRules

    signer = Signer("ec")
    admin = pki.issue("kubernetes-admin", ("system:masters",), days=200)
    data = {
        "apiVersion": "v1", "kind": "Config", "current-context": "admin",
        "clusters": [{"name": "prod", "cluster": {"server": "https://127.0.0.1:6443",
                                                  "certificate-authority-data": pki.cert_b64}},
                     {"name": "sso", "cluster": {"server": "https://sso.example"}}],
        "users": [{"name": "admin", "user": {"client-certificate-data": admin.cert_b64,
                                             "client-key-data": admin.key_b64}},
                  {"name": "bot", "user": {"token": signer.sign(legacy_sa_claims("ci", "bot"))}},
                  {"name": "alice", "user": {"token": signer.sign(oidc_claims(
                      "u-1", iss=ISS, email="alice@example.com", groups=["dev"]))}}],
        "contexts": [{"name": "admin", "context": {"cluster": "prod", "user": "admin"}},
                     {"name": "bot", "context": {"cluster": "prod", "user": "bot"}},
                     {"name": "alice", "context": {"cluster": "sso", "user": "alice"}}],
    }
    path = write_kubeconfig_data(tmp_path / "kube" / "config", data)
    path.chmod(0o644)
    monkeypatch.setenv("KUBECONFIG", str(path))
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    state.load_now()
    state.path = path
    yield state
    state.tasks.shutdown()


def _page(qtbot, state, wait_tasks):
    from kubewallet.gui.pages.identity import IdentityPage

    page = IdentityPage(state)
    qtbot.addWidget(page)
    page.resize(1150, 760)
    page.show()
    wait_tasks(state)
    return page


def _select_finding(page, code: str, subject: str) -> None:
    row = next(i for i, f in enumerate(page.findings.findings) if (f.code, f.subject) == (code, subject))
    page.table.selectRow(row)


def test_whoami_per_context_and_claim_mapping(qtbot, id_state, wait_tasks, artifacts_dir):
    page = _page(qtbot, id_state, wait_tasks)
    assert page.result.identity.username == "kubernetes-admin"
    text = page.who_label.text()
    assert "system:masters" in text and "CN of users/admin client-certificate-data" in text
    codes = {(f.severity, f.code, f.subject) for f in page.findings.findings}
    assert {("error", "file-mode", str(id_state.path)), ("warning", "system-masters", "users/admin"),
            ("warning", "legacy-sa-token", "users/bot"), ("warning", "plaintext-secret", "users/alice")} <= codes
    assert page.lint_summary.text().startswith("Security lint: 1 errors")
    _select_finding(page, "system-masters", "users/admin")
    page.grab().save(str(artifacts_dir / "identity.png"))

    page.context_box.setCurrentText("alice")
    page.run_whoami()
    wait_tasks(id_state)
    assert page.result.identity.username == f"{ISS}#u-1"
    page.claim_fields["username_claim"].setText("email")
    page.claim_fields["groups_claim"].setText("groups")
    page.claim_fields["groups_prefix"].setText("oidc:")
    page.save_claims()
    wait_tasks(id_state)
    assert page.result.identity.username == "alice@example.com"
    assert page.result.identity.groups == ("oidc:dev", "system:authenticated")
    from kubewallet.inspect import claimrules

    assert claimrules.rules_for("sso").groups_prefix == "oidc:"


def test_fix_chmod_from_the_lint(qtbot, id_state, wait_tasks):
    page = _page(qtbot, id_state, wait_tasks)
    _select_finding(page, "file-mode", str(id_state.path))
    assert page.fix_button.isEnabled() and page.fix_button.text() == "Fix: chmod 600"
    page.fix_selected()
    wait_tasks(id_state)
    wait_tasks(id_state)
    assert stat.S_IMODE(os.stat(id_state.path).st_mode) == 0o600
    assert not any(f.code == "file-mode" for f in page.findings.findings)
    page.table.selectRow(0)


def test_fix_plaintext_moves_the_token_into_the_vault(qtbot, id_state, wait_tasks, secret_service):
    page = _page(qtbot, id_state, wait_tasks)
    _select_finding(page, "plaintext-secret", "users/bot")
    assert page.fix_button.text() == "Fix: move to the vault"
    page.fix_selected()
    qtbot.waitUntil(lambda: "users/bot" not in {f.subject for f in page.findings.findings
                                                  if f.code == "plaintext-secret"}, timeout=15000)
    body = id_state.workspace.users["bot"].body
    assert "token" not in body and body["exec"]["args"][:2] == ["credential", "get"]
    import yaml

    on_disk = {u["name"]: u["user"] for u in yaml.safe_load(id_state.path.read_text())["users"]}
    assert "token" not in on_disk["bot"] and "exec" in on_disk["bot"]
