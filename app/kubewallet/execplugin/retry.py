"""Is this call client-go asking again after a 401? (standard library `os` only: the hot path).

client-go runs an exec plugin once per kubectl process and keeps the answer; it runs it again in
the same process only when the API server answered 401 (exec.go `UpdateTransportConfig` ->
`maybeRefreshCreds` on `Unauthorized`) or the answer expired. A served credential never expires
within seconds, so a second call for the same reference from the same parent process within
`RETRY_WINDOW` seconds means the held credential was refused: the caller bypasses the cache.

The note is one small file per reference in the agent's private folder, holding only
"PARENT-PID TIME" (no secret).
"""

from __future__ import annotations

import os
import time

RETRY_WINDOW = 5.0


def _note_path(folder: str, ref: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in ref)
    return os.path.join(folder, f"wrapped-call-{safe}")


def second_call(ref: str, folder: str, *, ppid: int | None = None, now: float | None = None) -> bool:
    """Record this call and say whether the same parent asked for `ref` within the window."""
    ppid = os.getppid() if ppid is None else ppid
    now = time.time() if now is None else now
    path = _note_path(folder, ref)
    retry = False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            last = os.read(fd, 64).split()
        finally:
            os.close(fd)
        retry = len(last) == 2 and int(last[0]) == ppid and 0 <= now - float(last[1]) < RETRY_WINDOW
    except (OSError, ValueError):
        pass
    try:
        tmp = f"{path}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, f"{ppid} {now}".encode())
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        pass
    return retry
