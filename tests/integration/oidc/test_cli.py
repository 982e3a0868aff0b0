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
    """A kubelogin exec entry's args, as its README writes them: no listen address, no redirect
    URL (kubelogin's defaults). Only `--browser-command` plays the person at the browser."""
    return [f"--oidc-issuer-url={provider.issuer}", f"--oidc-client-id={client_id}",
            "--oidc-extra-scope=email,groups", f"--browser-command={PERSON}", *extra]


def opened_urls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


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
        oidc_provider, secret_service, kubewallet_cmd, browser_log, kubelogin_port):
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
    # kubelogin's defaults: the listener on 127.0.0.1:8000 (18000 when 8000 is taken) and
    # redirect_uri=http://localhost:PORT, the URLs its guide has people register.
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(opened_urls(browser_log)[0]).query)
    assert query["redirect_uri"] == [f"http://localhost:{kubelogin_port}"]

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
        oidc_provider, secret_service, kubewallet_cmd, browser_log, kubelogin_port):
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
        oidc_provider, secret_service, kubewallet_cmd, kubectl, pki, tmp_path, browser_log, kubelogin_port):
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
        oidc_provider, secret_service, kubewallet_cmd, kubectl, pki, tmp_path, browser_log, kubelogin_port):
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
        oidc_provider, secret_service, kubewallet_cmd, pki, tmp_path, browser_log, kubelogin_port, monkeypatch):
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
            "--oidc-client-secret=Sup3rS3cret", "--oidc-request-header=X-Team=a")
    assert r.returncode == 2
    assert "--oidc-request-header is a kubelogin flag kubewallet does not support yet" in r.stderr
    assert "Sup3rS3cret" not in r.stderr + r.stdout
    r = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider), "--grant-type=password")
    assert r.returncode == 2 and "--grant-type=password is not supported" in r.stderr
    r = run(kubewallet_cmd, "oidc-login", "get-token", "--oidc-issuer-url=http://idp.example.com",
            "--oidc-client-id=k", "--oidc-client-secret=Sup3rS3cret")
    assert r.returncode == 1
    assert "refusing the plain http issuer" in r.stderr and "Sup3rS3cret" not in r.stderr


def test_setup_shows_claims_and_identity_and_writes_the_kubeconfig(
        oidc_provider, secret_service, kubewallet_cmd, kubectl, tmp_path, browser_log, kubelogin_port):
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
        oidc_provider, secret_service, kubewallet_cmd, tmp_path, browser_log, kubelogin_port):
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


def test_clean_forgets_the_login(oidc_provider, secret_service, kubewallet_cmd, browser_log, kubelogin_port):
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
                                                     browser_log, kubelogin_port):
    for client_id in ("kubewallet", "kubewallet-steady"):
        assert run(kubewallet_cmd, "oidc-login", "get-token",
                   *flags(oidc_provider, client_id)).returncode == 0
    from kubewallet.vault import open_vault

    assert len([r for r in open_vault().refs() if r.endswith("/refresh-token")]) == 2
    r = run(kubewallet_cmd, "oidc-login", "clean")
    assert r.returncode == 0, r.stderr
    assert "Deleted 2 cached OIDC token(s)" in r.stdout
    assert [r for r in open_vault().refs() if r.startswith("oidc/")] == []


def test_both_kubelogin_ports_busy_is_a_clear_error_naming_them_and_the_flag(
        oidc_provider, secret_service, kubewallet_cmd, browser_log, kubelogin_port):
    from tests.support.kubelogin_ports import hold

    held = [hold(8000), hold(18000)]      # None where something else holds it: busy either way
    try:
        r = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider))
    finally:
        for sock in held:
            if sock is not None:
                sock.close()
    assert r.returncode == 1 and r.stdout == ""
    assert "127.0.0.1:8000" in r.stderr and "127.0.0.1:18000" in r.stderr
    assert "--listen-address=127.0.0.1:0" in r.stderr
    assert opened(browser_log) == 0

    # A random port stays available explicitly (the provider takes any loopback port).
    r = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider),
            "--listen-address=127.0.0.1:0")
    assert r.returncode == 0, r.stderr
    redirect = opened_urls(browser_log)[-1].split("redirect_uri=")[1].split("&")[0]
    assert redirect.startswith("http%3A%2F%2Flocalhost%3A") and not redirect.endswith(("3A8000", "3A18000"))


NOT_INTERACTIVE = {"KUBERNETES_EXEC_INFO": json.dumps({
    "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
    "spec": {"interactive": False}})}


