"""Where the vault's data key lives: the OS keyring.

On Linux the keyring is the freedesktop Secret Service (gnome-keyring, KWallet, KeePassXC). We talk
to it through `secretstorage` directly, with the same item attributes as `keyring`'s SecretService
backend (`service`, `username`), so the item is the one `keyring.get_password(service, account)`
sees. Why not `keyring` itself: importing it costs ~90 ms here (its `jaraco.context` pulls in
`urllib.request`), and `keyring.get_keyring()` imports every backend it knows; the plugin without an
agent must answer in under 0.1 s. On other platforms (macOS Keychain, Windows Credential Locker), or
when the person configured a backend (`PYTHON_KEYRING_BACKEND`), `keyring` picks the backend, and its
`fail.Keyring` ("no backend") is reported, never silently replaced by plaintext.
"""

from __future__ import annotations

import os
import sys
from typing import Protocol

from kubewallet.errors import VaultError, VaultLockedError

NO_KEYRING_HINT = ("start your desktop keyring (gnome-keyring, KWallet, KeePassXC), or run "
                   "'kubewallet vault init --file' to keep secrets in a passphrase-encrypted file")
LOCKED_HINT = ("unlock your keyring (log in to the desktop session, or "
               "'echo -n PASSWORD | gnome-keyring-daemon --unlock'), then retry")


class KeyStore(Protocol):
    name: str

    def get(self, service: str, account: str) -> str | None: ...

    def set(self, service: str, account: str, value: str) -> None: ...

    def delete(self, service: str, account: str) -> None: ...


