"""The demo workspace: what a newcomer sees must exist and be readable by kubectl itself."""

import base64
import datetime as dt
import json
import os
import subprocess

from cryptography import x509

from kubewallet.demo import build


def test_the_demo_has_an_expiring_and_an_expired_certificate(tmp_path):
    ws = build(tmp_path)
    import yaml

    users = {u["name"]: u["user"] for u in yaml.safe_load(ws.files[0].read_text())["users"]}
    now = dt.datetime.now(dt.timezone.utc)

    def days_left(pem: bytes) -> float:
        return (x509.load_pem_x509_certificate(pem).not_valid_after_utc - now).total_seconds() / 86400

    assert 0 < days_left((tmp_path / "certs" / "deploy-bot.crt").read_bytes()) < 14
    assert days_left(base64.b64decode(users["old-admin"]["client-certificate-data"])) < 0
    assert (tmp_path / "certs" / "deploy-bot.key").stat().st_mode & 0o777 == 0o600


def test_the_demo_has_a_secured_user_served_from_its_own_vault_file(tmp_path, kubewallet_cmd, monkeypatch):
    """The secured user's secret is in the demo folder's vault, never in the person's keyring."""
    import subprocess

    import yaml

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # no keyring reachable at all
    ws = build(tmp_path)
    user = {u["name"]: u["user"] for u in yaml.safe_load(ws.files[0].read_text())["users"]}["alice@prod-eu"]
    assert set(user) == {"exec"} and user["exec"]["command"] == "kubewallet"
    doc = yaml.safe_load(ws.files[0].read_text())
    cluster = next(c["cluster"] for c in doc["clusters"] if c["name"] == "prod-eu")
    assert user["exec"]["provideClusterInfo"] is True  # served only to the cluster it was secured for
    env = dict(os.environ, **ws.env, KUBERNETES_EXEC_INFO=json.dumps(  # as kubectl sends it for prod-eu
        {"apiVersion": "client.authentication.k8s.io/v1", "spec": {"interactive": False, "cluster": {
            "server": cluster["server"], "certificate-authority-data": cluster["certificate-authority-data"]}}}))
    out = subprocess.run(kubewallet_cmd + user["exec"]["args"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)["status"]
    cert = x509.load_pem_x509_certificate(status["clientCertificateData"].encode())
    assert cert.subject.rfc4514_string().startswith("CN=alice")
    # ... and it is the healthy one of the demo's certificates.
    assert (cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc)).days > 300


def test_the_demo_oidc_user_is_known_offline_and_its_group_grants_access(tmp_path, kubewallet_cmd):
    """whoami reads the demo's cached id_token under the demo cluster's claim mapping, and can-i
    finds the group binding in the demo's RBAC manifests."""
    import subprocess

    ws = build(tmp_path)
    env = dict(os.environ, **ws.env)
    who = json.loads(subprocess.run(kubewallet_cmd + ["whoami", "--context", "oidc-prod", "-o", "json"],
                                    env=env, capture_output=True, text=True, check=True).stdout)
    assert who["identity"]["username"] == "alice@example.com"
    assert "oidc:platform" in who["identity"]["groups"]
    ask = subprocess.run(kubewallet_cmd + ["can-i", "list", "pods", "-n", "default", "--context", "oidc-prod",
                                           "--rbac", str(ws.rbac_dir), "--with-defaults"],
                         env=env, capture_output=True, text=True)
    assert (ask.returncode, ask.stdout.strip()) == (0, "yes")
