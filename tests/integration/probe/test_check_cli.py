"""`kubewallet check` end to end: the installed command against the loopback API-server stand-in,
real certificates, real exec plugins, a real Secret Service for a secured user, and loopback
listeners that refuse or never answer. No traffic leaves 127.0.0.1."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import yaml

from tests.integration.probe.conftest import JWT, REVOKED, TOKEN
from tests.support.certs import Pki
from tests.support.listeners import Socks5Proxy, closed_port


def make_kubeconfig(path: Path, clusters: dict, users: dict, contexts: dict, current: str) -> Path:
    """A kubeconfig written by kubewallet's own engine; contexts map name -> (cluster, user)."""
    from kubewallet.kubeconfig import LoadingRules, run_edit

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("apiVersion: v1\nkind: Config\n")
    path.chmod(0o600)

    def edit(ws):
        for name, body in clusters.items():
            ws.set_entry("clusters", name, body)
        for name, body in users.items():
            ws.set_entry("users", name, body)
        for name, (cluster, user) in contexts.items():
            ws.set_entry("contexts", name, {"cluster": cluster, "user": user})
        ws.use_context(current)

    run_edit(LoadingRules.from_env(str(path)), edit)
    return path


def test_token_and_certificate_users_work_and_the_server_says_who_they_are(api, pki, tmp_path, check):
    bob = pki.issue("bob", ("ops", "dev"))
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {
        "alice": {"token": TOKEN},
        "bob": {"client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64},
    }, {"alice": ("stub", "alice"), "bob": ("stub", "bob")}, "alice")

    status, results, _ = check(config, "--all-contexts", "--no-vault")
    assert status == 0
    alice, bob_r = results["alice"], results["bob"]
    assert (alice["ok"], alice["stage"], alice["user"]) == (True, "ok", "alice")
    assert alice["groups"] == ["dev", "oncall", "system:authenticated"]
    assert alice["server_version"] == "v1.35.0-kubewallet-stub"
    assert (bob_r["ok"], bob_r["user"]) == (True, "bob")
    assert set(bob_r["groups"]) == {"ops", "dev", "system:authenticated"}
    # the offline whoami agrees for the certificate, so nothing is flagged
    assert bob_r["expected_user"] == "bob" and bob_r["differences"] == []
    assert 0 < alice["seconds"] < 5
    assert {r.token for r in api.authenticated()} == {TOKEN, None}


def test_the_default_is_the_current_context_and_the_table_says_it_works(api, tmp_path, check):
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()},
                             {"alice": {"token": TOKEN}, "gone": {"token": REVOKED}},
                             {"alice": ("stub", "alice"), "gone": ("stub", "gone")}, "alice")
    status, text, _ = check(config, "--no-vault", as_json=False)
    assert status == 0
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["CONTEXT", "RESULT", "STAGE"]
    assert lines[1].split()[:3] == ["alice", "ok", "ok"]
    assert "gone" not in text
    assert TOKEN not in text


def test_a_server_identity_that_differs_from_the_offline_whoami_is_flagged(api, tmp_path, check):
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {"sso": {"token": JWT}},
                             {"sso": ("stub", "sso")}, "sso")
    status, results, _ = check(config, "--no-vault")
    assert status == 0
    r = results["sso"]
    assert r["user"] == "mallory"
    assert r["expected_user"] == "https://idp.example#carol"
    assert any("the server says you are 'mallory'" in d for d in r["differences"])
    assert any("admins" in d for d in r["differences"])


def test_a_revoked_token_fails_at_auth_with_401(api, tmp_path, check):
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {"old": {"token": REVOKED}},
                             {"old": ("stub", "old")}, "old")
    status, results, stderr = check(config, "--no-vault")
    assert status == 1
    r = results["old"]
    assert (r["ok"], r["stage"], r["reason"]) == (False, "auth", "unauthorized")
    assert r["message"].startswith("token refused (401)")
    assert REVOKED not in json.dumps(results) + stderr


