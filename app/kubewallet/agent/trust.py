"""Whom the agent's two ends may trust: the one check every client makes before it sends a byte.

Why clients check at all: without `XDG_RUNTIME_DIR` (ssh without logind, `su`, cron, containers)
the socket lives in `/tmp/kubewallet-UID/`, a name any local user can create first. ssh-agent's
clients trust `SSH_AUTH_SOCK` blindly; ours must not, because an impostor there would be handed
the vault passphrase (`agent unlock`) and would serve its own token to kubectl (`credential get`).
So, before sending anything:

1. `lstat` the socket's folder: a real directory (not a symlink), owned by our uid, mode 0700 —
   the rule OpenSSH applies to `~/.ssh` (`safe_path`) and the XDG spec to `$XDG_RUNTIME_DIR`;
2. after `connect`, the peer's uid (Linux `SO_PEERCRED`, unix(7)) is ours.

Anything else is "no agent", with the reason. Cost on the plugin's hot path: one `lstat` and one
`getsockopt`, standard-library C modules only (`_socket`), as `fastclient` requires.
"""

from __future__ import annotations

import _socket
import os
import sys


class Untrusted(Exception):
    """The socket or whoever answers on it is not this user's agent; `str()` says why."""


def folder_problem(directory: str) -> str | None:
    """Why the folder holding the socket cannot be trusted, or None (also None when it does not
    exist: then nothing answers, which is plain "no agent"). The rule is `privatedir`'s, the one
    the OIDC token cache applies too."""
    from kubewallet.privatedir import private_dir_problem

    problem = private_dir_problem(directory)
    return None if problem is None else f"the folder {directory} {problem}"


def peer_uid(sock: _socket.socket) -> int | None:
    """The uid of the process at the other end (Linux SO_PEERCRED: struct ucred {pid, uid, gid});
    None where the platform has no such call."""
    option = getattr(_socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = sock.getsockopt(_socket.SOL_SOCKET, option, 12)
    return int.from_bytes(creds[4:8], sys.byteorder)


def connect(path: str, timeout: float) -> _socket.socket:
    """A socket connected to this user's agent at `path`.

    Raises `Untrusted` (the folder or the peer fails the checks above; nothing was sent) or
    `OSError` (nothing listens there). Works for `socket.socket` users too: it is a subclass.
    """
    problem = folder_problem(os.path.dirname(os.path.abspath(path)))
    if problem is not None:
        raise Untrusted(problem)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        uid = peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise Untrusted(f"the process answering on {path} runs as uid {uid}, not as you "
                            f"(uid {os.getuid()})")
    except BaseException:
        sock.close()
        raise
    return sock
