"""The previous context and namespace, so `kubewallet use -` and `kubewallet ns -` go back,
as `kubectx -` and `kubens -` do. Kept per set of kubeconfig files in the state directory."""

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
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
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


def remember_namespace(precedence: tuple[str, ...], context: str, namespace: str) -> None:
    data = _read()
    data.setdefault(_key(precedence), {}).setdefault("namespaces", {})[context] = namespace
    _write(data)
