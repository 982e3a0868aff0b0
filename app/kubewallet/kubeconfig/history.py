"""The previous context and namespace, so `kubewallet use -` and `kubewallet ns -` go back,
as `kubectx -` and `kubens -` do, and the namespaces recently used with each context (the
`ns` picker offers them next to those the kubeconfig names). Kept per set of kubeconfig files
in the state directory. Written by the switches themselves (switching.py, folders.py), never
by their callers."""

from __future__ import annotations

import json
import os


def _state_file() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.environ.get("HOME", "~"), ".local", "state")
    return os.path.join(base, "kubewallet", "history.json")


def _key(precedence: tuple[str, ...]) -> str:
    import hashlib

    joined = os.pathsep.join(os.path.abspath(p) for p in precedence)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _read() -> dict:
    try:
        with open(_state_file(), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _write(data: dict) -> None:
    path = _state_file()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600), "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def previous_context(precedence: tuple[str, ...]) -> str | None:
    return _read().get(_key(precedence), {}).get("context")


def remember_context(precedence: tuple[str, ...], name: str) -> None:
    data = _read()
    data.setdefault(_key(precedence), {})["context"] = name
    _write(data)


def previous_namespace(precedence: tuple[str, ...], context: str) -> str | None:
    return _read().get(_key(precedence), {}).get("namespaces", {}).get(context)


RECENT_NAMESPACES = 10


def remember_namespace(precedence: tuple[str, ...], context: str, previous: str, namespace: str) -> None:
    """A namespace switch on `context` from `previous` to `namespace`: `previous` is what `ns -`
    goes back to (unless nothing changed), and both head the context's recent namespaces."""
    data = _read()
    entry = data.setdefault(_key(precedence), {})
    if previous != namespace:
        entry.setdefault("namespaces", {})[context] = previous
    recent = entry.setdefault("recent", {})
    old = recent.get(context) if isinstance(recent.get(context), list) else []
    recent[context] = list(dict.fromkeys([namespace, previous, *old]))[:RECENT_NAMESPACES]
    _write(data)


def recent_namespaces(precedence: tuple[str, ...], context: str) -> list[str]:
    """The namespaces used with `context` lately, the latest first."""
    recent = _read().get(_key(precedence), {}).get("recent", {}).get(context)
    return [ns for ns in recent if isinstance(ns, str)] if isinstance(recent, list) else []
