"""The id_token cache: one 0600 JSON file per login in the user's cache directory.

Standard library only: this is what serves every kubectl call while the token is fresh. Only the
id_token (short-lived, and sent to the API server on every request anyway) is kept here; the
refresh token and client secret live in the vault. Files are replaced atomically (write a
temporary file, fsync, `os.replace`), so a reader never sees half a token and needs no lock.

Default directory: `$XDG_CACHE_HOME/kubewallet/oidc` (else `~/.cache/kubewallet/oidc`), or the
`--token-cache-dir` of kubelogin's flags.
"""

from __future__ import annotations

import os
import time

from kubewallet.oidc import fastjson

# A cached token is served while more than this much of its life is left: min(30 s, 10 % of its
# lifetime), so a one-hour token is renewed 30 s before it expires (no request goes out with a
# token that dies in flight) and a test token of 3 s still gets served for most of its life.
MAX_MARGIN = 30.0
MARGIN_FRACTION = 0.1


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kubewallet", "oidc")


def _sha256_hex(data: bytes) -> str:
    """hashlib loads OpenSSL (about 3 ms); the builtin SHA-256 module gives the same digest."""
    try:
        from _sha256 import sha256            # CPython <= 3.11
    except ImportError:
        try:
            from _sha2 import sha256          # CPython >= 3.12
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()


def cache_key(issuer: str, client_id: str, client_secret: str | None, client_secret_ref: str | None,
              extra_scopes: tuple[str, ...], username: str, ca_files: tuple[str, ...],
              ca_data: tuple[str, ...], insecure: bool, use_access_token: bool = False) -> str:
    """A stable hex digest over everything that changes the token (kubelogin keys its cache on
    the same inputs); never reversible to the secret. `ProviderConfig.cache_key` calls this.
    `--oidc-use-access-token` serves another token, so it is part of the key (only when set, so
    the keys of existing id_token caches stay what they were)."""
    fields = {   # keys in sorted order: the same text as json.dumps(sort_keys=True)
        "ca_data": list(ca_data), "ca_files": list(ca_files), "client_id": client_id,
        "client_secret": client_secret or "", "client_secret_ref": client_secret_ref or "",
        "extra_scopes": sorted(set(extra_scopes)), "insecure": bool(insecure), "issuer": issuer,
        "username": username,
    }
    if use_access_token:
        fields["use_access_token"] = True
        fields = dict(sorted(fields.items()))
    material = fastjson.dumps(fields)
    return _sha256_hex(material.encode())


class CachedToken:
    """A verified id_token and the times the cache needs from it (epoch seconds). A value object
    written by hand rather than as a dataclass: see `flags.GetTokenFlags`."""

    __slots__ = ("id_token", "expiry", "issued_at", "issuer", "client_id")

    def __init__(self, id_token: str, expiry: float, issued_at: float, issuer: str = "",
                 client_id: str = "") -> None:
        self.id_token, self.expiry, self.issued_at = id_token, float(expiry), float(issued_at)
        self.issuer, self.client_id = issuer, client_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CachedToken) and all(
            getattr(self, a) == getattr(other, a) for a in self.__slots__)

    def __repr__(self) -> str:   # never the token itself
        return (f"CachedToken(issuer={self.issuer!r}, client_id={self.client_id!r}, "
                f"expiry={self.expiry}, issued_at={self.issued_at})")

    def margin(self) -> float:
        return min(MAX_MARGIN, max(0.0, self.expiry - self.issued_at) * MARGIN_FRACTION)

    def refresh_at(self) -> float:
        """When kubewallet stops serving this token and refreshes it instead."""
        return self.expiry - self.margin()

    def is_fresh(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) < self.refresh_at()