class SecretServiceKeyStore:
    """The freedesktop Secret Service over D-Bus, through `secretstorage`.

    `interactive` allows an unlock prompt for a locked collection (the keyring's own dialog); a
    plugin run by kubectl without a person never blocks on one and fails with what to do instead.
    """

    name = "Secret Service"

    def __init__(self, interactive: bool = False, unlock_timeout: float = 60.0) -> None:
        self.interactive = interactive
        self.unlock_timeout = unlock_timeout

    def _collection(self):
        try:
            import secretstorage
            from secretstorage.exceptions import SecretStorageException
        except ImportError:  # pragma: no cover - a dependency of keyring on Linux
            raise VaultError("the 'secretstorage' package is missing", hint=NO_KEYRING_HINT) from None
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.path.exists(
                f"/run/user/{os.getuid()}/bus"):
            raise VaultError("no OS keyring: there is no D-Bus session bus "
                             "(DBUS_SESSION_BUS_ADDRESS is unset)", hint=NO_KEYRING_HINT)
        try:
            bus = secretstorage.dbus_init()
        except (SecretStorageException, OSError, ValueError) as exc:
            raise VaultError(f"no OS keyring: cannot reach the D-Bus session bus ({type(exc).__name__})",
                             hint=NO_KEYRING_HINT) from None
        try:
            if not secretstorage.check_service_availability(bus):
                raise VaultError("no OS keyring: no Secret Service is running on the session bus",
                                 hint=NO_KEYRING_HINT)
            collection = secretstorage.get_default_collection(bus)
            if collection.is_locked():
                if self.interactive:
                    try:
                        collection.unlock(timeout=self.unlock_timeout)
                    except TimeoutError:
                        pass
                if collection.is_locked():
                    raise VaultLockedError("the OS keyring (Secret Service default collection) is locked",
                                           hint=LOCKED_HINT)
            return bus, collection
        except VaultError:
            bus.close()
            raise
        except SecretStorageException as exc:
            bus.close()
            raise VaultError(f"the Secret Service refused the request ({type(exc).__name__})",
                             hint=NO_KEYRING_HINT) from None

    @staticmethod
    def _query(service: str, account: str) -> dict[str, str]:
        return {"username": account, "service": service}

    def get(self, service: str, account: str) -> str | None:
        if not self.interactive:
            return self._get_stdlib(service, account)
        from secretstorage.exceptions import SecretStorageException

        bus, collection = self._collection()
        try:
            for item in collection.search_items(self._query(service, account)):
                if item.is_locked():
                    raise VaultLockedError("the keyring item holding the vault key is locked",
                                           hint=LOCKED_HINT)
                return item.get_secret().decode("utf-8")
            return None
        except SecretStorageException as exc:
            raise VaultError(f"the Secret Service refused to read the vault key ({type(exc).__name__})",
                             hint=LOCKED_HINT) from None
        finally:
            bus.close()

    def _get_stdlib(self, service: str, account: str) -> str | None:
        """The plugin's read: a minimal standard-library D-Bus client (see `dbus_secret`), falling
        back to jeepney if the conversation takes a turn that client does not follow."""
        import struct

        from kubewallet.vault import dbus_secret

        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.path.exists(
                f"/run/user/{os.getuid()}/bus"):
            raise VaultError("no OS keyring: there is no D-Bus session bus "
                             "(DBUS_SESSION_BUS_ADDRESS is unset)", hint=NO_KEYRING_HINT)
        try:
            found, value = dbus_secret.get_secret(self._query(service, account))
        except dbus_secret.DBusCallError as exc:
            self._raise_for(exc.name)
        except (dbus_secret.DBusProtocolError, struct.error, IndexError, KeyError, ValueError,
                UnicodeDecodeError):
            return self._get_fast(service, account)
        except TimeoutError:
            raise VaultError("the Secret Service did not answer in time", hint=NO_KEYRING_HINT) from None
        except OSError as exc:
            raise VaultError(f"no OS keyring: cannot reach the D-Bus session bus ({exc.strerror or exc})",
                             hint=NO_KEYRING_HINT) from None
        if found == "locked":
            raise VaultLockedError("the OS keyring item holding the vault key is locked", hint=LOCKED_HINT)
        return None if value is None else value.decode("utf-8")

    @staticmethod
    def _raise_for(name: str):
        if name in ("org.freedesktop.DBus.Error.ServiceUnknown",
                    "org.freedesktop.DBus.Error.NameHasNoOwner"):
            raise VaultError("no OS keyring: no Secret Service is running on the session bus",
                             hint=NO_KEYRING_HINT) from None
        if name == "org.freedesktop.Secret.Error.IsLocked":
            raise VaultLockedError("the OS keyring is locked", hint=LOCKED_HINT) from None
        raise VaultError(f"the Secret Service refused to read the vault key ({name})",
                         hint=LOCKED_HINT) from None

    def _get_fast(self, service: str, account: str) -> str | None:
        """The same read through `jeepney`: four D-Bus calls
        (Hello, OpenSession, SearchItems, GetSecrets), skipping `secretstorage` and its
        Diffie-Hellman session. The "plain" session algorithm is the Secret Service spec's own
        choice for a bus that only this user can reach: the transport encryption would protect
        the secret from the bus daemon, which already sees everything."""
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.path.exists(
                f"/run/user/{os.getuid()}/bus"):
            raise VaultError("no OS keyring: there is no D-Bus session bus "
                             "(DBUS_SESSION_BUS_ADDRESS is unset)", hint=NO_KEYRING_HINT)
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        try:
            conn = open_dbus_connection(bus="SESSION")
        except (OSError, ValueError, KeyError) as exc:
            raise VaultError(f"no OS keyring: cannot reach the D-Bus session bus ({type(exc).__name__})",
                             hint=NO_KEYRING_HINT) from None
        try:
            secrets = DBusAddress("/org/freedesktop/secrets", bus_name="org.freedesktop.secrets",
                                  interface="org.freedesktop.Secret.Service")

            def call(method: str, signature: str, *args):
                return unwrap_msg(conn.send_and_get_reply(
                    new_method_call(secrets, method, signature, args), timeout=30))

            _output, session = call("OpenSession", "sv", "plain", ("s", ""))
            unlocked, locked = call("SearchItems", "a{ss}", self._query(service, account))
            if not unlocked:
                if locked:
                    raise VaultLockedError("the OS keyring item holding the vault key is locked",
                                           hint=LOCKED_HINT)
                return None
            (found,) = call("GetSecrets", "aoo", unlocked[:1], session)
            _session, _params, value, _ctype = found[unlocked[0]]
            return bytes(value).decode("utf-8")
        except DBusErrorResponse as exc:
            self._raise_for(exc.name)
        except (OSError, TimeoutError) as exc:
            raise VaultError(f"the Secret Service did not answer ({type(exc).__name__})",
                             hint=NO_KEYRING_HINT) from None
        finally:
            conn.close()

    def set(self, service: str, account: str, value: str) -> None:
        from secretstorage.exceptions import SecretStorageException

        bus, collection = self._collection()
        try:
            attrs = dict(self._query(service, account), application="kubewallet")
            collection.create_item(f"kubewallet vault key ({service})", attrs, value.encode(), replace=True)
        except SecretStorageException as exc:
            raise VaultError(f"the Secret Service refused to store the vault key ({type(exc).__name__})",
                             hint=LOCKED_HINT) from None
        finally:
            bus.close()

    def delete(self, service: str, account: str) -> None:
        bus, collection = self._collection()
        try:
            for item in collection.search_items(self._query(service, account)):
                item.delete()
        finally:
            bus.close()


