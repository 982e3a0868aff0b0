"""The encrypted-file vault (passphrase, scrypt + AES-256-GCM) on real files."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.errors import VaultError, VaultLockedError
from kubewallet.vault import open_vault

PASS = "correct horse battery staple"


@pytest.fixture
def file_vault(tmp_path):
    vault = open_vault(tmp_path / "vault.json", passphrase=PASS)
    vault.reencrypt(source="passphrase", passphrase=PASS)
    return vault


def test_a_64_kib_secret_round_trips_and_is_not_in_the_file(file_vault):
    secret = ("s3cr3t-" * 10000)[:65536]
    file_vault.put("users/big", secret, meta={"kind": "token"})
    again = open_vault(file_vault.path, passphrase=PASS)
    assert again.get("users/big") == secret
    assert again.get_entry("users/big").meta == {"kind": "token"}
    raw = Path(file_vault.path).read_text()
    assert "s3cr3t" not in raw
    assert stat.S_IMODE(os.stat(file_vault.path).st_mode) == 0o600


def test_get_put_delete_refs(file_vault):
    assert file_vault.get("nope") is None
    file_vault.put("a", "1")
    file_vault.put("b", "2")
    file_vault.put("a", "3")
    assert file_vault.refs() == ["a", "b"]
    assert file_vault.get("a") == "3"
    file_vault.delete("a")
    file_vault.delete("a")
    assert file_vault.refs() == ["b"]


def test_wrong_passphrase_is_named_and_changes_nothing(file_vault):
    file_vault.put("a", "1")
    before = Path(file_vault.path).read_bytes()
    wrong = open_vault(file_vault.path, passphrase="wrong")
    with pytest.raises(VaultLockedError, match="wrong passphrase"):
        wrong.get("a")
    with pytest.raises(VaultLockedError):
        wrong.put("b", "2")
    assert Path(file_vault.path).read_bytes() == before


def test_no_passphrase_without_a_person_says_what_to_do(file_vault, monkeypatch):
    file_vault.put("a", "1")
    monkeypatch.delenv("KUBEWALLET_VAULT_PASSPHRASE", raising=False)
    with pytest.raises(VaultLockedError) as err:
        open_vault(file_vault.path).get("a")
    assert "KUBEWALLET_VAULT_PASSPHRASE" in err.value.hint
    monkeypatch.setenv("KUBEWALLET_VAULT_PASSPHRASE", PASS)
    assert open_vault(file_vault.path).get("a") == "1"


def test_status_reports_the_file_backend_and_its_state(file_vault, monkeypatch):
    file_vault.put("a", "1")
    monkeypatch.delenv("KUBEWALLET_VAULT_PASSPHRASE", raising=False)
    st_locked = open_vault(file_vault.path).status()
    assert (st_locked.backend, st_locked.state) == ("passphrase", "locked")
    st_open = open_vault(file_vault.path, passphrase=PASS).status()
    assert (st_open.state, st_open.count) == ("unlocked", 1)


@pytest.mark.parametrize("where", ["ciphertext", "nonce", "check", "header"])
def test_a_tampered_file_is_detected_and_never_overwritten(file_vault, where):
    file_vault.put("a", "1")
    doc = json.loads(Path(file_vault.path).read_text())
    if where == "header":
        doc["key"]["r"] = 9  # the key parameters are authenticated data
    else:
        blob = bytearray(__import__("base64").b64decode(doc[where]))
        blob[-1] ^= 1
        doc[where] = __import__("base64").b64encode(bytes(blob)).decode()
    Path(file_vault.path).write_text(json.dumps(doc))
    before = Path(file_vault.path).read_bytes()
    fresh = open_vault(file_vault.path, passphrase=PASS)
    with pytest.raises(VaultError) as err:
        fresh.get("a")
    assert "nothing was changed" in err.value.message
    with pytest.raises(VaultError):
        fresh.put("b", "2")
    assert Path(file_vault.path).read_bytes() == before


def _writer(path: str, prefix: str, n: int) -> None:
    vault = open_vault(path, passphrase=PASS)
    for i in range(n):
        vault.put(f"{prefix}/{i}", f"value-{prefix}-{i}")


def test_concurrent_writers_keep_each_others_secrets(file_vault):
    file_vault.put("seed", "0")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(file_vault.path), f"w{k}", 6)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    refs = open_vault(file_vault.path, passphrase=PASS).refs()
    assert len(refs) == 1 + 3 * 6


def test_reencrypt_moves_every_secret_to_a_new_passphrase(file_vault):
    file_vault.put("a", "1")
    file_vault.reencrypt(source="passphrase", passphrase="new one")
    with pytest.raises(VaultLockedError):
        open_vault(file_vault.path, passphrase=PASS).get("a")
    assert open_vault(file_vault.path, passphrase="new one").get("a") == "1"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300),
                 st.dictionaries(st.sampled_from(["format", "version", "key", "check", "nonce",
                                                  "ciphertext"]),
                                 st.one_of(st.text(max_size=20), st.integers(), st.none(),
                                           st.just("kubewallet-vault"), st.just(1),
                                           st.just({"source": "passphrase"}),
                                           st.just({"source": "keyring"}))).map(
                     lambda d: json.dumps(d).encode())))
def test_garbage_vault_files_give_a_clear_error(tmp_path, data):
    path = tmp_path / "garbage.json"
    path.write_bytes(data)
    vault = open_vault(path, passphrase=PASS, keystore=_NoKeyring())
    try:
        vault.get("a")
    except VaultError as exc:
        assert str(path) in exc.message or "keyring" in exc.message
    else:
        raise AssertionError("a garbage vault file was accepted")
    assert path.read_bytes() == data


class _NoKeyring:
    """Stands in for a keyring that has no such item (the fuzz test never reaches a real one)."""

    name = "none"

    def get(self, service, account):
        return None

    def set(self, service, account, value):
        raise AssertionError("must not write")

    def delete(self, service, account):
        raise AssertionError("must not write")


def test_new_vaults_use_scrypt_n_2_17(file_vault):
    file_vault.put("users/a", "a-secret")
    header = json.loads(Path(file_vault.path).read_text())
    assert {k: header["key"][k] for k in ("kdf", "n", "r", "p")} == {"kdf": "scrypt", "n": 2**17, "r": 8, "p": 1}
    assert "n=131072" in open_vault(file_vault.path, passphrase=PASS).status().detail


def test_a_vault_at_the_old_scrypt_cost_is_rekeyed_on_its_next_write(tmp_path):
    """A vault written by an earlier kubewallet (N=2^15, the cost it used) stays readable and is
    re-encrypted at N=2^17 by the next write, keeping every secret."""
    from kubewallet.vault import vaultfile

    path = str(tmp_path / "old.json")
    spec = dict(vaultfile.new_passphrase_spec(), n=2**15)
    key = vaultfile.derive_key(PASS, spec)
    vaultfile.write_atomic(path, vaultfile.encrypt(spec, key, {
        "users/old": {"value": "old-secret", "meta": {"kind": "token"}, "updated": "2025-01-01T00:00:00Z"}}))
    vault = open_vault(path, passphrase=PASS)
    assert vault.get("users/old") == "old-secret"
    assert json.loads(Path(path).read_text())["key"]["n"] == 2**15  # reading changes nothing
    vault.put("users/new", "new-secret")
    header = json.loads(Path(path).read_text())
    assert header["key"]["n"] == 2**17 and header["key"]["salt"] != spec["salt"]
    again = open_vault(path, passphrase=PASS)
    assert again.get("users/old") == "old-secret" and again.get("users/new") == "new-secret"
    with pytest.raises(VaultLockedError):
        open_vault(path, passphrase="wrong").get("users/old")
