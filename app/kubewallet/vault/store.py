"""The vault: named secrets (references) in one encrypted file, keyed by the OS keyring or a passphrase.

A reference (`ref`) is a stable name such as `users/alice` that a kubeconfig's exec entry names;
its value is a string of any size, and its `meta` a small JSON object the exec plugin needs to answer
without parsing the secret (its kind, the user, `expires` as RFC 3339). Both are encrypted.

Backends, chosen explicitly and shown by `kubewallet vault status`:
- `keyring`: the 256-bit data key is one item in the OS keyring (service `kubewallet`, account
  `vault-data-key`); it is read once per Vault object, so a keyring that asks on every read asks once.
- `passphrase`: the data key is scrypt(passphrase); for headless machines, chosen with
  `kubewallet vault init --file`. The passphrase comes from the caller (the GUI's unlock dialog),
  `KUBEWALLET_VAULT_PASSPHRASE` (automation), or an interactive prompt.
There is no plaintext mode, and no silent fallback from one backend to another.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Callable
from typing import NamedTuple

from kubewallet.errors import VaultError, VaultLockedError
from kubewallet.vault import vaultfile
from kubewallet.vault.keystore import NO_KEYRING_HINT, KeyStore, default_keystore
from kubewallet.vault.paths import DATA_KEY_ACCOUNT, keyring_service, vault_path

PASSPHRASE_ENV = "KUBEWALLET_VAULT_PASSPHRASE"
LOCKED_FILE_HINT = ("run 'kubewallet agent start' (or 'kubewallet agent unlock' when one runs: it asks "
                    "once and keeps the vault open for kubectl), set KUBEWALLET_VAULT_PASSPHRASE, or "
                    "unlock the vault in the kubewallet window")


# Values are NamedTuples, not frozen dataclasses: `dataclasses` imports `inspect` and `ast`
# (~9 ms), paid by the exec plugin on every call without an agent.
class Entry(NamedTuple):
    """One secret: its reference, its value, and what the plugin needs to know about it."""

    ref: str
    value: str
    meta: dict


class VaultStatus(NamedTuple):
    """What `kubewallet vault status` and the GUI show: never a value."""

    path: str
    exists: bool
    backend: str          # "keyring" | "passphrase" | "none"
    detail: str           # e.g. "Secret Service, service 'kubewallet'" or "scrypt n=131072"
    state: str            # "unlocked" | "locked" | "unavailable" | "not initialized"
    count: int | None
    problem: str | None = None
    hint: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class Vault:
    """Secrets by reference. Create it with `open_vault()`.

    Reads need no lock (writers replace the file atomically); every write re-reads and decrypts
    the current file under `<vault>.lock`, so concurrent writers keep each other's changes and a
    file that fails its integrity check is never overwritten.

    The write contract (`put`, `put_many`, `delete`, `reencrypt`): a write that returns is durably
    readable — the file was read back and decrypted, and a data key created for it was read back
    from the keyring; otherwise it raises VaultError. So a caller that writes the vault first and
    changes or removes files after can rely on the secret being there.
    """

    def __init__(self, path: str, *, keystore: KeyStore | None = None,
                 passphrase: str | None = None,
                 prompt: Callable[[str], str] | None = None,
                 interactive: bool = False) -> None:
        self.path = path
        self._keystore = keystore
        self._passphrase = passphrase
        self._prompt = prompt
        self._interactive = interactive
        self._key: bytes | None = None
        self._key_spec: dict | None = None
        self._cache: tuple[tuple[int, int, int], dict] | None = None

    # ---- key handling -------------------------------------------------------------------------
    def _store(self) -> KeyStore:
        if self._keystore is None:
            self._keystore = default_keystore(interactive=self._interactive)
        return self._keystore

    def backend(self) -> str:
        """"keyring" or "passphrase" for an existing file; "keyring" when there is none yet."""
        header = vaultfile.read_header(self.path)
        return "keyring" if header is None else header["key"]["source"]

    def _get_passphrase(self) -> str:
        if self._passphrase is not None:
            return self._passphrase
        env = os.environ.get(PASSPHRASE_ENV)
        if env:
            return env
        if self._prompt is not None:
            return self._prompt(f"Passphrase for the kubewallet vault {self.path}: ")
        raise VaultLockedError(f"the encrypted vault file {self.path} needs its passphrase",
                               hint=LOCKED_FILE_HINT)

    def _key_for(self, header: dict) -> bytes:
        spec = header["key"]
        if self._key is not None and self._key_spec == spec:
            return self._key
        if spec["source"] == "passphrase":
            try:
                key = vaultfile.derive_key(self._get_passphrase(), spec)
            except (KeyError, ValueError, TypeError):
                raise VaultError(f"{self.path}: the vault file's key parameters are corrupt; "
                                 "nothing was changed") from None
        else:
            service = str(spec.get("service") or keyring_service())
            account = str(spec.get("account") or DATA_KEY_ACCOUNT)
            stored = self._store().get(service, account)
            if stored is None:
                raise VaultError(f"the data key of the vault {self.path} is missing from the OS keyring "
                                 f"(service {service!r}); the secrets cannot be read",
                                 hint="restore the keyring, or remove the vault file and secure the "
                                      "users again")
            try:
                key = base64.b64decode(stored, validate=True)
            except ValueError:
                key = b""
            if len(key) != 32:
                raise VaultError(f"the keyring item for the vault {self.path} is not a kubewallet data key")
        self._key, self._key_spec = key, spec
        return key

    def unlock(self, passphrase: str | None = None) -> None:
        """Check the key now (reads the keyring once, or checks the passphrase), so later reads are
        silent. Raises VaultLockedError on a wrong passphrase."""
        if passphrase is not None:
            self._passphrase = passphrase
            self._key = None
        header = vaultfile.read_header(self.path)
        if header is not None:
            vaultfile.decrypt(self.path, header, self._key_for(header))

    def lock(self, wipe: Callable[[object], None] | None = None) -> None:
        """Forget the key and every decrypted secret held by this object. `wipe` (the agent's
        `agent.memory.wipe`) zeroes the key, the cached values and the passphrase in place first,
        so no copy outlives the lock in the process's memory."""
        if wipe is not None:
            held = [self._key, self._passphrase]
            if self._cache is not None:
                for raw in self._cache[1].values():
                    if isinstance(raw, dict):
                        original = (raw.get("meta") or {}).get("original")
                        held += [raw.get("value"), *(original.values() if isinstance(original, dict) else ())]
            for value in held:
                if value is not None:
                    wipe(value)
        self._key = self._key_spec = None
        self._cache = None
        if self._passphrase is not None and self._passphrase != os.environ.get(PASSPHRASE_ENV):
            self._passphrase = None

    # ---- reading ------------------------------------------------------------------------------
    def _entries(self) -> dict:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return {}
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        header = vaultfile.read_header(self.path)
        if header is None:
            return {}
        entries = vaultfile.decrypt(self.path, header, self._key_for(header))
        self._cache = (stamp, entries)
        return entries

    def get_entry(self, ref: str) -> Entry | None:
        raw = self._entries().get(ref)
        if not isinstance(raw, dict) or not isinstance(raw.get("value"), str):
            return None
        return Entry(ref, raw["value"], dict(raw.get("meta") or {}))

    def get(self, ref: str) -> str | None:
        entry = self.get_entry(ref)
        return None if entry is None else entry.value

    def refs(self) -> list[str]:
        return sorted(self._entries())

    def entries(self) -> list[Entry]:
        return [e for e in (self.get_entry(r) for r in self.refs()) if e is not None]

    # ---- writing ------------------------------------------------------------------------------
    def _modify(self, change: Callable[[dict], None]) -> None:
        with vaultfile.file_lock(self.path):
            header = vaultfile.read_header(self.path)
            if header is None:
                spec, key = self._create_keyring_key()
                entries: dict = {}
            else:
                spec = header["key"]
                key = self._key_for(header)
                entries = dict(vaultfile.decrypt(self.path, header, key))
                if vaultfile.outdated(spec):  # an older, cheaper scrypt: re-key at today's cost
                    spec = vaultfile.new_passphrase_spec()
                    key = vaultfile.derive_key(self._get_passphrase(), spec)
            change(entries)
            self._write_verified(spec, key, entries)
            self._key, self._key_spec = key, spec

    def _write_verified(self, spec: dict, key: bytes, entries: dict) -> None:
        """Write, then read the file back and decrypt it: when this returns, every entry is
        durably readable with the key the file names; otherwise VaultError. Callers (`secure`)
        change the kubeconfig and remove files only after a write returned (issue 12.2)."""
        vaultfile.write_atomic(self.path, vaultfile.encrypt(spec, key, entries))
        self._cache = None
        header = vaultfile.read_header(self.path)
        if header is None or header["key"] != spec or \
                vaultfile.decrypt(self.path, header, key) != entries:
            raise VaultError(f"the vault file {self.path} does not read back what was just written "
                             "(disk or file system trouble); nothing else was changed")

    def _create_keyring_key(self) -> tuple[dict, bytes]:
        """The first write of a keyring vault: a fresh data key into the keyring (or the key an
        earlier vault left there, so its secrets stay readable from a restored file)."""
        service = keyring_service()
        spec = {"source": "keyring", "service": service, "account": DATA_KEY_ACCOUNT}
        store = self._store()
        existing = store.get(service, DATA_KEY_ACCOUNT)
        key = None
        if existing:
            try:
                key = base64.b64decode(existing, validate=True)
            except ValueError:
                key = None
        if key is None or len(key) != 32:
            key = os.urandom(32)
            encoded = base64.b64encode(key).decode()
            store.set(service, DATA_KEY_ACCOUNT, encoded)
            if store.get(service, DATA_KEY_ACCOUNT) != encoded:  # a keyring that drops writes
                raise VaultError(f"the OS keyring ({store.name}) did not keep the vault's data key "
                                 "(read back, it was missing or different); no secret was written",
                                 hint=NO_KEYRING_HINT)
        self._key, self._key_spec = key, spec
        return spec, key

    def put(self, ref: str, value: str, *, meta: dict | None = None) -> None:
        if not isinstance(ref, str) or not ref or len(ref) > 512 or "\n" in ref:
            raise VaultError(f"invalid vault reference {ref!r}")
        if not isinstance(value, str):
            raise VaultError(f"the value for {ref!r} must be text")

        def change(entries: dict) -> None:
            entries[ref] = {"value": value, "meta": dict(meta or {}), "updated": _now()}

        self._modify(change)

    def put_many(self, items: dict[str, tuple[str, dict]]) -> None:
        """Several secrets in one write (one rename: all or nothing)."""
        def change(entries: dict) -> None:
            for ref, (value, meta) in items.items():
                entries[ref] = {"value": value, "meta": dict(meta or {}), "updated": _now()}

        self._modify(change)

    def delete(self, ref: str) -> None:
        if not os.path.exists(self.path):
            return
        self._modify(lambda entries: entries.pop(ref, None))

    # ---- creation and status ------------------------------------------------------------------
    def status(self) -> VaultStatus:
        try:
            header = vaultfile.read_header(self.path)
        except VaultError as exc:
            return VaultStatus(self.path, True, "unknown", "", "unavailable", None, exc.message, exc.hint)
        if header is None:
            return VaultStatus(self.path, False, "keyring",
                               f"service {keyring_service()!r} (the vault is created with the first secret)",
                               "not initialized", 0)
        spec = header["key"]
        if spec["source"] == "passphrase":
            detail = f"encrypted file, scrypt n={spec.get('n')} r={spec.get('r')} p={spec.get('p')}"
        else:
            detail = f"{self._store().name}, service {spec.get('service')!r}"
        try:
            count = len(self._entries())
            state = "unlocked"
            problem = hint = None
        except VaultLockedError as exc:
            count, state, problem, hint = None, "locked", exc.message, exc.hint
        except VaultError as exc:
            count, state, problem, hint = None, "unavailable", exc.message, exc.hint
        return VaultStatus(self.path, True, spec["source"], detail, state, count, problem, hint)

    def reencrypt(self, *, source: str, passphrase: str | None = None) -> None:
        """Move every secret under a new key: `passphrase` (an encrypted file) or `keyring`.

        Used by `kubewallet vault init --file|--keyring` on an existing vault: the entries are
        decrypted with the old key and written under the new one in a single atomic rename.
        """
        with vaultfile.file_lock(self.path):
            header = vaultfile.read_header(self.path)
            entries = {} if header is None else dict(vaultfile.decrypt(self.path, header,
                                                                       self._key_for(header)))
            if source == "passphrase":
                if not passphrase:
                    raise VaultError("an encrypted file vault needs a non-empty passphrase")
                spec = vaultfile.new_passphrase_spec()
                key = vaultfile.derive_key(passphrase, spec)
                self._passphrase = passphrase
            elif source == "keyring":
                spec, key = self._create_keyring_key()
            else:
                raise VaultError(f"unknown vault backend {source!r}")
            self._write_verified(spec, key, entries)
            self._key, self._key_spec = key, spec


def open_vault(path: str | os.PathLike | None = None, *, passphrase: str | None = None,
               prompt: Callable[[str], str] | None = None, interactive: bool = False,
               keystore: KeyStore | None = None) -> Vault:
    """The user's vault (`$KUBEWALLET_VAULT_FILE` or `$XDG_DATA_HOME/kubewallet/vault.json`).

    Opening touches nothing; the keyring is read (once) on the first get/put. A vault file that
    does not exist yet is created on the first `put` with a data key in the OS keyring; when no OS
    keyring is available that `put` fails with what to do (`kubewallet vault init --file`).
    """
    return Vault(os.fspath(path) if path is not None else vault_path(), keystore=keystore,
                 passphrase=passphrase, prompt=prompt, interactive=interactive)
