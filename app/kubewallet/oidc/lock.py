"""A lock per issuer and client, so parallel kubectl calls share one login or one refresh.

k9s, an IDE or `for c in ...; do kubectl ...; done &` start many plugin processes at once. Without
a lock each would open a browser tab, or each would spend the same refresh token — and providers
that rotate refresh tokens (RFC 9700 §4.14.2) revoke the whole grant when one is replayed. The
first process takes the lock and does the work; the others wait, then find the fresh token in
the cache. `fcntl.flock` is released by the kernel when a process dies, so a crashed login never
leaves a stale lock behind (client-go's `O_EXCL` lock files do).
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager

from kubewallet.errors import OidcError


@contextmanager
def login_lock(directory: str, name: str, timeout: float, poll: float = 0.05):
    """Hold `<directory>/<name>.lock` exclusively; OidcError after `timeout` seconds of waiting."""
    os.makedirs(directory, mode=0o700, exist_ok=True)   # its owner and mode: TokenCache.ensure_directory
    path = os.path.join(directory, f"{name}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OidcError(f"another kubewallet process has been logging in for over "
                                    f"{timeout:.0f} s (lock {path})",
                                    hint="finish or cancel that login, then retry") from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
