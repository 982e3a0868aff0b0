"""Each precedence pair of client-go, with the real kubectl against the API-server stand-in: the
server sees the same credential before and after `kubewallet secure` (or kubectl refuses the user
before and after, and `secure` leaves it alone)."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.apiserver import ApiServer
from tests.support.kubeconfigs import write_kubeconfig

FILE_TOKEN, INLINE_TOKEN = "from-the-file-0123456789", "inline-token-9876543210"


@pytest.fixture
def api(pki):
    with ApiServer(pki, tokens={FILE_TOKEN: "file-user", INLINE_TOKEN: "inline-user"}) as server:
        yield server


def sent_once(kubectl, api, kubeconfig) -> tuple[int, set]:
    """kubectl's exit code for one `get pods`, and (token, certificate CN) of what reached the server."""
    seen = len(api.authenticated())
    out = subprocess.run([kubectl, "--kubeconfig", str(kubeconfig), "get", "pods"], capture_output=True,
                         text=True, timeout=60)
    return out.returncode, {(r.token, r.client_cn) for r in api.authenticated()[seen:]}


def test_token_and_token_file_the_files_token_before_and_after(secret_service, tmp_path, kw, kubectl, api):
    token_file = tmp_path / "token"
    token_file.write_text(FILE_TOKEN + "\n")
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(),
                            {"u": {"token": INLINE_TOKEN, "tokenFile": str(token_file)}}, "u")
    before = sent_once(kubectl, api, path)
    assert before == (0, {(FILE_TOKEN, None)})  # kubectl 1.35 sends the file's token

    out = kw("secure", "--kubeconfig", str(path), "u", check=False)
    assert out.returncode != 0 and "--include-files" in out.stderr  # the sent token is in the file
    kw("secure", "--kubeconfig", str(path), "--include-files", "u")
    assert INLINE_TOKEN not in path.read_text() and not token_file.exists()
    assert sent_once(kubectl, api, path) == before
    kw("unsecure", "--kubeconfig", str(path), "u")  # the file comes back, and so does the pair
    assert token_file.read_text() == FILE_TOKEN + "\n"
    assert sent_once(kubectl, api, path) == before


def test_certificate_and_token_both_sent_before_and_after(secret_service, tmp_path, kw, kubectl, api, pki):
    bob = pki.issue("bob", ("dev",))
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(), {"u": {
        "client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64, "token": INLINE_TOKEN}}, "u")
    before = sent_once(kubectl, api, path)
    assert before == (0, {(INLINE_TOKEN, "bob")})
    kw("secure", "--kubeconfig", str(path), "u")
    assert INLINE_TOKEN not in path.read_text()
    assert sent_once(kubectl, api, path) == before
    kw("unsecure", "--kubeconfig", str(path), "u")
    assert sent_once(kubectl, api, path) == before


def test_static_token_beats_the_auth_provider_before_and_after(secret_service, tmp_path, kw, kubectl, api):
    provider = {"name": "oidc", "config": {"client-id": "kube", "idp-issuer-url": "https://127.0.0.1:9",
                                           "id-token": FILE_TOKEN}}
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(),
                            {"u": {"token": INLINE_TOKEN, "auth-provider": provider}}, "u")
    before = sent_once(kubectl, api, path)
    assert before == (0, {(INLINE_TOKEN, None)})
    kw("secure", "--kubeconfig", str(path), "u")
    assert sent_once(kubectl, api, path) == before


@pytest.mark.parametrize("pair", ["certificate", "key", "token+password"])
def test_a_user_kubectl_refuses_stays_refused_and_untouched(secret_service, tmp_path, kw, kubectl, api, pki,
                                                            pair):
    bob = pki.issue("bob", ())
    crt = tmp_path / "bob.crt"
    crt.write_bytes(bob.cert_pem)
    body = {"certificate": {"client-certificate": str(crt), "client-certificate-data": bob.cert_b64,
                            "client-key-data": bob.key_b64},
            "key": {"client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64,
                    "client-key": str(crt)},
            "token+password": {"token": INLINE_TOKEN, "username": "u", "password": "p"}}[pair]
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(), {"u": body}, "u")
    text = path.read_bytes()
    code, seen = sent_once(kubectl, api, path)
    assert code != 0 and seen == set()
    out = kw("secure", "--kubeconfig", str(path), "--include-files", "u", check=False)
    assert out.returncode != 0 and "kubectl refuses user 'u'" in out.stderr
    assert path.read_bytes() == text
    assert sent_once(kubectl, api, path) == (code, set())


def test_static_token_beats_a_foreign_exec_plugin_before_and_after(secret_service, tmp_path, kw, kubectl, api):
    """client-go never runs the exec plugin while a token is set (here the plugin would fail)."""
    plugin = {"apiVersion": "client.authentication.k8s.io/v1", "command": "false", "interactiveMode": "Never"}
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(),
                            {"u": {"token": INLINE_TOKEN, "exec": plugin}}, "u")
    before = sent_once(kubectl, api, path)
    assert before == (0, {(INLINE_TOKEN, None)})
    kw("secure", "--kubeconfig", str(path), "u")
    assert INLINE_TOKEN not in path.read_text()
    assert sent_once(kubectl, api, path) == before
    kw("unsecure", "--kubeconfig", str(path), "u")
    assert sent_once(kubectl, api, path) == before


def test_certificate_with_basic_auth_the_certificate_before_and_after(secret_service, tmp_path, kw, kubectl, api,
                                                                      pki):
    """kubectl sends both; the API server (1.19+) ignores basic auth, so the certificate is who the
    user is, and `secure` (which cannot serve a password) keeps that."""
    carl = pki.issue("carl", ("ops",))
    path = write_kubeconfig(tmp_path / "config", api.cluster_entry(), {"u": {
        "client-certificate-data": carl.cert_b64, "client-key-data": carl.key_b64,
        "username": "carl", "password": "hunter2-basic"}}, "u")
    before = sent_once(kubectl, api, path)
    assert before == (0, {(None, "carl")})
    kw("secure", "--kubeconfig", str(path), "u")
    assert "hunter2-basic" not in path.read_text()
    assert sent_once(kubectl, api, path) == before