def test_a_ca_that_does_not_match_fails_at_tls_and_the_server_never_sees_the_credential(api, pki, tmp_path, check):
    other = Pki(cn="some-other-ca")
    bob = pki.issue("bob", ("ops",))
    cluster = dict(api.cluster_entry(), **{"certificate-authority-data": other.cert_b64})
    config = make_kubeconfig(tmp_path / "config", {"rotated": cluster}, {
        "alice": {"token": TOKEN},
        "bob": {"client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64},
    }, {"alice": ("rotated", "alice"), "bob": ("rotated", "bob")}, "alice")
    status, results, _ = check(config, "-A", "--no-vault")
    assert status == 1
    for name in ("alice", "bob"):
        r = results[name]
        assert (r["ok"], r["stage"], r["reason"]) == (False, "tls", "tls")
        assert r["message"].startswith("the server's certificate is not signed by the CA in your kubeconfig")
    assert api.requests == []          # not one HTTP request: no token reached it
    assert api.failed_handshakes == 2  # both handshakes broken off by us, before any client certificate


def test_a_wrong_tls_server_name_fails_at_tls(api, tmp_path, check):
    cluster = dict(api.cluster_entry(), **{"tls-server-name": "api.other.example"})
    config = make_kubeconfig(tmp_path / "config", {"named": cluster}, {"alice": {"token": TOKEN}},
                             {"alice": ("named", "alice")}, "alice")
    status, results, _ = check(config, "--no-vault")
    assert status == 1
    r = results["alice"]
    assert (r["stage"], r["reason"]) == ("tls", "tls")
    assert "not valid for tls-server-name 'api.other.example'" in r["message"]
    assert api.requests == []


def test_a_closed_port_fails_at_connect(tmp_path, check, pki):
    port = closed_port()
    config = make_kubeconfig(tmp_path / "config", {"gone": {"server": f"https://127.0.0.1:{port}",
                                                             "certificate-authority-data": pki.cert_b64}},
                             {"alice": {"token": TOKEN}}, {"gone": ("gone", "alice")}, "gone")
    status, results, _ = check(config, "--no-vault")
    assert status == 1
    r = results["gone"]
    assert (r["stage"], r["reason"]) == ("connect", "unreachable")
    assert r["message"] == f"nothing listens on 127.0.0.1:{port} (connection refused)"


def test_a_listener_that_never_answers_times_out_in_plain_words_within_the_timeout(silent, tmp_path, check, pki):
    config = make_kubeconfig(tmp_path / "config", {"hole": {"server": f"https://127.0.0.1:{silent.port}",
                                                             "certificate-authority-data": pki.cert_b64}},
                             {"alice": {"token": TOKEN}}, {"hole": ("hole", "alice")}, "hole")
    status, results, _ = check(config, "--no-vault", "--timeout", "1.5")
    assert status == 1
    r = results["hole"]
    assert r["reason"] == "unreachable"
    assert r["message"].startswith(f"no answer from 127.0.0.1:{silent.port} within 1.5 s")
    assert 1.5 <= r["seconds"] < 2.5


def _plugin(tmp_path: Path, body: str, name: str = "plugin.py") -> Path:
    """An exec plugin in a folder beside the kubeconfig: the kubeconfig then names it
    `bin/NAME`, relative to itself, as kubectl writes it (a bare name would mean PATH)."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    script = tmp_path / "bin" / name
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_an_exec_user_is_checked_with_the_credential_its_plugin_gives_without_a_person(api, tmp_path, check):
    seen = tmp_path / "seen.json"
    plugin = _plugin(tmp_path, f"""
import json, os, sys
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
json.dump({{"info": info, "stdin_tty": os.isatty(0), "team": os.environ.get("TEAM")}}, open({str(seen)!r}, "w"))
print(json.dumps({{"apiVersion": info["apiVersion"], "kind": "ExecCredential",
                   "status": {{"token": {TOKEN!r}}}}}))
""")
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {
        "plug": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
                          "interactiveMode": "IfAvailable", "provideClusterInfo": True,
                          "env": [{"name": "TEAM", "value": "blue"}]}}},
        {"plug": ("stub", "plug")}, "plug")
    status, results, _ = check(config, "--no-vault")
    assert status == 0, results
    assert results["plug"]["user"] == "alice"
    assert "exec plugin plugin.py" in results["plug"]["credential"]
    got = json.loads(seen.read_text())
    assert got["info"]["spec"]["interactive"] is False and got["stdin_tty"] is False
    assert got["info"]["spec"]["cluster"]["server"] == api.url
    assert got["team"] == "blue"


def test_a_plugin_that_needs_a_login_is_not_started_and_says_so(api, tmp_path, check):
    ran = tmp_path / "ran"
    plugin = _plugin(tmp_path, f"open({str(ran)!r}, 'w').write('started')\n")
    failing = _plugin(tmp_path, """
import sys
print("error: a login is needed and this is not interactive: run kubectl oidc-login setup", file=sys.stderr)
sys.exit(1)
""", "kubelogin.py")
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {
        "always": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
                            "interactiveMode": "Always"}},
        "sso": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(failing),
                         "args": ["oidc-login", "get-token", "--oidc-issuer-url=https://127.0.0.1:1"]}},
        # kubewallet's own OIDC plugin, never logged in: it must fail fast, not open a browser
        "kw-sso": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
                            "args": ["oidc-login", "get-token", f"--oidc-issuer-url=https://127.0.0.1:{closed_port()}",
                                     "--oidc-client-id=kubernetes"], "interactiveMode": "IfAvailable"}}},
        {"always": ("stub", "always"), "sso": ("stub", "sso"), "kw-sso": ("stub", "kw-sso")}, "always")
    status, results, _ = check(config, "-A", "--no-vault", "--timeout", "20")
    assert status == 1
    assert "a new OIDC login is needed" in results["kw-sso"]["message"]
    for name in ("always", "sso", "kw-sso"):
        r = results[name]
        assert (r["stage"], r["reason"]) == ("auth", "needs-login"), r
        assert r["message"].startswith("needs a login")
    assert not ran.exists()
    assert api.requests == []


def test_a_secured_user_is_checked_through_kubewallets_own_plugin(api, pki, tmp_path, check, secret_service,
                                                                    kubewallet_cmd):
    import os
    import subprocess

    bob = pki.issue("bob", ("ops",))
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {
        "alice": {"token": TOKEN},
        "bob": {"client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64},
    }, {"alice": ("stub", "alice"), "bob": ("stub", "bob")}, "alice")
    env = dict(os.environ, KUBECONFIG=str(config))
    subprocess.run([*kubewallet_cmd, "secure", "--all", "--command", kubewallet_cmd[0]], env=env, check=True,
                   capture_output=True, timeout=60)
    assert TOKEN not in config.read_text()
    status, results, stderr = check(config, "-A")
    assert status == 0, (results, stderr)
    assert results["alice"]["user"] == "alice" and "exec plugin kubewallet" in results["alice"]["credential"]
    assert results["bob"]["user"] == "bob" and "client certificate from the exec plugin" in results["bob"]["credential"]
    # the offline whoami reads the vault too: the certificate's identity matches the server's
    assert results["bob"]["expected_user"] == "bob" and results["bob"]["differences"] == []


def test_proxy_url_goes_through_the_connect_proxy(api, tmp_path, check, connect_proxy):
    cluster = dict(api.cluster_entry(), **{"proxy-url": connect_proxy.url})
    config = make_kubeconfig(tmp_path / "config", {"far": cluster}, {"alice": {"token": TOKEN}},
                             {"alice": ("far", "alice")}, "alice")
    status, results, _ = check(config, "--no-vault")
    assert status == 0, results
    assert results["alice"]["user"] == "alice"
    assert connect_proxy.targets == [f"CONNECT 127.0.0.1:{api.port}"]


def test_a_server_without_selfsubjectreview_falls_back_to_version(pki, tmp_path, check):
    from tests.support.apiserver import ApiServer

    with ApiServer(pki, tokens={TOKEN: "alice"}, self_subject_review=False) as old:
        config = make_kubeconfig(tmp_path / "config", {"old": old.cluster_entry()},
                                 {"alice": {"token": TOKEN}, "gone": {"token": REVOKED}},
                                 {"alice": ("old", "alice"), "gone": ("old", "gone")}, "alice")
        status, results, _ = check(config, "-A", "--no-vault")
        paths = [r.path for r in old.requests]
    assert status == 1
    assert results["alice"]["ok"] and results["alice"]["user"] is None
    assert results["alice"]["server_version"] == "v1.35.0-kubewallet-stub"
    assert any("no SelfSubjectReview API" in w for w in results["alice"]["warnings"])
    assert (results["gone"]["stage"], results["gone"]["reason"]) == ("auth", "unauthorized")
    assert "/version" in paths


def test_prune_shows_the_diff_asks_and_keeps_a_backup(api, pki, tmp_path, check):
    from kubewallet.kubeconfig.saving import list_backups

    other = Pki(cn="rotated-ca")
    config = make_kubeconfig(tmp_path / "config", {
        "stub": api.cluster_entry(),
        "gone": {"server": f"https://127.0.0.1:{closed_port()}", "certificate-authority-data": pki.cert_b64},
        "rotated": dict(api.cluster_entry(), **{"certificate-authority-data": other.cert_b64}),
        "broken": {"server": api.url, "certificate-authority": str(tmp_path / "moved-away.crt")},
    }, {"alice": {"token": TOKEN}, "old": {"token": REVOKED}, "lonely": {"token": "x"}},
        {"works": ("stub", "alice"), "refused": ("stub", "old"), "gone": ("gone", "lonely"),
         "rotated": ("rotated", "alice"), "misconfigured": ("broken", "alice")}, "works")
    before = config.read_text()

    status, text, _ = check(config, "-A", "--no-vault", "--prune", input="n\n", as_json=False)
    assert status == 1
    assert "--prune would remove:" in text and "Remove these entries? [y/N]" in text
    assert text.index("-  name: gone") < text.index("Remove these entries?")
    assert "nothing removed" in text
    assert config.read_text() == before

    status, text, _ = check(config, "-A", "--no-vault", "--prune", input="y\n", as_json=False)
    assert status == 1
    assert "removed 2 context(s), 2 cluster(s), 1 user(s)" in text
    doc = yaml.safe_load(config.read_text())
    # auth failures and a kubeconfig mistake (a CA file missing) need fixing, not deleting
    assert sorted(c["name"] for c in doc["contexts"]) == ["misconfigured", "refused", "works"]
    assert sorted(c["name"] for c in doc["clusters"]) == ["broken", "stub"]
    assert sorted(u["name"] for u in doc["users"]) == ["alice", "old"]           # alice is still used
    backups = list_backups(config)
    assert backups and backups[0].path.read_text() == before
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_usage_errors_exit_3(tmp_path, check, api):
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {"alice": {"token": TOKEN}},
                             {"alice": ("stub", "alice")}, "alice")
    assert check(config, "nosuch", as_json=False)[0] == 3
    assert check(config, "alice", "--all-contexts", as_json=False)[0] == 3
    assert check(config, "--timeout", "0", as_json=False)[0] == 3
    assert check(config, "--bogus", as_json=False)[0] == 3


def test_proxy_url_socks5_with_a_login(api, tmp_path, check):
    with Socks5Proxy(login=("kw", "s3cret")) as proxy:
        cluster = dict(api.cluster_entry(), **{"proxy-url": proxy.url})
        config = make_kubeconfig(tmp_path / "config", {"far": cluster}, {"alice": {"token": TOKEN}},
                                 {"alice": ("far", "alice")}, "alice")
        status, results, _ = check(config, "--no-vault")
        assert status == 0, results
        assert proxy.targets == [f"127.0.0.1:{api.port}"]
        wrong = dict(cluster, **{"proxy-url": proxy.url.replace("s3cret", "nope")})
        config = make_kubeconfig(tmp_path / "config2", {"far": wrong}, {"alice": {"token": TOKEN}},
                                 {"alice": ("far", "alice")}, "alice")
        status, results, _ = check(config, "--no-vault")
    assert status == 1
    assert results["alice"]["stage"] == "connect"
    assert "refused the user name and password" in results["alice"]["message"]
    assert "nope" not in results["alice"]["message"]


def test_interactive_lets_a_plugin_ask_the_person_at_the_terminal(api, tmp_path, kubewallet_cmd):
    from tests.support.terminal import run_on_a_terminal

    plugin = _plugin(tmp_path, """
import json, os, sys
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
assert info["spec"]["interactive"] and os.isatty(0)
sys.stderr.write("Token for the cluster: "); sys.stderr.flush()
token = sys.stdin.readline().strip()
print(json.dumps({"apiVersion": info["apiVersion"], "kind": "ExecCredential", "status": {"token": token}}))
""")
    config = make_kubeconfig(tmp_path / "config", {"stub": api.cluster_entry()}, {
        "asks": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
                          "interactiveMode": "Always"}}}, {"asks": ("stub", "asks")}, "asks")
    env = dict(os.environ, KUBECONFIG=str(config), TERM="dumb")
    argv = [*kubewallet_cmd, "check", "--no-vault", "--timeout", "20"]
    quiet = run_on_a_terminal(argv, env, prompt=b"Token for the cluster:", answer=TOKEN)
    assert "needs login" in quiet and "Token for the cluster" not in quiet   # not asked without --interactive
    screen = run_on_a_terminal([*argv, "--interactive"], env, prompt=b"Token for the cluster:", answer=TOKEN)
    assert "works, as alice" in screen
    assert [r.user for r in api.authenticated()] == ["alice", "alice"]   # the review and /version
