"""What `kubewallet certs` predicts is what the real kubectl then does: a healthy client
certificate gets through to the API-server stand-in, an expired one or one whose key does not
match is refused (kubectl: "private key does not match public key"), and so is a certificate
stored as DER, which kubewallet reads but kubectl does not."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess

import pytest

from tests.integration.inspect.conftest import write_kubeconfig
from tests.support.apiserver import ApiServer
from tests.support.inspect import der

pytestmark = pytest.mark.kubectl


def test_prediction_matches_kubectl(tmp_path, pki, run, kubectl, now):
    healthy = pki.issue("ok-user", ("dev",), days=100)
    expired = pki.issue("old-user", not_before=now - dt.timedelta(days=20), not_after=now - dt.timedelta(days=1))
    other = pki.issue("someone")
    cases = {"healthy": (healthy.cert_b64, healthy.key_b64),
             "expired": (expired.cert_b64, expired.key_b64),
             "mismatch": (healthy.cert_b64, other.key_b64),
             "der": (base64.b64encode(der(healthy)).decode(), healthy.key_b64)}
    with ApiServer(pki) as api:
        for name, (cert, key) in cases.items():
            cfg = write_kubeconfig(tmp_path / name / "config", clusters=[("c", api.cluster_entry())],
                                   users=[("u", {"client-certificate-data": cert, "client-key-data": key})],
                                   contexts=[("c", {"cluster": "c", "user": "u"})], current="c")
            predicted = run("certs", "--kubeconfig", str(cfg)).returncode
            actual = subprocess.run([kubectl, "--kubeconfig", str(cfg), "get", "pods", "--request-timeout=10s"],
                                    capture_output=True, text=True, timeout=60)
            assert (predicted == 0) == (actual.returncode == 0), (name, predicted, actual.stderr)
            if name == "mismatch":
                assert "private key does not match public key" in actual.stderr
                assert "does not match" in run("certs", "--kubeconfig", str(cfg)).stdout
