"""`kubewallet lint` end to end: each rule fires on the kubeconfig that should trigger it."""

from __future__ import annotations

import datetime as dt
import json
import os

from tests.integration.inspect.conftest import write_kubeconfig
from tests.support.inspect import Signer, legacy_sa_claims, oidc_claims


def _codes(result) -> set[tuple[str, str, str]]:
    return {(f["severity"], f["code"], f["subject"]) for f in json.loads(result.stdout)}


def test_a_clean_kubeconfig_exits_0(tmp_path, pki, run):
    jane = pki.issue("jane", ("dev",), days=200)
    (tmp_path / "jane.crt").write_bytes(jane.cert_pem)
    (tmp_path / "jane.key").write_bytes(jane.key_pem)
    os.chmod(tmp_path / "jane.key", 0o600)
    cfg = write_kubeconfig(tmp_path / "config",
                           clusters=[("c", {"server": "https://127.0.0.1:6443", "certificate-authority-data": pki.cert_b64})],
                           users=[("jane", {"client-certificate": "jane.crt", "client-key": "jane.key"}),
                                  ("exec", {"exec": {"command": "sh", "apiVersion": "client.authentication.k8s.io/v1"}})],
                           contexts=[("c", {"cluster": "c", "user": "jane"}), ("e", {"cluster": "c", "user": "exec"})],
                           current="c")
    result = run("lint", "--kubeconfig", str(cfg))
    assert (result.returncode, result.stdout.strip()) == (0, "no findings"), result.stdout


def test_every_rule_fires(tmp_path, pki, run, now):
    signer = Signer("rsa")
    admin = pki.issue("admin", ("system:masters",), days=300)
    soon = pki.issue("soon", not_after=now + dt.timedelta(days=5))
    gone = pki.issue("gone", not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1))
    other = pki.issue("other")
    first = write_kubeconfig(
        tmp_path / "one" / "config", mode=0o644,
        clusters=[("prod", {"server": "https://10.0.0.1", "certificate-authority-data": pki.cert_b64}),
                  ("lab", {"server": "http://lab.example:8080", "insecure-skip-tls-verify": True})],
        users=[("admin", {"client-certificate-data": admin.cert_b64, "client-key-data": admin.key_b64}),
               ("soon", {"client-certificate-data": soon.cert_b64, "client-key-data": soon.key_b64}),
               ("gone", {"client-certificate-data": gone.cert_b64, "client-key-data": other.key_b64}),
               ("bot", {"token": signer.sign(legacy_sa_claims())}),
               ("stale", {"token": signer.sign(oidc_claims(expires_in=-7200))}),
               ("gke", {"auth-provider": {"name": "gcp", "config": {"access-token": "x"}}}),
               ("az", {"auth-provider": {"name": "azure"}}),
               ("ex", {"exec": {"command": "kubelogin-missing", "apiVersion": "client.authentication.k8s.io/v1"}}),
               ("rel", {"exec": {"command": "./bin/plugin", "apiVersion": "client.authentication.k8s.io/v1"}})],
        contexts=[("admin", {"cluster": "prod", "user": "admin"}), ("soon", {"cluster": "prod", "user": "soon"}),
                  ("gone", {"cluster": "prod", "user": "gone"}), ("bot", {"cluster": "lab", "user": "bot"}),
                  ("stale", {"cluster": "lab", "user": "stale"}), ("gke", {"cluster": "lab", "user": "gke"}),
                  ("az", {"cluster": "lab", "user": "az"}), ("ex", {"cluster": "lab", "user": "ex"}),
                  ("rel", {"cluster": "lab", "user": "rel"}),
                  ("dangling", {"cluster": "nowhere", "user": "nobody"})],
        current="missing-context")
    second = write_kubeconfig(
        tmp_path / "two" / "config", mode=0o640,
        clusters=[("prod", {"server": "https://elsewhere"})], users=[], contexts=[])
    result = run("lint", "-o", "json", env={"KUBECONFIG": f"{first}:{second}"})
    assert result.returncode == 2, result.stderr
    got = _codes(result)
    expected = {
        ("error", "file-mode", str(first)), ("warning", "file-mode", str(second)),
        ("warning", "plaintext-secret", "users/admin"), ("warning", "plaintext-secret", "users/bot"),
        ("warning", "plaintext-secret", "users/gke"),
        ("error", "insecure-skip-tls-verify", "clusters/lab"), ("error", "http-server", "clusters/lab"),
        ("warning", "system-masters", "users/admin"),
        ("warning", "cert-expiring", "users/soon"), ("error", "cert-expired", "users/gone"),
        ("error", "key-mismatch", "users/gone"),
        ("warning", "legacy-sa-token", "users/bot"), ("error", "token-expired", "users/stale"),
        ("error", "removed-auth-provider", "users/gke"), ("error", "removed-auth-provider", "users/az"),
        ("error", "exec-not-found", "users/ex"), ("error", "exec-not-found", "users/rel"),
        ("error", "dangling-reference", "current-context"), ("error", "dangling-reference", "contexts/dangling"),
        ("warning", "duplicate-entry", "clusters/prod"),
    }
    assert expected <= got, expected - got
    findings = json.loads(result.stdout)
    mode = next(f for f in findings if f["code"] == "file-mode" and f["severity"] == "error")
    assert mode["fixAction"] == ["chmod600", str(first)] and mode["fix"] == f"chmod 600 {first}"
    # a relative exec command with a slash is found next to the kubeconfig, as client-go does
    (tmp_path / "one" / "bin").mkdir()
    (tmp_path / "one" / "bin" / "plugin").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "one" / "bin" / "plugin", 0o755)
    again = _codes(run("lint", "-o", "json", env={"KUBECONFIG": f"{first}:{second}"}))
    assert ("error", "exec-not-found", "users/rel") not in again
    table = run("lint", env={"KUBECONFIG": f"{first}:{second}"}).stdout
    assert "fixes:" in table and "kubewallet secure admin" in table and "kubewallet certs renew soon" in table


