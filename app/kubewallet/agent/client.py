"""The agent's control client: `kubewallet agent status|lock|unlock|stop`, `vault status`, and the
check a new agent makes for one already running. Not the hot path: kubectl's calls go through
`fastclient` (`credential get`), which asks the agent for the finished ExecCredential.

One request per connection, one JSON object per line each way:

    -> {"op": "status"} | {"op": "lock"} | {"op": "unlock", "passphrase": "..."} | {"op": "stop"}
    <- {"ok": true, ...}
    <- {"ok": false, "error": "locked" | "vault" | "denied" | "bad-request", "message": "...", "hint": ...}

Also "hold" (an OIDC refresh token kept in memory only, where the vault cannot be opened) and
"held" (that token back, until lock or stop; nothing from the vault is ever answered this way).

Every request goes through `trust.connect`: nothing is sent to a socket whose folder or peer is
not ours (issue 12.1: a planted socket would otherwise receive the typed passphrase).
"""

from __future__ import annotations

import json
import os

from kubewallet.agent.paths import socket_path
from kubewallet.agent.trust import Untrusted, connect


class NoAgent(Exception):
    """No agent of ours answers on the socket (not running, stale socket, or not ours).

    `untrusted` is True when something answers or could answer there but failed the checks of
    `agent.trust`: the message says why, and callers say it to the person."""

    def __init__(self, message: str, *, untrusted: bool = False) -> None:
        super().__init__(message)
        self.untrusted = untrusted


def request(message: dict, path: str | os.PathLike | None = None, timeout: float = 5.0) -> dict:
    where = os.fspath(path) if path is not None else socket_path()
    try:
        sock = connect(where, timeout)
    except Untrusted as exc:
        raise NoAgent(f"not using the agent socket {where}: {exc}", untrusted=True) from None
    except OSError as exc:  # FileNotFoundError, ConnectionRefusedError, PermissionError
        raise NoAgent(f"no agent at {where} ({exc.strerror or type(exc).__name__})") from None
    try:
        sock.sendall(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                break
    except (TimeoutError, ConnectionError) as exc:
        raise NoAgent(f"the agent at {where} did not answer ({type(exc).__name__})") from None
    finally:
        sock.close()
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        raise NoAgent(f"the agent at {where} answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise NoAgent(f"the agent at {where} answered something unexpected")
    return answer


def held(ref: str, path=None) -> dict:
    """The OIDC refresh token `hold` gave the agent (see the module docstring); raises NoAgent."""
    return request({"op": "held", "ref": ref}, path)


def hold(ref: str, value: str, path=None) -> dict:
    """Hand an OIDC refresh token to the agent's memory (see the module docstring); NoAgent."""
    return request({"op": "hold", "ref": ref, "value": value}, path)