def cannot_keep_secrets(backend) -> bool:
    """True for `keyring`'s backends that lose what they are given: `null.Keyring` (accepts every
    write and stores nothing; PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring is a common
    setting for pip and Poetry), `fail.Keyring` (no backend found), and a chainer made only of
    those (or of nothing). A data key handed to one of them is lost with every secret under it."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (null.Keyring, fail.Keyring)):
        return True
    if isinstance(backend, chainer.ChainerBackend):
        return all(cannot_keep_secrets(inner) for inner in backend.backends)
    return False


class KeyringLibKeyStore:
    """Any backend `keyring` chooses (macOS Keychain, Windows Credential Locker, a configured one)."""

    def __init__(self) -> None:
        import keyring
        from keyring import core

        try:  # the person's PYTHON_KEYRING_BACKEND first (even if a backend was set in-process)
            backend = core.load_env() or keyring.get_keyring()
        except (RuntimeError, ImportError, AttributeError, ValueError) as exc:
            raise VaultError(f"the keyring backend named by PYTHON_KEYRING_BACKEND cannot be used "
                             f"({type(exc).__name__})", hint=NO_KEYRING_HINT) from None
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if cannot_keep_secrets(backend):
            raise VaultError(f"no OS keyring: the keyring backend {name} cannot keep a secret (it "
                             "stores nothing, or fails every call); kubewallet will not put the "
                             "vault's data key there", hint="unset PYTHON_KEYRING_BACKEND (or name a "
                             "real backend); otherwise " + NO_KEYRING_HINT)
        self.backend = backend
        self.name = f"keyring ({name})"

    def _call(self, what: str, fn, *args):
        from keyring.errors import KeyringError, KeyringLocked

        try:
            return fn(*args)
        except KeyringLocked:
            raise VaultLockedError("the OS keyring is locked", hint=LOCKED_HINT) from None
        except KeyringError as exc:
            raise VaultError(f"the OS keyring refused to {what} the vault key ({type(exc).__name__})",
                             hint=NO_KEYRING_HINT) from None

    def get(self, service: str, account: str) -> str | None:
        return self._call("read", self.backend.get_password, service, account)

    def set(self, service: str, account: str, value: str) -> None:
        self._call("store", self.backend.set_password, service, account, value)

    def delete(self, service: str, account: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self._call("delete", self.backend.delete_password, service, account)
        except PasswordDeleteError:
            pass


def default_keystore(interactive: bool = False) -> KeyStore:
    """The OS keyring of this platform, loading only its backend."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not os.environ.get(
            "PYTHON_KEYRING_BACKEND"):
        return SecretServiceKeyStore(interactive=interactive)
    return KeyringLibKeyStore()
