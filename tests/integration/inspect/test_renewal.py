"""Renewing an expired client certificate end to end: `kubewallet certs renew` (the new key goes
into the real vault on the real Secret Service), the CSR is signed, `kubewallet certs import`
swaps the certificate in, and the real kubectl then authenticates with it against the loopback
API-server stand-in.

The CSR is signed here with the test CA: that is what the cluster's
`kubernetes.io/kube-apiserver-client` signer (kube-controller-manager) does after
`kubectl certificate approve`, and no cluster can run on these machines.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.integration.inspect.conftest import write_kubeconfig
from tests.support.apiserver import ApiServer

pytestmark = [pytest.mark.keyring, pytest.mark.kubectl]


def sign_csr(pki, manifest: str, days: float = 90) -> bytes:
    """The kube-apiserver-client signer's job: issue what the CSR asks for (subject, client auth)."""
    doc = yaml.safe_load(manifest)
    csr = x509.load_pem_x509_csr(base64.b64decode(doc["spec"]["request"]))
    assert csr.is_signature_valid
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(pki.cert.subject)
            .public_key(csr.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(pki.key, hashes.SHA256()))
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _kubectl_get_pods(kubectl, cfg) -> subprocess.CompletedProcess:
    return subprocess.run([kubectl, "--kubeconfig", str(cfg), "get", "pods", "-n", "default",
                           "--request-timeout=10s"], capture_output=True, text=True, timeout=60)


@pytest.fixture
def api(pki):
    with ApiServer(pki) as server:
        yield server


def test_renew_and_import_an_inline_certificate(tmp_path, pki, api, run, kubectl, secret_service, now):
    expired = pki.issue("jane", ("dev", "ops"), key_kind="rsa",
                        not_before=now - dt.timedelta(days=40), not_after=now - dt.timedelta(days=2))
    cfg = write_kubeconfig(tmp_path / "config", clusters=[("local", api.cluster_entry())],
                           users=[("jane", {"client-certificate-data": expired.cert_b64,
                                            "client-key-data": expired.key_b64})],
                           contexts=[("local", {"cluster": "local", "user": "jane"})], current="local")
    assert _kubectl_get_pods(kubectl, cfg).returncode != 0
    assert run("certs", "--kubeconfig", str(cfg)).returncode == 2

    renew = run("certs", "renew", "jane", "--kubeconfig", str(cfg), "-o", str(tmp_path / "csr.yaml"))
    assert renew.returncode == 0, renew.stderr
    assert "kept in the vault as renewal/jane/client-key" in renew.stderr
    manifest = (tmp_path / "csr.yaml").read_text()
    doc = yaml.safe_load(manifest)
    assert doc["apiVersion"] == "certificates.k8s.io/v1" and doc["kind"] == "CertificateSigningRequest"
    assert doc["spec"]["signerName"] == "kubernetes.io/kube-apiserver-client"
    assert doc["spec"]["usages"] == ["client auth"]
    csr = x509.load_pem_x509_csr(base64.b64decode(doc["spec"]["request"]))
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "jane"
    assert sorted(a.value for a in csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)) == ["dev", "ops"]
    assert csr.public_key().key_size == 2048  # the same kind of key as before (RSA)
    assert "PRIVATE KEY" not in manifest + renew.stdout + renew.stderr

    # a certificate for some other key is refused, and the kubeconfig is left alone
    before = cfg.read_bytes()
    stranger = pki.issue("jane", ("dev", "ops"))
    (tmp_path / "wrong.crt").write_bytes(stranger.cert_pem)
    wrong = run("certs", "import", "jane", str(tmp_path / "wrong.crt"), "--kubeconfig", str(cfg))
    assert wrong.returncode == 1 and "does not match the key made by 'kubewallet certs renew'" in wrong.stderr
    assert cfg.read_bytes() == before

    signed = sign_csr(pki, manifest)
    done = run("certs", "import", "jane", "-", "--kubeconfig", str(cfg), stdin=signed.decode())
    assert done.returncode == 0, done.stderr
    assert "new client certificate CN=jane, O=dev, O=ops, expires in 89 days" in done.stdout

    pods = _kubectl_get_pods(kubectl, cfg)
    assert pods.returncode == 0, pods.stderr
    assert "hello-kubewallet" in pods.stdout
    assert api.authenticated()[-1].client_cn == "jane"
    assert run("certs", "--kubeconfig", str(cfg)).returncode == 0
    who = json.loads(run("whoami", "--kubeconfig", str(cfg), "-o", "json").stdout)
    assert (who["identity"]["username"], who["identity"]["groups"]) == ("jane", ["dev", "ops", "system:authenticated"])
    # the pending key is gone from the vault once used
    again = run("certs", "import", "jane", "-", "--kubeconfig", str(cfg), stdin=signed.decode())
    assert again.returncode == 1 and "no renewal key for 'jane'" in again.stderr


