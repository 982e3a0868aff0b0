"""The vault file: every secret, AES-256-GCM encrypted as one blob under a 256-bit data key.

Why one file and one key instead of one keyring item per secret: some keyrings refuse large
items (the macOS Keychain; a certificate with its key or an id_token with hundreds of groups runs
past it) and some ask the person on every read (KeePassXC's Secret Service). With the data key as
the only keyring item, a session reads the keyring once and a secret can be any size — the
pattern browsers use for saved passwords.

Layout (JSON, mode 0600)::

    {"format": "kubewallet-vault", "version": 1,
     "key": {"source": "keyring", "service": ..., "account": ...}
            | {"source": "passphrase", "kdf": "scrypt", "salt": B64, "n": N, "r": R, "p": P},
     "check": B64,                 # AES-GCM of a constant: tells a wrong key from a tampered body
     "nonce": B64, "ciphertext": B64}

Everything but `nonce` and `ciphertext` is the GCM associated data, so a changed header is as
detectable as a changed body. A file that fails its check is never overwritten: writers decrypt
the current content under the lock first and stop on any failure.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os

from kubewallet.errors import VaultError, VaultLockedError

FORMAT = "kubewallet-vault"
VERSION = 1
_CHECK_PLAINTEXT = b"kubewallet vault key check v1"
# scrypt cost for new vaults: N=2^17, r=8, p=1 (128 MiB, the OWASP Password Storage Cheat Sheet's
# first scrypt setting; RFC 7914 section 2 leaves the choice to current hardware). A vault written
# with a lower cost is re-encrypted at this one on its next write (`outdated`).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1


class WrongPassphrase(VaultLockedError):
    """The passphrase does not open the vault file (asking again may help; waiting will not)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str, path: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, AttributeError, UnicodeEncodeError):
        raise VaultError(f"{path}: the vault file's {what} is not base64 (corrupt or tampered); "
                         "nothing was changed") from None


def derive_key(passphrase: str, key_spec: dict) -> bytes:
    """scrypt (RFC 7914) over the passphrase with the file's salt and cost parameters."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = base64.b64decode(key_spec["salt"])
    kdf = Scrypt(salt=salt, length=32, n=int(key_spec["n"]), r=int(key_spec["r"]), p=int(key_spec["p"]))
    return kdf.derive(passphrase.encode("utf-8"))


def new_passphrase_spec() -> dict:
    return {"source": "passphrase", "kdf": "scrypt", "salt": _b64(os.urandom(16)),
            "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}


def outdated(key_spec: dict) -> bool:
    """A passphrase vault derived at a lower scrypt cost than new vaults get."""
    try:
        return key_spec["source"] == "passphrase" and (
            int(key_spec["n"]) < SCRYPT_N or int(key_spec["r"]) < SCRYPT_R)
    except (KeyError, TypeError, ValueError):
        return False


def _aad(header: dict) -> bytes:
    return json.dumps({k: v for k, v in header.items() if k not in ("nonce", "ciphertext")},
                      sort_keys=True, separators=(",", ":")).encode()


def read_header(path: str) -> dict | None:
    """The parsed file, or None when there is no vault file yet."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VaultError(f"cannot read the vault file {path}: {exc.strerror}") from None
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise VaultError(f"{path} is not a kubewallet vault file (not JSON: corrupt or tampered); "
                         "nothing was changed", hint="restore it from your backup") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise VaultError(f"{path} is not a kubewallet vault file; nothing was changed")
    if header.get("version") != VERSION:
        raise VaultError(f"{path}: vault format version {header.get('version')!r} is not supported "
                         f"(this kubewallet reads version {VERSION})")
    key = header.get("key")
    if not isinstance(key, dict) or key.get("source") not in ("keyring", "passphrase"):
        raise VaultError(f"{path}: the vault file names no key source (corrupt or tampered); "
                         "nothing was changed")
    for field in ("check", "nonce", "ciphertext"):
        if not isinstance(header.get(field), str):
            raise VaultError(f"{path}: the vault file lacks its {field} (corrupt or tampered); "
                             "nothing was changed")
    return header


def decrypt(path: str, header: dict, key: bytes) -> dict:
    """The entries mapping, after checking the key and the integrity of the whole file."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    check = _unb64(header["check"], "key check", path)
    try:
        aes.decrypt(check[:12], check[12:], b"check")
    except (InvalidTag, ValueError):
        if header["key"]["source"] == "passphrase":
            raise WrongPassphrase(f"wrong passphrase for the encrypted vault file {path} (or its key "
                                   "check was altered); nothing was changed", hint="try again") from None
        raise VaultError(f"the data key in the keyring does not open the vault file {path} "
                         "(the keyring item or the file was replaced); nothing was changed") from None
    try:
        plain = aes.decrypt(_unb64(header["nonce"], "nonce", path),
                            _unb64(header["ciphertext"], "ciphertext", path), _aad(header))
    except (InvalidTag, ValueError):
        raise VaultError(f"the vault file {path} failed its integrity check (tampered or corrupt); "
                         "nothing was changed", hint="restore the file from your backup") from None
    try:
        body = json.loads(plain)
        entries = body["entries"]
        if not isinstance(entries, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise VaultError(f"the vault file {path} decrypts to something unexpected") from None
    return entries


def encrypt(key_spec: dict, key: bytes, entries: dict) -> dict:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    check_nonce = os.urandom(12)
    header = {"format": FORMAT, "version": VERSION, "key": key_spec,
              "check": _b64(check_nonce + aes.encrypt(check_nonce, _CHECK_PLAINTEXT, b"check"))}
    nonce = os.urandom(12)
    plain = json.dumps({"entries": entries}, separators=(",", ":")).encode()
    header["nonce"] = _b64(nonce)
    header["ciphertext"] = _b64(aes.encrypt(nonce, plain, _aad(header)))
    return header


def write_atomic(path: str, header: dict) -> None:
    """Temporary file in the same directory, 0600, fsync, then rename over the old one."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".vault-", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            json.dump(header, out, indent=1)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def file_lock(path: str):
    """An exclusive advisory lock (`<vault>.lock`) around a read-modify-write, so two writers
    never drop each other's secrets."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
