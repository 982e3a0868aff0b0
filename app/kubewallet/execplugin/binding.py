"""Which clusters a secured secret may be sent to (issue 12, finding 4).

Without this, any kubeconfig — a "vendor" file imported from someone else — could name
`kubewallet credential get --ref users/admin` under a cluster its sender controls, and kubectl
would send the admin's token there. So `secure` records, for each secret, the clusters (server
and CA) of every context that used the user at the time, and writes `provideClusterInfo: true`,
which makes kubectl hand the plugin the cluster it is about to talk to (client-go
`ConfigToExecCluster`: server, `certificate-authority-data` read from data or file, base64 in the
JSON). The plugin serves the secret only to a recorded cluster; a call without cluster info is
refused too (the vendor file could simply leave provideClusterInfo out).

A cluster is identified by its server URL and the SHA-256 of its CA bytes ("" when it trusts the
system roots). Secrets stored before this rule have no record and are served as before.
Standard library only: this runs on the plugin's path.
"""

from __future__ import annotations

import base64
import hashlib


def _ca_digest(ca: bytes | None) -> str:
    return hashlib.sha256(ca).hexdigest() if ca else ""


def from_exec_info(cluster: dict | None) -> dict | None:
    """The identity of the cluster kubectl named in `spec.cluster` (None when it named none)."""
    if not isinstance(cluster, dict) or not cluster.get("server"):
        return None
    raw = cluster.get("certificate-authority-data")
    try:
        ca = base64.b64decode(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        ca = None
    return {"server": str(cluster["server"]), "ca": _ca_digest(ca)}


def from_kubeconfig(ws, cluster_name: str) -> dict | None:
    """The identity of a kubeconfig cluster, its CA read from data or file as client-go does."""
    entry = ws.clusters.get(cluster_name)
    if entry is None or not isinstance(entry.body, dict) or not entry.body.get("server"):
        return None
    body = entry.body
    ca = None
    if body.get("certificate-authority-data"):
        try:
            ca = base64.b64decode(body["certificate-authority-data"])
        except ValueError:
            ca = None
    elif body.get("certificate-authority"):
        try:
            with open(ws.resolve_path(entry, body["certificate-authority"]), "rb") as fh:
                ca = fh.read()
        except OSError:
            ca = None
    return {"server": str(body["server"]), "ca": _ca_digest(ca)}


def clusters_of_user(ws, user: str) -> list[dict]:
    """Every cluster a context of `user` points at now: where `secure` lets its secret go."""
    out: list[dict] = []
    for entry in ws.contexts.values():
        body = entry.body if isinstance(entry.body, dict) else {}
        if body.get("user") != user:
            continue
        ident = from_kubeconfig(ws, str(body.get("cluster") or ""))
        if ident is not None and ident not in out:
            out.append(ident)
    return out


def refusal(meta: dict, cluster: dict | None, *, ref: str, user: str | None) -> str | None:
    """Why `ref` must not be served to `cluster` (spec.cluster), or None when it may."""
    allowed = meta.get("clusters")
    if not isinstance(allowed, list):
        return None  # stored before clusters were recorded
    asked = from_exec_info(cluster)
    if asked is not None and asked in allowed:
        return None
    known = ", ".join(sorted({str(c.get("server")) for c in allowed if isinstance(c, dict)})) \
        or "no cluster (no context used the user then)"
    owner = meta.get("user") or user or ref
    if asked is None:
        return (f"refusing to serve {ref!r} (user {owner!r}): kubectl named no cluster "
                f"(the kubeconfig entry lacks provideClusterInfo: true); it was secured for {known}")
    return (f"refusing to send {ref!r} (user {owner!r}) to {asked['server']}: it was secured for "
            f"{known}. If that cluster is yours, allow it with: kubewallet credential allow "
            f"--ref {ref} --context CONTEXT (a context pointing at {asked['server']})")


def allow_cluster(ref: str, context: str, *, kubeconfig: str | None = None, vault=None) -> dict:
    """Record the cluster of `context` as one `ref` may be sent to; returns its identity."""
    from kubewallet.errors import KubeconfigError, VaultError
    from kubewallet.kubeconfig import LoadingRules, load_workspace
    from kubewallet.vault import open_vault

    ws = load_workspace(LoadingRules.from_env(kubeconfig))
    entry = ws.contexts.get(context)
    body = entry.body if entry is not None and isinstance(entry.body, dict) else None
    ident = from_kubeconfig(ws, str(body.get("cluster") or "")) if body else None
    if ident is None:
        raise KubeconfigError(f"context {context!r} names no cluster with a server in the kubeconfig")
    vault = vault or open_vault()
    stored = vault.get_entry(ref)
    if stored is None:
        raise VaultError(f"no secret {ref!r} in the vault", hint="'kubewallet vault list' shows what it holds")
    clusters = [c for c in (stored.meta.get("clusters") or []) if isinstance(c, dict)]
    if ident not in clusters:
        vault.put(ref, stored.value, meta=dict(stored.meta, clusters=[*clusters, ident]))
    return ident


def planted_reference(user: str, body: dict) -> str | None:
    """Why an exec entry that runs kubewallet's plugin was not written by `secure` for this user
    (None when it looks like ours): `secure` names the user's own reference (`users/NAME`,
    `users/NAME#N`, `plugins/NAME`) and asks for the cluster. An entry naming another user's
    secret is how a vendor kubeconfig would try to borrow it (issue 12, finding 4)."""
    from kubewallet.credentials.secure import kubewallet_ref

    ref = kubewallet_ref(body)
    if not ref:
        return None
    owner = ref.split("/", 1)[-1].split("#", 1)[0]
    if owner != user:
        return (f"user {user!r} runs kubewallet's plugin for another user's secret ({ref}); "
                "kubewallet serves it only to the clusters it was secured for")
    if not (body.get("exec") or {}).get("provideClusterInfo"):
        return (f"user {user!r} runs kubewallet's plugin ({ref}) without provideClusterInfo: "
                "kubectl does not say which cluster it talks to, so a bound secret is refused")
    return None