def test_token_cache_storage_none_keeps_nothing_across_calls(
        oidc_provider, secret_service, kubewallet_cmd, browser_log, kubelogin_port, tmp_path):
    cache = tmp_path / "cache"
    args = [*flags(oidc_provider), "--token-cache-storage=none", f"--token-cache-dir={cache}"]
    first = run(kubewallet_cmd, "oidc-login", "get-token", *args)
    second = run(kubewallet_cmd, "oidc-login", "get-token", *args)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert opened(browser_log) == 2, "no cache: each call logs in"
    assert [n for n in os.listdir(cache) if n.endswith(".json")] == []
    from kubewallet.vault import open_vault

    vault = open_vault()
    assert not os.path.exists(vault.path) or [r for r in vault.refs() if r.startswith("oidc/")] == []
    # keyring (like disk): the refresh token only in the vault, never in a file.
    kept = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider),
               "--token-cache-storage=keyring", f"--token-cache-dir={cache}")
    assert kept.returncode == 0, kept.stderr
    refs = [r for r in open_vault().refs() if r.endswith("/refresh-token")]
    assert len(refs) == 1
    refresh = open_vault().get(refs[0])
    for name in os.listdir(cache):
        if os.path.isfile(cache / name):
            assert refresh not in (cache / name).read_text(errors="replace")
    again = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider),
                "--token-cache-storage=keyring", f"--token-cache-dir={cache}",
                env=dict(os.environ, **NOT_INTERACTIVE))
    assert again.returncode == 0 and opened(browser_log) == 3