def test_identity_change_is_refused_unless_asked(tmp_path, pki, run, secret_service):
    jane = pki.issue("jane", ("dev",))
    cfg = write_kubeconfig(tmp_path / "config", clusters=[("c", {"server": "https://x"})],
                           users=[("jane", {"client-certificate-data": jane.cert_b64, "client-key-data": jane.key_b64})],
                           contexts=[("c", {"cluster": "c", "user": "jane"})], current="c")
    manifest = run("certs", "renew", "jane", "--kubeconfig", str(cfg)).stdout
    doc = yaml.safe_load(manifest)
    csr = x509.load_pem_x509_csr(base64.b64decode(doc["spec"]["request"]))
    now = dt.datetime.now(dt.timezone.utc)
    other = (x509.CertificateBuilder()
             .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                                      x509.NameAttribute(NameOID.COMMON_NAME, "jane")]))
             .issuer_name(pki.cert.subject).public_key(csr.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
             .sign(pki.key, hashes.SHA256()))
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "other.crt").write_bytes(other.public_bytes(serialization.Encoding.PEM))
    refused = run("certs", "import", "jane", str(tmp_path / "other.crt"), "--kubeconfig", str(cfg))
    assert refused.returncode == 1
    assert "is for CN=jane O=system:masters, the current one for CN=jane O=dev" in refused.stderr
    accepted = run("certs", "import", "jane", str(tmp_path / "other.crt"), "--kubeconfig", str(cfg),
                   "--allow-identity-change")
    assert accepted.returncode == 0, accepted.stderr


def test_a_secured_user_is_renewed_inside_the_vault(tmp_path, pki, api, run, kubectl, kubewallet_cmd,
                                                     secret_service, now):
    """A user kubewallet secured: the certificate lives in the vault and kubectl gets it through
    the exec plugin; renewal reads it from there and writes the new one back there."""
    from cryptography.hazmat.primitives import serialization

    from kubewallet.vault import open_vault

    old = pki.issue("ci", ("deployers",), not_before=now - dt.timedelta(days=30),
                    not_after=now + dt.timedelta(days=3))
    open_vault().put("users/ci", json.dumps({"clientCertificateData": old.cert_pem.decode(),
                                              "clientKeyData": old.key_pem.decode()}),
                     meta={"kind": "client-certificate", "user": "ci"})
    exec_entry = {"apiVersion": "client.authentication.k8s.io/v1", "command": kubewallet_cmd[0],
                  "args": ["credential", "get", "--ref", "users/ci", "--user", "ci"],
                  "interactiveMode": "Never"}
    cfg = write_kubeconfig(tmp_path / "config", clusters=[("local", api.cluster_entry())],
                           users=[("ci", {"exec": exec_entry})],
                           contexts=[("local", {"cluster": "local", "user": "ci"})], current="local")
    report = run("certs", "--kubeconfig", str(cfg), "-o", "json")
    assert report.returncode == 1, report.stderr
    client = next(r for r in json.loads(report.stdout) if r["role"] == "client")
    assert client["source"] == "users/ci (vault users/ci)" and client["status"] == "expiring"
    who = json.loads(run("whoami", "--kubeconfig", str(cfg), "-o", "json").stdout)
    assert who["identity"]["username"] == "ci" and who["credential"] == "client certificate from the vault users/ci"

    manifest = run("certs", "renew", "ci", "--kubeconfig", str(cfg)).stdout
    signed = sign_csr(pki, manifest, days=60)
    before = cfg.read_bytes()
    done = run("certs", "import", "ci", "-", "--kubeconfig", str(cfg), stdin=signed.decode())
    assert done.returncode == 0, done.stderr
    assert "stored in vault users/ci" in done.stdout
    assert cfg.read_bytes() == before  # the kubeconfig still just runs the plugin
    stored = json.loads(open_vault().get("users/ci"))
    new_cert = x509.load_pem_x509_certificate(stored["clientCertificateData"].encode())
    assert new_cert.public_bytes(serialization.Encoding.PEM) == signed
    pods = _kubectl_get_pods(kubectl, cfg)
    assert pods.returncode == 0, pods.stderr
    assert api.authenticated()[-1].client_subject == "CN=ci,O=deployers"
    assert run("certs", "--kubeconfig", str(cfg)).returncode == 0
