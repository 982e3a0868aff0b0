"""The API-server stand-in itself, driven by the real kubectl with inline credentials: it must
accept what the real API server's authentication accepts and refuse the rest, or the plugin tests
that rely on it prove nothing."""

from __future__ import annotations

import subprocess

import yaml

from tests.support.apiserver import ApiServer


def _kubeconfig(path, api: ApiServer, user: dict) -> str:
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "stub",
           "clusters": [{"name": "stub", "cluster": api.cluster_entry()}],
           "users": [{"name": "u", "user": user}],
           "contexts": [{"name": "stub", "context": {"cluster": "stub", "user": "u",
                                                       "namespace": "team-a"}}]}
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def _get_pods(kubectl, cfg):
    return subprocess.run([kubectl, "--kubeconfig", cfg, "get", "pods"], capture_output=True,
                          text=True, timeout=60)


def test_kubectl_with_the_right_token_lists_pods(kubectl, pki, tmp_path):
    with ApiServer(pki, tokens={"good-token": "alice"}) as api:
        out = _get_pods(kubectl, _kubeconfig(tmp_path / "c", api, {"token": "good-token"}))
        assert out.returncode == 0, out.stderr
        assert "hello-kubewallet" in out.stdout
        assert {r.token for r in api.authenticated()} == {"good-token"}


def test_kubectl_with_a_wrong_token_is_refused(kubectl, pki, tmp_path):
    with ApiServer(pki, tokens={"good-token": "alice"}) as api:
        out = _get_pods(kubectl, _kubeconfig(tmp_path / "c", api, {"token": "bad"}))
        assert out.returncode != 0
        assert "must be logged in" in out.stderr
        assert not api.authenticated()


def test_mutual_tls_records_the_verified_subject(kubectl, pki, tmp_path):
    issued = pki.issue("bob", ("dev", "ops"))
    with ApiServer(pki, require_client_cert=True) as api:
        user = {"client-certificate-data": issued.cert_b64, "client-key-data": issued.key_b64}
        out = _get_pods(kubectl, _kubeconfig(tmp_path / "c", api, user))
        assert out.returncode == 0, out.stderr
        seen = api.authenticated()
        assert seen and {r.client_cn for r in seen} == {"bob"}
        assert seen[0].client_subject == "CN=bob,O=ops,O=dev"


def test_a_certificate_from_another_ca_fails_the_handshake(kubectl, pki, tmp_path):
    from tests.support.certs import Pki

    stranger = Pki("another-ca").issue("mallory")
    with ApiServer(pki, require_client_cert=True) as api:
        user = {"client-certificate-data": stranger.cert_b64, "client-key-data": stranger.key_b64}
        out = _get_pods(kubectl, _kubeconfig(tmp_path / "c", api, user))
        assert out.returncode != 0
        assert not api.authenticated()
