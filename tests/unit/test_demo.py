"""The demo workspace: what a newcomer sees must exist and be readable by kubectl itself."""

import base64
import datetime as dt
import json
import os
import subprocess

from cryptography import x509

from kubewallet.demo import build


def test_kubectl_reads_the_demo_workspace(tmp_path, kubectl):
    ws = build(tmp_path)
    out = subprocess.run([kubectl, "config", "view", "--raw", "-o", "json"], capture_output=True,
                         text=True, env=dict(os.environ, KUBECONFIG=ws.kubeconfig), check=True)
    doc = json.loads(out.stdout)
    assert doc["current-context"] == "staging"
    assert {"prod-eu", "staging", "team-a"} <= {c["name"] for c in doc["contexts"]}


def test_the_demo_has_a_healthy_an_expiring_and_an_expired_certificate(tmp_path):
    ws = build(tmp_path)
    import yaml

    users = {u["name"]: u["user"] for u in yaml.safe_load(ws.files[0].read_text())["users"]}
    now = dt.datetime.now(dt.timezone.utc)

    def days_left(pem: bytes) -> float:
        return (x509.load_pem_x509_certificate(pem).not_valid_after_utc - now).total_seconds() / 86400

    assert days_left(base64.b64decode(users["alice@prod-eu"]["client-certificate-data"])) > 300
    assert 0 < days_left((tmp_path / "certs" / "deploy-bot.crt").read_bytes()) < 14
    assert days_left(base64.b64decode(users["old-admin"]["client-certificate-data"])) < 0
    assert (tmp_path / "certs" / "deploy-bot.key").stat().st_mode & 0o777 == 0o600