class TokenCache:
    """id_tokens by cache key (see `ProviderConfig.cache_key`). Paths are plain strings: pathlib
    costs milliseconds of imports on a path that runs on every kubectl call."""

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = (os.path.expanduser(os.fspath(directory)) if directory
                          else default_cache_dir())

    def path(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.json")

    def ensure_directory(self) -> None:
        """Create the folder 0700, or refuse one that is not ours alone (see `privatedir`)."""
        from kubewallet.privatedir import ensure_private_dir

        problem = ensure_private_dir(self.directory)
        if problem:
            from kubewallet.errors import OidcError

            raise OidcError(f"refusing the token cache folder {self.directory}: it {problem}, so "
                            "another user could plant a token in it",
                            hint="remove it, or pass --token-cache-dir with a folder of your own")

    def load(self, key: str) -> CachedToken | None:
        """The cached token, or None when there is none or the file is unreadable (then a refresh
        or login replaces it: a damaged cache must never stop a person from working). Nothing is
        read from a folder that is not ours alone (`privatedir`): a planted token is never served."""
        from kubewallet.privatedir import private_dir_problem

        if private_dir_problem(self.directory):
            return None
        try:
            fd = os.open(self.path(key), os.O_RDONLY | os.O_NOFOLLOW)
            try:
                raw = os.read(fd, 1 << 20)
            finally:
                os.close(fd)
            data = fastjson.loads(raw.decode("utf-8"))
            return CachedToken(id_token=str(data["id_token"]), expiry=float(data["exp"]),
                               issued_at=float(data.get("iat", 0)), issuer=str(data.get("issuer", "")),
                               client_id=str(data.get("client_id", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            return None

    def save(self, key: str, token: CachedToken) -> str:
        """Atomic: a fresh temporary file (O_EXCL|O_NOFOLLOW: never an existing file or a
        planted symlink), fsync, `os.replace`."""
        self.ensure_directory()
        target = self.path(key)
        tmp = os.path.join(self.directory, f".{key}.json.{os.getpid()}.{os.urandom(6).hex()}.tmp")
        body = fastjson.dumps({"id_token": token.id_token, "exp": token.expiry,
                               "iat": token.issued_at, "issuer": token.issuer,
                               "client_id": token.client_id}).encode()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        return target

    def delete(self, key: str) -> bool:
        try:
            os.unlink(self.path(key))
            return True
        except FileNotFoundError:
            return False

    def entries(self) -> list[tuple[str, CachedToken]]:
        """Every cached token (key, token), for `clean` and the GUI's token list."""
        out = []
        if not os.path.isdir(self.directory):
            return out
        for name in sorted(os.listdir(self.directory)):
            if name.endswith(".json") and not name.startswith("."):
                token = self.load(name[:-5])
                if token is not None:
                    out.append((name[:-5], token))
        return out


class NullCache(TokenCache):
    """`--token-cache-storage=none`: nothing is read or written (the directory still holds the
    login lock, so parallel calls do not each open a browser at the same moment)."""

    def load(self, key: str) -> CachedToken | None:
        return None

    def save(self, key: str, token: CachedToken) -> str:
        return ""

    def delete(self, key: str) -> bool:
        return False

    def entries(self) -> list[tuple[str, CachedToken]]:
        return []


# ---- the answer to kubectl on the cached path ---------------------------------------------------
# `kubewallet.execplugin.protocol` is the reference (and answers every case but this one); it
# imports dataclasses and datetime, which would double this path's time. This writes the same
# bytes for the one common case — a well-formed KUBERNETES_EXEC_INFO (or none) with a supported
# apiVersion — and returns None for anything else, so the protocol module handles it (and its
# error). tests/unit/oidc checks the two agree byte for byte.
_SUPPORTED = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")


def fast_exec_credential(token: CachedToken, environ=None) -> str | None:
    env = os.environ if environ is None else environ
    raw = env.get("KUBERNETES_EXEC_INFO")
    api_version = _SUPPORTED[0]
    if raw:
        try:
            info = fastjson.loads(raw)
        except ValueError:
            return None
        if not isinstance(info, dict) or not isinstance(info.get("spec") or {}, dict):
            return None
        api_version = info.get("apiVersion") or api_version
        if api_version not in _SUPPORTED:
            return None
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(token.expiry)))
    return fastjson.dumps({"kind": "ExecCredential", "apiVersion": api_version, "spec": {},
                           "status": {"expirationTimestamp": expires, "token": token.id_token}}) + "\n"
