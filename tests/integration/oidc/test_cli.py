"""`kubewallet oidc-login` as kubectl runs it: separate processes, the real provider, the real
vault on the real Secret Service, and kubectl itself sending the id_token to a loopback API stub
that verifies it against the provider's JWKS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
import yaml

from tests.support.apiserver import ApiServer

pytestmark = pytest.mark.oidc
ROOT = Path(__file__).resolve().parents[3]
PERSON = f"{sys.executable} {ROOT / 'tests' / 'oidc_provider' / 'person.py'}"


def flags(provider, client_id="kubewallet", *extra):
    return [f"--oidc-issuer-url={provider.issuer}", f"--oidc-client-id={client_id}",
            "--oidc-extra-scope=email,groups", f"--browser-command={PERSON}", *extra]


@pytest.fixture
def browser_log(tmp_path, monkeypatch):
    log = tmp_path / "browser.log"
    monkeypatch.setenv("KUBEWALLET_TEST_BROWSER_LOG", str(log))
    return log


def opened(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def run(cmd, *args, env=None, timeout=60):
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=env)


def credential(out: str) -> dict:
    doc = json.loads(out)
    assert doc["kind"] == "ExecCredential"
    return doc


def test_get_token_prints_an_exec_credential_then_serves_the_cache(
        oidc_provider, secret_service, kubewallet_cmd, browser_log):
    first = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider))
    assert first.returncode == 0, first.stderr
    doc = credential(first.stdout)
    assert doc["apiVersion"] == "client.authentication.k8s.io/v1"
    token = doc["status"]["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "alice"
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(claims["exp"]))
    assert doc["status"]["expirationTimestamp"] == exp
    assert "Open this URL in your browser" in first.stderr
    assert opened(browser_log) == 1

    tokens_before = oidc_provider.stats().get("token", 0)
    env = dict(os.environ, KUBERNETES_EXEC_INFO=json.dumps({
        "apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
        "spec": {"interactive": False}}))
    again = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider), env=env)
    assert again.returncode == 0, again.stderr
    doc = credential(again.stdout)
    assert doc["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert doc["status"]["token"] == token
    assert again.stderr == ""
    assert oidc_provider.stats().get("token", 0) == tokens_before


def _concurrently(cmd, n, env=None):
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env=env) for _ in range(n)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, rc in results:
        assert rc == 0, err
    return {credential(out)["status"]["token"] for out, _, _ in results}


def test_a_dozen_concurrent_calls_share_one_login_and_one_refresh(
        oidc_provider, secret_service, kubewallet_cmd, browser_log):
    cmd = [*kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider, "kubewallet-short")]
    before = oidc_provider.stats()
    tokens = _concurrently(cmd, 12)
    after = oidc_provider.stats()
    assert len(tokens) == 1, "all twelve got the same id_token"
    assert opened(browser_log) == 1, "one browser tab, not twelve"
    assert after.get("authorization", 0) - before.get("authorization", 0) == 1
    assert after.get("token", 0) - before.get("token", 0) == 1

    # Once it expired (3 s TTL), a dozen again: exactly one refresh, no browser.
    claims = jwt.decode(tokens.pop(), options={"verify_signature": False})
    time.sleep(max(0.0, claims["exp"] - time.time()))
    env = dict(os.environ, KUBERNETES_EXEC_INFO=json.dumps({
        "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
        "spec": {"interactive": False}}))
    before = oidc_provider.stats()
    renewed = _concurrently(cmd, 12, env=env)
    after = oidc_provider.stats()
    assert len(renewed) == 1
    assert after.get("token", 0) - before.get("token", 0) == 1, "the refresh token was spent once"
    assert opened(browser_log) == 1


def _kubeconfig(path: Path, api: ApiServer, exec_args: list[str]) -> Path:
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "oidc",
        "clusters": [{"name": "stub", "cluster": api.cluster_entry()}],
        "contexts": [{"name": "oidc", "context": {"cluster": "stub", "user": "oidc-user"}}],
        "users": [{"name": "oidc-user", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": "kubewallet",
            "args": ["oidc-login", "get-token", *exec_args], "interactiveMode": "IfAvailable"}}}],
    }))
    return path


def jwks_check(provider, client_id):
    """The API server's OIDC authenticator, reduced to its checks: signature against the
    provider's JWKS, iss, aud, exp; user name `ISSUER#sub` (the default prefix)."""
    keys = jwt.PyJWKClient(f"{provider.issuer}/jwks")

    def check(token: str):
        try:
            key = keys.get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=client_id,
                                issuer=provider.issuer)
        except jwt.PyJWTError:
            return None
        return f"{claims['iss']}#{claims['sub']}"

    return check


