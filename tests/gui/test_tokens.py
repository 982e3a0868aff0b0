"""The Tokens page: paste or pick a token, see claims, identity, countdown and signature state."""

from __future__ import annotations

import json

import pytest

from tests.gui.conftest import write_kubeconfig_data
from tests.support.inspect import Signer, bound_sa_claims, legacy_sa_claims, oidc_claims

pytestmark = pytest.mark.gui


@pytest.fixture
def token_state(qtbot, tmp_path, pki, gui_settings, monkeypatch):
    from kubewallet.gui.state import AppState
    from kubewallet.kubeconfig import LoadingRules

    signer = Signer("rsa")
    (tmp_path / "kube").mkdir()
    (tmp_path / "kube" / "sa.token").write_text(signer.sign(bound_sa_claims("team-a", "deployer")))
    data = {
        "apiVersion": "v1", "kind": "Config", "current-context": "sa",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "users": [{"name": "sa", "user": {"tokenFile": "sa.token"}},
                  {"name": "legacy", "user": {"token": signer.sign(legacy_sa_claims())}},
                  {"name": "cert", "user": {"client-certificate-data": pki.issue("x").cert_b64}}],
        "contexts": [{"name": "sa", "context": {"cluster": "c", "user": "sa"}},
                     {"name": "legacy", "context": {"cluster": "c", "user": "legacy"}}],
    }
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig_data(tmp_path / "kube" / "config", data)))
    state = AppState(LoadingRules.from_env(), settings=gui_settings)
    state.load_now()
    state.signer = signer
    yield state
    state.tasks.shutdown()


def _page(qtbot, state):
    from kubewallet.gui.pages.tokens import TokensPage

    page = TokensPage(state)
    page.vault_reader_factory = lambda: None
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def _tree_rows(model, parent=None, depth=0):
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    out = []
    for row in range(model.rowCount(parent)):
        cells = [model.index(row, c, parent).data() for c in range(3)]
        out.append((depth, *cells))
        out += _tree_rows(model, model.index(row, 0, parent), depth + 1)
    return out


def test_pick_a_bound_token_from_the_kubeconfig(qtbot, token_state, wait_tasks, artifacts_dir, tmp_path):
    page = _page(qtbot, token_state)
    items = [page.picker.itemText(i) for i in range(page.picker.count())]
    assert items == ["(paste a token)", "users/sa (tokenFile)", "users/legacy (token)"]
    page.pick_user("sa")
    wait_tasks(token_state)
    assert page.token_field.edit.echoMode() == page.token_field.edit.EchoMode.Password
    rows = _tree_rows(page.tree.model())
    assert (0, "Header", "", "") in rows and (0, "Claims", "", "") in rows
    assert (1, "alg", '"RS256"', "") in rows
    assert any(r[1] == "exp" and r[3].endswith("(in 59 minutes)") for r in rows)
    assert (2, "namespace", '"team-a"', "") in rows
    signature = next(r for r in rows if r[1] == "Signature")
    assert signature[2] == "256 bytes (hidden)"
    assert page.identity.username == "system:serviceaccount:team-a:deployer"
    assert "bound ServiceAccount token" in page.identity_label.text()
    assert page.countdown_label.text().startswith("expires in 00:59:")
    assert page.signature_label.text().startswith("unverified")

    (tmp_path / "jwks.json").write_text(json.dumps(token_state.signer.jwks))
    page.verify_source.setText(str(tmp_path / "jwks.json"))
    page.verify()
    wait_tasks(token_state)
    assert page.signature_label.text() == "signature verified"
    page.grab().save(str(artifacts_dir / "tokens.png"))


def test_legacy_token_and_countdown_ticks(qtbot, token_state, wait_tasks):
    page = _page(qtbot, token_state)
    page.pick_user("legacy")
    wait_tasks(token_state)
    assert page.countdown_label.text() == "never expires"
    assert "never expires: replace it" in page.identity_label.text()
    token = token_state.signer.sign(oidc_claims("1234", expires_in=5))
    page.token_field.setText(token)
    first = page.countdown_label.text()
    assert first.startswith("expires in 00:00:0")
    qtbot.waitUntil(lambda: page.countdown_label.text() != first, timeout=3000)
    assert page.identity.username == "https://issuer.example#1234"


def test_garbage_shows_a_precise_error_inline(qtbot, token_state):
    page = _page(qtbot, token_state)
    page.token_field.setText("not.a-token")
    assert page.banner.isVisible()
    assert page.banner.label.text() == ("a JWT has 3 segments separated by dots "
                                        "(header.claims.signature); this has 2")
    assert page.tree.model() is None
    page.token_field.setText("")
    assert not page.banner.isVisible()


def test_tokens_from_a_file_and_from_the_oidc_cache(qtbot, token_state, wait_tasks, tmp_path):
    from kubewallet.oidc.tokencache import CachedToken, TokenCache

    signer = token_state.signer
    id_token = signer.sign(oidc_claims("cached-user", iss="https://cache.example"))
    TokenCache().save("k1", CachedToken(id_token, 2e9, 1e9, "https://cache.example", "kubectl"))
    (tmp_path / "t.jwt").write_text(signer.sign(oidc_claims("file-user")) + "\n")
    page = _page(qtbot, token_state)
    wait_tasks(token_state)
    labels = [page.picker.itemText(i) for i in range(page.picker.count())]
    assert "oidc-login cache: https://cache.example (kubectl)" in labels
    page.open_file(str(tmp_path / "t.jwt"))
    wait_tasks(token_state)
    assert page.identity.username == "https://issuer.example#file-user"
    page.picker.setCurrentIndex(labels.index("oidc-login cache: https://cache.example (kubectl)"))
    page.picker.activated.emit(page.picker.currentIndex())
    wait_tasks(token_state)
    assert page.identity.username == "https://cache.example#cached-user"
