"""The workspace-facing core (sources, report, whoami, notify) on kubeconfigs written here and
loaded by the real kubeconfig engine."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from kubewallet.inspect import notify, report, sources
from kubewallet.inspect.whoami import whoami
from kubewallet.kubeconfig import LoadingRules, load_workspace

NOW = dt.datetime.now(dt.timezone.utc)


def _ws(tmp_path, users, contexts=None, clusters=None, current=""):
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": current,
           "clusters": [{"name": n, "cluster": b} for n, b in (clusters or [("c", {"server": "https://x"})])],
           "users": [{"name": n, "user": b} for n, b in users],
           "contexts": [{"name": n, "context": b} for n, b in
                        (contexts or [(n, {"cluster": "c", "user": n}) for n, _ in users])]}
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    return load_workspace(LoadingRules.from_env(str(path)))


@pytest.mark.parametrize(("exec_body", "ref"), [
    ({"command": "kubewallet", "args": ["credential", "get", "--ref", "users/a"]}, "users/a"),
    ({"command": "/opt/bin/kubewallet", "args": ["credential", "get", "--ref=users/b", "--user", "b"]}, "users/b"),
    ({"command": "kubectl", "args": ["wallet", "credential", "get", "--ref", "users/c"]}, "users/c"),
    ({"command": "kubectl-wallet", "args": ["credential", "get", "--ref", "x"]}, "x"),
    ({"command": "kubewallet", "args": ["oidc-login", "get-token"]}, None),
    ({"command": "aws", "args": ["eks", "get-token", "--ref", "x"]}, None),
    ({"command": "kubewallet", "args": ["credential", "get", "--ref"]}, None),
    ({"command": None, "args": None}, None),
])
def test_kubewallet_ref(exec_body, ref):
    assert sources.kubewallet_ref(exec_body) == ref


def test_vault_credential_forms():
    store = {"t": "plain-token", "j": '{"token": "tok"}', "c": '{"clientCertificateData": "P", "clientKeyData": "K"}',
             "bad": '{"other": 1}'}
    read = store.get
    assert sources.read_vault_credential("t", read).token == "plain-token"
    assert sources.read_vault_credential("j", read).token == "tok"
    got = sources.read_vault_credential("c", read)
    assert (got.cert_pem, got.key_pem, got.token) == ("P", "K", None)
    assert "holds no token and no client certificate" in sources.read_vault_credential("bad", read).error
    assert "holds nothing under nope" in sources.read_vault_credential("nope", read).error
    assert sources.read_vault_credential("t", None).error == "in the vault (t); not read"

    from kubewallet.errors import VaultLockedError

    def locked(_ref):
        raise VaultLockedError("the vault is locked", hint="unlock it")

    assert "cannot be read now: the vault is locked (unlock it)" in sources.read_vault_credential("t", locked).error


def test_data_field_wins_over_file(tmp_path, pki):
    issued = pki.issue("jane")
    ws = _ws(tmp_path, [("jane", {"client-certificate-data": issued.cert_b64, "client-certificate": "gone.crt"})])
    creds = sources.user_credentials(ws, "jane")
    assert creds.client_cert.source == "users/jane client-certificate-data"


def test_token_users_and_user_token(tmp_path):
    ws = _ws(tmp_path, [("t", {"token": "abc"}), ("f", {"tokenFile": "t.txt", "token": "ignored"}),
                        ("o", {"auth-provider": {"name": "oidc", "config": {"id-token": "x.y.z"}}}),
                        ("v", {"exec": {"command": "kubewallet", "args": ["credential", "get", "--ref", "users/v"]}}),
                        ("eks", {"exec": {"command": "aws"}})])
    (tmp_path / "t.txt").write_text("from-file\n")
    assert sources.token_users(ws) == [("t", "token"), ("f", "tokenFile"), ("o", "auth-provider id-token"),
                                       ("v", "vault")]
    assert sources.user_token(ws, "f") == ("from-file", f"users/f tokenFile {tmp_path / 't.txt'}")
    assert sources.user_token(ws, "v", {"users/v": "vt"}.get) == ("vt", "vault users/v")
    from kubewallet.errors import InspectError

    with pytest.raises(InspectError, match="holds no token"):
        sources.user_token(ws, "eks")


def test_whoami_corner_cases(tmp_path, pki):
    issued = pki.issue("jane", ("dev",))
    ws = _ws(tmp_path, [("both", {"client-certificate-data": issued.cert_b64, "client-key-data": issued.key_b64,
                                  "token": "abcdef.0123456789abcdef"}),
                        ("basic", {"username": "admin", "password": "pw"}),
                        ("none", {})],
             contexts=[("both", {"cluster": "c", "user": "both"}), ("basic", {"cluster": "c", "user": "basic"}),
                       ("none", {"cluster": "c", "user": "none"}), ("anon", {"cluster": "c"}),
                       ("dangling", {"cluster": "c", "user": "ghost"})], current="both")
    both = whoami(ws, None, now=NOW)
    assert both.identity.username == "jane"
    assert "the API server tries the client certificate first" in both.problems[0]
    assert "removed from the API server in Kubernetes 1.19" in whoami(ws, "basic", now=NOW).problems[0]
    assert "has no credential" in whoami(ws, "none", now=NOW).problems[0]
    assert whoami(ws, "anon", now=NOW).identity.username == "system:anonymous"
    assert "dangling reference" in whoami(ws, "dangling", now=NOW).problems[0]


def test_expiry_notice(tmp_path, pki):
    soon = pki.issue("soon", not_after=NOW + dt.timedelta(days=3, hours=1))
    gone = pki.issue("gone", not_before=NOW - dt.timedelta(days=10), not_after=NOW - dt.timedelta(days=1, hours=1))
    fine = pki.issue("fine", days=100)
    users = [(n, {"client-certificate-data": i.cert_b64, "client-key-data": i.key_b64})
             for n, i in (("soon", soon), ("gone", gone), ("fine", fine))]
    notice = notify.expiry_notice(_ws(tmp_path, users), now=NOW)
    assert notice.title == "1 expired, 1 expiring certificates"
    assert notice.body.splitlines() == ["users/gone client certificate: expired 1 day ago",
                                        "users/soon client certificate: expires in 3 days"]
    assert notice.owners == ("users/gone", "users/soon")
    assert notify.expiry_notice(_ws(tmp_path, users[2:]), now=NOW) is None


def test_select_contexts(tmp_path):
    ws = _ws(tmp_path, [("a", {}), ("b", {})], current="b")
    assert report.select_contexts(ws) == ["b"]
    assert report.select_contexts(ws, all_contexts=True) == ["a", "b"]
    from kubewallet.errors import InspectError, UsageError

    with pytest.raises(UsageError):
        report.select_contexts(ws, "a", True)
    with pytest.raises(InspectError, match="context 'z' not found"):
        report.select_contexts(ws, "z")


def test_a_mismatched_key_makes_the_record_broken(tmp_path, pki):
    a, b = pki.issue("a", days=100), pki.issue("b")
    ws = _ws(tmp_path, [("u", {"client-certificate-data": a.cert_b64, "client-key-data": b.key_b64}),
                        ("nokey", {"client-certificate-data": a.cert_b64})])
    records = {r.owner: r for r in report.certificate_report(ws, list(ws.contexts), now=NOW,
                                                              warn=dt.timedelta(days=30))}
    assert records["users/u"].status(NOW, dt.timedelta(days=30)) == "broken"
    assert records["users/nokey"].status(NOW, dt.timedelta(days=30)) == "broken"
    assert report.exit_status(list(records.values()), NOW, dt.timedelta(days=30)) == 2


def test_lint_reads_a_secured_users_token_from_the_vault(tmp_path):
    from kubewallet.inspect import lint
    from tests.support.inspect import Signer, oidc_claims

    ws = _ws(tmp_path, [("sec", {"exec": {"command": "sh", "args": ["credential", "get", "--ref", "users/sec"]}}),
                        ("kw", {"exec": {"command": "kubewallet", "args": ["credential", "get", "--ref", "users/kw"]}})])
    expired = Signer("ec").sign(oidc_claims(expires_in=-630))
    found = lint.lint(ws, now=dt.datetime.now(dt.timezone.utc), vault_reader={"users/kw": expired}.get)
    hit = next(f for f in found if f.code == "token-expired")
    assert hit.subject == "users/kw" and "the token in vault users/kw expired 10 minutes ago" == hit.message


def test_whoami_follows_what_kubectl_sends(tmp_path, pki):
    """client-go's precedence (credentials.model): a user kubectl refuses sends nothing; a token
    beside an unreadable tokenFile is what kubectl falls back to."""
    issued = pki.issue("jane")
    ws = _ws(tmp_path, [("nokey", {"client-certificate-data": issued.cert_b64}),
                        ("two", {"token": "abcdef.0123456789abcdef", "password": "pw"}),
                        ("fallback", {"tokenFile": "missing.txt", "token": "abcdef.0123456789abcdef"})],
             current="nokey")
    nokey = whoami(ws, "nokey", now=NOW)
    assert nokey.identity is None and "kubectl refuses this user: client-key-data or client-key" in nokey.problems[0]
    assert "more than one authentication method" in whoami(ws, "two", now=NOW).problems[0]
    fallback = whoami(ws, "fallback", now=NOW)
    assert fallback.credential == "bearer token (users/fallback token)"
    assert fallback.identity.username == "system:bootstrap:abcdef"
