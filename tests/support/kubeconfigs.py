"""Kubeconfig files for the credential tests, written by kubewallet's own engine (so their bytes
are in the canonical form kubectl writes, and a round trip can be compared byte for byte)."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path


def unsigned_jwt(claims: dict) -> str:
    """A JWT-shaped token for servers that compare tokens verbatim (the stub's fixed table):
    the plugin only reads its `exp`; no signature is checked anywhere it is used."""
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def jwt_expiring_in(seconds: float, sub: str = "carol") -> str:
    return unsigned_jwt({"sub": sub, "exp": int(time.time() + seconds), "iss": "https://idp.example"})


def write_kubeconfig(path: Path, cluster: dict, users: dict[str, dict], current_user: str) -> Path:
    from kubewallet.kubeconfig import LoadingRules, run_edit

    path.parent.mkdir(parents=True, exist_ok=True)
    rules = LoadingRules.from_env(str(path)) if path.exists() else None
    if rules is None:
        path.write_text("apiVersion: v1\nkind: Config\n")
        path.chmod(0o600)
        rules = LoadingRules.from_env(str(path))

    def edit(ws):
        ws.set_entry("clusters", "stub", cluster)
        for name, body in users.items():
            ws.set_entry("users", name, body)
            ws.set_entry("contexts", name, {"cluster": "stub", "user": name, "namespace": "team-a"})
        ws.use_context(current_user)

    run_edit(rules, edit)
    return path
