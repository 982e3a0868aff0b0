"""The keyring-backed vault against the real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import pytest

from kubewallet.errors import VaultError, VaultLockedError
from kubewallet.vault import open_vault
from kubewallet.vault.keystore import SecretServiceKeyStore


class CountingKeyStore(SecretServiceKeyStore):
    """The real Secret Service, counting reads (to prove a session reads the keyring once)."""

    reads = 0

    def get(self, service, account):
        CountingKeyStore.reads += 1
        return super().get(service, account)


def test_a_64_kib_secret_through_the_real_keyring(secret_service, tmp_path):
    secret = "x" * 65536
    vault = open_vault(tmp_path / "v.json")
    vault.put("users/big", secret, meta={"kind": "token"})
    assert open_vault(tmp_path / "v.json").get("users/big") == secret
    # The only keyring item is the data key, visible through keyring's own API under our service.
    import keyring

    stored = keyring.get_password(secret_service, "vault-data-key")
    assert stored and len(stored) == 44 and secret[:8] not in stored
    assert open_vault(tmp_path / "v.json").status().state == "unlocked"


def test_a_session_reads_the_keyring_once(secret_service, tmp_path):
    open_vault(tmp_path / "v.json").put("a", "1")
    CountingKeyStore.reads = 0
    vault = open_vault(tmp_path / "v.json", keystore=CountingKeyStore())
    for i in range(5):
        vault.put(f"r{i}", str(i))
        assert vault.get("a") == "1"
    assert CountingKeyStore.reads == 1


def test_a_missing_data_key_is_reported_not_replaced(secret_service, tmp_path):
    import keyring

    vault = open_vault(tmp_path / "v.json")
    vault.put("a", "1")
    before = open(vault.path, 'rb').read()
    keyring.delete_password(secret_service, "vault-data-key")
    with pytest.raises(VaultError, match="missing from the OS keyring"):
        open_vault(tmp_path / "v.json").get("a")
    with pytest.raises(VaultError):
        open_vault(tmp_path / "v.json").put("b", "2")
    assert open(vault.path, 'rb').read() == before


def test_no_keyring_at_all_says_to_use_the_file_vault(monkeypatch, tmp_path):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(VaultError) as err:
        open_vault(tmp_path / "v.json").put("a", "1")
    assert "vault init --file" in err.value.hint
    assert not (tmp_path / "v.json").exists()


def test_a_bus_without_a_secret_service_is_reported(monkeypatch, tmp_path, system_tool):
    import subprocess

    out = subprocess.run([system_tool("dbus-daemon"), "--session", "--fork", "--print-address=1", "--print-pid=1"],
                         capture_output=True, text=True, check=True, timeout=20)
    address, pid = out.stdout.split()[:2]
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        status = open_vault(tmp_path / "v.json").status()
        assert status.state == "not initialized"
        with pytest.raises(VaultError, match="Secret Service") as err:
            open_vault(tmp_path / "v.json").put("a", "1")
        assert "vault init --file" in err.value.hint
    finally:
        import os
        import signal

        os.kill(int(pid), signal.SIGTERM)


def test_a_locked_keyring_fails_fast_with_what_to_do(own_secret_service, tmp_path):
    import secretstorage

    vault = open_vault(tmp_path / "v.json")
    vault.put("a", "1")
    bus = secretstorage.dbus_init()
    secretstorage.get_default_collection(bus).lock()
    bus.close()
    with pytest.raises(VaultLockedError) as err:
        open_vault(tmp_path / "v.json").get("a")
    assert "unlock" in err.value.hint
    status = open_vault(tmp_path / "v.json").status()
    assert status.state == "locked"
    # The vault object that already read the key keeps working for this session.
    assert vault.get("a") == "1"


def test_a_configured_keyring_backend_goes_through_keyring_itself(secret_service, tmp_path, monkeypatch):
    """PYTHON_KEYRING_BACKEND (the person's choice) is honoured through the `keyring` package."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    vault = open_vault(tmp_path / "v.json")
    vault.put("a", "1")
    assert "keyring (keyring.backends.SecretService.Keyring)" in vault.status().detail
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    assert open_vault(tmp_path / "v.json").get("a") == "1"  # the same item, read directly


def test_keyrings_fail_backend_is_reported_never_a_plaintext_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(VaultError) as err:
        open_vault(tmp_path / "v.json").put("a", "1")
    assert "no usable backend" in err.value.message and "vault init --file" in err.value.hint
    assert not (tmp_path / "v.json").exists()