def test_access_token_and_extra_authorization_parameters(
        oidc_provider, secret_service, kubewallet_cmd, browser_log, kubelogin_port):
    r = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider),
            "--oidc-use-access-token", "--oidc-auth-request-extra-params=ui_locales=de,acr_values=x")
    assert r.returncode == 0, r.stderr
    url = opened_urls(browser_log)[0]
    assert "ui_locales=de" in url and "acr_values=x" in url
    token = credential(r.stdout)["status"]["token"]
    assert token.count(".") != 2 or jwt.decode(token, options={"verify_signature": False}).get(
        "aud") != "kubewallet", "the access_token, not the id_token"
    # The provider's userinfo endpoint takes it as alice's access token (an id_token is refused).
    import urllib.request

    req = urllib.request.Request(f"{oidc_provider.issuer}/me",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert json.loads(resp.read())["sub"] == "alice"
    id_token = run(kubewallet_cmd, "oidc-login", "get-token", *flags(oidc_provider),
                   env=dict(os.environ, **NOT_INTERACTIVE))
    assert id_token.returncode != 0, "the id_token is another cache entry (not logged in yet)"


def test_the_default_browser_cannot_write_into_the_exec_credential(
        oidc_provider, secret_service, kubewallet_cmd, tmp_path, browser_log, kubelogin_port):
    """Issue 12, item 9: a browser that prints to stdout and leaves a child holding it (as
    `xdg-open` into a running Firefox does). Python's webbrowser runs $BROWSER."""
    browser = tmp_path / "browser.sh"
    browser.write_text("#!/bin/sh\necho 'Opening in existing browser session.'\n"
                       "echo 'browser noise' >&2\n(sleep 8) &\n"
                       f"exec {PERSON} \"$1\"\n")
    browser.chmod(0o755)
    args = [a for a in flags(oidc_provider) if not a.startswith("--browser-command")]
    env = dict(os.environ, BROWSER=f"{browser} %s")
    start = time.monotonic()
    r = run(kubewallet_cmd, "oidc-login", "get-token", *args, env=env)
    took = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    assert credential(r.stdout)["status"]["token"], "stdout is the ExecCredential alone"
    assert "Opening in existing" not in r.stdout and "browser noise" not in r.stderr
    assert took < 8, "kubectl is not kept waiting for the browser's child"
    assert opened(browser_log) == 1


def test_a_planted_token_cache_folder_is_refused(oidc_provider, kubewallet_cmd, tmp_path):
    """Issue 12, item 8: another user's folder with a token in it (the key is computable from
    the kubeconfig's public flags) is never served."""
    planted = tmp_path / "shared-cache"
    planted.mkdir(mode=0o755)
    args = flags(oidc_provider)[:3] + [f"--token-cache-dir={planted}"]
    from kubewallet.oidc.flags import parse_get_token

    key = parse_get_token(args).cache_key()
    (planted / f"{key}.json").write_text(json.dumps({
        "id_token": "attacker.planted.token", "exp": time.time() + 3600, "iat": time.time()}))
    os.chown(planted / f"{key}.json", 65534, 65534)
    os.chown(planted, 65534, 65534)
    r = run(kubewallet_cmd, "oidc-login", "get-token", *args, env=dict(os.environ, **NOT_INTERACTIVE))
    assert "attacker.planted.token" not in r.stdout
    assert r.returncode == 1
    assert f"refusing the token cache folder {planted}" in r.stderr
    assert "belongs to uid 65534" in r.stderr


def _device_login_over_ssh(cmd, args, env, login="alice"):
    """Run get-token as on an SSH box (no display, no browser): read the device code it prints
    on stderr and confirm it as the person would on another device."""
    import threading

    from tests.oidc_provider.person import Browser

    proc = subprocess.Popen([*cmd, "oidc-login", "get-token", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    err_lines = []
    for line in proc.stderr:
        err_lines.append(line)
        if "(or open " in line:
            url = line.split("(or open ", 1)[1].rstrip().rstrip(")")
            threading.Thread(target=Browser(login).confirm_device, args=(url,), daemon=True).start()
            break
    out, rest = proc.communicate(timeout=60)
    return proc.returncode, out, "".join(err_lines) + rest


@pytest.mark.parametrize("vault_exists", [True, False], ids=["secured-vault", "no-vault"])
def test_a_vault_that_cannot_be_opened_does_not_block_the_login(
        oidc_provider, secret_service, kubewallet_cmd, tmp_path, vault_exists):
    """Issue 15: on an SSH box without a D-Bus session bus, a keyring-backed vault cannot be
    opened. get-token still logs in (device code: no browser can open there), serves the token,
    and says once, in plain words, that silent refresh is off."""
    from kubewallet.vault import open_vault

    if vault_exists:
        open_vault().put("users/someone/token", "secured-before")   # a user secured earlier
        assert os.path.exists(open_vault().path)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    args = [a for a in flags(oidc_provider) if not a.startswith("--browser-command")]
    args.append(f"--token-cache-dir={tmp_path / 'cache'}")
    rc, out, err = _device_login_over_ssh(kubewallet_cmd, args, env)
    assert rc == 0, err
    token = credential(out)["status"]["token"]
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "alice"
    assert err.count("silent refresh is off") == 1, err
    assert "no OS keyring" in err
    assert "Traceback" not in err
    # The id_token is cached as usual: the next kubectl call is served without a login.
    again = run(kubewallet_cmd, "oidc-login", "get-token", *args, env=dict(env, **NOT_INTERACTIVE))
    assert again.returncode == 0 and credential(again.stdout)["status"]["token"] == token


def test_with_an_agent_running_the_refresh_token_lives_in_its_memory(
        oidc_provider, secret_service, kubewallet_cmd, tmp_path):
    """Where the vault cannot be opened, the running agent keeps the refresh token in memory:
    silent refresh works until the agent locks, and nothing is written to disk."""
    import tempfile

    from kubewallet.agent.server import AgentServer

    sock_dir = tempfile.mkdtemp(prefix="kw-agent-")
    agent = AgentServer(os.path.join(sock_dir, "agent.sock"), timeout=None)
    agent.start()
    try:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
        env["KUBEWALLET_AGENT_SOCKET"] = str(agent.path)
        cache = tmp_path / "cache"
        args = [a for a in flags(oidc_provider, "kubewallet-short")
                if not a.startswith("--browser-command")] + [f"--token-cache-dir={cache}"]
        rc, out, err = _device_login_over_ssh(kubewallet_cmd, args, env)
        assert rc == 0, err
        first = credential(out)["status"]["token"]
        assert err.count("kept in the running agent's memory only") == 1, err
        assert "silent refresh is off" not in err

        time.sleep(max(0.0, jwt.decode(first, options={"verify_signature": False})["exp"] - time.time()))
        before = oidc_provider.stats().get("token", 0)
        refreshed = run(kubewallet_cmd, "oidc-login", "get-token", *args, env=dict(env, **NOT_INTERACTIVE))
        assert refreshed.returncode == 0, refreshed.stderr
        assert credential(refreshed.stdout)["status"]["token"] != first
        assert oidc_provider.stats().get("token", 0) == before + 1, "one silent refresh"
        assert refreshed.stderr == ""
        for name in os.listdir(cache):
            assert "refresh" not in (cache / name).read_text(errors="replace") if (cache / name).is_file() else True

        agent.lock()   # forgets what it held
        time.sleep(3.2)
        after = run(kubewallet_cmd, "oidc-login", "get-token", *args, env=dict(env, **NOT_INTERACTIVE))
        assert after.returncode == 1 and "a new OIDC login is needed" in after.stderr
    finally:
        agent.stop()
        import shutil

        shutil.rmtree(sock_dir, ignore_errors=True)


def test_setup_never_overwrites_another_client_secret_silently_and_vault_list_shows_the_users(
        oidc_provider, secret_service, kubewallet_cmd, tmp_path, browser_log, kubelogin_port):
    """Issue 12, item 3: a different secret under the same reference is refused unless asked;
    `vault list` names the users of OIDC entries, `vault rm` warns before removing them."""
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    setup = [*kubewallet_cmd, "oidc-login", "setup", f"--oidc-issuer-url={oidc_provider.issuer}",
             "--oidc-client-id=kubewallet-confidential", "--oidc-client-secret-stdin",
             f"--browser-command={PERSON}", "--write", "--user=conf", f"--kubeconfig={kubeconfig}"]

    def run_setup(secret, *extra):
        return subprocess.run([*setup, *extra], input=secret + "\n", capture_output=True,
                              text=True, timeout=60, cwd=ROOT)

    assert run_setup(oidc_provider.confidential_secret).returncode == 0
    from kubewallet.oidc.store import client_secret_ref
    from kubewallet.vault import open_vault

    ref = client_secret_ref(oidc_provider.issuer, "kubewallet-confidential")
    refused = run_setup("another-realms-secret")
    assert refused.returncode == 1
    assert f"already holds a different client secret under {ref!r}" in refused.stderr
    assert "--replace-client-secret" in refused.stderr and "another-realms-secret" not in refused.stderr
    assert open_vault().get(ref) == oidc_provider.confidential_secret

    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    listing = run(kubewallet_cmd, "vault", "list", env=env)
    assert listing.returncode == 0, listing.stderr
    lines = {line.split()[0]: line for line in listing.stdout.splitlines()[1:]}
    assert lines[ref].rstrip().endswith("conf")
    refresh = next(r for r in lines if r.endswith("/refresh-token"))
    assert lines[refresh].rstrip().endswith("conf") and "(unused)" not in lines[refresh]
    rm = run(kubewallet_cmd, "vault", "rm", ref, env=env)
    assert rm.returncode == 1 and "used by the OIDC login of user(s) conf" in rm.stderr
    assert open_vault().get(ref) == oidc_provider.confidential_secret
    replaced = run_setup(oidc_provider.confidential_secret + "-rotated", "--replace-client-secret")
    assert f"Replaced the client secret stored under {ref}" in replaced.stderr


def test_two_realms_on_one_host_keep_their_own_client_secrets(
        oidc_provider, secret_service, kubewallet_cmd, tmp_path, browser_log, kubelogin_port):
    """Issue 12, item 3: two Keycloak-style realms on one host, one client id, two secrets.
    `setup` for realm B must not overwrite realm A's secret, and realm A's refresh must send
    realm A's secret (with the host-only reference it sent B's and was refused)."""
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    for name in ("a", "b"):
        r = subprocess.run([*kubewallet_cmd, "oidc-login", "setup",
                            f"--oidc-issuer-url={oidc_provider.realm(name)}",
                            "--oidc-client-id=kubewallet-confidential", "--oidc-client-secret-stdin",
                            f"--browser-command={PERSON}", "--write", f"--user=realm-{name}",
                            f"--kubeconfig={kubeconfig}"],
                           input=oidc_provider.realm_secrets[name] + "\n", capture_output=True,
                           text=True, timeout=60, cwd=ROOT)
        assert r.returncode == 0, r.stderr
    users = {u["name"]: u["user"]["exec"]["args"] for u in yaml.safe_load(kubeconfig.read_text())["users"]}
    refs = {name: next(a.split("=", 1)[1] for a in args if a.startswith("--oidc-client-secret-ref="))
            for name, args in users.items()}
    assert refs["realm-a"] != refs["realm-b"]
    from kubewallet.vault import open_vault

    assert open_vault().get(refs["realm-a"]) == oidc_provider.realm_secrets["a"]
    assert open_vault().get(refs["realm-b"]) == oidc_provider.realm_secrets["b"]
    # Realm A refreshes silently with its own secret (no browser, no terminal).
    again = run(kubewallet_cmd, *users["realm-a"], "--force-refresh",
                env=dict(os.environ, **NOT_INTERACTIVE))
    assert again.returncode == 0, again.stderr
    claims = jwt.decode(credential(again.stdout)["status"]["token"], options={"verify_signature": False})
    assert claims["iss"] == oidc_provider.realm("a")
    assert opened(browser_log) == 2