def test_kubectl_gets_pods_through_the_plugin(
        oidc_provider, secret_service, kubewallet_cmd, kubectl, pki, tmp_path, browser_log):
    with ApiServer(pki, token_check=jwks_check(oidc_provider, "kubewallet")) as api:
        kubeconfig = _kubeconfig(tmp_path / "config", api, flags(oidc_provider))
        env = dict(os.environ, KUBECONFIG=str(kubeconfig),
                   PATH=f"{Path(kubewallet_cmd[0]).parent}{os.pathsep}{os.environ['PATH']}")

        # kubectl without a terminal, nothing cached: a clear error naming the command to run.
        refused = run([kubectl], "get", "pods", env=env)
        assert refused.returncode != 0
        assert "a new OIDC login is needed" in refused.stderr
        assert "kubewallet oidc-login get-token" in refused.stderr
        assert opened(browser_log) == 0

        # The person signs in from a terminal once; kubectl then works on the cache.
        login = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider), env=env)
        assert login.returncode == 0, login.stderr
        got = run([kubectl], "get", "pods", env=env)
        assert got.returncode == 0, got.stderr
        assert "hello-kubewallet" in got.stdout
        users = {r.user for r in api.authenticated()}
        assert users == {f"{oidc_provider.issuer}#alice"}


def test_kubectl_at_a_terminal_runs_the_login_itself(
        oidc_provider, secret_service, kubewallet_cmd, kubectl, pki, tmp_path, browser_log):
    """stdin a terminal (a pty): kubectl says spec.interactive=true, so the plugin runs the
    browser login in the middle of `kubectl get pods`, and the next kubectl call uses the cache."""
    import pty

    with ApiServer(pki, token_check=jwks_check(oidc_provider, "kubewallet-short")) as api:
        kubeconfig = _kubeconfig(tmp_path / "config", api, flags(oidc_provider, "kubewallet-short"))
        env = dict(os.environ, KUBECONFIG=str(kubeconfig),
                   PATH=f"{Path(kubewallet_cmd[0]).parent}{os.pathsep}{os.environ['PATH']}")
        primary, secondary = pty.openpty()
        try:
            got = subprocess.run([kubectl, "get", "pods"], stdin=secondary, capture_output=True,
                                 text=True, timeout=60, cwd=ROOT, env=env)
        finally:
            os.close(primary)
            os.close(secondary)
        assert got.returncode == 0, got.stderr
        assert "hello-kubewallet" in got.stdout
        assert "Open this URL in your browser" in got.stderr
        assert opened(browser_log) == 1
        # The id_token lives 3 s: after it expires kubectl (no terminal now) gets a silent refresh.
        time.sleep(3.2)
        again = run([kubectl], "get", "pods", env=env)
        assert again.returncode == 0, again.stderr
        assert opened(browser_log) == 1
        assert {r.user for r in api.authenticated()} == {f"{oidc_provider.issuer}#alice"}
        assert len({r.token for r in api.authenticated()}) >= 2, "a new id_token after the refresh"


def test_the_kubernetes_python_client_runs_the_plugin_too(
        oidc_provider, secret_service, kubewallet_cmd, pki, tmp_path, browser_log, monkeypatch):
    from kubernetes import client, config

    with ApiServer(pki, token_check=jwks_check(oidc_provider, "kubewallet")) as api:
        kubeconfig = _kubeconfig(tmp_path / "config", api, flags(oidc_provider))
        monkeypatch.setenv("PATH", f"{Path(kubewallet_cmd[0]).parent}{os.pathsep}{os.environ['PATH']}")
        assert run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider)).returncode == 0
        api_client = config.new_client_from_config(config_file=str(kubeconfig))
        pods = client.CoreV1Api(api_client).list_namespaced_pod("default")
        assert [p.metadata.name for p in pods.items] == ["hello-kubewallet"]
        assert {r.user for r in api.authenticated()} == {f"{oidc_provider.issuer}#alice"}


def test_unsupported_and_secret_flags(oidc_provider, kubewallet_cmd):
    r = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider),
            "--oidc-client-secret=Sup3rS3cret", "--oidc-use-access-token")
    assert r.returncode == 2
    assert "--oidc-use-access-token is a kubelogin flag kubewallet does not support yet" in r.stderr
    assert "Sup3rS3cret" not in r.stderr + r.stdout
    r = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider), "--grant-type=password")
    assert r.returncode == 2 and "--grant-type=password is not supported" in r.stderr
    r = run(kubewallet_cmd, "oidc-login", "get-token", "--oidc-issuer-url=http://idp.example.com",
            "--oidc-client-id=k", "--oidc-client-secret=Sup3rS3cret")
    assert r.returncode == 1
    assert "refusing the plain http issuer" in r.stderr and "Sup3rS3cret" not in r.stderr


