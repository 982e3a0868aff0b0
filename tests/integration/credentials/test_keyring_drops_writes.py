"""Issue 12.2: a keyring that cannot keep a secret never gets the vault's data key, and `secure`
changes nothing when the vault cannot be written and read back.

`keyring.backends.null.Keyring` is the real backend people set (PYTHON_KEYRING_BACKEND, commonly
recommended for pip and Poetry): it accepts every write and stores nothing. Before the fix,
`secure --include-files` exited 0, removed the token from the kubeconfig and deleted the key file,
leaving the only copy encrypted under a key nobody kept.
"""

from __future__ import annotations

import pytest

from kubewallet.errors import VaultError
from kubewallet.vault import open_vault
from kubewallet.vault.keystore import KeyringLibKeyStore
from tests.support.kubeconfigs import write_kubeconfig

NULL = "keyring.backends.null.Keyring"


def test_secure_with_the_null_keyring_refuses_and_changes_nothing(kw, pki, tmp_path, monkeypatch):
    ivan = pki.issue("ivan")
    key_file = tmp_path / "ivan.key"
    key_file.write_bytes(ivan.key_pem)
    key_file.chmod(0o600)
    path = write_kubeconfig(tmp_path / "config", {"server": "https://127.0.0.1:1"},
                            {"ivan": {"client-certificate-data": ivan.cert_b64,
                                      "client-key": str(key_file)},
                             "tok": {"token": "tok-inline-secret"}}, "ivan")
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NULL)
    before = path.read_bytes()
    out = kw("secure", "--include-files", "ivan", "tok", check=False)
    assert out.returncode != 0
    assert "cannot keep a secret" in out.stderr and NULL in out.stderr
    assert "PYTHON_KEYRING_BACKEND" in out.stderr  # what to do
    assert path.read_bytes() == before
    assert key_file.read_bytes() == ivan.key_pem
    assert not open_vault().status().exists  # no vault file under a lost key either


def test_the_null_backend_is_refused_by_the_vault_itself(monkeypatch, tmp_path):
    """(fail.Keyring: test_vault_keyring.py)"""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NULL)
    with pytest.raises(VaultError, match="cannot keep a secret"):
        open_vault(tmp_path / "v.json").put("users/a", "secret")
    assert not (tmp_path / "v.json").exists()


def test_a_chainer_of_only_null_and_fail_is_refused(monkeypatch):
    from keyring.backends import chainer, fail, null

    from kubewallet.vault.keystore import cannot_keep_secrets

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [null.Keyring(), fail.Keyring()])
    assert cannot_keep_secrets(chainer.ChainerBackend())
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert cannot_keep_secrets(chainer.ChainerBackend())


def test_a_data_key_is_read_back_before_anything_is_written(tmp_path):
    """The read-back check on its own: the real null backend, handed to the vault as a key store
    directly (past the refusal above), must still never leave a vault under a lost key."""
    from keyring.backends import null

    class NullStore:
        name = "keyring (null)"
        backend = null.Keyring()

        get = KeyringLibKeyStore.get
        set = KeyringLibKeyStore.set
        delete = KeyringLibKeyStore.delete
        _call = KeyringLibKeyStore._call

    vault = open_vault(tmp_path / "v.json", keystore=NullStore())
    with pytest.raises(VaultError, match="did not keep the vault's data key"):
        vault.put("users/a", "secret")
    assert not (tmp_path / "v.json").exists()