def test_warnings_only_exit_1(tmp_path, pki, run):
    u = pki.issue("u", days=200)
    cfg = write_kubeconfig(tmp_path / "config",
                           clusters=[("c", {"server": "https://x", "certificate-authority-data": pki.cert_b64})],
                           users=[("u", {"client-certificate-data": u.cert_b64, "client-key-data": u.key_b64})],
                           contexts=[("c", {"cluster": "c", "user": "u"})], current="c")
    result = run("lint", "--kubeconfig", str(cfg))
    assert result.returncode == 1 and "plaintext-secret" in result.stdout


def test_unparsable_kubeconfig_exits_3(tmp_path, run):
    (tmp_path / "config").write_text("clusters: [\n")
    result = run("lint", "--kubeconfig", str(tmp_path / "config"))
    assert result.returncode == 3 and result.stderr.startswith("error:")


def test_short_lived_tokens_are_not_nagged_about(tmp_path, run):
    """An hour-long token expiring within the 30-day window is normal; a 90-day static token
    expiring within it is worth a warning."""
    signer = Signer("ec")
    cfg = write_kubeconfig(tmp_path / "config",
                           clusters=[("c", {"server": "https://x"})],
                           users=[("short", {"tokenFile": "short.jwt"}), ("long", {"tokenFile": "long.jwt"})],
                           contexts=[("s", {"cluster": "c", "user": "short"}), ("l", {"cluster": "c", "user": "long"})],
                           current="s")
    (tmp_path / "short.jwt").write_text(signer.sign(oidc_claims(expires_in=3600)))
    long_claims = oidc_claims(expires_in=10 * 86400)
    long_claims["iat"] -= 80 * 86400
    (tmp_path / "long.jwt").write_text(signer.sign(long_claims))
    got = _codes(run("lint", "--kubeconfig", str(cfg), "-o", "json"))
    assert ("warning", "token-expiring", "users/long") in got
    assert ("warning", "token-expiring", "users/short") not in got


def test_a_readable_key_file_is_found(tmp_path, pki, run):
    jane = pki.issue("jane", days=200)
    (tmp_path / "jane.crt").write_bytes(jane.cert_pem)
    (tmp_path / "jane.key").write_bytes(jane.key_pem)
    os.chmod(tmp_path / "jane.key", 0o644)
    cfg = write_kubeconfig(tmp_path / "config",
                           clusters=[("c", {"server": "https://x", "certificate-authority-data": pki.cert_b64})],
                           users=[("jane", {"client-certificate": "jane.crt", "client-key": "jane.key"})],
                           contexts=[("c", {"cluster": "c", "user": "jane"})], current="c")
    result = run("lint", "--kubeconfig", str(cfg), "-o", "json")
    finding = next(f for f in json.loads(result.stdout) if f["subject"] == "users/jane")
    assert (finding["severity"], finding["code"]) == ("error", "file-mode")
    assert finding["fixAction"] == ["chmod600", str(tmp_path / "jane.key")]
