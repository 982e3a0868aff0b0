"""Sealed backups: a real passphrase vault holds the backup key; what is sealed opens again with
it, and damaged or foreign input is refused with a VaultError, never anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubewallet.credentials.fields import holds_secret
from kubewallet.credentials.sealing import MAGIC, ensure_key, is_sealed, seal_if_secret, unseal
from kubewallet.errors import VaultError
from kubewallet.vault import open_vault

PASS = "sealing test passphrase"


@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    import os

    home = tmp_path_factory.mktemp("sealing")
    os.environ["KUBEWALLET_VAULT_FILE"] = str(home / "vault.json")  # the key's public half goes beside it
    vault = open_vault(home / "vault.json", passphrase=PASS)
    vault.reencrypt(source="passphrase", passphrase=PASS)
    ensure_key(vault)
    yield vault
    del os.environ["KUBEWALLET_VAULT_FILE"]


SECRET_DOC = st.builds(lambda key, value: f"users:\n- name: u\n  user:\n    {key}: {value}\n".encode(),
                       st.sampled_from(["token", "password", "client-key-data", "id-token", "refresh-token"]),
                       st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e, blacklist_characters="'\"#"),
                               min_size=1, max_size=40))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(SECRET_DOC)
def test_a_backup_holding_a_secret_is_sealed_and_opens_again(vault, content):
    assert holds_secret(content)
    sealed = seal_if_secret(content)
    assert is_sealed(sealed) and content not in sealed
    assert unseal(sealed, vault) == content


def test_a_backup_without_a_secret_stays_plain(vault):
    plain = b"users:\n- name: u\n  user:\n    tokenFile: /t\n    token: ''\n"
    assert not holds_secret(plain) and seal_if_secret(plain) == plain


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=80)
@given(st.binary(max_size=200))
def test_damaged_sealed_input_is_refused_with_a_vault_error(vault, tail):
    with pytest.raises(VaultError):
        unseal(MAGIC + tail, vault)


def test_a_flipped_byte_is_refused(vault):
    sealed = bytearray(seal_if_secret(b"token: abc\n"))
    sealed[-1] ^= 1
    with pytest.raises(VaultError, match="damaged"):
        unseal(bytes(sealed), vault)


def test_a_lost_public_half_is_derived_again_and_old_backups_still_open(vault):
    import os

    from kubewallet.credentials.sealing import public_key_path

    sealed = seal_if_secret(b"token: before-the-loss\n")
    os.unlink(public_key_path())
    ensure_key(vault)
    assert unseal(sealed, vault) == b"token: before-the-loss\n"
    assert unseal(seal_if_secret(b"token: after\n"), vault) == b"token: after\n"
