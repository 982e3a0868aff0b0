"""Backups of a kubeconfig that holds secrets, sealed with the vault's backup key.

Every save keeps the replaced content as a backup. When that content holds a plaintext secret
(`credentials.fields.holds_secret`) and the vault has a backup key, the backup is sealed to the
key's public half: X25519 with a fresh ephemeral key, HKDF-SHA256, AES-256-GCM (the ECIES shape
of age and HPKE). Sealing needs no vault access, so a save never asks for the keyring or a
passphrase; the private half lives inside the vault (`BACKUP_KEY_REF`), so opening a sealed
backup (`kubewallet restore`, its listing and `--diff`) reads the vault.

The public half is a file next to the vault (`<vault>.backup-key.pub`, 0600). `secure` creates
the pair the first time it moves a secret into the vault. The sealed format:
`MAGIC || ephemeral public key (32) || nonce (12) || ciphertext+tag`.

Standard library at import: `cryptography` is imported only to seal or open.
"""

from __future__ import annotations

import os

from kubewallet.errors import VaultError

MAGIC = b"kubewallet-sealed-backup v1\n"
BACKUP_KEY_REF = "kubewallet/backup-key"
_INFO = b"kubewallet backup v1"


def public_key_path() -> str:
    from kubewallet.vault.paths import vault_path

    return vault_path() + ".backup-key.pub"


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def _key(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, eph_pub + recipient_pub, _INFO).derive(shared)


def ensure_key(vault) -> None:
    """Create the backup key pair once: the private half into the vault (written and read back by
    the vault layer before this returns), then the public half beside it (written again from the
    private half if it was lost; a key in the vault is never replaced)."""
    path = public_key_path()
    stored = vault.get(BACKUP_KEY_REF)
    if stored and os.path.exists(path):
        return
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    if stored:  # the public half was lost: derive it again, so sealed backups still open
        private = X25519PrivateKey.from_private_bytes(bytes.fromhex(stored))
    else:
        private = X25519PrivateKey.generate()
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        vault.put(BACKUP_KEY_REF, raw.hex(), meta={"kind": "backup-key"})
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    tmp = f"{path}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(public.hex().encode() + b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _public_key() -> bytes | None:
    try:
        with open(public_key_path(), "rb") as fh:
            return bytes.fromhex(fh.read().decode().strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def seal_if_secret(content: bytes) -> bytes:
    """`content` sealed when it holds a plaintext secret and the vault has a backup key; else as is."""
    if is_sealed(content):
        return content
    recipient = _public_key()  # first: no backup key (no vault) is the common case, and cheap
    if recipient is None:
        return content
    from kubewallet.credentials.fields import holds_secret

    if not holds_secret(content):
        return content
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(12)
    return MAGIC + eph_pub + nonce + AESGCM(_key(shared, eph_pub, recipient)).encrypt(nonce, content, MAGIC)


def unseal(data: bytes, vault=None) -> bytes:
    """The content of a backup: sealed ones are opened with the vault's backup key."""
    if not is_sealed(data):
        return data
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if vault is None:
        from kubewallet.vault import open_vault

        vault = open_vault()
    stored = vault.get(BACKUP_KEY_REF)
    if not stored:
        raise VaultError("this backup is sealed with the vault's backup key, which the vault no longer holds")
    private = X25519PrivateKey.from_private_bytes(bytes.fromhex(stored))
    body = data[len(MAGIC):]
    if len(body) < 32 + 12 + 16:  # key, nonce, GCM tag
        raise VaultError("this sealed backup is cut short")
    eph_pub, nonce, sealed = body[:32], body[32:44], body[44:]
    recipient = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    try:
        return AESGCM(_key(shared, eph_pub, recipient)).decrypt(nonce, sealed, MAGIC)
    except InvalidTag:
        raise VaultError("this sealed backup is damaged or was sealed for another vault") from None
