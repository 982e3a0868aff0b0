"""The agent's client: what `kubewallet credential get` runs on every kubectl call.

Standard library only (socket, json, os): through the agent the plugin must cost no more than
twice a bare interpreter. One request per connection, one JSON object per line each way:

    -> {"op": "get", "ref": "users/alice"}
    <- {"ok": true, "value": "...", "meta": {"kind": "token", "expires": "...", "user": "alice"}}
    <- {"ok": false, "error": "not-found" | "locked" | "vault" | "denied", "message": "...", "hint": ...}

`ops`: get, status, lock, unlock (with "passphrase"), stop, hold (an OIDC refresh token kept in
memory only, where the vault cannot be opened; "get" then serves it until lock or stop).
"""

from __future__ import annotations

import json
import os
import socket

from kubewallet.agent.paths import socket_path


class NoAgent(Exception):
    """No agent answers on the socket (not running, stale socket, or wrong owner)."""


def request(message: dict, path: str | os.PathLike | None = None, timeout: float = 5.0) -> dict:
    where = os.fspath(path) if path is not None else os.fspath(socket_path())
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(where)
        except OSError as exc:  # FileNotFoundError, ConnectionRefusedError, PermissionError
            raise NoAgent(f"no agent at {where} ({exc.strerror or type(exc).__name__})") from None
        sock.sendall(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                break
    except (socket.timeout, ConnectionError) as exc:
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


def get(ref: str, path=None) -> dict:
    """The agent's answer for one reference (see the module docstring); raises NoAgent."""
    return request({"op": "get", "ref": ref}, path)


def hold(ref: str, value: str, path=None) -> dict:
    """Hand an OIDC refresh token to the agent's memory (see the module docstring); NoAgent."""
    return request({"op": "hold", "ref": ref, "value": value}, path)
