"""No plaintext left behind: after several edits (each one backed up) and `kubewallet secure`,
the moved token and private key are nowhere under HOME, the runtime directory or the temp
directory, raw or base64; the earlier backups were rewritten and still restore to a working
kubeconfig."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import time
from pathlib import Path

import yaml

from kubewallet.kubeconfig import LoadingRules, run_edit
from kubewallet.credentials.sealing import MAGIC
from kubewallet.kubeconfig.saving import list_backups, read_backup
from tests.support.kubeconfigs import write_kubeconfig


def holders(roots: list[Path], needles: list[bytes]) -> list[str]:
    found = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
                except OSError:
                    continue
                found += [str(path) for n in needles if n in data]
    return found


def test_secured_secrets_leave_the_kubeconfig_and_every_backup(secret_service, kw, kubewallet_cmd, pki, tmp_path,
                                                              monkeypatch):
    home = Path(os.environ["HOME"])
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    token = "tok-" + secrets.token_hex(16)
    bob = pki.issue("bob", ("dev",))
    path = write_kubeconfig(home / ".kube" / "config", {"server": "https://127.0.0.1:1"}, {
        "alice": {"token": token},
        "bob": {"client-certificate-data": bob.cert_b64, "client-key-data": bob.key_b64},
    }, "alice")
    rules = LoadingRules.from_env(str(path))
    for ns in ("one", "two", "three"):
        run_edit(rules, lambda ws, ns=ns: ws.set_entry("contexts", "alice", {"cluster": "stub", "user": "alice",
                                                                               "namespace": ns}))
    assert len(list_backups(path)) >= 3
    key_pem = base64.b64decode(bob.key_b64)
    needles = [token.encode(), base64.b64encode(token.encode()), bob.key_b64.encode(), key_pem,
               b"".join(key_pem.splitlines()[1:2])]
    assert holders([home], needles)  # before: in the kubeconfig and its backups

    shell = subprocess.Popen([*kubewallet_cmd, "shell", "--kubeconfig", str(path), "alice", "--", "sleep", "60"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not list(Path(os.environ["XDG_RUNTIME_DIR"]).glob("kubewallet-shell-*/config")):
            assert time.monotonic() < deadline and shell.poll() is None, "the shell's copy never appeared"
            time.sleep(0.05)
        kw("secure", "--kubeconfig", str(path), "--all")
        # the live shell's copy, too: its alice now runs the plugin
        [copy] = Path(os.environ["XDG_RUNTIME_DIR"]).glob("kubewallet-shell-*/config")
        assert yaml.safe_load(copy.read_text())["users"][0]["user"]["exec"]["args"][-1] == "users/alice"
        assert holders([home, Path(os.environ["XDG_RUNTIME_DIR"]), temp], needles) == []
    finally:
        shell.terminate()
        shell.wait(timeout=20)

    assert holders([home, Path(os.environ["XDG_RUNTIME_DIR"]), temp], needles) == []
    newest = list_backups(path)[0]  # taken by secure itself, then scrubbed
    users = {u["name"]: u["user"] for u in yaml.safe_load(newest.path.read_bytes())["users"]}
    assert users["alice"]["exec"]["args"][-2:] == ["--ref", "users/alice"]  # still usable

    # a new plaintext user, then one more edit: that backup holds a secret, so it is sealed
    dave = "dave-" + secrets.token_hex(8)
    run_edit(rules, lambda ws: ws.set_entry("users", "dave", {"token": dave}))
    run_edit(rules, lambda ws: ws.set_entry("contexts", "alice", {"cluster": "stub", "user": "alice"}))
    newest = list_backups(path)[0]
    assert newest.path.read_bytes().startswith(MAGIC) and dave.encode() not in newest.path.read_bytes()
    users = {u["name"]: u["user"] for u in yaml.safe_load(read_backup(newest))["users"]}
    assert users["dave"] == {"token": dave}  # the vault opens it

    listing = kw("restore", str(path)).stdout
    assert "invalid" not in listing and "sealed" not in listing
    diff = kw("restore", str(path), "--latest", "--diff").stdout
    assert "namespace: three" in diff
    kw("restore", str(path), "--latest")
    restored = {u["name"]: u["user"] for u in yaml.safe_load(path.read_text())["users"]}
    assert restored["dave"] == {"token": dave} and "exec" in restored["alice"]


def test_a_failing_step_after_the_vault_write_changes_nothing(secret_service, pki, tmp_path, monkeypatch):
    """Verify-then-commit: a backup that cannot be rewritten (here a directory where a backup
    should be, so reading it fails for real) stops `secure` after the vault and the kubeconfig
    were written; both are rolled back and the key file it was about to remove is still there."""
    from kubewallet.credentials import secure
    from kubewallet.kubeconfig.saving import backup_folder_for, real_target
    from kubewallet.vault import open_vault

    home = Path(os.environ["HOME"])
    bob = pki.issue("bob", ())
    key = tmp_path / "bob.key"
    key.write_bytes(base64.b64decode(bob.key_b64))
    key.chmod(0o600)
    path = write_kubeconfig(home / ".kube" / "config", {"server": "https://127.0.0.1:1"}, {
        "bob": {"client-certificate-data": bob.cert_b64, "client-key": str(key)},
        "alice": {"token": "alice-" + secrets.token_hex(8)}}, "bob")
    run_edit(LoadingRules.from_env(str(path)),
             lambda ws: ws.set_entry("contexts", "bob", {"cluster": "stub", "user": "bob", "namespace": "x"}))
    (backup_folder_for(real_target(path)) / "20000101T000000.000000Z.yaml").mkdir()
    before = path.read_bytes()
    monkeypatch.setenv("KUBECONFIG", str(path))

    try:
        secure.secure(LoadingRules.from_env(), ["bob", "alice"], include_files=True)
    except IsADirectoryError:
        pass
    else:
        raise AssertionError("secure went on past a backup it could not rewrite")

    assert yaml.safe_load(path.read_bytes()) == yaml.safe_load(before)
    assert key.read_bytes() == base64.b64decode(bob.key_b64)

    assert [r for r in open_vault().refs() if r.startswith("users/")] == []  # only the backup key stays
