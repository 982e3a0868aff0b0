"""End to end with the real kubectl: secure a user, and kubectl authenticates through
`kubewallet credential get` (with and without the agent) against the API-server stand-in, which
checks the bearer token or verifies the client certificate (mutual TLS)."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.support.apiserver import ApiServer
from tests.support.kubeconfigs import jwt_expiring_in, write_kubeconfig

TOKEN = "alice-bearer-0123456789"
# What kubectl sends the plugin for a context on the server https://127.0.0.1:1 (the entry `secure`
# writes asks for the cluster: a secret is served only to the clusters it was secured for).
EXEC_INFO_STUB = ('{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false,'
                  '"cluster":{"server":"https://127.0.0.1:1"}}}')


@pytest.fixture
def api(pki):
    with ApiServer(pki, tokens={TOKEN: "alice"}) as server:
        yield server


@pytest.fixture
def kubeconfig(tmp_path, api, pki, monkeypatch):
    bob = pki.issue("bob", ("dev", "ops"))
    path = write_kubeconfig(tmp_path / "kube" / "config", api.cluster_entry(), {
        "alice": {"token": TOKEN},
        "bob": {"client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64},
    }, "alice")
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


def get_pods(kubectl, context):
    return subprocess.run([kubectl, "--context", context, "get", "pods"], capture_output=True,
                          text=True, timeout=60)


def test_secure_token_user_then_kubectl_sends_it_through_the_plugin(
        secret_service, kubeconfig, kw, kubectl, api):
    out = kw("secure", "alice")
    assert "users/alice" in out.stdout and TOKEN not in out.stdout + out.stderr
    text = kubeconfig.read_text()
    assert TOKEN not in text
    user = {u["name"]: u["user"] for u in yaml.safe_load(text)["users"]}["alice"]
    assert user["exec"]["command"] == "kubewallet"
    assert user["exec"]["apiVersion"] == "client.authentication.k8s.io/v1"
    assert user["exec"]["args"][:2] == ["credential", "get"]

    result = get_pods(kubectl, "alice")  # no agent: the plugin reads the vault itself
    assert result.returncode == 0, result.stderr
    assert "hello-kubewallet" in result.stdout
    assert {r.token for r in api.authenticated()} == {TOKEN}


def test_with_the_agent_running_kubectl_is_served_by_it(secret_service, kubeconfig, kw, kubectl, api):
    kw("secure", "--all")
    kw("agent", "start", "--timeout", "10m")
    assert get_pods(kubectl, "alice").returncode == 0
    status = kw("agent", "status").stdout
    assert "holding secrets" in status and "served 0" not in status
    assert {r.token for r in api.authenticated()} == {TOKEN}
    kw("agent", "lock")
    assert "locked" in kw("agent", "status").stdout
    assert get_pods(kubectl, "alice").returncode == 0  # re-reads the keyring after a lock


def test_certificate_user_authenticates_by_mutual_tls(secret_service, kubeconfig, kw, kubectl, pki,
                                                      monkeypatch, tmp_path):
    with ApiServer(pki, require_client_cert=True) as mtls:
        doc = yaml.safe_load(kubeconfig.read_text())
        doc["clusters"][0]["cluster"]["server"] = mtls.url
        kubeconfig.write_text(yaml.safe_dump(doc))
        kw("secure", "bob")  # bound to the cluster its contexts use now (the mutual-TLS one)
        assert "client-key-data" not in kubeconfig.read_text()
        for with_agent in (False, True):
            if with_agent:
                kw("agent", "start")
            result = get_pods(kubectl, "bob")
            assert result.returncode == 0, result.stderr
        seen = mtls.authenticated()
        assert seen and {r.client_cn for r in seen} == {"bob"}
        assert all(r.token is None for r in seen)


def test_v1beta1_exec_entries_get_a_v1beta1_answer(secret_service, kubeconfig, kw, kubectl, api):
    kw("secure", "alice")
    doc = yaml.safe_load(kubeconfig.read_text())
    for u in doc["users"]:
        if u["name"] == "alice":
            u["user"]["exec"]["apiVersion"] = "client.authentication.k8s.io/v1beta1"
    kubeconfig.write_text(yaml.safe_dump(doc))
    result = get_pods(kubectl, "alice")
    assert result.returncode == 0, result.stderr
    assert api.authenticated()


def test_unsecure_restores_the_file_byte_for_byte(secret_service, kubeconfig, kw):
    before = kubeconfig.read_bytes()
    kw("secure", "--all")
    assert kubeconfig.read_bytes() != before
    kw("unsecure", "--all")
    assert kubeconfig.read_bytes() == before
    # only the backup key stays: the backups taken since hold the secrets again, sealed with it
    assert [line.split()[0] for line in kw("vault", "list").stdout.splitlines()[1:]] == ["kubewallet/backup-key"]


def test_an_expired_certificate_is_served_with_one_line_naming_user_and_fix(
        secret_service, kubeconfig, kw, kubectl, pki):
    import datetime as dt

    old = pki.issue("eve", not_before=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30),
                    not_after=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2))
    write_kubeconfig(kubeconfig, {"server": "https://127.0.0.1:1"}, {
        "eve": {"client-certificate-data": old.cert_b64, "client-key-data": old.key_b64}}, "eve")
    kw("secure", "eve")
    import os

    result = kw("credential", "get", "--user", "eve", "--ref", "users/eve",
                env=dict(os.environ, KUBERNETES_EXEC_INFO=EXEC_INFO_STUB))
    assert '"clientCertificateData"' in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "user 'eve' expired at" in lines[0] and "2 days ago" in lines[0]
    assert "kubewallet credential update eve" in lines[0]


def test_expiration_timestamp_comes_from_the_jwt_exp(secret_service, kubeconfig, kw):
    import json

    token = jwt_expiring_in(3600)
    write_kubeconfig(kubeconfig, {"server": "https://127.0.0.1:1"}, {"carol": {"token": token}}, "carol")
    kw("secure", "carol")
    import os

    out = kw("credential", "get", "--ref", "users/carol",
             env=dict(os.environ, KUBERNETES_EXEC_INFO=EXEC_INFO_STUB))
    cred = json.loads(out.stdout)
    assert cred["status"]["token"] == token and cred["status"]["expirationTimestamp"].endswith("Z")
    assert out.stderr == ""


def test_the_first_call_without_an_agent_starts_one(secret_service, kubeconfig, kw, kubectl, api,
                                                    monkeypatch):
    import time

    kw("secure", "alice")
    monkeypatch.delenv("KUBEWALLET_NO_AGENT_AUTOSTART")
    monkeypatch.setenv("KUBEWALLET_AGENT_TIMEOUT", "300")
    assert "no agent is running" in kw("agent", "status", check=False).stdout
    try:
        assert get_pods(kubectl, "alice").returncode == 0  # served from the vault, agent started
        deadline = time.monotonic() + 10
        while kw("agent", "status", check=False).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "timeout: 300 s" in kw("agent", "status").stdout
        assert get_pods(kubectl, "alice").returncode == 0
        assert "served 0 " not in kw("agent", "status").stdout
    finally:
        kw("agent", "stop", check=False)
