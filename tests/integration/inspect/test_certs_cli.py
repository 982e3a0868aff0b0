"""`kubewallet certs` end to end on generated kubeconfigs: report, sort, exit status, file paths."""

from __future__ import annotations

import datetime as dt
import json

from tests.integration.inspect.conftest import write_kubeconfig
from tests.support.inspect import der


def _one_user_config(tmp_path, pki, issued, name="jane"):
    return write_kubeconfig(
        tmp_path / "config",
        clusters=[("prod", {"server": "https://127.0.0.1:6443", "certificate-authority-data": pki.cert_b64})],
        users=[(name, {"client-certificate-data": issued.cert_b64, "client-key-data": issued.key_b64})],
        contexts=[("prod", {"cluster": "prod", "user": name})], current="prod")


def test_healthy_expiring_and_expired_exit_0_1_2(tmp_path, pki, run, now):
    cases = [(400, 0, "OK"), (12, 1, "EXPIRING"), (-3, 2, "EXPIRED")]
    for days, code, word in cases:
        issued = pki.issue("jane", ("dev",), not_before=now - dt.timedelta(days=500),
                           not_after=now + dt.timedelta(days=days, minutes=-5))
        cfg = _one_user_config(tmp_path / str(days), pki, issued)
        result = run("certs", "--kubeconfig", str(cfg))
        assert result.returncode == code, result.stderr
        line = next(l for l in result.stdout.splitlines() if "users/jane" in l)
        assert line.startswith(word)
        assert ("expired 3 days ago" if days < 0 else "expires in") in line


def test_warn_window_changes_the_verdict(tmp_path, pki, run, now):
    issued = pki.issue("jane", not_after=now + dt.timedelta(days=12))
    cfg = _one_user_config(tmp_path, pki, issued)
    assert run("certs", "--kubeconfig", str(cfg), "--warn", "7d").returncode == 0
    assert run("certs", "--kubeconfig", str(cfg), "--warn", "2w").returncode == 1


def test_all_contexts_sorted_by_expiry_with_relative_files_and_der(tmp_path, pki, run, now):
    """Two KUBECONFIG files in different folders: relative paths resolve against the file that
    names them; DER and base64-of-DER certificates are read too."""
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    soon = pki.issue("soon", not_after=now + dt.timedelta(days=20))
    late = pki.issue("late", ("ops",), days=300, key_kind="rsa")
    old = pki.issue("old", not_before=now - dt.timedelta(days=90), not_after=now - dt.timedelta(days=1))
    b_dir.mkdir(parents=True)
    (b_dir / "late.der").write_bytes(der(late))
    (b_dir / "late.key").write_bytes(late.key_pem)
    (b_dir / "ca.pem").write_bytes(pki.cert_pem)
    import base64

    a = write_kubeconfig(a_dir / "config",
                         clusters=[("c1", {"server": "https://a", "certificate-authority-data": pki.cert_b64})],
                         users=[("soon", {"client-certificate-data": soon.cert_b64, "client-key-data": soon.key_b64}),
                                ("old", {"client-certificate-data": base64.b64encode(der(old)).decode(),
                                         "client-key-data": old.key_b64})],
                         contexts=[("soon", {"cluster": "c1", "user": "soon"}),
                                   ("old", {"cluster": "c1", "user": "old"})], current="soon")
    b = write_kubeconfig(b_dir / "config",
                         clusters=[("c2", {"server": "https://b", "certificate-authority": "ca.pem"})],
                         users=[("late", {"client-certificate": "late.der", "client-key": "late.key"})],
                         contexts=[("late", {"cluster": "c2", "user": "late"})])
    env = {"KUBECONFIG": f"{a}:{b}"}
    current_only = run("certs", env=env)
    assert [l.split()[0] for l in current_only.stdout.splitlines()[1:3]] == ["EXPIRING", "OK"]
    result = run("certs", "--all-contexts", "-o", "json", env=env)
    assert result.returncode == 2, result.stderr
    records = json.loads(result.stdout)
    assert [r["owner"] for r in records] == ["users/old", "users/soon", "users/late", "clusters/c1", "clusters/c2"]
    assert records[0]["status"] == "expired"
    late_rec = records[2]
    assert late_rec["source"].endswith(str(b_dir / "late.der"))
    assert late_rec["certificate"]["organizations"] == ["ops"]
    assert late_rec["certificate"]["keyAlgorithm"] == "RSA"
    assert {"level": "ok", "text": "the private key matches the certificate"} in late_rec["checks"]
    # kubewallet reads DER, but kubectl reads only PEM there: the record says so and is broken
    assert late_rec["status"] == "broken"
    assert any("holds DER (binary), but kubectl reads only PEM there" in c["text"] for c in late_rec["checks"])
    assert any("holds DER (binary)" in c["text"] for c in records[0]["checks"])
    assert any("signed by CN=kubewallet-test-ca" in c["text"] for c in late_rec["checks"])
    one = json.loads(run("certs", "--context", "late", "-o", "json", env=env).stdout)
    assert [r["owner"] for r in one] == ["users/late", "clusters/c2"]


def test_system_masters_is_loud_in_the_table(tmp_path, pki, run):
    admin = pki.issue("kubernetes-admin", ("system:masters",), days=300)
    cfg = _one_user_config(tmp_path, pki, admin, "admin")
    out = run("certs", "--kubeconfig", str(cfg)).stdout
    assert "[system:masters]" in out
    assert "bypasses all authorization" in out


def test_broken_certificate_and_missing_file_are_named(tmp_path, pki, run):
    cfg = write_kubeconfig(
        tmp_path / "config",
        clusters=[("c", {"server": "https://x", "certificate-authority-data": "bm90IGEgY2VydA=="})],
        users=[("u", {"client-certificate": "missing.crt", "client-key": "missing.key"})],
        contexts=[("c", {"cluster": "c", "user": "u"})], current="c")
    result = run("certs", "--kubeconfig", str(cfg))
    assert result.returncode == 2
    assert f"no such file {tmp_path / 'missing.crt'}" in result.stdout
    assert "clusters/c certificate-authority-data is base64, but what it decodes to is neither PEM nor DER" in result.stdout


def test_unknown_context_and_bad_warn(tmp_path, pki, run):
    cfg = _one_user_config(tmp_path, pki, pki.issue("jane"))
    result = run("certs", "--kubeconfig", str(cfg), "--context", "nope")
    assert result.returncode == 3 and result.stderr.startswith("error: context 'nope' not found")
    result = run("certs", "--kubeconfig", str(cfg), "--warn", "soon")
    assert result.returncode == 2 and "cannot read the duration 'soon'" in result.stderr
    assert "Traceback" not in result.stderr