def test_setup_shows_claims_and_identity_and_writes_the_kubeconfig(
        oidc_provider, secret_service, kubewallet_cmd, kubectl, tmp_path, browser_log):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": [
        {"name": "prod", "cluster": {"server": "https://127.0.0.1:6443"}}]}))
    r = run(kubewallet_cmd, "oidc-login", "setup", f"--oidc-issuer-url={oidc_provider.issuer}",
            "--oidc-client-id=kubewallet", "--oidc-extra-scope=email", "--oidc-extra-scope=groups",
            f"--browser-command={PERSON}", "--oidc-username-claim=email",
            "--oidc-groups-claim=groups", "--oidc-groups-prefix=oidc:", "--write",
            "--user=alice-oidc", "--cluster=prod", "--context=prod-oidc",
            f"--kubeconfig={kubeconfig}")
    assert r.returncode == 0, r.stderr
    assert '"email": "alice@example.test"' in r.stdout
    assert "user:   alice@example.test" in r.stdout
    assert "oidc:developers" in r.stdout and "system:authenticated" in r.stdout
    assert "--oidc-username-claim=email" in r.stdout
    view = run([kubectl], "config", "view", "-o", "json", f"--kubeconfig={kubeconfig}")
    config = json.loads(view.stdout)
    user = next(u for u in config["users"] if u["name"] == "alice-oidc")["user"]
    assert user["exec"]["command"] == "kubewallet"
    assert user["exec"]["args"][:2] == ["oidc-login", "get-token"]
    assert f"--oidc-issuer-url={oidc_provider.issuer}" in user["exec"]["args"]
    ctx = next(c for c in config["contexts"] if c["name"] == "prod-oidc")["context"]
    assert ctx == {"cluster": "prod", "user": "alice-oidc"}


def test_setup_keeps_a_client_secret_in_the_vault_not_the_kubeconfig(
        oidc_provider, secret_service, kubewallet_cmd, tmp_path, browser_log):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    r = subprocess.run([*kubewallet_cmd, "oidc-login", "setup",
                        f"--oidc-issuer-url={oidc_provider.issuer}",
                        "--oidc-client-id=kubewallet-confidential",
                        "--oidc-client-secret-stdin", f"--browser-command={PERSON}", "--write",
                        "--user=u", f"--kubeconfig={kubeconfig}"],
                       input=oidc_provider.confidential_secret + "\n", capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    text = kubeconfig.read_text()
    secret = oidc_provider.confidential_secret
    assert secret not in text and secret not in r.stdout + r.stderr
    assert "--oidc-client-secret-ref=oidc/127.0.0.1:" in text
    from kubewallet.vault import open_vault

    ref = next(a for a in yaml.safe_load(text)["users"][0]["user"]["exec"]["args"]
               if a.startswith("--oidc-client-secret-ref="))
    assert open_vault().get(ref.split("=", 1)[1]) == secret

    # The written exec entry works on its own: the secret comes from the vault on the slow path.
    args = yaml.safe_load(text)["users"][0]["user"]["exec"]["args"]
    again = run(kubewallet_cmd, *args, "--force-refresh")
    assert again.returncode == 0, again.stderr
    assert credential(again.stdout)["status"]["token"]


def test_clean_forgets_the_login(oidc_provider, secret_service, kubewallet_cmd, browser_log):
    assert run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider)).returncode == 0
    r = run(kubewallet_cmd, "oidc-login", "clean", f"--oidc-issuer-url={oidc_provider.issuer}",
            "--oidc-client-id=kubewallet", "--oidc-extra-scope=email", "--oidc-extra-scope=groups")
    assert r.returncode == 0, r.stderr
    assert "refresh token revoked at the provider" in r.stdout
    assert "cached id_token deleted" in r.stdout
    env = dict(os.environ, KUBERNETES_EXEC_INFO=json.dumps({
        "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
        "spec": {"interactive": False}}))
    after = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider), env=env)
    assert after.returncode == 1 and "no refresh token is stored" in after.stderr


def test_clean_without_arguments_forgets_every_login(oidc_provider, secret_service, kubewallet_cmd,
                                                     browser_log):
    for client_id in ("kubewallet", "kubewallet-steady"):
        assert run(kubewallet_cmd, "oidc-login", "get-token",
                   *flags(oidc_provider, client_id)).returncode == 0
    from kubewallet.vault import open_vault

    assert len([r for r in open_vault().refs() if r.endswith("/refresh-token")]) == 2
    r = run(kubewallet_cmd, "oidc-login", "clean")
    assert r.returncode == 0, r.stderr
    assert "Deleted 2 cached OIDC token(s)" in r.stdout
    assert [r for r in open_vault().refs() if r.startswith("oidc/")] == []
